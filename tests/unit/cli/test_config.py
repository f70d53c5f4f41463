"""``shopsync.config``: loading, defaults, secrets, relative paths and error messages naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsync.config import (
    DEFAULT_ENTITIES,
    ConfigError,
    ShopsyncConfig,
    load_config,
)
from shopsync.mapping.settings import ConfigError as PolicyConfigError
from shopsync.mapping.settings import SyncPolicy, read_config

MINIMAL = "webshop:\n  url: http://127.0.0.1:8702\ntripletex:\n  url: http://127.0.0.1:8701/v2\n"
SECRETS = {
    "SHOPSYNC_WEBSHOP_TOKEN": "shop-token-123",
    "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "consumer-token-123",
    "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "employee-token-123",
    "SHOPSYNC_WEBSHOP_WEBHOOK_SECRET": "hook-secret-123",
}


def write(tmp_path: Path, text: str, name: str = "shopsync.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path, environ=environ or {})
    return info.value


def test_minimal_file_takes_the_documented_defaults(tmp_path: Path) -> None:
    """A file with only the two URLs gets the design's defaults and a state file beside it."""
    config = load_config(write(tmp_path, MINIMAL), environ={})
    assert config.state == str(tmp_path / "shopsync.sqlite")
    assert config.tenant == "default"
    assert config.entities == DEFAULT_ENTITIES
    assert {e: c.create for e, c in config.entities.items()} == {
        "customer": "both",
        "product": "both",
        "order": "to_tripletex",
    }
    assert (config.order_window_days, config.mass_delete_share, config.batch_size) == (400, 0.10, 100)
    assert (config.conflict_policy, config.delete_policy, config.mapping) == (
        "newest_wins",
        "deactivate",
        None,
    )
    assert config.webshop.token is None and config.tripletex.consumer_token is None
    assert config.source == tmp_path / "shopsync.yaml"


def test_config_is_a_superset_of_the_mapping_policy(tmp_path: Path) -> None:
    """The policy keys are SyncPolicy's own, and read_config of the same file sees the same policy."""
    (tmp_path / "mine.yaml").write_text("{}\n", encoding="utf-8")
    path = write(tmp_path, MINIMAL + "mapping: mine.yaml\nconflict_policy: manual\ndelete_policy: ignore\n")
    config = load_config(path, environ={})
    assert isinstance(config, SyncPolicy)
    assert config.policy == read_config(path)
    assert config.policy.mapping == (tmp_path / "mine.yaml")


def test_secrets_come_from_the_environment_and_never_show(tmp_path: Path) -> None:
    """The four SHOPSYNC_* variables fill the secrets; no repr or str of the config shows them."""
    config = load_config(write(tmp_path, MINIMAL), environ=SECRETS)
    assert config.webshop.token is not None and config.webshop.token.get_secret_value() == "shop-token-123"
    assert config.webshop.webhook_secret is not None
    assert config.webshop.webhook_secret.get_secret_value() == "hook-secret-123"
    settings = config.tripletex_settings()
    assert settings.consumer_token.get_secret_value() == "consumer-token-123"
    assert settings.employee_token.get_secret_value() == "employee-token-123"
    for text in (repr(config), str(config), repr(settings), repr(config.webshop_api())):
        assert not any(secret in text for secret in SECRETS.values())


def test_the_environment_overrides_secrets_in_the_file(tmp_path: Path) -> None:
    """A token written in the file is used when the environment has none, and loses when it has one."""
    text = MINIMAL.replace("8702\n", "8702\n  token: from-file-token\n")
    path = write(tmp_path, text)
    from_file = load_config(path, environ={})
    assert from_file.webshop.token is not None
    assert from_file.webshop.token.get_secret_value() == "from-file-token"
    from_env = load_config(path, environ={"SHOPSYNC_WEBSHOP_TOKEN": "from-env-token"})
    assert from_env.webshop.token is not None
    assert from_env.webshop.token.get_secret_value() == "from-env-token"


def test_env_references_are_expanded_and_missing_ones_named(tmp_path: Path) -> None:
    """``${NAME}`` reads a variable; an unset one is an error naming the file and the key."""
    path = write(tmp_path, MINIMAL + "tenant: ${SHOP_TENANT}\n")
    assert load_config(path, environ={"SHOP_TENANT": "nordlys"}).tenant == "nordlys"
    error = error_of(path)
    assert error.path == path and error.key == "tenant"
    assert str(error) == f"{path}: tenant: environment variable SHOP_TENANT is not set"


def test_relative_locations_are_relative_to_the_config_file(tmp_path: Path) -> None:
    """State, mapping and a webshop API file given relatively resolve beside the config, not the cwd."""
    path = write(
        tmp_path,
        MINIMAL.replace("8702\n", "8702\n  api: apis/shop.yaml\n")
        + "state: data/state.db\nmapping: maps/mine.yaml\n",
        name="conf/shopsync.yaml",
    )
    config = load_config(path, environ={})
    assert config.state == str(tmp_path / "conf" / "data" / "state.db")
    assert config.mapping == tmp_path / "conf" / "maps" / "mine.yaml"
    assert config.webshop.api == str(tmp_path / "conf" / "apis" / "shop.yaml")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("sqlite:///rel.db", "sqlite:///{dir}/rel.db"),
        ("/abs/state.db", "/abs/state.db"),
        ("postgresql://shop@db.example/shopsync", "postgresql://shop@db.example/shopsync"),
    ],
)
def test_state_urls(tmp_path: Path, state: str, expected: str) -> None:
    """A relative sqlite URL is made file-relative; absolute paths and PostgreSQL URLs stay as written."""
    config = load_config(write(tmp_path, MINIMAL + f"state: {state}\n"), environ={})
    assert config.state == expected.format(dir=tmp_path)


def test_partial_entities_keep_the_other_defaults(tmp_path: Path) -> None:
    """Setting one entity's creation direction leaves the others at their defaults."""
    config = load_config(
        write(tmp_path, MINIMAL + "entities:\n  product:\n    create: to_webshop\n"), environ={}
    )
    assert {e: c.create for e, c in config.entities.items()} == {
        "customer": "both",
        "product": "to_webshop",
        "order": "to_tripletex",
    }
    assert config.creates("product", "webshop") and not config.creates("product", "tripletex")
    assert config.creates("customer", "tripletex") and config.creates("customer", "webshop")
    assert config.creates("order", "tripletex") and not config.creates("order", "webshop")


@pytest.mark.parametrize(
    ("extra", "key", "fragment"),
    [
        ("tennant: x\n", "tennant", "Extra inputs are not permitted"),
        ("entities:\n  invoice: {create: both}\n", "entities", "unknown entity 'invoice'"),
        ("entities:\n  order: {create: sideways}\n", "entities.order.create", "Input should be"),
        ("conflict_policy: loudest_wins\n", "conflict_policy", "Input should be"),
        ("mass_delete_share: 2\n", "mass_delete_share", "less than or equal to 1"),
        ("batch_size: 500\n", "batch_size", "less than or equal to 100"),
        ("state: mysql://db/x\n", "state", "unsupported state database"),
        ("order_window_days: 0\n", "order_window_days", "greater than or equal to 1"),
    ],
)
def test_invalid_values_name_file_and_key(tmp_path: Path, extra: str, key: str, fragment: str) -> None:
    """Each invalid value is reported with the file, the dotted key and pydantic's reason."""
    path = write(tmp_path, MINIMAL + extra)
    error = error_of(path)
    assert error.key == key
    assert str(error).startswith(f"{path}: {key}: ")
    assert fragment in str(error)


def test_bad_urls_and_missing_sections(tmp_path: Path) -> None:
    """A non-HTTP URL and a missing webshop section are named precisely; all problems are listed."""
    path = write(tmp_path, "webshop:\n  url: ftp://shop\ntripletex:\n  url: tripletex.no\n")
    message = str(error_of(path))
    assert "webshop.url: must be an http:// or https:// URL" in message
    assert "tripletex.url: must be an http:// or https:// URL" in message
    assert error_of(write(tmp_path, "tenant: x\n", name="b.yaml")).key == "webshop"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("webshop: [unclosed\n", "invalid YAML"), ("- a list\n", "expected a mapping of settings")],
)
def test_unreadable_files(tmp_path: Path, text: str, fragment: str) -> None:
    """Broken YAML and a non-mapping document are ConfigErrors naming the file."""
    path = write(tmp_path, text)
    error = error_of(path)
    assert error.path == path and fragment in str(error)


def test_missing_file_is_a_config_error_and_a_policy_error(tmp_path: Path) -> None:
    """A missing file raises ConfigError, which callers of the mapping's reader can catch too."""
    error = error_of(tmp_path / "nope.yaml")
    assert isinstance(error, PolicyConfigError) and isinstance(error, ValueError)
    assert "cannot read" in str(error) and "nope.yaml" in str(error)


def test_tripletex_url_gets_v2_when_given_bare(tmp_path: Path) -> None:
    """A bare host means the standard /v2 root; a URL with a path is kept (without a trailing slash)."""
    bare = load_config(
        write(tmp_path, "webshop: {url: 'http://s'}\ntripletex: {url: 'https://tripletex.no/'}\n")
    )
    assert bare.tripletex.url == "https://tripletex.no/v2"
    given = load_config(
        write(tmp_path, "webshop: {url: 'http://s'}\ntripletex: {url: 'http://h:1/v2/'}\n", "b.yaml")
    )
    assert given.tripletex.url == "http://h:1/v2"


def test_missing_tripletex_tokens_are_named_when_needed(tmp_path: Path) -> None:
    """Loading works without secrets (status needs none); building client settings names the variable."""
    path = write(tmp_path, MINIMAL)
    config = load_config(path, environ={"SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "c-token-123"})
    with pytest.raises(ConfigError) as info:
        config.tripletex_settings()
    assert info.value.key == "tripletex.employee_token"
    assert str(info.value) == (
        f"{path}: tripletex.employee_token: the Tripletex employee token is missing: "
        "set SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN"
    )


def test_contract_webshop_uses_the_token_as_bearer(tmp_path: Path) -> None:
    """The default API is the contract at the configured URL, with the token and webhook secret."""
    config = load_config(write(tmp_path, MINIMAL), environ=SECRETS)
    api = config.webshop_api()
    assert api.name == "contract" and api.base_url == "http://127.0.0.1:8702"
    assert api.auth.style == "bearer"
    assert api.auth.token is not None and api.auth.token.get_secret_value() == "shop-token-123"
    assert api.webhooks.secret is not None and api.webhooks.secret.get_secret_value() == "hook-secret-123"


def test_contract_webshop_without_token_names_the_variable(tmp_path: Path) -> None:
    """A contract shop needs SHOPSYNC_WEBSHOP_TOKEN; the error says so with file and key."""
    path = write(tmp_path, MINIMAL)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={}).webshop_api()
    assert info.value.key == "webshop.token" and info.value.path == path
    assert "SHOPSYNC_WEBSHOP_TOKEN" in str(info.value)


def test_preset_with_inline_credentials(tmp_path: Path) -> None:
    """``api`` may be inline YAML starting from a preset, credentials from the environment, never shown."""
    text = (
        "webshop:\n  url: https://shop.example\n  api:\n    preset: woocommerce\n"
        "    auth: {username: '${WOO_KEY}', password: '${WOO_SECRET}'}\n"
    )
    config = load_config(write(tmp_path, text), environ={"WOO_KEY": "ck_123456", "WOO_SECRET": "cs_123456"})
    api = config.webshop_api()
    assert api.name == "woocommerce" and api.base_url == "https://shop.example"
    assert api.auth.style == "basic"
    assert api.auth.username is not None and api.auth.username.get_secret_value() == "ck_123456"
    assert "ck_123456" not in repr(config) and "cs_123456" not in str(config)


def test_api_file_relative_to_config_and_unknown_preset(tmp_path: Path) -> None:
    """An API file beside the config is loaded; an unreadable one is an error on key webshop.api."""
    (tmp_path / "shop-api.yaml").write_text("name: myshop\nauth: {style: none}\n", encoding="utf-8")
    good = load_config(write(tmp_path, MINIMAL.replace("8702\n", "8702\n  api: shop-api.yaml\n")), environ={})
    assert good.webshop_api().name == "myshop"
    bad = load_config(
        write(tmp_path, MINIMAL.replace("8702\n", "8702\n  api: shopify\n"), name="b.yaml"), environ={}
    )
    with pytest.raises(ConfigError) as info:
        bad.webshop_api()
    assert info.value.key == "webshop.api" and "shopify" in str(info.value)


def test_config_in_code_needs_only_the_webshop_url() -> None:
    """A config built in code (tests, the daemon) validates like a file and has no source."""
    config = ShopsyncConfig.model_validate({"webshop": {"url": "http://127.0.0.1:1"}})
    assert config.source is None and config.tripletex.url == "https://tripletex.no/v2"


@pytest.mark.parametrize(
    "url", ["http://shop.example", "http://shop.example/", "http://shop.example/api/v1/"]
)
def test_contract_url_may_be_the_root_or_the_api_base(tmp_path: Path, url: str) -> None:
    """For the contract, a pasted ``…/api/v1`` base and the shop's root reach the same API."""
    text = f"webshop:\n  url: {url}\ntripletex:\n  url: http://tx.example/v2\n"
    config = load_config(write(tmp_path, text), environ=SECRETS)
    assert str(config.webshop_api().base_url).rstrip("/") == "http://shop.example"
