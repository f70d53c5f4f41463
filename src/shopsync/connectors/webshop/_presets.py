"""Load a ``WebshopAPIConfig`` from YAML or a shipped preset, with overrides and ``${ENV}`` secrets.

A preset (``presets/<name>.yaml``) describes a shop API; a deployment adds its base URL and
credentials, either as keyword overrides or in its own YAML. A string value that is exactly
``${NAME}`` is replaced by the environment variable ``NAME``, so credentials need not live in files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._config import WebshopAPIConfig
from ._exceptions import ConfigError

__all__ = ["available_presets", "load_config", "load_preset"]

_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def available_presets() -> list[str]:
    """Names of the shipped presets (``woocommerce``, …)."""
    folder = resources.files("shopsync.connectors.webshop") / "presets"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _expand_env(value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _expand_env(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, environ) for v in value]
    if isinstance(value, str) and (m := _ENV_REF.match(value)):
        if m[1] not in environ:
            raise ConfigError(f"environment variable {m[1]} is not set")
        return environ[m[1]]
    return value


def _read_yaml(source: str | Path) -> dict[str, Any]:
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("a webshop API config must be a mapping")
    return data


def load_config(
    source: str | Path | Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> WebshopAPIConfig:
    """A config from a YAML file (``Path``), YAML text (``str``) or a mapping, deep-merged with ``overrides``.

    The YAML may start from a preset with ``preset: woocommerce``; its own keys then override the preset.
    """
    data: dict[str, Any] = dict(source) if isinstance(source, Mapping) else _read_yaml(source or "")
    preset = data.pop("preset", None)
    if preset is not None:
        data = _deep_merge(_preset_data(str(preset)), data)
    data = _deep_merge(data, overrides)
    data = _expand_env(data, os.environ if environ is None else environ)
    try:
        return WebshopAPIConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid webshop API config: {exc}") from exc


def _preset_data(name: str) -> dict[str, Any]:
    if name not in available_presets():
        raise ConfigError(f"unknown preset {name!r}; available: {', '.join(available_presets())}")
    text = (resources.files("shopsync.connectors.webshop") / "presets" / f"{name}.yaml").read_text("utf-8")
    return _read_yaml(text)


def load_preset(name: str, *, environ: Mapping[str, str] | None = None, **overrides: Any) -> WebshopAPIConfig:
    """The shipped preset ``name`` with ``overrides`` (``base_url=…, auth={…}``) deep-merged in."""
    return load_config({"preset": name}, environ=environ, **overrides)
