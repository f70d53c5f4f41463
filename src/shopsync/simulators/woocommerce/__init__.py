"""A small fake of the WooCommerce REST API v3 for testing the connector's WooCommerce preset.

``create_app(store)`` serves ``/wp-json/wc/v3/{customers,products,orders}`` from an in-memory
``WooStore`` with WooCommerce's quirks (see ``store`` and ``app``); ``seed(store)`` adds a fixed data
set; ``WooClock.freeze`` makes many writes share one (one-second) timestamp.
"""

from .app import create_app
from .seed import seed
from .store import WooClock, WooError, WooStore

__all__ = ["WooClock", "WooError", "WooStore", "create_app", "seed"]
