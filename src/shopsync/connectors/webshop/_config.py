"""``WebshopAPIConfig``: everything that differs between shop APIs, as data (no code per shop).

The defaults *are* the shopsync webshop contract (``docs/webshop-api.yaml``): bearer auth, cursor
paging, ``updated_since``, tombstones, ``If-Match`` and ``Idempotency-Key``, records already in contract
shape. Another shop is described by overriding parts of it, usually from YAML (see
``presets/woocommerce.yaml``): paths per resource, auth style, pagination style, the change filter and
its timestamp format, the field mapping between the shop's JSON and the contract, how deletions are
detected, and the error body format.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from ._expr import Expression
from ._paths import parse_path
from ._timestamps import TimestampFormat
from .models import Resource, ShopSettings

__all__ = [
    "AuthConfig",
    "ChangeFeedConfig",
    "ErrorFormat",
    "FieldSpec",
    "PacingConfig",
    "PaginationConfig",
    "ResourceConfig",
    "RetryConfig",
    "SettingsSource",
    "WebhookConfig",
    "WebshopAPIConfig",
]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthConfig(_Config):
    """How requests authenticate. Every credential is a ``SecretStr``: never shown in repr or logs."""

    #: ``bearer`` (``Authorization: Bearer <token>``), ``basic`` (``username``/``password``, e.g.
    #: WooCommerce consumer key/secret), ``header`` (``<header_name>: <token>``), ``query`` (the
    #: ``query_params`` appended to every URL; they then appear in server logs, prefer the others) or
    #: ``none``.
    style: Literal["bearer", "basic", "header", "query", "none"] = "bearer"
    token: SecretStr | None = None
    username: SecretStr | None = None
    password: SecretStr | None = None
    header_name: str = "X-API-Key"
    query_params: dict[str, SecretStr] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> AuthConfig:
        missing = {
            "bearer": [] if self.token else ["token"],
            "header": [] if self.token else ["token"],
            "basic": [n for n in ("username", "password") if getattr(self, n) is None],
            "query": [] if self.query_params else ["query_params"],
            "none": [],
        }[self.style]
        if missing:
            raise ValueError(f"auth style {self.style!r} needs {', '.join(missing)}")
        return self

    def secrets(self) -> list[SecretStr]:
        """Every credential value, for log redaction."""
        values = [self.token, self.username, self.password, *self.query_params.values()]
        return [v for v in values if v is not None]


class PaginationConfig(_Config):
    """How a list endpoint pages: ``cursor`` (contract), ``page``, ``offset`` or ``link`` (RFC 5988)."""

    style: Literal["cursor", "page", "offset", "link"] = "cursor"
    page_size: int = Field(default=100, ge=1)
    #: Query parameter carrying the page size (``limit``, ``per_page``).
    limit_param: str = "limit"
    cursor_param: str = "cursor"
    #: Dotted path of the next cursor in the body (cursor style).
    next_cursor_path: str = "next_cursor"
    #: Dotted path of the item list in the body; ``None`` when the body *is* the list (WooCommerce).
    items_path: str | None = "items"
    page_param: str = "page"
    first_page: int = 1
    #: Response header with the number of pages (``X-WP-TotalPages``), if the shop sends one.
    total_pages_header: str | None = None
    offset_param: str = "offset"
    #: Response header with the number of items (offset style), if the shop sends one.
    total_header: str | None = None


class ChangeFeedConfig(_Config):
    """How to ask for "what changed since", and how deletions show up."""

    #: Query parameter of the change filter (``updated_since``, ``modified_after``); ``None`` when the
    #: shop cannot filter (or silently ignores the filter): every scan then reads everything and drops
    #: what is older than the stored position.
    since_param: str | None = "updated_since"
    #: Format of the filter value (the record timestamps use ``WebshopAPIConfig.timestamps``).
    since_format: TimestampFormat = Field(default_factory=TimestampFormat)
    #: Extra query parameters of change scans (``orderby=modified``, ``order=asc``, ``dates_are_gmt``).
    params: dict[str, str] = Field(default_factory=dict)
    #: Re-read this many seconds before the stored position on every scan, dropping what was already
    #: delivered: covers timestamp ties at coarse (one second) precision and commits that land late.
    overlap_seconds: float = Field(default=0.0, ge=0)
    #: True: deleted records appear in the feed as tombstones. False: the shop forgets deleted records,
    #: so deletions are found by reconciling ``Connector.all_ids()`` against the links.
    tombstones: bool = True
    #: Key that marks a tombstone item in the feed.
    tombstone_flag: str = "deleted"


class ErrorFormat(_Config):
    """Where a shop's error body keeps code, message and per-field messages, and what codes mean."""

    code_path: str = "error.code"
    message_path: str = "error.message"
    #: A list of ``{field, message}`` (contract) or an object ``{param: message}`` (WooCommerce).
    fields_path: str = "error.fields"
    #: Error codes that mean something other than their HTTP status says (WooCommerce answers 400 for
    #: an unknown id on update, and for a duplicate SKU).
    codes: dict[str, Literal["validation", "not_found", "conflict", "unauthorized", "precondition"]] = Field(
        default_factory=dict
    )


class FieldSpec(_Config):
    """How one contract field is found in the shop's JSON (read) and written back (write).

    In YAML a plain string is shorthand for ``{path: <string>}``.
    """

    #: Dotted path in the shop's JSON, relative to the enclosing object (``billing.address_1``). Default:
    #: the contract field's own name. For ``fields``: the shop object holding the sub-fields.
    path: str | None = None
    #: The shop's JSON type: ``auto`` (as is), ``string``, ``int`` (ids like ``123``, quantities),
    #: ``decimal`` (written as a decimal string), ``bool``, ``timestamp`` (``WebshopAPIConfig.timestamps``).
    type: Literal["auto", "string", "int", "decimal", "bool", "timestamp"] = "auto"
    #: Value map shop → contract (``{publish: true, draft: false}``); writes use the reverse.
    values: dict[str, Any] | None = None
    #: Like ``values`` but a named table of ``WebshopAPIConfig.tables`` (shared, e.g. ``vat_rates``).
    table: str | None = None
    #: Reverse map contract → shop when ``values`` is not one-to-one (keys are contract values).
    write_values: dict[str, Any] | None = None
    #: Shop values meaning "no value" (``""``, ``0``); a contract ``None`` is written as the first.
    null_if: list[Any] = Field(default_factory=list)
    #: Contract value used when the shop has none.
    default: Any = None
    #: Computed read: an expression over the shop object (see ``_expr``). ``path`` is then only the
    #: write target.
    expr: str | None = None
    #: False: never written (derived, or read-only in the shop); a change to it is refused, not dropped.
    write: bool = True
    #: Extra shop paths written whenever this field is written: path → expression over the contract
    #: object (``{billing.email: email}``).
    write_expr: dict[str, str] = Field(default_factory=dict)
    #: Writable only when creating; changing it later is refused.
    create_only: bool = False
    #: Sub-fields of a nested contract object (``billing_address``); ``path`` is the shop object.
    fields: dict[str, FieldSpec] | None = None
    #: Nested object only: the whole object is ``None`` when all its sub-fields are empty...
    nullable: bool = False
    #: ...or when any of these sub-fields is empty (a shipping block holding only a country).
    null_unless: list[str] = Field(default_factory=list)
    #: Sub-fields of each element of a contract list (``lines``); ``path`` is the shop list.
    items: dict[str, FieldSpec] | None = None
    #: Lists: ``replace`` (send the whole list) or ``by_id`` (the shop merges by element id and appends
    #: elements without one, as WooCommerce ``line_items`` do: removed elements are sent as ``remove_item``).
    list_update: Literal["replace", "by_id"] = "replace"
    #: ``by_id`` lists: keys sent with an element's id to delete it (WooCommerce: ``{quantity: 0}``).
    remove_item: dict[str, Any] = Field(default_factory=dict)
    #: ``by_id`` lists: the shop's key of an element's id.
    item_id: str = "id"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.path is not None:
            parse_path(self.path)
        for source in [self.expr, *self.write_expr.values()]:
            if source is not None:
                Expression(source)
        for target in self.write_expr:
            parse_path(target)
        if self.fields is not None and self.items is not None:
            raise ValueError("a field is either an object (fields) or a list (items), not both")
        if self.values is not None and self.table is not None:
            raise ValueError("give either values or table")
        return self


class ResourceConfig(_Config):
    """One resource (customers, products, orders) of the shop."""

    #: Collection path below ``base_url`` (``/api/v1/customers``, ``/wp-json/wc/v3/customers``).
    path: str
    #: Item path; ``{id}`` is replaced. Default: ``<path>/{id}``.
    item_path: str | None = None
    #: Field mapping keyed by contract field; empty: the shop already speaks the contract.
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    #: Overrides ``WebshopAPIConfig.changes`` for this resource (WooCommerce customers cannot filter).
    changes: ChangeFeedConfig | None = None
    #: ``find()`` criteria → query parameter (``{sku: sku}``, ``{number: search}``); results are always
    #: filtered exactly afterwards, so a fuzzy search parameter is fine.
    find: dict[str, str] = Field(default_factory=dict)
    #: A contract field the shop keeps unique (``sku``, ``email``): settles a create whose answer was
    #: lost when the shop has no idempotency keys, by looking the record up instead of re-creating.
    natural_key: str | None = None
    #: Merged into every create body (``{type: simple}``).
    create_defaults: dict[str, Any] = Field(default_factory=dict)
    update_method: Literal["PATCH", "PUT", "POST"] = "PATCH"
    #: Query parameters of deletes (WooCommerce: ``force=true``, else products go to the trash).
    delete_params: dict[str, str] = Field(default_factory=dict)
    #: Query parameters of every list request.
    list_params: dict[str, str] = Field(default_factory=dict)
    #: Extra query parameters when listing only ids for reconciliation (``_fields=id``).
    ids_params: dict[str, str] = Field(default_factory=dict)

    @field_validator("fields", mode="before")
    @classmethod
    def _no_none(cls, value: Any) -> Any:
        return {} if value is None else value

    def item(self, record_id: str) -> str:
        return (self.item_path or self.path.rstrip("/") + "/{id}").replace("{id}", record_id)


class SettingsSource(_Config):
    """Where ``shop_settings()`` comes from: an endpoint (contract) or fixed values (other shops)."""

    path: str | None = "/api/v1/shop"
    static: ShopSettings | None = None


#: Default pace for shops implementing shopsync's contract. The reference shop serves about 600
#: creates/s on one core, and a contract shop that is busy answers 429 with Retry-After (honoured), so
#: an initial load of 2,000 records takes ~40 s instead of the 200 s the former 10/s cost. Presets of
#: shops without that promise (WooCommerce) keep a gentler pace of their own.
DEFAULT_REQUESTS_PER_SECOND = 50.0


class PacingConfig(_Config):
    """Client-side request pacing (aiolimiter): never more than this, whatever the engine asks."""

    requests_per_second: float = Field(default=DEFAULT_REQUESTS_PER_SECOND, gt=0)


class RetryConfig(_Config):
    """Retries of safe requests (stamina): reads, idempotent creates, conditional writes."""

    attempts: int = Field(default=5, ge=1)
    #: Seconds for all attempts together.
    timeout: float = Field(default=60.0, gt=0)
    wait_initial: float = 0.2
    wait_max: float = 10.0
    wait_jitter: float = 0.5
    #: A longer Retry-After is not waited out: ``RateLimited`` goes up to the caller.
    max_retry_after: float = 60.0


class WebhookConfig(_Config):
    """Verification of the shop's webhook deliveries (contract: HMAC-SHA256 over ``timestamp.body``)."""

    secret: SecretStr | None = None
    signature_header: str = "Webhook-Signature"
    #: Scheme label before the signature (``v1=``); empty when the header holds only the signature.
    signature_prefix: str = "v1="
    signature_encoding: Literal["hex", "base64"] = "hex"
    #: Header with the signed Unix timestamp; ``None`` when the shop signs the body alone (WooCommerce):
    #: no freshness check is then possible, so replays must be caught by the sync being idempotent.
    timestamp_header: str | None = "Webhook-Timestamp"
    id_header: str = "Webhook-Id"
    #: ``event``: the body is the contract's ``{event, resource, id, occurred_at, data}``. ``record``: the
    #: body is the shop's record and the event name comes from ``topic_header`` (``product.updated``).
    payload: Literal["event", "record"] = "event"
    topic_header: str | None = None
    #: Largest accepted |now - timestamp| in seconds; older deliveries may be replays.
    tolerance: float = 300.0

    @model_validator(mode="after")
    def _topic_for_records(self) -> WebhookConfig:
        if self.payload == "record" and not self.topic_header:
            raise ValueError("payload 'record' needs a topic_header")
        return self


def _contract_resources() -> dict[Resource, ResourceConfig]:
    return {
        # E-mail addresses may repeat in the contract; the Idempotency-Key makes creates safe anyway.
        "customers": ResourceConfig(path="/api/v1/customers", find={"email": "email"}),
        "products": ResourceConfig(path="/api/v1/products", find={"sku": "sku"}, natural_key="sku"),
        "orders": ResourceConfig(path="/api/v1/orders", find={"number": "number"}, natural_key="number"),
    }


class WebshopAPIConfig(_Config):
    """A shop's API described as data; the defaults are the shopsync webshop contract."""

    #: A label for logs (``contract``, ``woocommerce``).
    name: str = "contract"
    base_url: str = "http://127.0.0.1:8702"
    auth: AuthConfig = Field(default_factory=lambda: AuthConfig(token=SecretStr("sim-webshop")))
    resources: dict[Resource, ResourceConfig] = Field(default_factory=_contract_resources)
    pagination: PaginationConfig = Field(default_factory=PaginationConfig)
    changes: ChangeFeedConfig = Field(default_factory=ChangeFeedConfig)
    #: Format of timestamps inside records (``type: timestamp`` fields).
    timestamps: TimestampFormat = Field(default_factory=TimestampFormat)
    errors: ErrorFormat = Field(default_factory=ErrorFormat)
    #: ``if_match``: the shop checks ``If-Match`` (412). ``check_then_write``: the connector reads the
    #: version first (a small race remains; for shops without conditional writes). ``none``: ignored.
    concurrency: Literal["if_match", "check_then_write", "none"] = "if_match"
    #: Header of create idempotency keys; ``None`` when the shop has none (creates are then never
    #: retried blindly: see ``ResourceConfig.natural_key``).
    idempotency_header: str | None = "Idempotency-Key"
    settings: SettingsSource = Field(default_factory=SettingsSource)
    #: Lookup tables for ``FieldSpec.table`` and ``lookup()`` (``vat_rates: {"": "25.00"}``).
    tables: dict[str, dict[str, Any]] = Field(default_factory=dict)
    pacing: PacingConfig = Field(default_factory=PacingConfig)
    retry: RetryConfig = Field(default_factory=RetryConfig)
    #: Seconds per request (connect, read, write, pool).
    timeout: float = Field(default=30.0, gt=0)
    webhooks: WebhookConfig = Field(default_factory=WebhookConfig)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _tables_exist(self) -> WebshopAPIConfig:
        def walk(specs: dict[str, FieldSpec], where: str) -> None:
            for name, spec in specs.items():
                if spec.table is not None and spec.table not in self.tables:
                    raise ValueError(f"{where}.{name}: unknown table {spec.table!r}")
                walk(spec.fields or {}, f"{where}.{name}")
                walk(spec.items or {}, f"{where}.{name}[]")

        for resource, rc in self.resources.items():
            walk(rc.fields, resource)
        if self.settings.path is None and self.settings.static is None:
            raise ValueError("settings needs a path or static values")
        return self

    def feed(self, resource: Resource) -> ChangeFeedConfig:
        """The change-feed rules of ``resource`` (its override, else the shop-wide ones)."""
        return self.resource(resource).changes or self.changes

    def resource(self, resource: Resource) -> ResourceConfig:
        try:
            return self.resources[resource]
        except KeyError:
            raise KeyError(f"{self.name}: resource {resource!r} is not configured") from None
