"""``TripletexClient``: the async entry point that wires session, pacing, retries and resources.

One client per Tripletex account (one employee token): it shares one session, one rate-limit pacer
and one connection pool between all its resources, so it is meant to live for a whole run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx2

from ..logs import redact_stdlib_loggers, register_secret
from ._endpoints import COUNTRY, CURRENCY, CUSTOMER, ORDER, ORDER_LINE, PRODUCT, VAT_TYPE
from ._http import InstrumentedTransport, Requester
from ._models import Country, Currency, Customer, Order, OrderLine, Product, VatType
from ._query import DigestCache
from ._ratelimit import RateLimitPacer, RateLimitStats
from ._resources import OrderLineResource, OrderResource, ReferenceResource, Resource
from ._session import SessionAuth, SessionManager, utc_now
from ._settings import TripletexSettings
from ._webhooks import Webhooks

__all__ = ["TripletexClient"]


class TripletexClient:
    """Async Tripletex API v2 client; use as ``async with TripletexClient(settings) as tx: ...``.

    ``transport`` replaces the network (``httpx2.MockTransport`` in unit tests,
    ``httpx2.ASGITransport`` for an in-process simulator); pacing, retries and auth still apply.
    ``clock`` (aware UTC datetimes) decides when the session is due for renewal. ``limiter`` is an
    extra async gate every wire request awaits after the in-process pacer, e.g. a rate limit shared
    by several processes (``shopsync.jobs.ratelimit``); None (the default) leaves the pacer alone.
    """

    def __init__(
        self,
        settings: TripletexSettings | None = None,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        limiter: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings = settings or TripletexSettings()  # from the environment
        register_secret(settings.consumer_token)
        register_secret(settings.employee_token)
        redact_stdlib_loggers("httpx2", "httpcore2")  # httpx2 logs full URLs at INFO
        self._pacer = RateLimitPacer(
            safety_margin=settings.rate_limit_safety_margin,
            backoff_initial=settings.rate_limit_backoff_initial,
            backoff_max=settings.rate_limit_backoff_max,
        )
        inner = transport or httpx2.AsyncHTTPTransport(
            limits=httpx2.Limits(
                max_connections=settings.max_connections,
                max_keepalive_connections=settings.max_connections,
                keepalive_expiry=settings.keepalive_expiry,
            ),
            retries=0,  # connect retries are the retry policy's job
        )
        self._http = httpx2.AsyncClient(
            base_url=settings.base_url.rstrip("/"),
            transport=InstrumentedTransport(inner, self._pacer, limiter),
            timeout=httpx2.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.write_timeout,
                pool=settings.pool_timeout,
            ),
            headers={"User-Agent": settings.user_agent},
            follow_redirects=False,
        )
        requester = Requester(self._http, settings, self._pacer)
        self.sessions = SessionManager(requester, settings, clock)
        requester.auth = SessionAuth(self.sessions, settings.company_id)
        self._requester = requester
        cache = DigestCache()
        self.customers: Resource[Customer] = Resource(requester, CUSTOMER, Customer, settings, cache)
        self.products: Resource[Product] = Resource(requester, PRODUCT, Product, settings, cache)
        self.orders = OrderResource(requester, ORDER, Order, settings, cache)
        self.order_lines = OrderLineResource(requester, ORDER_LINE, OrderLine, settings, cache)
        self.vat_types: ReferenceResource[VatType] = ReferenceResource(
            requester, VAT_TYPE, VatType, settings, cache
        )
        self.currencies: ReferenceResource[Currency] = ReferenceResource(
            requester, CURRENCY, Currency, settings, cache
        )
        self.countries: ReferenceResource[Country] = ReferenceResource(
            requester, COUNTRY, Country, settings, cache
        )
        self.webhooks = Webhooks(requester)

    def __repr__(self) -> str:
        return f"TripletexClient(base_url={self.settings.base_url!r}, company_id={self.settings.company_id})"

    async def __aenter__(self) -> TripletexClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (and an injected transport)."""
        await self._http.aclose()

    @property
    def rate_limit(self) -> RateLimitStats:
        """Rate-limit headroom and pacing figures (for a status page)."""
        return self._pacer.stats()

    @property
    def requester(self) -> Requester:
        """The low-level sender, for endpoints the resources do not cover."""
        return self._requester
