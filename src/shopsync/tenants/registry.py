"""``TenantRegistry``: the shops a multi-tenant installation syncs, in the state database.

One row per tenant (table ``tenants``): its name, status, the two systems' URLs and its Tripletex
rate limit in clear, and its whole config sealed with ``SecretBox``. Reads go across tenants, which a
tenant's ``StateStore`` never does, so the registry is its own small class on the same database; the
tenant's sync state itself (links, journal, queue …) stays in the usual tables under its name.

Usage::

    registry = TenantRegistry.open("postgresql://…")          # creates or migrates the schema
    box = SecretBox.from_env()                                 # SHOPSYNC_SECRET_KEY
    registry.add("shop-17", load_config("shop-17.yaml"), box, rate_limit=RateLimit(100, 60))
    registry.set_status("shop-17", TenantStatus.PAUSED)
    config = registry.config("shop-17", box)                  # the ShopsyncConfig, secrets opened
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from shopsync.config import ShopsyncConfig
from shopsync.state import create_state_engine
from shopsync.state import migrate as state_migrate
from shopsync.state._base import Clock, chunks, utc_now
from shopsync.state.tables import pending_work, tenants, tripletex_rate_windows

from .documents import config_document, tenant_config
from .errors import TenantExists, UnknownTenant
from .records import RateLimit, Tenant, TenantStatus, check_name
from .sealing import SecretBox

__all__ = ["TenantRegistry"]


class TenantRegistry:
    """The tenants table of one state database (SQLite works too, but the workers need PostgreSQL)."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    @classmethod
    def open(
        cls, url: str | os.PathLike[str] | URL, *, migrate_schema: bool = True, **engine_options: Any
    ) -> TenantRegistry:
        """The registry in the state database at ``url`` (migrated to the newest schema first);
        ``engine_options`` go to SQLAlchemy (e.g. ``pool_size`` for a worker)."""
        engine = create_state_engine(url, **engine_options)
        try:
            if migrate_schema:
                state_migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (shared with the tenants' state stores in a worker)."""
        return self._engine

    def state_url(self) -> str:
        """The database URL as a ``state:`` value for the tenants' configs (password included)."""
        return self._engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> TenantRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ reading

    def find(self, name: str) -> Tenant | None:
        """The tenant called ``name``, if registered."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(tenants).where(tenants.c.tenant == name)).first()
        return None if row is None else _tenant(row)

    def get(self, name: str) -> Tenant:
        """The tenant called ``name``; ``UnknownTenant`` if there is none."""
        found = self.find(name)
        if found is None:
            raise UnknownTenant(name)
        return found

    def all(self, *, status: TenantStatus | None = None) -> list[Tenant]:
        """Every tenant (or those with ``status``), by name."""
        query = sa.select(tenants).order_by(tenants.c.tenant)
        if status is not None:
            query = query.where(tenants.c.status == str(status))
        with self._engine.connect() as conn:
            return [_tenant(row) for row in conn.execute(query)]

    def active_names(self) -> list[str]:
        """The names of the tenants the workers sync."""
        return [t.name for t in self.all(status=TenantStatus.ACTIVE)]

    def tenants_with_due_work(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` with queued work that is due now (e.g. a record's back-off ended)."""
        now = self._clock()
        found: set[str] = set()
        with self._engine.connect() as conn:
            for batch in chunks(names):
                query = (
                    sa.select(pending_work.c.tenant)
                    .where(pending_work.c.tenant.in_(batch), pending_work.c.not_before <= now)
                    .distinct()
                )
                found.update(conn.execute(query).scalars())
        return sorted(found)

    def config(self, tenant: str | Tenant, box: SecretBox, *, state: str | None = None) -> ShopsyncConfig:
        """The tenant's config with its secrets opened; its state is this database (or ``state``)."""
        record = self.get(tenant) if isinstance(tenant, str) else tenant
        document = box.open(record.sealed_config, what=f"tenant {record.name!r}'s config")
        return tenant_config(document, tenant=record.name, state=state or self.state_url())

    def check_key(self, box: SecretBox) -> int:
        """Open every active tenant's config with ``box``: ``SecretKeyError`` naming the first one it
        cannot open (a worker started with the wrong key fails at once, not job by job); how many."""
        active = self.all(status=TenantStatus.ACTIVE)
        for tenant in active:
            box.open(tenant.sealed_config, what=f"tenant {tenant.name!r}'s config")
        return len(active)

    # ------------------------------------------------------------------ writing

    def add(
        self,
        name: str,
        config: ShopsyncConfig,
        box: SecretBox,
        *,
        rate_limit: RateLimit | None = None,
        replace: bool = False,
    ) -> Tenant:
        """Register ``config`` as tenant ``name`` (active); with ``replace`` update an existing one
        (keeping its status). Raises ``ConfigError`` when a credential is missing, before storing."""
        check_name(name)
        config.tripletex_settings()  # a missing token is an error now, not in a worker later
        config.webshop_api()
        sealed = box.seal(config_document(config))
        now = self._clock()
        values: dict[str, Any] = {
            "webshop_url": config.webshop.url,
            "tripletex_url": config.tripletex.url,
            "sealed_config": sealed,
            "rate_limit": rate_limit.limit if rate_limit else None,
            "rate_period": rate_limit.period if rate_limit else None,
            "updated_at": now,
        }
        with self._begin() as conn:
            exists = conn.execute(sa.select(tenants.c.tenant).where(tenants.c.tenant == name)).first()
            if exists is not None and not replace:
                raise TenantExists(name)
            if exists is None:
                conn.execute(
                    sa.insert(tenants).values(
                        tenant=name, status=str(TenantStatus.ACTIVE), created_at=now, **values
                    )
                )
            else:
                conn.execute(sa.update(tenants).where(tenants.c.tenant == name).values(**values))
        return self.get(name)

    def set_status(self, name: str, status: TenantStatus) -> Tenant:
        """Pause or resume a tenant; ``UnknownTenant`` if there is none."""
        with self._begin() as conn:
            result = conn.execute(
                sa.update(tenants)
                .where(tenants.c.tenant == name)
                .values(status=str(status), updated_at=self._clock())
            )
            if result.rowcount == 0:
                raise UnknownTenant(name)
        return self.get(name)

    def remove(self, name: str) -> None:
        """Forget a tenant (and its shared rate window); its sync state stays, so adding it again
        resumes where it was. ``UnknownTenant`` if there is none."""
        with self._begin() as conn:
            result = conn.execute(sa.delete(tenants).where(tenants.c.tenant == name))
            if result.rowcount == 0:
                raise UnknownTenant(name)
            conn.execute(sa.delete(tripletex_rate_windows).where(tripletex_rate_windows.c.tenant == name))


def _tenant(row: sa.Row[Any]) -> Tenant:
    limit = None
    if row.rate_limit is not None and row.rate_period is not None:
        limit = RateLimit(int(row.rate_limit), float(row.rate_period))
    return Tenant(
        name=row.tenant,
        status=TenantStatus(row.status),
        webshop_url=row.webshop_url,
        tripletex_url=row.tripletex_url,
        rate_limit=limit,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sealed_config=row.sealed_config,
    )
