"""Connectors: the webshop side of the sync (contract client and its configurable adapters)."""
