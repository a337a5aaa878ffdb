"""The retry decision and the wait before each retry (no I/O, no sleeping)."""

from __future__ import annotations

import pytest

from meshapi import ErrorCode, MeshAPIError
from meshapi._retry import RetryPolicy


def error(
    status: int | None = None, code: str = "x", retry_after: float | None = None
) -> MeshAPIError:
    return MeshAPIError("m", status=status, error_code=code, retry_after_seconds=retry_after)


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert RetryPolicy().delay_before_retry(error(status), 0, 2) is not None


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 413, 422, 500, 501])
def test_other_statuses_are_not(status: int) -> None:
    assert RetryPolicy().delay_before_retry(error(status), 0, 2) is None


@pytest.mark.parametrize(
    ("code", "retried"),
    [
        (ErrorCode.CONNECTION_ERROR, True),
        (ErrorCode.TIMEOUT, True),
        (ErrorCode.STREAM_INTERRUPTED, False),
        (ErrorCode.PARSE_ERROR, False),
        ("upstream_error", False),  # an in-band stream frame: data already arrived
    ],
)
def test_failures_without_status(code: str, retried: bool) -> None:
    assert (RetryPolicy().delay_before_retry(error(code=code), 0, 2) is not None) is retried


def test_backoff_doubles_up_to_the_cap_with_jitter_taking_up_to_a_quarter() -> None:
    no_jitter = RetryPolicy(random=lambda: 0.0)
    full_jitter = RetryPolicy(random=lambda: 1.0)

    assert [no_jitter.delay_before_retry(error(503), n, 10) for n in range(6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
    ]
    assert full_jitter.delay_before_retry(error(503), 0, 10) == 0.375


def test_retry_after_is_used_as_is_and_a_long_one_stops_retrying() -> None:
    policy = RetryPolicy()

    assert policy.delay_before_retry(error(429, retry_after=12.5), 0, 2) == 12.5
    assert policy.delay_before_retry(error(429, retry_after=60), 0, 2) == 60
    assert policy.delay_before_retry(error(429, retry_after=61), 0, 2) is None


def test_max_retries_is_the_number_of_retries() -> None:
    policy = RetryPolicy()

    assert policy.delay_before_retry(error(503), 1, 2) is not None
    assert policy.delay_before_retry(error(503), 2, 2) is None
    assert policy.delay_before_retry(error(503), 0, 0) is None
