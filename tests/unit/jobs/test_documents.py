"""A tenant's config as a self-contained document: secrets in, state out, API file read in."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsync.config import ConfigError, parse_config
from shopsync.tenants import config_document, tenant_config

TEXT = """
webshop: {url: "http://shop.example/", token: shop-token-123, api: shop-api.yaml}
tripletex: {url: "http://tx.example/v2", consumer_token: c-token-123, employee_token: e-token-123}
state: state.sqlite
tenant: from-file
conflict_policy: manual
daemon: {poll_seconds: 12}
"""
API = "pacing: {requests_per_second: 7}\n"


def test_the_document_is_plain_data_with_secrets_and_without_the_state(tmp_path: Path) -> None:
    """Secrets revealed (it is sealed as a whole), state and tenant left out, the API file inlined."""
    (tmp_path / "shop-api.yaml").write_text(API)
    config = parse_config(TEXT, path=tmp_path / "c.yaml", environ={})
    document = config_document(config)
    assert document["tripletex"]["employee_token"] == "e-token-123"
    assert document["webshop"]["api"] == {"pacing": {"requests_per_second": 7}}
    assert "state" not in document and "tenant" not in document

    back = tenant_config(document, tenant="shop-9", state="postgresql://db/x")
    assert (back.tenant, back.state, back.conflict_policy) == ("shop-9", "postgresql://db/x", "manual")
    assert back.daemon.poll_seconds == 12
    assert back.webshop_api().pacing.requests_per_second == 7
    assert back.tripletex_settings().employee_token.get_secret_value() == "e-token-123"


def test_an_unreadable_api_file_or_a_stale_document_is_a_config_error(tmp_path: Path) -> None:
    """Errors name the key; nothing is half-stored."""
    config = parse_config(TEXT, path=tmp_path / "c.yaml", environ={})
    with pytest.raises(ConfigError, match="cannot read the webshop API file"):
        config_document(config)
    with pytest.raises(ConfigError, match="tenant 'x': stored config is invalid"):
        tenant_config({"webshop": {"url": "ftp://nope"}}, tenant="x", state="postgresql://db/x")
