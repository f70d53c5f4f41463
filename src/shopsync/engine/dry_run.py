"""The dry run behind ``SyncEngine.plan``: a real pass that writes nowhere, and what it would have done.

The pass runs the normal code from detection to commit, with three stand-ins:

* the state is a scratch copy (``StateStore.scratch_copy``): the pass links, saves snapshots, records
  dead letters and queues work there, so later stages see earlier ones exactly as in a real pass (an
  order whose new customer would be created first finds it linked), and the real state is untouched;
* ``DryTripletex`` reads Tripletex for real; its write methods answer as Tripletex would when it
  accepts (a created record gets a placeholder id below zero and version 0, an update the next version,
  new order lines placeholder ids after the kept ones) without sending anything;
* ``DryWebshop`` does the same for the shop (placeholder ids ``plan-1``…; an update is the current
  record with the merge patch applied). A record the shop's model would refuse is refused here too.

What the pass did is read back from the scratch copy's timeline (its events are the dry run's own: the
copy starts without any) plus the records it queued to wait, as ``PlannedAction``s on the summary.
What only the systems can tell — a validation rule of Tripletex's, a name already in use, a version
that changed meanwhile — is not foreseen: such a record shows as planned and fails or is retried in
the real pass, as it would have anyway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from shopsync.connectors import base as shop
from shopsync.state import Event, EventAction, StateStore
from shopsync.tripletex import NotFound, TripletexClient, TripletexModel

from .context import PassContext, PassScope
from .summary import PassSummary, PlannedAction

if TYPE_CHECKING:
    from .engine import SyncEngine

__all__ = ["DryTripletex", "DryWebshop", "Placeholders", "actions_from_events", "plan"]

#: Timeline actions and the planned action each stands for.
_ACTIONS = {
    EventAction.CREATED: "create",
    EventAction.UPDATED: "update",
    EventAction.LINKED: "link",
    EventAction.DEACTIVATED: "deactivate",
    EventAction.DEAD_LETTER: "dead_letter",
    EventAction.REVIEW: "review",
    EventAction.CONFLICT: "conflict",
}
_SHOP_MODELS: dict[str, type[shop.Record]] = {
    "customers": shop.Customer,
    "products": shop.Product,
    "orders": shop.Order,
}


class Placeholders:
    """The ids given to records a dry run creates: Tripletex ids below zero, webshop ids ``plan-N``."""

    def __init__(self) -> None:
        self._next = 0
        self.tripletex: dict[int, TripletexModel] = {}
        self.webshop: dict[str, shop.Record] = {}

    def tripletex_id(self) -> int:
        """A new placeholder Tripletex id (never a real one: real ids are positive)."""
        self._next += 1
        return -self._next

    def webshop_id(self) -> str:
        """A new placeholder webshop id."""
        self._next += 1
        return f"plan-{self._next}"

    def is_placeholder(self, side: str, record_id: str | int | None) -> bool:
        """Whether ``record_id`` was made up by this dry run."""
        if record_id is None:
            return False
        if side == "tripletex":
            return int(record_id) < 0
        return str(record_id).startswith("plan-")


# ---------------------------------------------------------------------------------------------- Tripletex


class _DryResource:
    """A Tripletex resource whose writes answer without being sent (reads go to Tripletex)."""

    def __init__(self, real: Any, ids: Placeholders) -> None:
        self._real = real
        self._ids = ids

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def _answer(self, obj: TripletexModel, *, create: bool) -> Any:
        data = obj.model_dump(by_alias=True, exclude_none=True, mode="json")
        if create:
            data["id"], data["version"] = self._ids.tripletex_id(), 0
        else:
            data["version"] = int(data.get("version") or 0) + 1
        for name, value in list(data.items()):
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                # Kept elements first (in the order sent), new ones after with placeholder ids.
                kept = [v for v in value if v.get("id") is not None]
                new = [{**v, "id": self._ids.tripletex_id()} for v in value if v.get("id") is None]
                data[name] = kept + new
        answer = type(obj).model_validate(data)
        if create:
            self._ids.tripletex[int(data["id"])] = answer
        return answer

    async def create(self, obj: TripletexModel) -> Any:
        return self._answer(obj, create=True)

    async def create_many(self, objs: Sequence[TripletexModel]) -> list[Any]:
        return [self._answer(o, create=True) for o in objs]

    async def update(self, obj: TripletexModel, **_options: Any) -> Any:
        return self._answer(obj, create=False)

    async def update_many(self, objs: Sequence[TripletexModel]) -> list[Any]:
        return [self._answer(o, create=False) for o in objs]

    async def delete(self, id: int) -> None:
        return None

    async def get(self, id: int, **options: Any) -> Any:
        if int(id) < 0:
            if int(id) in self._ids.tripletex:
                return self._ids.tripletex[int(id)]
            raise NotFound(f"no placeholder record {id}")
        return await self._real.get(id, **options)


class DryTripletex:
    """A ``TripletexClient`` stand-in: reads pass through, writes answer without being sent."""

    def __init__(self, real: TripletexClient, ids: Placeholders) -> None:
        self._real = real
        self._ids = ids
        self._wrapped: dict[str, _DryResource] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._real, name)
        if hasattr(value, "create_many") and hasattr(value, "update"):
            if name not in self._wrapped:
                self._wrapped[name] = _DryResource(value, self._ids)
            return self._wrapped[name]
        return value


# ---------------------------------------------------------------------------------------------- webshop


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, Mapping):
        return patch
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_patch(out.get(key), value)
    return out


class DryWebshop:
    """A ``Connector`` stand-in: reads pass through, writes answer without being sent."""

    def __init__(self, real: shop.Connector, ids: Placeholders, clock: Any) -> None:
        self._real = real
        self._ids = ids
        self._clock = clock
        self._settings: shop.ShopSettings | None = None

    def changes(self, resource: shop.Resource, cursor: str | None) -> AsyncIterator[shop.ChangePage]:
        return self._real.changes(resource, cursor)

    async def get(self, resource: shop.Resource, id: str) -> shop.Record:
        if self._ids.is_placeholder("webshop", id):
            return self._ids.webshop[id]
        return await self._real.get(resource, id)

    async def find(self, resource: shop.Resource, **criteria: str) -> list[shop.Record]:
        return await self._real.find(resource, **criteria)

    async def all_ids(self, resource: shop.Resource) -> set[str]:
        return await self._real.all_ids(resource)

    async def shop_settings(self) -> shop.ShopSettings:
        if self._settings is None:
            self._settings = await self._real.shop_settings()
        return self._settings

    def capabilities(self, resource: shop.Resource) -> shop.Capabilities:
        return self._real.capabilities(resource)

    def _stored(self, resource: shop.Resource, data: dict[str, Any], method: str) -> shop.Record:
        try:
            return _SHOP_MODELS[resource].model_validate(data)
        except ValidationError as exc:
            fields = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
            ]
            raise shop.ValidationFailed(
                "the shop would refuse this record",
                method=method,
                path=f"/{resource}",
                status=422,
                fields=fields,
            ) from None

    async def create(
        self,
        resource: shop.Resource,
        record: Mapping[str, Any] | shop.Record,
        idempotency_key: str | None = None,
    ) -> shop.Record:
        payload = (
            dict(record) if isinstance(record, Mapping) else record.model_dump(mode="json", exclude_none=True)
        )
        now = self._clock()
        settings = await self.shop_settings()
        defaults: dict[str, Any] = {"currency": settings.currency}
        if resource == "orders":
            defaults |= {"status": "pending", "ordered_at": now}
        data = {**defaults, **payload, "id": self._ids.webshop_id(), "version": 1}
        data |= {"created_at": now, "updated_at": now}
        stored = self._stored(resource, data, "POST")
        assert stored.id is not None
        self._ids.webshop[stored.id] = stored
        return stored

    async def update(
        self, resource: shop.Resource, id: str, patch: Mapping[str, Any], if_match: int | None = None
    ) -> shop.Record:
        current = await self.get(resource, id)
        data = _merge_patch(current.model_dump(mode="json"), patch)
        data |= {"version": (current.version or 0) + 1, "updated_at": self._clock()}
        stored = self._stored(resource, data, "PATCH")
        if self._ids.is_placeholder("webshop", id):
            self._ids.webshop[id] = stored
        return stored

    async def delete(self, resource: shop.Resource, id: str, if_match: int | None = None) -> None:
        return None


# ---------------------------------------------------------------------------------------------- the plan


def actions_from_events(
    events: Iterable[Event], placeholders: Placeholders | None = None
) -> list[PlannedAction]:
    """The planned actions a pass's timeline shows (placeholder ids, and the id a record created on a
    side gets there, are left out, so a plan compares equal with the real pass's own timeline)."""
    out = []
    for event in events:
        action = _ACTIONS.get(event.action)  # type: ignore[call-overload]
        if action is None:
            continue
        webshop_id, tripletex_id = event.webshop_id, event.tripletex_id
        if action == "create":
            if event.side == "tripletex":
                tripletex_id = None
            else:
                webshop_id = None
        if placeholders is not None:
            webshop_id = None if placeholders.is_placeholder("webshop", webshop_id) else webshop_id
            tripletex_id = None if placeholders.is_placeholder("tripletex", tripletex_id) else tripletex_id
        side = None if action in ("link", "conflict") else event.side
        detail = dict(event.detail) if isinstance(event.detail, Mapping) else {}
        out.append(PlannedAction(event.entity, action, side, webshop_id, tripletex_id, detail))
    return out


def _planned(scratch: StateStore, ctx: PassContext, ids: Placeholders) -> list[PlannedAction]:
    events = sorted(scratch.recent_events(limit=1_000_000), key=lambda e: e.id)
    out = actions_from_events(events, ids)
    for entity, side, record_id in sorted(ctx.waiting):
        item = scratch.work_item(entity, side, record_id)
        webshop_id = None if side == "tripletex" or ids.is_placeholder(side, record_id) else record_id
        tripletex_id = (
            int(record_id) if side == "tripletex" and not ids.is_placeholder(side, record_id) else None
        )
        detail = {"reason": item.reason} if item is not None else {}
        out.append(PlannedAction(entity, "wait", side, webshop_id, tripletex_id, detail))
    return out


async def plan(engine: SyncEngine) -> PassSummary:
    """What the next pass would do, per entity and side (see the module docstring)."""
    with engine.store.scratch_copy() as scratch:
        ids = Placeholders()
        summary, ctx = await engine._execute(
            PassScope(),
            store=scratch,
            tripletex=cast(TripletexClient, DryTripletex(engine.tripletex, ids)),
            webshop=DryWebshop(engine.webshop, ids, engine.clock),
        )
        summary.planned = _planned(scratch, ctx, ids)
    summary.dry_run = True
    summary.pass_id = None
    return summary
