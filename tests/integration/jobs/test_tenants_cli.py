"""``shopsync tenants`` on a real PostgreSQL database: credentials sealed at rest, never printed,
and every mistake (no key, a wrong key, a taken or bad name, an unknown tenant) is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from shopsync.cli.main import app
from shopsync.tenants import SecretBox, SecretKeyError, TenantRegistry, generate_key

TOKEN = "tripletex-employee-token-very-secret"
CONFIG = """
webshop: {url: "http://127.0.0.1:9/", token: webshop-token-very-secret}
tripletex: {url: "http://127.0.0.1:9/v2", consumer_token: consumer-token-very-secret}
state: state.sqlite
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A shop's config file; the employee token comes from the environment, as for ``run``."""
    path = tmp_path / "shop.yaml"
    path.write_text(CONFIG)
    return path


def invoke(*args: str, key: str | None, **env: str) -> tuple[int, str]:
    """Run ``shopsync …``; (exit code, stdout + stderr)."""
    environ = {"SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": TOKEN, **env}
    if key is not None:
        environ["SHOPSYNC_SECRET_KEY"] = key
    result = CliRunner().invoke(app, list(args), env=environ)
    return result.exit_code, result.output


def test_add_list_pause_resume_remove(config: Path, database: str, registry: TenantRegistry) -> None:
    """A full round: the listing shows status and rate limit, never a credential."""
    key = generate_key()
    code, out = invoke(
        "tenants", "add", "shop-1", "--config", str(config), "--state", database,
        "--rate-limit", "90", "--rate-period", "60", key=key,
    )  # fmt: skip
    assert code == 0, out
    assert "tenant shop-1 added (active; Tripletex rate limit 90/60s shared by all workers)" in out
    code, out = invoke("tenants", "pause", "shop-1", "--state", database, key=None)
    assert (code, out.strip()) == (0, "tenant shop-1 paused")
    code, out = invoke("tenants", "list", "--json", key=None, SHOPSYNC_STATE_URL=database)
    [listed] = json.loads(out)
    assert listed["name"] == "shop-1" and listed["status"] == "paused"
    assert listed["rate_limit"] == {"limit": 90, "period": 60.0}
    assert "very-secret" not in out
    assert invoke("tenants", "resume", "shop-1", "--state", database, key=None)[0] == 0
    assert registry.get("shop-1").active

    config_back = registry.config("shop-1", SecretBox([key]))
    assert config_back.tripletex.employee_token is not None
    assert config_back.tripletex.employee_token.get_secret_value() == TOKEN
    assert config_back.tenant == "shop-1" and config_back.state.startswith("postgresql")
    with registry.engine.connect() as conn:
        stored = " ".join(str(v) for v in conn.execute(sa.text("SELECT * FROM tenants")).one())
    assert "very-secret" not in stored  # sealed at rest

    assert invoke("tenants", "remove", "shop-1", "--state", database, key=None) == (
        0,
        "tenant shop-1 removed\n",
    )
    assert registry.all() == []


def test_mistakes_are_one_clear_line(config: Path, database: str, registry: TenantRegistry) -> None:
    """No key, a malformed key, a taken name, a bad name, an unknown tenant: exit 2, no traceback."""
    base = ("tenants", "add", "shop-1", "--config", str(config), "--state", database)
    code, out = invoke(*base, key=None)
    assert code == 2 and "SHOPSYNC_SECRET_KEY is not set" in out
    code, out = invoke(*base, key="not-a-key")
    assert code == 2 and "SHOPSYNC_SECRET_KEY is not a valid key" in out and "not-a-key" not in out
    key = generate_key()
    assert invoke(*base, key=key)[0] == 0
    code, out = invoke(*base, key=key)
    assert code == 2 and "already registered (use --replace" in out
    assert invoke(*base, "--replace", key=key)[0] == 0
    code, out = invoke("tenants", "add", "bad name", "--config", str(config), "--state", database, key=key)
    assert code == 2 and "is not a tenant name" in out
    code, out = invoke("tenants", "pause", "nobody", "--state", database, key=None)
    assert code == 2 and "no tenant 'nobody' is registered" in out
    code, out = invoke("tenants", "list", key=None)
    assert code == 2 and "missing option --state" in out
    code, out = invoke(*base[:5], "--state", database, key=key, SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN="")
    assert code == 2 and "employee token is missing" in out


def test_the_wrong_key_cannot_open_a_config(config: Path, database: str, registry: TenantRegistry) -> None:
    """Configs sealed with one key are refused, with a plain reason, by another."""
    key = generate_key()
    assert invoke("tenants", "add", "shop-1", "--config", str(config), "--state", database, key=key)[0] == 0
    with pytest.raises(SecretKeyError, match="cannot decrypt tenant 'shop-1'"):
        registry.config("shop-1", SecretBox([generate_key()]))
    # Rotation: a new key first, the old one still opens what it sealed.
    rotated = registry.config("shop-1", SecretBox([generate_key(), key]))
    assert rotated.tenant == "shop-1"


def test_worker_and_run_refuse_what_they_cannot_serve(config: Path, database: str, tmp_path: Path) -> None:
    """``worker`` without a key or on SQLite, ``run --queue`` for an unregistered shop: exit 2, one line."""
    code, out = invoke("worker", "--queue", database, key=None)
    assert code == 2 and "SHOPSYNC_SECRET_KEY is not set" in out
    code, out = invoke("worker", "--queue", str(tmp_path / "queue.sqlite"), key=generate_key())
    assert code == 2 and "must be PostgreSQL" in out
    shop = tmp_path / "queued.yaml"
    shop.write_text(CONFIG.replace("state: state.sqlite", f"state: {database}\ntenant: unknown-shop"))
    code, out = invoke("run", "--config", str(shop), "--queue", database, key=None)
    assert code == 2 and "no tenant 'unknown-shop' is registered" in out
