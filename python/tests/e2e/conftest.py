"""The real stack for end-to-end tests: the built gateway with the testkit's provider simulator as
its upstream, started once per session by `node packages/testkit/dist/stack-cli.js`."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Optional

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
STACK_CLI = REPO_ROOT / "packages/testkit/dist/stack-cli.js"
GATEWAY_CLI = REPO_ROOT / "packages/gateway/dist/cli/main.js"
START_TIMEOUT = 60.0
WAIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Stack:
    gateway_url: str
    token: str
    simulator_url: str

    def simulator_requests(self) -> list[dict[str, Any]]:
        """What reached the upstream, as the simulator recorded it."""
        response = httpx.get(f"{self.simulator_url}/_sim/requests", timeout=WAIT_TIMEOUT)
        response.raise_for_status()
        requests: list[dict[str, Any]] = response.json()
        return requests

    def wait_for_upstream(
        self, marker: str, condition: Callable[[dict[str, Any]], bool] = lambda r: True
    ) -> dict[str, Any]:
        """The upstream request whose body contains `marker`, once `condition` holds for it."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while True:
            matching = [r for r in self.simulator_requests() if marker in json.dumps(r["body"])]
            for request in matching:
                if condition(request):
                    return request
            if time.monotonic() > deadline:
                raise AssertionError(f"no upstream request with {marker!r} satisfied: {matching}")
            time.sleep(0.05)


def unique_marker() -> str:
    return f"run-{uuid.uuid4().hex[:12]}"


def _missing_builds() -> Optional[str]:
    missing = [str(p.relative_to(REPO_ROOT)) for p in (STACK_CLI, GATEWAY_CLI) if not p.exists()]
    if missing:
        return f"end-to-end tests need `npm run build` first (missing: {', '.join(missing)})"
    return None


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = _missing_builds()
    if reason:
        pytest.skip(reason)
    log_path = tmp_path_factory.mktemp("stack") / "stack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["node", str(STACK_CLI)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "MESHAPI_LOG_LEVEL": "warn"},
        )
        try:
            yield _read_ready_line(process, log_path)
        finally:
            _stop(process)


def _read_ready_line(process: subprocess.Popen[bytes], log_path: Path) -> Stack:
    assert process.stdout is not None
    stdout: IO[bytes] = process.stdout
    line: list[bytes] = []
    # readline() cannot time out by itself; a thread bounds the wait for a stack that hangs.
    reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not line or not line[0]:
        _stop(process)
        raise RuntimeError(f"the test stack did not start; its log:\n{log_path.read_text()}")
    info = json.loads(line[0])
    return Stack(info["gateway_url"], info["token"], info["simulator_url"])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()  # stack-cli stops everything when stdin closes
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(timeout=5)
