"""Request authentication for each ``AuthConfig.style``, as one httpx2 ``Auth`` flow.

Credentials are read from their ``SecretStr`` only when a request is sent, and registered with the log
redaction (``shopsync.logs.register_secret``). With query-key auth the credential travels in the URL,
which httpx2 logs at INFO level: a filter on that logger masks the configured parameters.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Generator, Iterable

import httpx2

from shopsync.logs import MASK, register_secret

from ._config import AuthConfig

__all__ = ["ConfigAuth", "QueryParamRedactor", "strip_query_params"]


class QueryParamRedactor(logging.Filter):
    """Masks the values of named query parameters in log records (httpx2 logs full URLs)."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__()
        alternatives = "|".join(re.escape(n) for n in sorted(set(names)))
        self._pattern = re.compile(rf"([?&](?:{alternatives})=)[^&\s\"']*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._pattern.sub(rf"\g<1>{MASK}", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_installed_redactors: set[frozenset[str]] = set()


def _install_redactor(names: Iterable[str]) -> None:
    key = frozenset(names)
    if key and key not in _installed_redactors:
        logging.getLogger("httpx2").addFilter(QueryParamRedactor(key))
        _installed_redactors.add(key)


def strip_query_params(url: httpx2.URL, names: Iterable[str]) -> httpx2.URL:
    """``url`` without the named parameters (e.g. credentials a shop echoed into a ``Link`` header)."""
    for name in names:
        url = url.copy_remove_param(name)
    return url


class ConfigAuth(httpx2.Auth):
    """Adds the configured credentials to every request."""

    def __init__(self, config: AuthConfig) -> None:
        self._config = config
        for secret in config.secrets():
            register_secret(secret)
        if config.style == "query":
            _install_redactor(config.query_params)

    @property
    def query_param_names(self) -> list[str]:
        return list(self._config.query_params) if self._config.style == "query" else []

    def __repr__(self) -> str:
        return f"ConfigAuth(style={self._config.style!r})"

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        cfg = self._config
        if cfg.style == "bearer" and cfg.token is not None:
            request.headers["Authorization"] = f"Bearer {cfg.token.get_secret_value()}"
        elif cfg.style == "header" and cfg.token is not None:
            request.headers[cfg.header_name] = cfg.token.get_secret_value()
        elif cfg.style == "basic" and cfg.username is not None and cfg.password is not None:
            pair = f"{cfg.username.get_secret_value()}:{cfg.password.get_secret_value()}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        elif cfg.style == "query":
            params = {name: value.get_secret_value() for name, value in cfg.query_params.items()}
            request.url = strip_query_params(request.url, params).copy_merge_params(params)
        yield request
