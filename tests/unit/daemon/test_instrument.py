"""``MeteredTransport``: every call counted by status; rate-limit headroom passed on."""

from __future__ import annotations

import httpx2
import pytest

from shopsync.daemon.instrument import ERROR_STATUS, MeteredTransport, rate_limit_headers

from .fakes import RecordingMetrics


def handler(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == "/down":
        raise httpx2.ConnectError("refused", request=request)
    if request.url.path == "/limited":
        return httpx2.Response(429, headers={"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0"})
    return httpx2.Response(200, headers={"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "42"})


async def test_calls_are_counted_per_side_and_status() -> None:
    """200, 429 and no answer (0) are all counted; the headers set the headroom."""
    metrics = RecordingMetrics()
    transport = MeteredTransport(httpx2.MockTransport(handler), "tripletex", metrics)
    async with httpx2.AsyncClient(transport=transport, base_url="http://tx") as http:
        await http.get("/ok")
        await http.get("/limited")
        with pytest.raises(httpx2.ConnectError):
            await http.get("/down")
    assert metrics.calls == [("tripletex", 200), ("tripletex", 429), ("tripletex", ERROR_STATUS)]
    assert metrics.limits == [("tripletex", 42, 100), ("tripletex", 0, 100)]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Rate-Limit-Remaining": "5", "X-Rate-Limit-Limit": "10"}, (5, 10)),
        ({"X-RateLimit-Remaining": "7"}, (7, None)),
        ({"RateLimit-Limit": "60, 60;w=1", "RateLimit-Remaining": "59"}, (59, 60)),
        ({"X-Rate-Limit-Remaining": "lots"}, (None, None)),
        ({}, (None, None)),
    ],
)
def test_rate_limit_header_spellings(
    headers: dict[str, str], expected: tuple[int | None, int | None]
) -> None:
    """Tripletex's spelling and the common ones of other shops; junk is ignored."""
    assert rate_limit_headers(httpx2.Headers(headers)) == expected
