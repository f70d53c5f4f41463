"""shopsync: two-way sync between a custom webshop and Tripletex (API v2).

Layout: ``tripletex/`` (client), ``connectors/`` (webshop side), ``mapping/`` (property mappings),
``engine/`` (sync), ``server/`` (daemon, webhooks, status page), ``simulators/`` (Tripletex and
webshop stand-ins for tests and the demo), ``cli/`` (the ``shopsync`` command).
"""

__version__ = "0.1.0"
