"""Record every (request, response) pair an httpx2.AsyncClient sends, and check them against the spec.

``Recorder.transport()`` wraps a real transport (by default ``httpx2.AsyncHTTPTransport``, i.e. a real
socket), so it sees exactly what goes on the wire: auth headers added by the client, every retry and every
session renewal. Pass it as ``transport=`` to a raw ``httpx2.AsyncClient`` or to ``TripletexClient``.
``Recorder.verify()`` validates whatever was recorded since the last call and fails with a readable list of
violations; the session-wide totals go to ``STATS`` for the terminal summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType

import httpx2
from openapi_core import OpenAPI

from .validator import Exchange, Stats, Violation, check_exchange

__all__ = ["STATS", "ConformanceError", "Recorder", "RecordingTransport"]

#: Totals over the whole pytest session (requests and responses validated, violations found).
STATS = Stats()


class ConformanceError(AssertionError):
    """Recorded traffic broke the Tripletex spec; the message lists every violation."""


class RecordingTransport(httpx2.AsyncBaseTransport):
    """A transport that passes requests to ``inner`` and keeps each request with its (fully read) response."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, record: Callable[[Exchange], None]) -> None:
        self._inner = inner
        self._record = record

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` and record it with its response; the body is read here so it can be validated."""
        await request.aread()
        response = await self._inner.handle_async_request(request)
        # Reading caches the body on the response, so the client reading it again gets the same bytes.
        await response.aread()
        self._record(Exchange(request=request, response=response))
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()

    async def __aenter__(self) -> RecordingTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


class Recorder:
    """Collects exchanges from any number of clients and validates them against ``openapi``."""

    def __init__(self, openapi: OpenAPI, stats: Stats | None = None) -> None:
        self.openapi = openapi
        self.exchanges: list[Exchange] = []
        self._stats = STATS if stats is None else stats
        self._verified = 0
        self._deliberate = False

    def transport(self, inner: httpx2.AsyncBaseTransport | None = None) -> RecordingTransport:
        """A recording transport around ``inner`` (a fresh real-socket transport when omitted)."""
        return RecordingTransport(inner or httpx2.AsyncHTTPTransport(), self._record)

    def _record(self, exchange: Exchange) -> None:
        self.exchanges.append(replace(exchange, deliberate=self._deliberate))

    @contextmanager
    def deliberately_invalid(self) -> Iterator[None]:
        """Requests sent inside the block break the spec on purpose: they must, and only responses count."""
        self._deliberate = True
        try:
            yield
        finally:
            self._deliberate = False

    def client(
        self, base_url: str, *, auth: tuple[str, str] | None = None, timeout: float = 10.0
    ) -> httpx2.AsyncClient:
        """A raw ``httpx2.AsyncClient`` on ``base_url`` (a real socket) whose traffic this recorder sees."""
        return httpx2.AsyncClient(base_url=base_url, transport=self.transport(), auth=auth, timeout=timeout)

    def check(self) -> list[Violation]:
        """Validate the exchanges recorded since the last check; counts them in the session totals."""
        found: list[Violation] = []
        for exchange in self.exchanges[self._verified :]:
            violations = check_exchange(self.openapi, exchange)
            self._stats.add(exchange, violations)
            found += violations
        self._verified = len(self.exchanges)
        return found

    def verify(self) -> int:
        """Validate new exchanges; ``ConformanceError`` lists every violation. Returns how many passed."""
        start = self._verified
        violations = self.check()
        if violations:
            lines = "\n".join(f"  - {v}" for v in violations)
            raise ConformanceError(
                f"{len(violations)} spec violation(s) in recorded Tripletex traffic:\n{lines}"
            )
        return self._verified - start

    @property
    def unverified(self) -> int:
        """How many recorded exchanges have not been validated yet."""
        return len(self.exchanges) - self._verified
