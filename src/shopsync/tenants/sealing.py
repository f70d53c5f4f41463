"""``SecretBox``: a tenant's config sealed at rest with Fernet, keyed by ``SHOPSYNC_SECRET_KEY``.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) authenticates what it encrypts, so a wrong
key is detected, never silently decrypted into garbage. ``SHOPSYNC_SECRET_KEY`` holds one key, or
several separated by commas to rotate: the first seals, every one of them may open (re-add the
tenants, then drop the old key). ``shopsync tenants generate-key`` prints a fresh key.

The key is registered for log redaction as soon as it is read, and no message here contains it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shopsync.logs import register_secret

from .errors import SecretKeyError

__all__ = ["KEY_ENV", "SecretBox", "generate_key"]

#: The environment variable holding the key (or comma-separated keys, newest first).
KEY_ENV = "SHOPSYNC_SECRET_KEY"


def generate_key() -> str:
    """A new random key, as ``SHOPSYNC_SECRET_KEY`` expects it (32 bytes, url-safe base64)."""
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Seals JSON-ready mappings into text tokens and opens them again."""

    def __init__(self, keys: Sequence[str]) -> None:
        cleaned = [k.strip() for k in keys if k.strip()]
        if not cleaned:
            raise SecretKeyError(f"{KEY_ENV} is not set: it encrypts the tenants' credentials at rest")
        fernets = []
        for position, key in enumerate(cleaned, start=1):
            register_secret(key)
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                which = f"key {position} of {KEY_ENV}" if len(cleaned) > 1 else KEY_ENV
                raise SecretKeyError(
                    f"{which} is not a valid key (32 url-safe base64-encoded bytes); "
                    "`shopsync tenants generate-key` prints a new one"
                ) from None
        self._fernet = MultiFernet(fernets)
        self._count = len(fernets)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecretBox:
        """The box for ``SHOPSYNC_SECRET_KEY`` in ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        return cls(env.get(KEY_ENV, "").split(","))

    def __repr__(self) -> str:
        return f"SecretBox(keys={self._count})"

    def seal(self, data: Mapping[str, Any]) -> str:
        """``data`` as JSON, encrypted and authenticated with the first key."""
        plain = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return self._fernet.encrypt(plain).decode("ascii")

    def open(self, token: str, *, what: str = "a sealed config") -> dict[str, Any]:
        """The mapping sealed in ``token``; ``SecretKeyError`` if no key opens it (``what`` names it)."""
        try:
            plain = self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise SecretKeyError(
                f"{KEY_ENV} cannot decrypt {what}: it is not the key it was stored with"
            ) from None
        data = json.loads(plain)
        if not isinstance(data, dict):
            raise SecretKeyError(f"{what} does not hold a config")
        return data
