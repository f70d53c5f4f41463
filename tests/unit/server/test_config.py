"""The config's ``server:`` section: defaults, the URL it is reached at, secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsync.config import ConfigError, load_config

MINIMAL = "webshop:\n  url: http://127.0.0.1:8702\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shopsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    """127.0.0.1:8700, no public URL (so the listening address), no secrets."""
    server = load_config(write(tmp_path, MINIMAL), environ={}).server
    assert (server.host, server.port, server.public_url) == ("127.0.0.1", 8700, None)
    assert server.base_url == "http://127.0.0.1:8700"
    assert server.status_token is None and server.tripletex_webhook_auth is None


def test_public_url_and_ipv6_host(tmp_path: Path) -> None:
    """A public URL wins (trailing slash dropped); an IPv6 host is bracketed."""
    text = MINIMAL + "server:\n  host: '::1'\n  port: 9000\n"
    assert load_config(write(tmp_path, text), environ={}).server.base_url == "http://[::1]:9000"
    text = MINIMAL + "server:\n  public_url: https://sync.example.no/\n"
    assert load_config(write(tmp_path, text), environ={}).server.base_url == "https://sync.example.no"


def test_secrets_come_from_the_environment_and_never_show(tmp_path: Path) -> None:
    """SHOPSYNC_STATUS_TOKEN, SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH and …_SECRET fill the section; reprs mask."""
    environ = {
        "SHOPSYNC_STATUS_TOKEN": "status-secret-value",
        "SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH": "Bearer callback-secret-value",
        "SHOPSYNC_TRIPLETEX_WEBHOOK_SECRET": "hmac-secret-value",
    }
    config = load_config(write(tmp_path, MINIMAL + "server:\n  status_token: from-file\n"), environ=environ)
    server = config.server
    assert server.status_token is not None and server.status_token.get_secret_value() == "status-secret-value"
    assert server.tripletex_webhook_auth is not None
    assert server.tripletex_webhook_auth.get_secret_value() == "Bearer callback-secret-value"
    assert server.tripletex_webhook_secret is not None
    for text in (repr(config), str(config), repr(server)):
        assert "secret-value" not in text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("server:\n  port: 0\n", "server.port"),
        ("server:\n  public_url: sync.example.no\n", "server.public_url"),
        ("server:\n  nope: 1\n", "server.nope"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    """Each problem is a ConfigError naming ``server.<key>``."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL + text), environ={})
    assert info.value.key == key
