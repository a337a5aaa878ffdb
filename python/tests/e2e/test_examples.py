"""The documented snippets, verbatim, against the real gateway.

`examples/*.py` wrap each snippet of the README's seed section (the SDK documentation) with just
enough set-up to run it; the first test proves the wrapped text is the documented text, the others
run every example as its own process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import Stack

PYTHON_DIR = Path(__file__).resolve().parents[2]
EXAMPLES = PYTHON_DIR / "examples"
SNIPPET = re.compile(r"# --- seed snippet.*?---\n(.*?)\n[ ]*# --- end of seed snippet ---", re.S)
# The only change the documentation allows: where the gateway is and which key to use.
DOCUMENTED_CONNECTION = 'base_url="https://api.meshapi.ai", token="rsk_..."'


def readme_seed_blocks() -> list[str]:
    readme = (PYTHON_DIR / "README.md").read_text()
    seed = readme.split("<!-- seed:begin", 1)[1].split("<!-- seed:end -->", 1)[0]
    return [block.rstrip("\n") for block in re.findall(r"```python\n(.*?)```", seed, re.S)]


def example_snippet(path: Path) -> str:
    match = SNIPPET.search(path.read_text())
    assert match, f"{path.name} has no seed snippet markers"
    snippet = textwrap.dedent(match.group(1))
    return snippet.replace("base_url=BASE_URL, token=TOKEN", DOCUMENTED_CONNECTION)


def test_every_documented_snippet_is_an_example_verbatim() -> None:
    blocks = readme_seed_blocks()
    snippets = {path.name: example_snippet(path) for path in sorted(EXAMPLES.glob("*.py"))}

    assert len(blocks) == 5
    assert sorted(snippets) == sorted(EXPECTED_OUTPUT)  # every example is also run
    assert sorted(snippets.values()) == sorted(blocks), "examples/ differ from the README snippets"


def run_example(name: str, stack: Stack) -> str:
    env = {**os.environ, "MESHAPI_BASE_URL": stack.gateway_url, "MESHAPI_TOKEN": stack.token}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


EXPECTED_OUTPUT = {
    "chat_completion.py": r"^The capital of France is Paris\.\nTokens: \d+\n$",
    "async_chat_completion.py": r"^You said: Hello!\n$",
    "streaming.py": r"^You said: Write a haiku about Python\.\n$",
    "async_streaming.py": r"^You said: Write a haiku about Python\.\n$",
    "tool_calling.py": (
        r"^tool call: \[ChoiceDeltaToolCall\(index=0, id='call_\w+', type='function', "
        r"function=ChoiceDeltaToolCallFunction\(name='get_weather', arguments=''\)\)\]\n"
        r"(tool call: .*arguments='[^']*'\)\)\]\n)+$"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTPUT))
def test_example_runs_against_the_gateway(stack: Stack, name: str) -> None:
    output = run_example(name, stack)

    assert re.match(EXPECTED_OUTPUT[name], output), output


def test_tool_calling_example_streams_the_arguments(stack: Stack) -> None:
    output = run_example("tool_calling.py", stack)

    arguments = "".join(re.findall(r"arguments='([^']*)'", output))
    assert arguments == '{"city":"Paris"}'
