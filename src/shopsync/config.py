"""The shopsync config file (YAML): where both systems and the state live, and how the engine syncs.

Example (``shopsync init`` writes a commented one)::

    webshop:
      url: http://127.0.0.1:8702          # the shop's API root
      api: null                           # null = the shopsync contract; a preset ("woocommerce"), a
                                          # path to a WebshopAPIConfig YAML, or that YAML inline
    tripletex:
      url: https://tripletex.no/v2
      company_id: 0
    state: shopsync.sqlite                # beside this file; or postgresql://user@host/db
    tenant: default
    mapping: null                         # an override file for the mapping (relative to this file)
    conflict_policy: newest_wins
    delete_policy: deactivate
    entities: {customer: {create: both}, product: {create: both}, order: {create: to_tripletex}}
    order_window_days: 400
    mass_delete_share: 0.10
    batch_size: 100

Secrets (``webshop.token``, ``webshop.webhook_secret``, ``tripletex.consumer_token``,
``tripletex.employee_token``) come from ``SHOPSYNC_WEBSHOP_TOKEN``, ``SHOPSYNC_WEBSHOP_WEBHOOK_SECRET``,
``SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN`` and ``SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN`` (and the server's
``status_token``, ``tripletex_webhook_auth``, ``tripletex_webhook_secret`` from ``SHOPSYNC_STATUS_TOKEN``,
``SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH``, ``SHOPSYNC_TRIPLETEX_WEBHOOK_SECRET``); the environment
overrides the file, which holds them only when the user put them there. Any string value that is
exactly ``${NAME}`` is replaced by the environment variable ``NAME``. The policy keys are those of
``shopsync.mapping.settings.SyncPolicy`` (``ShopsyncConfig`` *is* a ``SyncPolicy``). Relative paths
(state, mapping, a webshop API file) are relative to the config file. Every problem raises
``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError, field_validator

from shopsync.connectors.webshop import ConfigError as WebshopConfigError
from shopsync.connectors.webshop import WebshopAPIConfig, available_presets
from shopsync.connectors.webshop import load_config as load_webshop_api
from shopsync.mapping.settings import ConfigError as PolicyConfigError
from shopsync.mapping.settings import SyncPolicy
from shopsync.state import StateURLError, state_url
from shopsync.tripletex import TripletexSettings

__all__ = [
    "DEFAULT_ENTITIES",
    "DEFAULT_STATE",
    "ENTITIES",
    "SECRET_ENV",
    "ConfigError",
    "CreateDirection",
    "DaemonSection",
    "EntityConfig",
    "ServerSection",
    "ShopsyncConfig",
    "TripletexSection",
    "WebshopSection",
    "load_config",
    "parse_config",
]

CreateDirection = Literal["both", "to_tripletex", "to_webshop", "none"]
#: The synced entities, in dependency order (an order needs its customer and products linked first).
ENTITIES: tuple[str, ...] = ("customer", "product", "order")
#: Secret keys (section, key) and the environment variable that fills or overrides each.
SECRET_ENV: dict[tuple[str, str], str] = {
    ("webshop", "token"): "SHOPSYNC_WEBSHOP_TOKEN",
    ("webshop", "webhook_secret"): "SHOPSYNC_WEBSHOP_WEBHOOK_SECRET",
    ("tripletex", "consumer_token"): "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN",
    ("tripletex", "employee_token"): "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN",
    ("server", "status_token"): "SHOPSYNC_STATUS_TOKEN",
    ("server", "tripletex_webhook_auth"): "SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH",
    ("server", "tripletex_webhook_secret"): "SHOPSYNC_TRIPLETEX_WEBHOOK_SECRET",
}
DEFAULT_STATE = "shopsync.sqlite"
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class ConfigError(PolicyConfigError):
    """The config file cannot be read or has an invalid or missing value (``path`` and ``key`` say where)."""

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        self.reason = message
        where = ": ".join(str(part) for part in (path, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_CONTRACT_PREFIX = "/api/v1"


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or not urlsplit(value).netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


class EntityConfig(_Section):
    """How one entity syncs."""

    #: Which side's new records are created on the other side (edits of linked pairs always flow both ways).
    create: CreateDirection = "both"


#: Creation directions when the file says nothing: customers and products both ways, orders shop → Tripletex.
DEFAULT_ENTITIES: dict[str, EntityConfig] = {
    "customer": EntityConfig(create="both"),
    "product": EntityConfig(create="both"),
    "order": EntityConfig(create="to_tripletex"),
}


class WebshopSection(_Section):
    """The webshop: its API root, which API it speaks, and its credentials."""

    url: str
    #: None: the shopsync contract; a preset name; a path to a WebshopAPIConfig YAML; or that YAML inline.
    #: Kept out of reprs: an inline description may hold credentials (basic auth, query keys).
    api: str | dict[str, Any] | None = Field(default=None, repr=False)
    token: SecretStr | None = None
    webhook_secret: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)

    def api_config(self) -> WebshopAPIConfig:
        """The connector's ``WebshopAPIConfig``: the chosen API with this URL, token and webhook secret."""
        overrides: dict[str, Any] = {"base_url": self.url}
        if self.api is None:
            # The contract's paths start with /api/v1; people paste either the root or the API base.
            overrides["base_url"] = self.url.rstrip("/").removesuffix(_CONTRACT_PREFIX)
        if self.webhook_secret is not None:
            overrides["webhooks"] = {"secret": self.webhook_secret.get_secret_value()}
        source: Path | Mapping[str, Any]
        if self.api is None:
            source = {}
        elif isinstance(self.api, dict):
            source = self.api
        elif self.api in available_presets():
            source = {"preset": self.api}
        else:
            source = Path(self.api)
        try:
            base = load_webshop_api(source)
            # The token fills token-based auth (the contract's bearer, a header key); basic or query
            # auth of other shops is described in their API YAML, with ${ENV} references.
            if base.auth.style in ("bearer", "header"):
                if self.token is None:
                    raise ConfigError(
                        "the webshop API token is missing: set SHOPSYNC_WEBSHOP_TOKEN", key="webshop.token"
                    )
                overrides["auth"] = {"token": self.token.get_secret_value()}
            return load_webshop_api(source, **overrides)
        except (WebshopConfigError, OSError) as exc:
            raise ConfigError(str(exc), key="webshop.api") from None


class TripletexSection(_Section):
    """The Tripletex account: API root (with ``/v2``), company and the two tokens."""

    url: str = "https://tripletex.no/v2"
    company_id: int = Field(default=0, ge=0)
    consumer_token: SecretStr | None = None
    employee_token: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _v2(cls, value: str) -> str:
        # The API lives under /v2; a bare host (https://tripletex.no) means the standard root.
        value = _http_url(value)
        return value + "/v2" if urlsplit(value).path in ("", "/") else value

    def settings(self) -> TripletexSettings:
        """The client's settings; ``ConfigError`` when a token is missing."""
        for key in ("consumer_token", "employee_token"):
            if getattr(self, key) is None:
                env = SECRET_ENV[("tripletex", key)]
                raise ConfigError(
                    f"the Tripletex {key.replace('_', ' ')} is missing: set {env}", key=f"tripletex.{key}"
                )
        return TripletexSettings(
            base_url=self.url,
            consumer_token=self.consumer_token,
            employee_token=self.employee_token,
            company_id=self.company_id,
        )


class DaemonSection(_Section):
    """How ``shopsync run`` schedules its work (all in seconds but ``queue_batch``)."""

    #: A normal two-way pass (the safety net behind webhooks) runs this often.
    poll_seconds: float = Field(default=30.0, gt=0)
    #: A full reconcile (every record compared, not only the changed ones) runs this often.
    full_reconcile_seconds: float = Field(default=6 * 3600.0, gt=0)
    #: The webhook subscriptions are re-checked (and recreated when disabled or gone) this often.
    subscription_check_seconds: float = Field(default=300.0, gt=0)
    #: On SIGTERM/SIGINT the running engine call gets this long to finish before it is cancelled.
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    #: Queued records (webhook work) handled per engine call.
    queue_batch: int = Field(default=500, ge=1)


class ServerSection(_Section):
    """The daemon's HTTP server: where it listens, its public URL, and the secrets guarding it."""

    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    #: The URL the webshop and Tripletex post webhooks to (a proxy's, say); None: http://host:port.
    public_url: str | None = None
    #: Bearer token of the status page, /api and /metrics (SHOPSYNC_STATUS_TOKEN); None: they answer 503.
    status_token: SecretStr | None = None
    #: The Authorization header value Tripletex sends with each callback (its authHeaderValue).
    tripletex_webhook_auth: SecretStr | None = None
    #: The subscription's hmacSharedSecret; callbacks must then carry a valid x-request-signature.
    tripletex_webhook_secret: SecretStr | None = None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @property
    def base_url(self) -> str:
        """``public_url``, or the listening address as a URL."""
        if self.public_url is not None:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class ShopsyncConfig(SyncPolicy):
    """The whole config file. The policy keys (``mapping``, ``conflict_policy``, ``delete_policy``) are
    inherited from ``SyncPolicy``, so the config is accepted wherever a policy is expected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webshop: WebshopSection
    tripletex: TripletexSection = Field(default_factory=TripletexSection)
    server: ServerSection = Field(default_factory=ServerSection)
    #: SQLite path or URL, or ``postgresql://…``; relative paths are resolved beside the config file.
    state: str = DEFAULT_STATE
    #: Rows of every state table carry it, so one database can hold several shops.
    tenant: str = Field(default="default", min_length=1)
    entities: dict[str, EntityConfig] = Field(default_factory=lambda: dict(DEFAULT_ENTITIES))
    #: Tripletex order scans look this many days back (orderDateFrom).
    order_window_days: int = Field(default=400, ge=1)
    #: Mass-delete breaker: a pass deactivating more than this share of an entity's links stops and asks.
    mass_delete_share: float = Field(default=0.10, ge=0.0, le=1.0)
    #: Records per batch write (Tripletex /list endpoints take at most 100).
    batch_size: int = Field(default=100, ge=1, le=100)
    #: Full ``fields=id,version`` scans of Tripletex customers run every this many passes (changedSince
    #: covers the others; it is unreliable on real servers, so the scan stays the safety net).
    customer_scan_every: int = Field(default=1, ge=1)
    #: The long-running service (``shopsync run``): poll, reconcile and shutdown timings.
    daemon: DaemonSection = Field(default_factory=DaemonSection)

    #: The file this config was read from (None when built in code); errors name it.
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The config file, when loaded with ``load_config``."""
        return self._source

    def webshop_api(self) -> WebshopAPIConfig:
        """The webshop connector's config; ``ConfigError`` (file + key) when it cannot be built."""
        try:
            return self.webshop.api_config()
        except ConfigError as exc:
            raise ConfigError(exc.reason, path=self._source, key=exc.key) from None

    def tripletex_settings(self) -> TripletexSettings:
        """The Tripletex client's settings; ``ConfigError`` (file + key) when a token is missing."""
        try:
            return self.tripletex.settings()
        except ConfigError as exc:
            raise ConfigError(exc.reason, path=self._source, key=exc.key) from None

    @field_validator("entities", mode="before")
    @classmethod
    def _fill_entities(cls, value: Any) -> Any:
        if value is None:
            return dict(DEFAULT_ENTITIES)
        if not isinstance(value, Mapping):
            return value  # pydantic reports the type error
        unknown = sorted(set(value) - set(ENTITIES))
        if unknown:
            raise ValueError(f"unknown entity {unknown[0]!r}; known: {', '.join(ENTITIES)}")
        return {**DEFAULT_ENTITIES, **value}

    @field_validator("state")
    @classmethod
    def _state_location(cls, value: str) -> str:
        try:
            state_url(value)
        except StateURLError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def policy(self) -> SyncPolicy:
        """Just the policy part, as ``shopsync.mapping`` reads it."""
        return SyncPolicy(
            mapping=self.mapping, conflict_policy=self.conflict_policy, delete_policy=self.delete_policy
        )

    def creates(self, entity: str, target: Literal["tripletex", "webshop"]) -> bool:
        """Whether new ``entity`` records are created on ``target`` (from the other side)."""
        direction = self.entities[entity].create
        return direction == "both" or direction == f"to_{target}"


def _expand_env(value: Any, environ: Mapping[str, str], path: Path, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _expand_env(v, environ, path, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, environ, path, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and (m := _ENV_REF.match(value)):
        if m[1] not in environ:
            raise ConfigError(f"environment variable {m[1]} is not set", path=path, key=key)
        return environ[m[1]]
    return value


def _beside(path: Path, value: str) -> str:
    """A relative file location made absolute, relative to the config file's folder."""
    target = Path(value).expanduser()
    return os.path.normpath(target if target.is_absolute() else path.resolve().parent / target)


def _resolve_paths(data: dict[str, Any], path: Path) -> None:
    state = data.get("state")
    if state is None:
        data["state"] = _beside(path, DEFAULT_STATE)
    elif isinstance(state, str) and state.strip():
        if "://" not in state:
            data["state"] = _beside(path, state)
        elif state.startswith("sqlite:///") and state not in ("sqlite:///:memory:",):
            data["state"] = "sqlite:///" + _beside(path, state.removeprefix("sqlite:///"))
    if isinstance(data.get("mapping"), str):
        data["mapping"] = _beside(path, data["mapping"])
    webshop = data.get("webshop")
    if isinstance(webshop, dict):
        api = webshop.get("api")
        if isinstance(api, str) and api not in available_presets():
            webshop["api"] = _beside(path, api)


def _secrets_from_env(data: dict[str, Any], environ: Mapping[str, str], path: Path) -> None:
    for (section, key), env in SECRET_ENV.items():
        value = environ.get(env)
        if not value:
            continue
        block = data.setdefault(section, {})
        if not isinstance(block, dict):
            raise ConfigError("expected a mapping of settings", path=path, key=section)
        block[key] = value


def _key(loc: tuple[int | str, ...]) -> str:
    # pydantic puts the union member or validator name in the location; keep only real keys.
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    return ".".join(parts) or "(top level)"


def load_config(path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> ShopsyncConfig:
    """Read and validate the config file at ``path``; secrets come from ``environ`` (default os.environ)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=path) from None
    return parse_config(text, path=path, environ=environ)


def parse_config(text: str, *, path: Path, environ: Mapping[str, str] | None = None) -> ShopsyncConfig:
    """Validate config ``text`` as if read from ``path`` (relative locations are resolved beside it)."""
    env = os.environ if environ is None else environ
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings", path=path)
    data = _expand_env(data, env, path, "")
    _secrets_from_env(data, env, path)
    _resolve_paths(data, path)
    try:
        config = ShopsyncConfig.model_validate(data)
    except ValidationError as exc:
        problems = [(_key(e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()]
        key, message = problems[0]
        others = "".join(f"; {k}: {m}" for k, m in problems[1:])
        raise ConfigError(message + others, path=path, key=key) from None
    config._source = path
    return config
