"""WebshopAPIConfig: the contract as defaults, YAML and presets, overrides, validation, secrets."""

from __future__ import annotations

import pathlib

import pytest

from shopsync.connectors.webshop import (
    ConfigError,
    WebshopAPIConfig,
    available_presets,
    load_config,
    load_preset,
)

from .conftest import WOO_KEY, WOO_SECRET


def test_the_default_config_is_the_contract() -> None:
    """With no overrides the connector speaks the shopsync contract."""
    cfg = WebshopAPIConfig()
    assert cfg.auth.style == "bearer"
    assert cfg.pagination.style == "cursor" and cfg.pagination.limit_param == "limit"
    assert cfg.changes.since_param == "updated_since" and cfg.changes.tombstones
    assert cfg.concurrency == "if_match" and cfg.idempotency_header == "Idempotency-Key"
    assert cfg.resource("orders").path == "/api/v1/orders"
    assert cfg.resource("orders").item("3001") == "/api/v1/orders/3001"
    assert all(not rc.fields for rc in cfg.resources.values())


def test_woocommerce_preset_describes_the_v3_api() -> None:
    """The preset sets WooCommerce's paths, paging, change filter, auth and tax-class table."""
    cfg = load_preset(
        "woocommerce", base_url="https://shop.example/", auth={"username": "k", "password": "s"}
    )
    assert cfg.base_url == "https://shop.example"
    assert cfg.resource("products").path == "/wp-json/wc/v3/products"
    assert cfg.pagination.style == "page" and cfg.pagination.limit_param == "per_page"
    assert cfg.pagination.total_pages_header == "X-WP-TotalPages" and cfg.pagination.items_path is None
    assert cfg.changes.since_param == "modified_after" and cfg.changes.params["dates_are_gmt"] == "true"
    assert cfg.feed("customers").since_param is None  # WooCommerce ignores modified_after there
    assert not cfg.changes.tombstones and cfg.concurrency == "check_then_write"
    assert cfg.idempotency_header is None and cfg.resource("products").natural_key == "sku"
    assert cfg.tables["vat_rates"]["reduced-rate"] == "15.00"
    assert cfg.resource("customers").fields["billing_address"].fields["line1"].path == "address_1"  # type: ignore[index]
    assert "woocommerce" in available_presets()


def test_yaml_can_start_from_a_preset_and_override_parts() -> None:
    """A deployment's YAML names the preset and overrides what differs in its store."""
    cfg = load_config(
        """
        preset: woocommerce
        base_url: https://butikk.example
        auth: {style: query, query_params: {consumer_key: k, consumer_secret: s}}
        tables: {vat_rates: {low-rate: "12.00"}}
        pacing: {requests_per_second: 2}
        """
    )
    assert cfg.auth.style == "query" and set(cfg.auth.query_params) == {"consumer_key", "consumer_secret"}
    # Mappings merge: the store's extra tax class joins the preset's table.
    assert cfg.tables["vat_rates"]["low-rate"] == "12.00" and cfg.tables["vat_rates"]["zero-rate"] == "0.00"
    assert cfg.pacing.requests_per_second == 2
    assert cfg.pagination.style == "page"  # untouched parts come from the preset


def test_config_loads_from_a_yaml_file(tmp_path: pathlib.Path) -> None:
    """A Path is read as a YAML file."""
    path = tmp_path / "shop.yaml"
    path.write_text(
        "base_url: http://localhost:9000\nauth: {style: header, header_name: X-Key, token: t0ken-123}\n"
    )
    cfg = load_config(path)
    assert cfg.base_url == "http://localhost:9000" and cfg.auth.header_name == "X-Key"


def test_env_references_fill_secrets_from_the_environment() -> None:
    """``${NAME}`` values come from the environment, so credentials stay out of files."""
    cfg = load_preset(
        "woocommerce",
        auth={"username": "${WOO_KEY}", "password": "${WOO_SECRET}"},
        environ={"WOO_KEY": WOO_KEY, "WOO_SECRET": WOO_SECRET},
    )
    assert cfg.auth.username is not None and cfg.auth.username.get_secret_value() == WOO_KEY
    with pytest.raises(ConfigError, match="WOO_KEY is not set"):
        load_preset("woocommerce", auth={"username": "${WOO_KEY}", "password": "x"}, environ={})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"auth": {"style": "basic", "username": "k"}}, "needs password"),
        ({"auth": {"style": "query"}}, "needs query_params"),
        ({"base_url": "ftp://x"}, "http"),
        (
            {"resources": {"products": {"path": "/p", "fields": {"vat_rate": {"table": "nope"}}}}},
            "unknown table",
        ),
        (
            {"resources": {"products": {"path": "/p", "fields": {"price": {"expr": "__import__('os')"}}}}},
            "allowed",
        ),
        ({"resources": {"products": {"path": "/p", "fields": {"price": {"path": "a..b"}}}}}, "bad path"),
        ({"pagination": {"style": "scroll"}}, "pagination"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_invalid_configs_are_refused_with_a_message(overrides: dict[str, object], message: str) -> None:
    """Mistakes surface when the config loads, naming what is wrong."""
    with pytest.raises(ConfigError, match=message):
        load_config(overrides)


def test_missing_preset_credentials_and_unknown_presets_fail_loudly() -> None:
    """A preset without credentials, or a preset that does not exist, is a ConfigError."""
    with pytest.raises(ConfigError, match="needs username"):
        load_preset("woocommerce")
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("shopify")


def test_secrets_never_show_in_repr_or_dumps() -> None:
    """Tokens and consumer secrets are masked in repr, str and JSON dumps of the config."""
    cfg = load_preset(
        "woocommerce", auth={"username": WOO_KEY, "password": WOO_SECRET}, webhooks={"secret": "whsec-9876"}
    )
    for text in (repr(cfg), str(cfg), cfg.model_dump_json()):
        assert WOO_KEY not in text and WOO_SECRET not in text and "whsec-9876" not in text
