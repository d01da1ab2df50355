"""Error classification of HTTP answers and reading rate-limit resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.channels.connectors import AuthError, RateLimited, Rejected, TransientError
from app.channels.connectors.base import classify_response, parse_retry_at

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, NOW + timedelta(seconds=30)),
        ({"Retry-After": "Sun, 01 Mar 2026 12:02:00 GMT"}, NOW + timedelta(minutes=2)),
        ({"X-RateLimit-Reset": "2026-03-01T12:05:00.000Z"}, NOW + timedelta(minutes=5)),
        (
            {"X-RateLimit-Reset": str(int((NOW + timedelta(minutes=1)).timestamp()))},
            NOW + timedelta(minutes=1),
        ),
        ({"RateLimit-Reset": "45"}, NOW + timedelta(seconds=45)),
        ({"ratelimit-reset": str(int((NOW + timedelta(minutes=3)).timestamp()))}, NOW + timedelta(minutes=3)),
        ({"X-RateLimit-Limit": "300"}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_reset_headers_are_read(headers, expected):
    assert parse_retry_at(headers, NOW) == expected


def test_absolute_reset_is_shifted_by_the_servers_clock_offset():
    headers = {"X-RateLimit-Reset": "2026-03-01T11:50:30Z", "Date": "Sun, 01 Mar 2026 11:50:00 GMT"}
    assert parse_retry_at(headers, NOW) == NOW + timedelta(seconds=30)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, AuthError),
        (403, AuthError),
        (429, RateLimited),
        (500, TransientError),
        (503, TransientError),
        (422, Rejected),
        (400, Rejected),
        (302, Rejected),
    ],
)
def test_statuses_map_to_error_classes(status, error_class):
    resp = httpx.Response(
        status, json={"error": "Validation failed: text too long"}, headers={"Retry-After": "5"}
    )
    assert isinstance(classify_response(resp, NOW), error_class)


def test_success_is_not_an_error():
    assert classify_response(httpx.Response(201, json={}), NOW) is None


def test_rejection_carries_the_platform_message():
    error = classify_response(httpx.Response(422, json={"error": "Validation failed: text too long"}), NOW)
    assert error.message == "Validation failed: text too long"


def test_rate_limit_carries_retry_at():
    error = classify_response(httpx.Response(429, headers={"Retry-After": "5"}), NOW)
    assert error.retry_at == NOW + timedelta(seconds=5)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(400, text="Invalid Bearer token", headers={"Content-Type": "text/html"}),  # Takahē
        httpx.Response(400, json={"error": "invalid_token", "error_description": "The access token expired"}),
        httpx.Response(422, json={"error": "The access token was revoked"}),
        httpx.Response(400, text="<html><body><h1>Unauthorized</h1></body></html>"),
        httpx.Response(400, text="Bad Request: token is invalid"),
    ],
)
def test_a_400_or_422_that_speaks_of_the_token_is_credential_trouble(answer):
    assert isinstance(classify_response(answer, NOW), AuthError)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(400, json={"error": "Status is too long"}),  # Takahē's length refusal
        httpx.Response(422, json={"error": "Validation failed: Text character limit of 500 exceeded"}),
        httpx.Response(400, json={"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"}),
    ],
)
def test_a_content_refusal_is_not_credential_trouble(answer):
    error = classify_response(answer, NOW)
    assert isinstance(error, Rejected) and not isinstance(error, AuthError)
