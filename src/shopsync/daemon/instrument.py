"""``MeteredTransport``: counts every HTTP call to one side for the metrics, by status.

It sits at the very bottom of a client (under the Tripletex client's pacing and retries, under the
webshop connector's), so every attempt on the wire is counted once, including retries, session
logins and 429 answers. It also passes on the rate-limit headroom a side reports in its headers
(Tripletex's ``X-Rate-Limit-Remaining``/``-Limit``; the common ``X-RateLimit-*`` and ``RateLimit-*``
spellings of other shops). It never looks at a body, a query string or a credential.
"""

from __future__ import annotations

import httpx2

from .ports import MetricsPort

__all__ = ["ERROR_STATUS", "MeteredTransport", "rate_limit_headers"]

#: The status recorded for a call that got no answer (refused, timed out, cut off).
ERROR_STATUS = 0
_PREFIXES = ("x-rate-limit-", "x-ratelimit-", "ratelimit-")


def rate_limit_headers(headers: httpx2.Headers) -> tuple[int | None, int | None]:
    """(remaining, limit) from the first rate-limit header spelling present, else (None, None)."""
    for prefix in _PREFIXES:
        remaining = _int(headers.get(prefix + "remaining"))
        limit = _int(headers.get(prefix + "limit"))
        if remaining is not None or limit is not None:
            return remaining, limit
    return None, None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.split(",")[0].strip()))
    except ValueError:
        return None


class MeteredTransport(httpx2.AsyncBaseTransport):
    """Wraps a transport; reports each call's status and the rate-limit headroom to ``metrics``."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, side: str, metrics: MetricsPort) -> None:
        self._inner = inner
        self._side = side
        self._metrics = metrics

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except Exception:
            self._metrics.observe_api_call(self._side, ERROR_STATUS)
            raise
        self._metrics.observe_api_call(self._side, response.status_code)
        remaining, limit = rate_limit_headers(response.headers)
        if remaining is not None or limit is not None:
            self._metrics.set_rate_limit(self._side, remaining, limit)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
