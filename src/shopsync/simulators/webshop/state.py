"""Everything one running reference webshop shares: settings, storage, clock, service, webhooks, faults.

``ShopState`` is built once by ``create_app`` and reached from routes as ``request.app.state.shop``.
``reset()`` empties the shop and seeds it again exactly as at start-up.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from shopsync.simulators.tripletex.stats import Stats
from shopsync.simulators.webshop.clock import ShopClock
from shopsync.simulators.webshop.config import WebshopConfig
from shopsync.simulators.webshop.faults import FaultState
from shopsync.simulators.webshop.seed import seed_shop
from shopsync.simulators.webshop.service import ShopService
from shopsync.simulators.webshop.store import Store
from shopsync.simulators.webshop.webhooks import WebhookDispatcher

__all__ = ["ShopState"]


@dataclass
class ShopState:
    """The shared objects of one shop instance."""

    config: WebshopConfig
    store: Store
    clock: ShopClock
    service: ShopService
    dispatcher: WebhookDispatcher
    faults: FaultState = field(default_factory=FaultState)
    stats: Stats = field(default_factory=Stats)
    rng: random.Random = field(default_factory=random.Random)
    #: (path regex, template) of every API route; set by ``create_app``.
    routes: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    @classmethod
    def build(cls, config: WebshopConfig) -> ShopState:
        """Open the storage, seed it (for a new database) and wire the parts together."""
        store = Store(config.db)
        clock = ShopClock(store.max_updated_us())
        stats = Stats()
        dispatcher = WebhookDispatcher(
            store, config.webhook_retry_delays, config.webhook_timeout, on_outcome=stats.webhook
        )
        service = ShopService(store, clock, config.currency, dispatcher.emit)
        state = cls(config, store, clock, service, dispatcher, stats=stats, rng=random.Random(config.seed))
        state.faults.fail_rate = config.fail_rate
        if store.count("customers") + store.count("products") + store.count("orders") == 0:
            state._populate()
        return state

    @property
    def base_latency_ms(self) -> int:
        """Latency added to every API request by configuration."""
        return self.config.latency_ms

    def route_template(self, path: str) -> str | None:
        """The API route template ``path`` belongs to, if any."""
        return next((template for regex, template in self.routes if regex.match(path)), None)

    @property
    def idempotency_ttl_us(self) -> int:
        """How long Idempotency-Keys are kept, in microseconds."""
        return int(self.config.idempotency_ttl_hours * 3600 * 1_000_000)

    def _populate(self) -> None:
        if self.config.seed is not None:
            seed_shop(self.store, self.config)
        self.clock = self.service.clock = ShopClock(self.store.max_updated_us())
        if self.config.webhook_url and self.config.webhook_secret:
            known = [row for row in self.store.webhooks() if row[1] == self.config.webhook_url]
            if not known:
                secret = self.config.webhook_secret.get_secret_value()
                self.store.webhook_add(self.config.webhook_url, secret, ["*"], self.clock.now_us())

    def reset(self) -> None:
        """Empty the shop, forget keys, faults, counters and deliveries, and seed it again."""
        with self.service.write_lock:
            self.store.clear()
            self._populate()
        self.faults = FaultState(fail_rate=self.config.fail_rate)
        self.stats.reset()
        self.dispatcher.clear()
