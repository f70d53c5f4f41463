"""Declarative property mappings between webshop and Tripletex records.

Quick start::

    from shopsync.mapping import TableResolver, load_mapping

    mapping = load_mapping(Path("mapping.yaml"))          # or load_mapping() for the defaults
    resolver = TableResolver(shop=settings, vat_types=outgoing, countries=countries, currencies=currencies)
    view = mapping.webshop_view("customer", record, resolver)      # {row key: canonical value}
    body = mapping.to_tripletex("customer", view, resolver)        # POST /customer body
    back = mapping.tripletex_view("customer", tripletex_record, resolver)
    patch = mapping.to_webshop("customer", back, resolver, keys=mapping.changed("customer", view, back))

The rows live in YAML (``defaults/customer.yaml``, ``product.yaml``, ``order.yaml``); an installation
changes them with its own file (see ``_loader``). Data types come from the Tripletex spec, expressions
are JSONata with Decimal-safe functions (``_expr``), references are resolved through a
:class:`Resolver`, and ``shopsync docs`` prints the mapping as the dataflow document.
"""

from shopsync.mapping._errors import (
    MappingError,
    MappingFileError,
    Problem,
    RecordMappingError,
    UnresolvedReference,
)
from shopsync.mapping._mapping import Mapping, load_mapping
from shopsync.mapping._model import Block, Deactivate, EntityMapping, MatchKey, Ref, Row
from shopsync.mapping._resolver import PREFERRED_VAT_NUMBERS, Resolver, TableResolver

__all__ = [
    "PREFERRED_VAT_NUMBERS",
    "Block",
    "Deactivate",
    "EntityMapping",
    "Mapping",
    "MappingError",
    "MappingFileError",
    "MatchKey",
    "Problem",
    "RecordMappingError",
    "Ref",
    "Resolver",
    "Row",
    "TableResolver",
    "UnresolvedReference",
    "load_mapping",
]
