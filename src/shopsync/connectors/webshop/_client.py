"""``WebshopConnector``: the ``Connector`` protocol over HTTP, for any shop a ``WebshopAPIConfig`` describes.

Reads go through the change feed (``_feed``), single GETs and filtered lists; writes follow the shop's
abilities:

- creates always carry an Idempotency-Key when the shop supports one (then retried with the same key);
  otherwise they are sent once, and a lost answer is settled by looking the record up by its natural
  key (``sku``/``email``) instead of re-creating it;
- updates send a merge patch with If-Match (contract), or, for shops with another shape, read the
  record, check the version (``check_then_write``), translate the merged record and send it;
- deletes carry If-Match (or the same read-and-check); a 404 after a lost attempt means it worked.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncGenerator, Mapping
from decimal import Decimal
from typing import Any, Literal, Self

import httpx2
import structlog
from pydantic import BaseModel

from shopsync.logs import register_secret

from ._config import WebshopAPIConfig
from ._exceptions import (
    AmbiguousWriteError,
    ConfigError,
    MappingError,
    NotFound,
    PreconditionFailed,
    WebhookRejected,
)
from ._feed import ChangeFeed
from ._http import HttpClient, Safety
from ._mapping import RecordMapper
from ._paging import iterate_pages
from ._webhooks import verify_signature, verify_webhook
from .models import RESOURCES, Capabilities, ChangePage, Record, Resource, ShopSettings, WebhookEvent

__all__ = ["WebshopConnector"]

log = structlog.get_logger("shopsync.connectors.webshop")
_CONDITIONAL: dict[str, Literal["native", "emulated", "none"]] = {
    "if_match": "native",
    "check_then_write": "emulated",
    "none": "none",
}


class WebshopConnector:
    """An async client of one shop's REST API; use ``async with`` or call ``aclose()``."""

    def __init__(
        self,
        config: WebshopAPIConfig | None = None,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config or WebshopAPIConfig()
        self._http = HttpClient(self.config, transport=transport)
        self._mappers = {r: RecordMapper(r, self.config) for r in RESOURCES if r in self.config.resources}
        self._settings: ShopSettings | None = None
        if self.config.webhooks.secret is not None:
            register_secret(self.config.webhooks.secret)

    def __repr__(self) -> str:
        return f"WebshopConnector(name={self.config.name!r}, base_url={self.config.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _settings_for(self, mapper: RecordMapper) -> ShopSettings:
        # Only mapped shops use the settings (in expressions); the contract needs no extra request.
        return ShopSettings() if mapper.identity else await self.shop_settings()

    def _mapper(self, resource: Resource) -> RecordMapper:
        try:
            return self._mappers[resource]
        except KeyError:
            raise KeyError(f"{self.config.name}: resource {resource!r} is not configured") from None

    # ---------------------------------------------------------------- reads

    async def shop_settings(self) -> ShopSettings:
        """Shop-wide facts (fetched once from the shop, or the configured static values)."""
        if self._settings is None:
            source = self.config.settings
            if source.static is not None:
                self._settings = source.static
            else:
                assert source.path is not None
                response = await self._http.request("GET", source.path, safety=Safety.READ)
                self._settings = ShopSettings.model_validate(self._http.json(response))
        return self._settings

    async def changes(self, resource: Resource, cursor: str | None) -> AsyncGenerator[ChangePage, None]:
        """Pages of changes after ``cursor`` (see ``_feed`` for how each shop style is scanned)."""
        mapper = self._mapper(resource)
        feed = ChangeFeed(self._http, self.config, mapper, await self._settings_for(mapper))
        async for page in feed.pages(cursor):
            yield page

    async def get(self, resource: Resource, id: str) -> Record:
        """One record; ``NotFound`` if it does not exist."""
        record, _ = await self._get_raw(resource, id)
        return record

    async def _get_raw(self, resource: Resource, id: str) -> tuple[Record, dict[str, Any]]:
        mapper = self._mapper(resource)
        response = await self._http.request("GET", mapper.rc.item(id), safety=Safety.READ)
        raw = self._http.json(response)
        if mapper.identity and "version" not in raw and (etag := response.headers.get("ETag")):
            raw = {**raw, "version": etag.strip('W/"')}
        return mapper.to_contract(raw, await self._settings_for(mapper)), raw

    async def find(self, resource: Resource, **criteria: str) -> list[Record]:
        """Records whose contract fields equal ``criteria`` exactly (``sku=``, ``email=``, ``number=``)."""
        mapper = self._mapper(resource)
        unknown = set(criteria) - set(mapper.rc.find)
        if unknown:
            raise ValueError(f"{self.config.name} cannot search {resource} by {sorted(unknown)}")
        params = {**mapper.rc.list_params, **{mapper.rc.find[k]: str(v) for k, v in criteria.items()}}
        settings = await self._settings_for(mapper)
        found: list[Record] = []
        async for items in iterate_pages(self._http, self.config.pagination, mapper.rc.path, params):
            for raw in items:
                if raw.get(self.config.feed(resource).tombstone_flag) is True:
                    continue
                record = mapper.to_contract(raw, settings)
                # Shops search fuzzily (WooCommerce ``search=``); keep exact matches only.
                if all(str(getattr(record, k)) == str(v) for k, v in criteria.items()):
                    found.append(record)
        return found

    async def all_ids(self, resource: Resource) -> set[str]:
        """The ids of every live record, for reconciling deletions (never partial: errors propagate)."""
        mapper = self._mapper(resource)
        params = {**mapper.rc.list_params, **mapper.rc.ids_params}
        flag = self.config.feed(resource).tombstone_flag
        ids: set[str] = set()
        async for items in iterate_pages(self._http, self.config.pagination, mapper.rc.path, params):
            ids.update(mapper.shop_id(raw) for raw in items if raw.get(flag) is not True)
        return ids

    def capabilities(self, resource: Resource) -> Capabilities:
        """What this shop guarantees for ``resource``."""
        cfg = self.config
        return Capabilities(
            tombstones=cfg.feed(resource).tombstones,
            conditional_writes=_CONDITIONAL[cfg.concurrency],
            idempotent_creates=cfg.idempotency_header is not None,
            natural_key=cfg.resource(resource).natural_key,
        )

    # ---------------------------------------------------------------- writes

    async def create(
        self, resource: Resource, record: Mapping[str, Any] | BaseModel, idempotency_key: str | None = None
    ) -> Record:
        """Create ``record``; with a shop that has idempotency keys, retrying with the same key is safe."""
        mapper = self._mapper(resource)
        settings = await self._settings_for(mapper)
        body = mapper.create_body(record, settings)
        header = self.config.idempotency_header
        if header is not None:
            key = idempotency_key or str(uuid.uuid4())
            try:
                response = await self._http.request(
                    "POST", mapper.rc.path, safety=Safety.IDEMPOTENT, json_body=body, headers={header: key}
                )
            except AmbiguousWriteError as exc:
                exc.idempotency_key = key
                raise
            return mapper.to_contract(self._http.json(response), settings)
        return await self._create_without_key(mapper, body, record, settings)

    async def _create_without_key(
        self,
        mapper: RecordMapper,
        body: dict[str, Any],
        record: Mapping[str, Any] | BaseModel,
        settings: ShopSettings,
    ) -> Record:
        natural_key = mapper.rc.natural_key
        if natural_key is None:
            wanted = None
        else:
            wanted = (
                record.get(natural_key) if isinstance(record, Mapping) else getattr(record, natural_key, None)
            )
        for attempt in range(1, self.config.retry.attempts + 1):
            try:
                response = await self._http.request(
                    "POST", mapper.rc.path, safety=Safety.UNSAFE, json_body=body
                )
                return mapper.to_contract(self._http.json(response), settings)
            except AmbiguousWriteError:
                if natural_key is None or wanted is None or attempt == self.config.retry.attempts:
                    raise
                # The shop has no idempotency keys: find out whether the lost create happened.
                matches = await self.find(mapper.resource, **{natural_key: str(wanted)})
                if matches:
                    log.info(
                        "webshop.create_settled", resource=mapper.resource, by=natural_key, attempt=attempt
                    )
                    return matches[0]
        raise AssertionError("unreachable")  # pragma: no cover

    async def update(
        self, resource: Resource, id: str, patch: Mapping[str, Any], if_match: int | None = None
    ) -> Record:
        """Apply ``patch`` (merge patch of contract fields); ``PreconditionFailed`` if ``if_match`` is old."""
        mapper = self._mapper(resource)
        settings = await self._settings_for(mapper)
        if mapper.identity and self.config.concurrency != "check_then_write":
            headers = self._if_match(if_match)
            response = await self._http.request(
                mapper.rc.update_method,
                mapper.rc.item(id),
                safety=Safety.IDEMPOTENT,
                json_body=mapper.patch_body(patch),
                headers=headers,
            )
            return mapper.to_contract(self._http.json(response), settings)
        current, raw = await self._get_raw(resource, id)
        self._check_version(resource, id, current, if_match)
        if mapper.identity:
            body, idempotent = mapper.patch_body(patch), True
        else:
            body, idempotent = mapper.update_body(current, raw, patch, settings)
            if not body:
                return current  # nothing this shop stores would change: do not touch its timestamps
        response = await self._http.request(
            mapper.rc.update_method,
            mapper.rc.item(id),
            safety=Safety.IDEMPOTENT if idempotent else Safety.UNSAFE,
            json_body=body,
            headers=self._if_match(if_match),
        )
        return mapper.to_contract(self._http.json(response), settings)

    async def delete(self, resource: Resource, id: str, if_match: int | None = None) -> None:
        """Delete the record; ``PreconditionFailed`` if ``if_match`` is stale, ``NotFound`` if absent."""
        mapper = self._mapper(resource)
        if self.config.concurrency == "check_then_write" and if_match is not None:
            current, _ = await self._get_raw(resource, id)
            self._check_version(resource, id, current, if_match)
        try:
            await self._http.request(
                "DELETE",
                mapper.rc.item(id),
                safety=Safety.IDEMPOTENT,
                params=mapper.rc.delete_params or None,
                headers=self._if_match(if_match),
            )
        except NotFound as exc:
            if not exc.after_retry:
                raise
            log.info("webshop.delete_settled", resource=resource, id=id)

    def _if_match(self, version: int | None) -> dict[str, str]:
        if version is None or self.config.concurrency != "if_match":
            return {}
        return {"If-Match": f'"{version}"'}

    def _check_version(self, resource: Resource, id: str, current: Record, if_match: int | None) -> None:
        if if_match is None or self.config.concurrency != "check_then_write":
            return
        if current.version != if_match:
            path = self._mapper(resource).rc.item(id)
            raise PreconditionFailed(
                f"version is {current.version}, not {if_match}",
                method="CHECK",
                path=path,
                status=412,
                code="precondition_failed",
            )

    # ---------------------------------------------------------------- webhooks

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes | str, now: float | None = None
    ) -> WebhookEvent:
        """A delivery verified by the configured scheme, as a contract event (``WebhookRejected`` otherwise).

        For shops that post their own record (WooCommerce) the record is translated like a feed item;
        the shop settings used are the static ones, or those fetched by an earlier ``shop_settings()``.
        """
        hooks = self.config.webhooks
        if hooks.secret is None:
            raise ConfigError("no webhook secret configured (webhooks.secret)")
        if hooks.payload == "event":
            return verify_webhook(headers, body, hooks.secret, now, hooks.tolerance, config=hooks)
        payload = body.encode() if isinstance(body, str) else body
        lowered = verify_signature(headers, payload, hooks.secret, hooks, now)
        assert hooks.topic_header is not None
        topic = lowered.get(hooks.topic_header.lower(), "")
        kind, _, action = topic.partition(".")
        resource = f"{kind}s"
        if resource not in self._mappers or action not in ("created", "updated", "deleted", "restored"):
            raise WebhookRejected(f"unknown webhook topic {topic!r}", reason="malformed")
        try:
            raw = json.loads(payload, parse_float=Decimal)
            mapper = self._mapper(resource)
            record_id = mapper.shop_id(raw)
            settings = self._settings or self.config.settings.static or ShopSettings()
            record = None if action == "deleted" else mapper.to_contract(raw, settings)
        except (ValueError, AttributeError, MappingError) as exc:
            raise WebhookRejected(f"malformed body: {exc}", reason="malformed") from exc
        return WebhookEvent(
            webhook_id=lowered.get(hooks.id_header.lower()),
            event=f"{kind}.{action}",
            resource=mapper.resource,
            id=record_id,
            occurred_at=(record.updated_at if record else None) or dt.datetime.now(dt.UTC),
            data=record.model_dump(mode="json") if record else None,
        )
