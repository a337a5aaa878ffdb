"""`client.embeddings.create` against the real gateway, sync and async."""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator

import pytest

from meshapi import EmbeddingParams, MeshAPIError

from ..support.drivers import Driver
from .conftest import Stack

MODEL = "openai/text-embedding-3-small"


@pytest.fixture(params=["sync", "async"])
async def gateway(request: pytest.FixtureRequest, stack: Stack) -> AsyncIterator[Driver]:
    driver = Driver(request.param, stack.gateway_url, stack.token, max_retries=0)
    yield driver
    await driver.close()


async def test_embeds_inputs_in_order_with_usage_and_cost(gateway: Driver) -> None:
    res = await gateway.embed(model=MODEL, input=["alpha", "beta"], dimensions=4)

    assert res.model == MODEL
    assert [d.index for d in res.data] == [0, 1]
    first, second = (d.embedding for d in res.data)
    assert isinstance(first, list)
    assert len(first) == 4
    assert first != second
    assert res.usage.prompt_tokens > 0
    assert res.usage.cost is not None
    assert res.usage.cost > 0


async def test_base64_vectors_decode_to_the_float_ones(gateway: Driver) -> None:
    floats = await gateway.embed(EmbeddingParams(model=MODEL, input="gamma", dimensions=4))
    encoded = await gateway.embed(
        EmbeddingParams(model=MODEL, input="gamma", dimensions=4, encoding_format="base64")
    )

    raw = encoded.data[0].embedding
    assert isinstance(raw, str)
    decoded = list(struct.unpack("<4f", base64.b64decode(raw)))
    assert decoded == pytest.approx(floats.data[0].embedding)


async def test_bad_input_raises_the_gateway_error(gateway: Driver) -> None:
    with pytest.raises(MeshAPIError) as caught:
        await gateway.embed(model=MODEL, input="")

    assert caught.value.status == 422
    assert caught.value.error_code == "validation_error"
