"""A tenant's config as a self-contained document, and back.

``config_document`` turns a loaded ``ShopsyncConfig`` into plain JSON-ready data that a worker on
another machine can use as it is: secrets revealed (the document is only ever stored sealed), the
state location left out (a tenant's state lives in the registry's database, whatever the file said)
and a webshop API description file read in. A mapping override file stays a path: it must exist on
the workers. ``tenant_config`` validates such a document again for one tenant and state database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError

from shopsync.config import ConfigError, ShopsyncConfig
from shopsync.connectors.webshop import available_presets

__all__ = ["config_document", "tenant_config"]


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _inline_api(api: Any) -> Any:
    """A webshop API description file read in (presets and inline descriptions stay as they are)."""
    if not isinstance(api, str) or api in available_presets():
        return api
    path = Path(api)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the webshop API file {path}: {exc}", key="webshop.api") from None
    if not isinstance(data, dict):
        raise ConfigError(f"the webshop API file {path} is not a mapping", key="webshop.api")
    return data


def config_document(config: ShopsyncConfig) -> dict[str, Any]:
    """``config`` as plain data for sealing (see the module docstring); ``ConfigError`` when the
    webshop API file cannot be read."""
    data: dict[str, Any] = _plain(config.model_dump(mode="python", exclude={"state", "tenant"}))
    webshop = data.get("webshop")
    if isinstance(webshop, dict):
        webshop["api"] = _inline_api(webshop.get("api"))
    return data


def tenant_config(document: Mapping[str, Any], *, tenant: str, state: str) -> ShopsyncConfig:
    """The config of ``tenant`` from its document, its state in ``state``; ``ConfigError`` if the
    document no longer validates (e.g. written by a newer shopsync)."""
    try:
        return ShopsyncConfig.model_validate({**document, "tenant": tenant, "state": state})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"tenant {tenant!r}: stored config is invalid: {message}", key=key) from None
