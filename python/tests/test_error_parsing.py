"""Turning error bodies, headers and transport failures into `MeshAPIError` (no I/O)."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from meshapi import ErrorCode, MeshAPIError
from meshapi._base import error_from_payload, error_from_response, error_from_transport
from meshapi._base import parse_retry_after as _parse_retry_after


def parse_retry_after(**headers: str) -> float | None:
    return _parse_retry_after(httpx.Headers(headers))


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_gateway_envelope_fields_are_all_exposed() -> None:
    body = (
        b'{"error":{"code":"upstream_error","message":"Provider failed.","type":"upstream_error",'
        b'"provider_error":{"status":500,"body":"boom"},"retry_after_seconds":3},'
        b'"request_id":"req_1"}'
    )

    error = error_from_response(response(502, **{"x-request-id": "req_h"}), body)

    assert isinstance(error, Exception)
    assert str(error) == "Provider failed."
    assert (error.status, error.error_code, error.error_type) == (
        502,
        "upstream_error",
        "upstream_error",
    )
    assert error.provider_error == {"status": 500, "body": "boom"}
    assert (error.request_id, error.retry_after_seconds) == ("req_1", 3.0)
    assert error.details == []
    assert "upstream_error" in repr(error)


def test_body_retry_after_wins_and_header_fills_in() -> None:
    with_body = b'{"error":{"code":"rate_limit_exceeded","message":"m","retry_after_seconds":2}}'
    without = b'{"error":{"code":"rate_limit_exceeded","message":"m"}}'

    assert (
        error_from_response(response(429, **{"retry-after": "9"}), with_body).retry_after_seconds
        == 2
    )
    assert (
        error_from_response(response(429, **{"retry-after": "9"}), without).retry_after_seconds == 9
    )
    assert error_from_response(response(429), without).retry_after_seconds is None


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (
            401,
            b'{"error":{"message":"bad key","type":"invalid_request_error","code":null}}',
            "unauthorized",
            "bad key",
        ),  # OpenAI-style: code from the status
        (404, b'{"error":"no such route"}', "not_found", "no such route"),
        (418, b"{}", "http_error", "HTTP 418"),
        (500, b"", "internal_error", "HTTP 500"),
    ],
)
def test_bodies_without_a_code_fall_back_to_the_status(
    status: int, body: bytes, code: str, message: str
) -> None:
    error = error_from_response(response(status, **{"x-request-id": "req_h"}), body)

    assert (error.error_code, str(error), error.request_id) == (code, message, "req_h")


def test_non_json_body_is_a_parse_error_keeping_status_and_retry_after() -> None:
    error = error_from_response(response(503, **{"retry-after": "4"}), b"Service Unavailable")

    assert (error.error_code, error.status, error.retry_after_seconds) == (
        ErrorCode.PARSE_ERROR,
        503,
        4.0,
    )
    assert "Service Unavailable" in str(error)


def test_in_band_stream_frame_has_no_status() -> None:
    error = error_from_payload({"error": {"message": "cut"}, "request_id": "req_s"}, status=None)

    assert (error.status, error.error_code, str(error), error.request_id) == (
        None,
        "stream_error",
        "cut",
        "req_s",
    )


def test_details_keep_the_server_entries() -> None:
    details = [{"type": "invalid_type", "loc": ["body", "temperature"], "msg": "expected number"}]

    error = error_from_payload(
        {"error": {"code": "validation_error", "details": details}}, status=422
    )

    assert error.details == details
    assert error.details[0]["loc"] == ["body", "temperature"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "5"}, 5.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after-ms": "x", "retry-after": "9"}, 9.0),
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(**headers) == expected


def test_retry_after_http_date() -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    past = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=30), usegmt=True)

    assert 25 <= (parse_retry_after(**{"retry-after": later}) or 0) <= 30
    assert parse_retry_after(**{"retry-after": past}) == 0.0


@pytest.mark.parametrize(
    ("exc", "during_stream", "code"),
    [
        (httpx.ConnectError("refused"), False, ErrorCode.CONNECTION_ERROR),
        (httpx.RemoteProtocolError("closed"), False, ErrorCode.CONNECTION_ERROR),
        (httpx.ReadTimeout("slow"), False, ErrorCode.TIMEOUT),
        (httpx.ReadTimeout("slow"), True, ErrorCode.TIMEOUT),
        (httpx.RemoteProtocolError("incomplete chunked read"), True, ErrorCode.STREAM_INTERRUPTED),
    ],
)
def test_transport_failures(exc: httpx.TransportError, during_stream: bool, code: str) -> None:
    error = error_from_transport(exc, during_stream=during_stream)

    assert isinstance(error, MeshAPIError)
    assert (error.error_code, error.status) == (code, None)


def test_errors_survive_pickling() -> None:
    error = error_from_payload(
        {"error": {"code": "validation_error", "message": "bad", "details": [{"loc": ["body"]}]}},
        status=422,
        request_id="req_p",
    )

    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, MeshAPIError)
    assert (str(copy), copy.status, copy.error_code, copy.request_id, copy.details) == (
        "bad",
        422,
        "validation_error",
        "req_p",
        [{"loc": ["body"]}],
    )
