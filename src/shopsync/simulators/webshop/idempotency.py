"""Idempotent creates: a repeated ``Idempotency-Key`` replays the first answer instead of creating again.

The first successful (2xx) answer to a key is stored with a fingerprint of the request (method, path,
canonical JSON body). The same key with the same request gets that answer again, with
``Idempotent-Replayed: true``; with another request it is a 409 ``idempotency_conflict``. Failed
requests are not remembered, so a corrected retry may reuse its key. Keys expire after the configured
TTL (at least 24 h). Everything runs under the service's write lock, so two concurrent requests with
one key cannot both create.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from shopsync.simulators.webshop.errors import idempotency_conflict, validation_failed
from shopsync.simulators.webshop.store import Store

__all__ = ["fingerprint", "run_idempotent"]

_KEY = re.compile(r"^[!-~]+$")
_REPLAYED_HEADERS = ("content-type", "location", "etag")


def fingerprint(method: str, path: str, body: Any) -> str:
    """A stable hash of the request a key was first used for."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def check_key(key: str | None) -> None:
    """422 unless the key is 1-255 visible ASCII characters (or absent)."""
    if key is not None and not (1 <= len(key) <= 255 and _KEY.search(key)):
        raise validation_failed([("Idempotency-Key", "must be 1 to 255 visible ASCII characters")])


def run_idempotent(
    store: Store,
    key: str | None,
    print_: str,
    now_us: int,
    ttl_us: int,
    handler: Callable[[], Response],
) -> Response:
    """Answer with ``handler()``, or replay the stored answer for ``key``."""
    if key is None:
        return handler()
    store.idempotency_purge(now_us - ttl_us)
    stored = store.idempotency_get(key)
    if stored is not None:
        first_print, status, headers, body = stored
        if first_print != print_:
            raise idempotency_conflict("this Idempotency-Key was already used for a different request")
        return Response(body, status_code=status, headers={**headers, "Idempotent-Replayed": "true"})
    response = handler()
    if 200 <= response.status_code < 300:
        headers = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
        store.idempotency_put(key, print_, response.status_code, headers, bytes(response.body), now_us)
    return response
