"""Schemathesis hooks for the contract run (loaded through ``SCHEMATHESIS_HOOKS``).

- ``format: no-organization-number`` generates MOD11-valid Norwegian organisation numbers, so
  positive company customers are valid (JSON Schema cannot state a check digit).
- ``format: cursor`` generates cursors of the reference shop (any feed position is a valid one).
- Positive order bodies point at records the test created (``WEBSHOP_CUSTOMER_ID``; line products are
  left out), because a random id names no customer and the shop rightly answers 422 for it.
- Positive creates get a fresh Idempotency-Key, as the contract asks of clients.
- Positive webhook subscriptions point at a closed local port (no DNS lookups for generated hosts).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st

from shopsync.simulators.webshop.seed import make_org_number
from shopsync.simulators.webshop.service import encode_cursor

schemathesis.openapi.format("no-organization-number", st.randoms(use_true_random=False).map(make_org_number))
# the reference shop's cursors encode a feed position; any position is a valid cursor
schemathesis.openapi.format("cursor", st.builds(encode_cursor, st.integers(0, 2**62), st.integers(0, 10**12)))


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Make positive order bodies reference a live customer and no catalogue product."""
    meta = case.meta
    positive = meta is None or meta.generation.mode.is_positive
    if positive and isinstance(case.body, dict) and case.path.startswith("/api/v1/orders"):
        if "customer_id" in case.body:
            case.body["customer_id"] = os.environ["WEBSHOP_CUSTOMER_ID"]
        for line in case.body.get("lines") or []:
            if isinstance(line, dict) and "product_id" in line:
                line["product_id"] = None
    if positive and isinstance(case.body, dict) and case.path == "/api/v1/webhooks" and "url" in case.body:
        # deliveries go to a closed local port: generated host names would mean DNS lookups from the test
        case.body["url"] = "http://127.0.0.1:9/schemathesis"
    if positive and case.headers and "Idempotency-Key" in case.headers:
        # the contract asks for a fresh key per logical create; a reused key rightly replays an old
        # answer whose record may since have been deleted, which is not what a generated case means
        case.headers["Idempotency-Key"] = f"{case.headers['Idempotency-Key'][:200]}-{uuid.uuid4()}"
    return case
