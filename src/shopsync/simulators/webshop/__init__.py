"""The reference webshop: implements ``docs/webshop-api.yaml`` for tests and the demo.

``create_app(WebshopConfig(...))`` builds the FastAPI app: the contract API under ``/api/v1`` (bearer
token, change feed with tombstones, ETag/If-Match, Idempotency-Key, signed webhooks with retries),
the admin API under ``/_sim`` (stats, faults, reset, clock, webhook log) and an HTML admin page at
``/``. Data lives in SQLite (in memory unless ``db`` is set) and can be seeded with a deterministic
Norwegian shop. ``shopsync sim webshop`` runs it.
"""

from shopsync.simulators.webshop.app import WebshopApp, create_app
from shopsync.simulators.webshop.config import WebshopConfig

__all__ = ["WebshopApp", "WebshopConfig", "create_app"]
