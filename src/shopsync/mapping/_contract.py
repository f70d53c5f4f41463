"""Webshop property paths resolved against the contract's record shapes (``connectors.webshop.models``).

A row's webshop side is a dotted path into the contract record (``billing_address.postal_code``), a
path inside a list element (``quantity`` under ``lines[]``) or a shop setting (``$shop.prices_include_vat``).
Resolving it tells the loader whether the field exists, its kind (for type checks), whether it may be
null and whether the shop assigns it (``id``, ``version``… cannot be written).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, PlainSerializer
from pydantic_core import PydanticUndefined

from shopsync.connectors.webshop import models

__all__ = ["SHOP_PREFIX", "ContractError", "WebshopField", "list_item_model", "model_named", "resolve"]

#: Prefix of paths that read a shop-wide setting instead of a record field.
SHOP_PREFIX = "$shop."

Kind = Literal["string", "literal", "decimal", "integer", "boolean", "datetime", "object", "list"]
_ASSIGNED = frozenset({"id", "created_at", "updated_at", "version"})
_MODELS: dict[str, type[BaseModel]] = {
    "Customer": models.Customer,
    "Product": models.Product,
    "Order": models.Order,
    "OrderLine": models.OrderLine,
    "Address": models.Address,
    "ShopSettings": models.ShopSettings,
}


class ContractError(ValueError):
    """A webshop path is not a field of the contract record."""


@dataclass(frozen=True)
class WebshopField:
    """A resolved webshop field."""

    path: str
    kind: Kind
    #: ``money`` (two decimals), ``quantity`` (any decimal) for decimals; None otherwise.
    decimal_style: Literal["money", "quantity"] | None
    literals: tuple[str, ...] | None
    nullable: bool
    #: The shop assigns it (``id``, ``created_at``, ``updated_at``, ``version``) or it is a shop setting.
    read_only: bool
    model: type[BaseModel] | None
    #: The contract's default, used when a non-nullable field receives no value; None if required.
    default: Any = None


def model_named(name: str) -> type[BaseModel]:
    """The contract model called ``name`` (``Customer``, ``Order``…); KeyError if unknown."""
    return _MODELS[name]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip ``X | None`` (returns X, nullable)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) != len(typing.get_args(annotation))
        if len(args) == 1:
            return args[0], nullable
        return annotation, nullable
    return annotation, False


def _describe(
    path: str, annotation: Any, metadata: list[Any], nullable: bool, read_only: bool, default: Any = None
) -> WebshopField:
    inner, maybe_none = _unwrap(annotation)
    nullable = nullable or maybe_none
    origin = typing.get_origin(inner)
    if origin is typing.Annotated:
        args = typing.get_args(inner)
        inner, metadata = args[0], [*metadata, *args[1:]]
        inner, maybe_none = _unwrap(inner)
        nullable = nullable or maybe_none
        origin = typing.get_origin(inner)

    def field(kind: Kind, **extra: Any) -> WebshopField:
        values = {"decimal_style": None, "literals": None, "model": None, "default": default} | extra
        return WebshopField(path=path, kind=kind, nullable=nullable, read_only=read_only, **values)

    if origin is Literal:
        return field("literal", literals=tuple(str(a) for a in typing.get_args(inner)))
    if origin is list:
        (item,) = typing.get_args(inner)
        return field("list", model=item if isinstance(item, type) and issubclass(item, BaseModel) else None)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return field("object", model=inner)
    if inner is bool:
        return field("boolean")
    if inner is int:
        return field("integer")
    if inner is Decimal:
        money = any(isinstance(m, PlainSerializer) and m.func is models.format_money for m in metadata)
        return field("decimal", decimal_style="money" if money else "quantity")
    if inner is dt.datetime or inner is AwareDatetime:
        return field("datetime")
    if inner is str:
        return field("string")
    raise ContractError(f"{path}: unsupported contract type {inner!r}")


def resolve(model_name: str, path: str) -> WebshopField:
    """Resolve ``path`` (dotted, or ``$shop.<setting>``) from contract model ``model_name``."""
    if path.startswith(SHOP_PREFIX):
        model: type[BaseModel] = models.ShopSettings
        parts = path[len(SHOP_PREFIX) :].split(".")
        read_only = True
    else:
        model = _MODELS[model_name]
        parts = path.split(".")
        read_only = False
    if any(not p for p in parts):
        raise ContractError(f"empty segment in webshop path {path!r}")
    nullable = False
    for i, name in enumerate(parts):
        info = model.model_fields.get(name)
        if info is None:
            known = ", ".join(model.model_fields)
            raise ContractError(
                f"{model.__name__} has no field {name!r} (webshop path {path}; fields: {known})"
            )
        ro = read_only or (name in _ASSIGNED and i == 0)
        default = None if info.default is PydanticUndefined else info.default
        described = _describe(path, info.annotation, list(info.metadata), nullable, ro, default)
        if i == len(parts) - 1:
            return described
        if described.kind != "object" or described.model is None:
            raise ContractError(f"{model.__name__}.{name} is not an object (webshop path {path})")
        model, nullable = described.model, described.nullable
    raise AssertionError("unreachable")  # pragma: no cover


def list_item_model(model_name: str, path: str) -> str:
    """Name of the contract model of the list field ``path`` (``lines`` on ``Order`` → ``OrderLine``)."""
    described = resolve(model_name, path)
    if described.kind != "list" or described.model is None:
        raise ContractError(f"webshop field {path} is not a list of records")
    for name, model in _MODELS.items():
        if model is described.model:
            return name
    raise ContractError(
        f"webshop list {path} holds {described.model.__name__}, which is not a contract record"
    )
