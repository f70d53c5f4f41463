"""The status pages: overview, linked records with their timelines, conflicts, dead letters, reviews.

Jinja2 templates from this package and htmx (vendored under ``static/``, no build step). Each page
renders once in full; the part that changes is a fragment (``/fragments/…``) that htmx reloads every
2 s. The buttons are plain forms, so they work without JavaScript too: htmx posts them and swaps in
the refreshed list (plus a message, out of band, in ``#flash``); a form posted without htmx gets a
303 back to its page; a script (bearer token, no HTML accepted) gets JSON.

Decisions go to the daemon through ``SyncActions``; the page checks first that the item is still
open and that the choice is one it offered, so a stale page cannot ask for something odd.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import structlog
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from shopsync.config import ENTITIES
from shopsync.state import DeadLetterStatus, Event, Side, StateStore
from shopsync.state.errors import InvalidTransition, StateError, UnknownRecord

from .actions import REVIEW_ACTIONS, SyncActions
from .auth import Auth, wants_html
from .metrics import Metrics
from .queries import WRITE_ACTIONS, search_links
from .status import overview

__all__ = ["LIST_LIMIT", "StatusPages", "candidate_id", "read_form"]

_HERE = Path(__file__).parent
#: Items of one list rendered at most (the page says how many more there are).
LIST_LIMIT = 200
#: Entities the records filter offers (order lines are linked records too).
RECORD_ENTITIES = (*ENTITIES, "order_line")

log = structlog.get_logger("shopsync.server.pages")


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form (browsers, htmx) or a JSON object (scripts) as a dict of strings."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def candidate_id(candidate: Any) -> str | None:
    """The other side's id in a review candidate (``{"tripletex_id": 5, …}`` or ``{"webshop_id": "7"}``)."""
    if isinstance(candidate, Mapping):
        for key in ("tripletex_id", "webshop_id", "id"):
            if candidate.get(key) not in (None, ""):
                return str(candidate[key])
        return None
    return None if candidate in (None, "") else str(candidate)


class ActionFailed(Exception):
    """A button's request that cannot be carried out (``status`` is the HTTP status for scripts)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def _short(value: Any) -> str:
    text = (
        "—"
        if value is None
        else value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, default=str)
    )
    return text if len(text) <= 80 else text[:77] + "…"


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _event_view(event: Event) -> dict[str, Any]:
    """A timeline row: the fields written and a failure's reason pulled out of ``detail``."""
    detail = event.detail
    rest: Any = detail
    wrote: list[str] = []
    reason = field = None
    if isinstance(detail, Mapping):
        rest = dict(detail)
        fields = rest.pop("fields", None)
        if isinstance(fields, list):
            wrote = [str(f) for f in fields]
        elif fields is not None:
            rest["fields"] = fields
        if isinstance(rest.get("reason"), str):
            reason = rest.pop("reason")
            field = rest.pop("field", None)
    return {
        "at": event.at,
        "side": event.side,
        "action": event.action,
        "written": event.action in WRITE_ACTIONS,  # else ``side`` is where the record came from
        "wrote": wrote,
        "reason": reason,
        "field": field,
        "rest": rest or None,
    }


@dataclass
class StatusPages:
    """The HTML routes and their templates, bound to one app's store, actions and metrics."""

    store: StateStore
    actions: SyncActions
    metrics: Metrics
    auth: Auth
    clock: Callable[[], dt.datetime]

    def __post_init__(self) -> None:
        self.templates = Jinja2Templates(directory=str(_HERE / "templates"))
        env = self.templates.env
        env.filters["pretty"] = _pretty
        env.filters["short"] = _short
        env.filters["when"] = self._when
        env.filters["path"] = lambda value: quote(str(value), safe="")
        env.globals["record_entities"] = RECORD_ENTITIES
        env.globals["candidate_id"] = candidate_id

    def _when(self, value: Any) -> str:
        """``2026-05-01 10:00:03 UTC (12 s ago)``, or ``never``."""
        moment = _parse_time(value)
        if moment is None:
            return "never"
        moment = moment.astimezone(dt.UTC)
        seconds = max(0, int((self.clock().astimezone(dt.UTC) - moment).total_seconds()))
        if seconds < 120:
            ago = f"{seconds} s ago"
        elif seconds < 7200:
            ago = f"{seconds // 60} min ago"
        elif seconds < 172800:
            ago = f"{seconds // 3600} h ago"
        else:
            ago = f"{seconds // 86400} days ago"
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({ago})"

    def _page(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # ------------------------------------------------------------------ data

    def _records(self, entity: str | None, q: str) -> dict[str, Any]:
        chosen = entity if entity in RECORD_ENTITIES else None
        rows = search_links(self.store, chosen, q, LIST_LIMIT)
        return {"rows": rows, "entity": chosen or "", "q": q, "limit": LIST_LIMIT}

    def _record(self, entity: str, webshop_id: str) -> dict[str, Any] | None:
        link = self.store.get_link(entity, webshop_id=webshop_id)
        events = self.store.timeline(entity, webshop_id=webshop_id)
        if link is None and not events:
            return None
        return {
            "entity": entity,
            "webshop_id": webshop_id,
            "link": link,
            "snapshot": self.store.snapshot(entity, webshop_id) if link else None,
            "conflicts": self.store.conflicts_for(entity, webshop_id),
            "events": [_event_view(e) for e in reversed(events)],  # newest first on the page
        }

    def _conflicts(self, entity: str | None = None) -> dict[str, Any]:
        items = self.store.open_conflicts(entity or None)
        return {"items": items[:LIST_LIMIT], "total": len(items), "entity": entity or ""}

    def _dead_letters(self, entity: str | None = None) -> dict[str, Any]:
        items = self.store.open_dead_letters(entity or None)
        return {"items": items[:LIST_LIMIT], "total": len(items), "entity": entity or ""}

    def _reviews(self, entity: str | None = None) -> dict[str, Any]:
        items = self.store.open_reviews(entity or None)
        return {"items": items[:LIST_LIMIT], "total": len(items), "entity": entity or ""}

    # ------------------------------------------------------------------ actions

    async def _act(
        self,
        request: Request,
        *,
        check: Callable[[], None],
        run: Callable[[], Awaitable[None]],
        done: str,
        page: str,
        fragment: str,
        data: Callable[[], dict[str, Any]],
    ) -> Response:
        """Validate (in a thread), call the daemon, and answer htmx, a browser form, or a script."""
        error: ActionFailed | None = None
        try:
            await run_in_threadpool(check)
            await run()
        except ActionFailed as exc:
            error = exc
        except UnknownRecord:
            error = ActionFailed("It no longer exists.", 404)
        except InvalidTransition:
            error = ActionFailed("It was already settled.", 409)
        except (StateError, ValueError) as exc:
            error = ActionFailed(str(exc), 422)
        except Exception:
            log.exception("server.action_failed", path=request.url.path)
            error = ActionFailed("The action failed; the daemon's log says why.", 500)
        message = error.message if error else done
        if error is None:
            log.info("server.action", path=request.url.path, result=done)
        else:
            log.warning(
                "server.action_refused", path=request.url.path, status=error.status, reason=error.message
            )
        if "hx-request" in request.headers:
            context = await run_in_threadpool(data)
            context.update(flash=message, flash_error=error is not None)
            return self._page(request, fragment, context)
        if wants_html(request):
            return RedirectResponse(f"{page}?{urlencode({'message': message})}", status_code=303)
        if error is not None:
            return JSONResponse({"error": error.message}, status_code=error.status)
        return JSONResponse({"status": "ok", "message": done})

    def _open_conflict(self, conflict_id: int) -> None:
        if not any(c.id == conflict_id for c in self.store.open_conflicts()):
            raise ActionFailed(f"Conflict {conflict_id} is not open (resolved already, or unknown).", 404)

    def _open_dead_letter(self, dead_letter_id: int) -> None:
        found = self.store.dead_letter_by_id(dead_letter_id)
        if found is None:
            raise ActionFailed(f"Dead letter {dead_letter_id} does not exist.", 404)
        if found.status != DeadLetterStatus.OPEN.value:
            raise ActionFailed(f"Dead letter {dead_letter_id} is {found.status} already.", 409)

    def _open_review(self, review_id: int, action: str, candidate: str | None) -> None:
        review = next((r for r in self.store.open_reviews() if r.id == review_id), None)
        if review is None:
            raise ActionFailed(f"Review {review_id} is not open (decided already, or unknown).", 404)
        if action == "link":
            offered = {candidate_id(c) for c in review.candidates}
            if candidate not in offered:
                raise ActionFailed(f"{candidate!r} is not one of review {review_id}'s candidates.", 422)

    # ------------------------------------------------------------------ routes

    def router(self) -> APIRouter:
        """Every status page route, guarded by the status token."""
        view = Depends(self._view_guard)
        change = Depends(self._change_guard)
        router = APIRouter(include_in_schema=False)

        @router.get("/", dependencies=[view])
        def index(request: Request) -> Response:
            return self._page(request, "overview.html", {"data": overview(self.store, self.metrics)})

        @router.get("/fragments/overview", dependencies=[view])
        def overview_fragment(request: Request) -> Response:
            return self._page(request, "_overview.html", {"data": overview(self.store, self.metrics)})

        @router.get("/records", dependencies=[view])
        def records(request: Request, entity: str = "", q: str = "") -> Response:
            return self._page(request, "records.html", self._records(entity, q))

        @router.get("/fragments/records", dependencies=[view])
        def records_fragment(request: Request, entity: str = "", q: str = "") -> Response:
            return self._page(request, "_records.html", self._records(entity, q))

        @router.get("/records/{entity}/{webshop_id}", dependencies=[view])
        def record(request: Request, entity: str, webshop_id: str) -> Response:
            context = self._record(entity, webshop_id)
            if context is None:
                return self._page(request, "missing.html", {"what": f"{entity} {webshop_id}"}, status=404)
            return self._page(request, "record.html", context)

        @router.get("/fragments/records/{entity}/{webshop_id}", dependencies=[view])
        def record_fragment(request: Request, entity: str, webshop_id: str) -> Response:
            context = self._record(entity, webshop_id)
            if context is None:
                return Response("not found", status_code=404)
            return self._page(request, "_timeline.html", context)

        @router.get("/conflicts", dependencies=[view])
        def conflicts(request: Request, entity: str = "", message: str = "") -> Response:
            return self._page(request, "conflicts.html", {**self._conflicts(entity), "flash": message})

        @router.get("/fragments/conflicts", dependencies=[view])
        def conflicts_fragment(request: Request, entity: str = "") -> Response:
            return self._page(request, "_conflicts.html", self._conflicts(entity))

        @router.post("/conflicts/{conflict_id}/resolve", dependencies=[change])
        async def resolve_conflict(request: Request, conflict_id: int) -> Response:
            winner = (await read_form(request)).get("winner", "")

            def check() -> None:
                if winner not in (Side.WEBSHOP.value, Side.TRIPLETEX.value):
                    raise ActionFailed("winner must be 'webshop' or 'tripletex'.", 422)
                self._open_conflict(conflict_id)

            side = "the webshop" if winner == "webshop" else "Tripletex"
            return await self._act(
                request,
                check=check,
                run=lambda: self.actions.resolve_conflict(conflict_id, winner),
                done=f"Conflict {conflict_id}: kept {side}'s value.",
                page="/conflicts",
                fragment="_conflicts.html",
                data=self._conflicts,
            )

        @router.get("/dead-letters", dependencies=[view])
        def dead_letters(request: Request, entity: str = "", message: str = "") -> Response:
            return self._page(request, "dead_letters.html", {**self._dead_letters(entity), "flash": message})

        @router.get("/fragments/dead-letters", dependencies=[view])
        def dead_letters_fragment(request: Request, entity: str = "") -> Response:
            return self._page(request, "_dead_letters.html", self._dead_letters(entity))

        @router.post("/dead-letters/{dead_letter_id}/replay", dependencies=[change])
        async def replay_one(request: Request, dead_letter_id: int) -> Response:
            return await self._act(
                request,
                check=lambda: self._open_dead_letter(dead_letter_id),
                run=lambda: self.actions.replay_dead_letters([dead_letter_id]),
                done=f"Dead letter {dead_letter_id} replayed.",
                page="/dead-letters",
                fragment="_dead_letters.html",
                data=self._dead_letters,
            )

        @router.post("/dead-letters/replay", dependencies=[change])
        async def replay_all(request: Request) -> Response:
            return await self._act(
                request,
                check=lambda: None,
                run=lambda: self.actions.replay_dead_letters(None),
                done="Every open dead letter replayed.",
                page="/dead-letters",
                fragment="_dead_letters.html",
                data=self._dead_letters,
            )

        @router.get("/reviews", dependencies=[view])
        def reviews(request: Request, entity: str = "", message: str = "") -> Response:
            return self._page(request, "reviews.html", {**self._reviews(entity), "flash": message})

        @router.get("/fragments/reviews", dependencies=[view])
        def reviews_fragment(request: Request, entity: str = "") -> Response:
            return self._page(request, "_reviews.html", self._reviews(entity))

        @router.post("/reviews/{review_id}", dependencies=[change])
        async def resolve_review(request: Request, review_id: int) -> Response:
            form = await read_form(request)
            action = form.get("action", "")
            candidate = form.get("candidate") or None

            def check() -> None:
                if action not in REVIEW_ACTIONS:
                    raise ActionFailed(f"action must be one of {', '.join(REVIEW_ACTIONS)}.", 422)
                if action == "link" and candidate is None:
                    raise ActionFailed("link needs a candidate.", 422)
                self._open_review(review_id, action, candidate)

            what = {"link": f"linked to {candidate}", "create": "a new counterpart will be created"}
            return await self._act(
                request,
                check=check,
                run=lambda: self.actions.resolve_review(
                    review_id, action, candidate if action == "link" else None
                ),
                done=f"Review {review_id}: {what.get(action, 'dismissed')}.",
                page="/reviews",
                fragment="_reviews.html",
                data=self._reviews,
            )

        return router

    async def _view_guard(self, request: Request) -> None:
        self.auth.require_view(request)

    async def _change_guard(self, request: Request) -> None:
        self.auth.require_change(request)
