"""The sync policies the engine applies, and the part of the shopsync config file the mapping reads.

The config file (YAML) may hold, among the engine's own settings::

    mapping: mapping.yaml          # this installation's override file (relative to the config file)
    conflict_policy: newest_wins   # newest_wins | webshop_wins | tripletex_wins | manual
    delete_policy: deactivate      # deactivate | ignore

Unknown keys are the engine's business and are ignored here; missing keys take the defaults below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "CONFLICT_POLICIES",
    "DELETE_POLICIES",
    "ConfigError",
    "ConflictPolicy",
    "DeletePolicy",
    "SyncPolicy",
    "read_config",
]

ConflictPolicy = Literal["newest_wins", "webshop_wins", "tripletex_wins", "manual"]
DeletePolicy = Literal["deactivate", "ignore"]

#: What each conflict policy does with a true conflict (both sides changed one property differently).
CONFLICT_POLICIES: dict[str, str] = {
    "newest_wins": "the most recent edit wins and the conflict is recorded",
    "webshop_wins": "the webshop's value wins and the conflict is recorded",
    "tripletex_wins": "Tripletex's value wins and the conflict is recorded",
    "manual": "neither side is changed; the conflict is recorded and waits for a decision",
}
#: What each delete policy does when a linked record is deleted on one side.
DELETE_POLICIES: dict[str, str] = {
    "deactivate": "its partner is deactivated, never deleted",
    "ignore": "its partner is left as it is; the link is removed and the deletion recorded",
}


class ConfigError(ValueError):
    """The config file cannot be read or has invalid values."""


class SyncPolicy(BaseModel):
    """How the engine resolves conflicts and deletes, and which mapping override is in force."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    mapping: Path | None = None
    conflict_policy: ConflictPolicy = "newest_wins"
    delete_policy: DeletePolicy = "deactivate"


def read_config(path: Path | None) -> SyncPolicy:
    """The policy from config file ``path`` (defaults when None); a relative ``mapping`` is file-relative."""
    if path is None:
        return SyncPolicy()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    try:
        policy = SyncPolicy.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {details}") from None
    if policy.mapping is not None and not policy.mapping.is_absolute():
        policy = policy.model_copy(update={"mapping": path.parent / policy.mapping})
    return policy
