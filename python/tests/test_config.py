"""Client construction: environment fallbacks, clear errors, base URL forms."""

from __future__ import annotations

import pytest

from meshapi import AsyncMeshAPI, MeshAPI

CLIENTS = [MeshAPI, AsyncMeshAPI]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESHAPI_BASE_URL", raising=False)
    monkeypatch.delenv("MESHAPI_TOKEN", raising=False)


@pytest.mark.parametrize("cls", CLIENTS)
def test_base_url_and_token_fall_back_to_the_environment(
    cls: type[MeshAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", "http://env.test:8080/")
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_env")

    client = cls()

    assert client.base_url == "http://env.test:8080"
    assert client._config.token == "rsk_env"


@pytest.mark.parametrize("cls", CLIENTS)
def test_arguments_win_over_the_environment(
    cls: type[MeshAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", "http://env.test")
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_env")

    client = cls(base_url="http://arg.test", token="rsk_arg")

    assert (client.base_url, client._config.token) == ("http://arg.test", "rsk_arg")


@pytest.mark.parametrize("cls", CLIENTS)
def test_missing_base_url_names_the_variable(cls: type[MeshAPI]) -> None:
    with pytest.raises(ValueError, match="MESHAPI_BASE_URL"):
        cls(token="rsk_x")


@pytest.mark.parametrize("cls", CLIENTS)
def test_missing_token_names_the_variable(cls: type[MeshAPI]) -> None:
    with pytest.raises(ValueError, match="MESHAPI_TOKEN"):
        cls(base_url="http://x.test")


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("https://api.meshapi.ai", "https://api.meshapi.ai"),
        ("https://api.meshapi.ai/", "https://api.meshapi.ai"),
        ("https://api.meshapi.ai/v1", "https://api.meshapi.ai"),
        ("http://host:8080/prefix/v1/", "http://host:8080/prefix"),
    ],
)
def test_base_url_forms(given: str, normalized: str) -> None:
    assert MeshAPI(base_url=given, token="rsk_x").base_url == normalized


def test_base_url_needs_a_scheme_and_retries_a_count() -> None:
    with pytest.raises(ValueError, match="http://"):
        MeshAPI(base_url="api.meshapi.ai", token="rsk_x")
    with pytest.raises(ValueError, match="max_retries"):
        MeshAPI(base_url="http://x.test", token="rsk_x", max_retries=-1)


def test_timeout_applies_to_every_phase() -> None:
    client = MeshAPI(base_url="http://x.test", token="rsk_x", timeout=2.5)

    timeout = client._config.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2.5, 2.5, 2.5, 2.5)
