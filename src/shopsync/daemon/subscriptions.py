"""Webhook subscriptions on both sides: registered at start-up, re-checked on a schedule.

Tripletex has one subscription per event (``customer.create`` … ``order.delete``); it disables a
subscription whose callbacks keep failing (``DISABLED_TOO_MANY_ERRORS``) and never re-enables it by
itself. ``TripletexSubscriptions.ensure`` therefore replaces every subscription of ours that is not
``ACTIVE`` and creates the ones that are gone. The webshop contract has one subscription with event
patterns (``POST /api/v1/webhooks``); ``WebshopSubscription`` keeps exactly one pointing at us.

"Ours" means: pointing at our callback URL. At start-up ours are deleted and created again, because
the secrets they carry (auth header value, HMAC secret) are write-only and cannot be compared with
the configured ones; the periodic check only repairs what is missing or disabled.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx2
import structlog
from pydantic import SecretStr

from shopsync.tripletex import WEBHOOK_EVENTS, NotFound, Subscription, TripletexClient, Webhooks

from .instrument import MeteredTransport
from .ports import MetricsPort

if TYPE_CHECKING:
    from shopsync.config import ShopsyncConfig

__all__ = [
    "SHOP_EVENTS",
    "TRIPLETEX_HOOK_PATH",
    "WEBSHOP_HOOK_PATH",
    "Keeper",
    "Repair",
    "TripletexSubscriptions",
    "WebshopSubscription",
    "subscriptions_for",
]

log = structlog.get_logger("shopsync.daemon")

#: What the daemon asks the shop for: every event of the three synced resources.
SHOP_EVENTS = ("customer.*", "product.*", "order.*")
#: Where the two systems post their webhooks, below the server's base URL (``shopsync.server``).
WEBSHOP_HOOK_PATH = "/webhooks/webshop"
TRIPLETEX_HOOK_PATH = "/webhooks/tripletex"
_ACTIVE = "ACTIVE"
#: ``WebshopAPIConfig.name`` of the shopsync contract (also with overrides such as pacing); presets
#: (``woocommerce``) name themselves.
CONTRACT = "contract"


@dataclass(frozen=True)
class Repair:
    """What one check changed: events (re)created and subscriptions removed."""

    created: tuple[str, ...] = ()
    removed: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything had to be repaired."""
        return bool(self.created or self.removed)


class Keeper(Protocol):
    """Keeps one side's subscriptions in place."""

    side: str

    async def register(self) -> Repair:
        """Subscribe afresh (at start-up)."""
        ...

    async def ensure(self) -> Repair:
        """Repair what was disabled or removed (on the schedule)."""
        ...

    async def aclose(self) -> None:
        """Release what the keeper holds."""
        ...


class TripletexSubscriptions:
    """Our ``/event/subscription`` entries: one ACTIVE subscription per event, calling ``target_url``."""

    side = "tripletex"

    def __init__(
        self,
        webhooks: Webhooks,
        target_url: str,
        *,
        auth_header_value: SecretStr | None = None,
        auth_header_name: str = "Authorization",
        hmac_secret: SecretStr | None = None,
        events: Iterable[str] = WEBHOOK_EVENTS,
    ) -> None:
        self._webhooks = webhooks
        self.target_url = target_url
        self._auth_name = auth_header_name
        self._auth_value = auth_header_value
        self._hmac = hmac_secret
        self.events = tuple(events)

    async def aclose(self) -> None:
        """Nothing to close: the Tripletex client belongs to the engine."""

    async def _ours(self) -> list[Subscription]:
        return [s for s in await self._webhooks.list() if s.targetUrl == self.target_url]

    async def _delete(self, subscriptions: Iterable[Subscription]) -> int:
        removed = 0
        for sub in subscriptions:
            if sub.id is None:
                continue
            with contextlib.suppress(NotFound):  # already gone: that is what we wanted
                await self._webhooks.delete(sub.id)
            removed += 1
        return removed

    async def _create(self, events: list[str]) -> None:
        if events:
            await self._webhooks.create_many(
                self.target_url,
                events,
                auth_header_name=self._auth_name if self._auth_value is not None else None,
                auth_header_value=self._auth_value,
                hmac_secret=self._hmac,
            )

    async def register(self) -> Repair:
        """Replace our subscriptions with fresh ones carrying the configured secrets."""
        removed = await self._delete(await self._ours())
        await self._create(list(self.events))
        log.info("daemon.tripletex_subscribed", events=len(self.events), replaced=removed)
        return Repair(created=self.events, removed=removed)

    async def ensure(self) -> Repair:
        """Recreate what Tripletex disabled or what disappeared; drop duplicates."""
        ours = await self._ours()
        keep: dict[str, Subscription] = {}
        drop: list[Subscription] = []
        for sub in ours:
            if sub.status == _ACTIVE and sub.event in self.events and sub.event not in keep:
                keep[str(sub.event)] = sub
            else:
                drop.append(sub)
        disabled = sorted({str(s.event) for s in drop if s.status != _ACTIVE})
        removed = await self._delete(drop)
        missing = [e for e in self.events if e not in keep]
        await self._create(missing)
        if missing or removed:
            log.warning(
                "daemon.tripletex_subscriptions_repaired",
                recreated=missing,
                disabled=disabled,
                removed=removed,
            )
        return Repair(created=tuple(missing), removed=removed)


class WebshopSubscription:
    """Our subscription at a shop that speaks the shopsync contract (``/api/v1/webhooks``)."""

    side = "webshop"

    def __init__(
        self,
        http: httpx2.AsyncClient,
        target_url: str,
        secret: SecretStr,
        *,
        events: Iterable[str] = SHOP_EVENTS,
        path: str = "/api/v1/webhooks",
    ) -> None:
        self._http = http
        self.target_url = target_url
        self._secret = secret
        self.events = list(events)
        self._path = path

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def _ours(self) -> list[dict[str, Any]]:
        response = await self._http.get(self._path)
        response.raise_for_status()
        items = response.json().get("items", [])
        return [item for item in items if isinstance(item, dict) and item.get("url") == self.target_url]

    async def _create(self) -> None:
        body = {"url": self.target_url, "secret": self._secret.get_secret_value(), "events": self.events}
        response = await self._http.post(
            self._path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        response.raise_for_status()

    async def _delete(self, items: list[dict[str, Any]]) -> int:
        for item in items:
            response = await self._http.delete(f"{self._path}/{item['id']}")
            if response.status_code != 404:
                response.raise_for_status()
        return len(items)

    async def register(self) -> Repair:
        """Replace our subscription with a fresh one carrying the configured secret."""
        removed = await self._delete(await self._ours())
        await self._create()
        log.info("daemon.webshop_subscribed", events=self.events, replaced=removed)
        return Repair(created=tuple(self.events), removed=removed)

    async def ensure(self) -> Repair:
        """Create our subscription again if it is gone; drop duplicates."""
        ours = await self._ours()
        if ours:
            removed = await self._delete(ours[1:])
            return Repair(removed=removed)
        await self._create()
        log.warning("daemon.webshop_subscription_repaired")
        return Repair(created=tuple(self.events))


def subscriptions_for(
    config: ShopsyncConfig, public_url: str, tripletex: TripletexClient, metrics: MetricsPort
) -> list[Keeper]:
    """The subscriptions ``config`` asks for: none on a side whose callbacks the server could not
    verify (no secret configured), and none at shops other than the contract (they are subscribed in
    the shop's own admin, e.g. WooCommerce's)."""
    keepers: list[Keeper] = []
    server = config.server
    base = public_url.rstrip("/")
    if server.tripletex_webhook_auth is not None or server.tripletex_webhook_secret is not None:
        keepers.append(
            TripletexSubscriptions(
                tripletex.webhooks,
                base + TRIPLETEX_HOOK_PATH,
                auth_header_value=server.tripletex_webhook_auth,
                hmac_secret=server.tripletex_webhook_secret,
            )
        )
    else:
        log.info("daemon.tripletex_webhooks_off", reason="no server.tripletex_webhook_auth or _secret")
    secret = config.webshop.webhook_secret
    api = config.webshop_api()
    if secret is None:
        log.info("daemon.webshop_webhooks_off", reason="no webshop.webhook_secret")
    elif api.name != CONTRACT:
        log.info("daemon.webshop_webhooks_manual", api=api.name, detail="subscribe in the shop's own admin")
    else:
        token = api.auth.token
        http = httpx2.AsyncClient(
            base_url=api.base_url,
            headers={"Authorization": f"Bearer {token.get_secret_value()}"} if token is not None else {},
            timeout=api.timeout,
            transport=MeteredTransport(httpx2.AsyncHTTPTransport(), "webshop", metrics),
        )
        keepers.append(WebshopSubscription(http, base + WEBSHOP_HOOK_PATH, secret))
    return keepers
