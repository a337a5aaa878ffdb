from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Optional

import pytest

from .support.drivers import Driver
from .support.scripted_server import ScriptedServer

DriverFactory = Callable[..., Driver]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


@pytest.fixture(params=["sync", "async"])
async def make_driver(
    request: pytest.FixtureRequest, server: ScriptedServer
) -> AsyncIterator[DriverFactory]:
    """Builds clients of the parametrized kind pointed at `server`, closing them afterwards."""
    created: list[Driver] = []

    def make(*, base_url: Optional[str] = None, **options: Any) -> Driver:
        driver = Driver(request.param, base_url or server.url, **options)
        created.append(driver)
        return driver

    yield make
    for driver in created:
        await driver.close()


@pytest.fixture
def driver(make_driver: DriverFactory) -> Driver:
    return make_driver()
