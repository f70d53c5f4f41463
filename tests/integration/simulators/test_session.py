"""Sessions over a real socket: creating them, Basic auth, 401 code 3000, expiry and renewal."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest

from shopsync.simulators.tripletex.state import OSLO
from tests.integration.conftest import SimHandle
from tests.integration.simulators.conftest import ClientFactory, expiration, login

pytestmark = pytest.mark.e2e


def test_put_and_post_create_sessions(tripletex_sim: SimHandle) -> None:
    """PUT with query parameters answers 200, POST with a JSON body 201; both give a usable token."""
    tokens = {
        "consumerToken": "sim-consumer",
        "employeeToken": "sim-employee",
        "expirationDate": expiration(),
    }
    put = httpx2.put(tripletex_sim.api_url + "/token/session/:create", params=tokens)
    post = httpx2.post(tripletex_sim.api_url + "/token/session/:create", json=tokens)
    assert (put.status_code, post.status_code) == (200, 201)
    value = post.json()["value"]
    assert list(value) == [
        "id",
        "version",
        "url",
        "consumerToken",
        "employeeToken",
        "expirationDate",
        "token",
        "encryptionKey",
    ]
    who = httpx2.get(tripletex_sim.api_url + "/token/session/>whoAmI", auth=("0", value["token"]))
    assert who.status_code == 200
    assert who.json()["value"]["companyId"] == tripletex_sim.config.company_id


def test_wrong_tokens_and_dates_are_422_18000(tripletex_sim: SimHandle) -> None:
    """Bad tokens and an expiration date that is not later than today fail validation, per argument."""
    params = {
        "consumerToken": "nope",
        "employeeToken": "sim-employee",
        "expirationDate": datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat(),
    }
    response = httpx2.put(tripletex_sim.api_url + "/token/session/:create", params=params)
    body = response.json()
    assert (response.status_code, body["code"]) == (422, 18000)
    assert [m["field"] for m in body["validationMessages"]] == ["arg:consumerToken", "arg:expirationDate"]


def test_requests_without_a_valid_session_are_401_3000(tripletex_sim: SimHandle) -> None:
    """No header, a bad token or a malformed header all give 401 code 3000 with the request id."""
    url = tripletex_sim.api_url + "/customer"
    attempts = [
        httpx2.get(url),
        httpx2.get(url, auth=("0", "not-a-session")),
        httpx2.get(url, headers={"authorization": "Basic !!!"}),
        httpx2.get(url, headers={"authorization": "Bearer x"}),
        httpx2.get(url, auth=("999", login(tripletex_sim))),
    ]
    for response in attempts:
        body = response.json()
        assert (response.status_code, body["code"]) == (401, 3000)
        assert body["message"] == "Could not log in. Check login info in Authorization header."
        assert body["requestId"] == response.headers["x-tlx-request-id"]


def test_company_id_user_is_accepted(tripletex_sim: SimHandle) -> None:
    """Basic auth user may be 0 or the company's own id."""
    token = login(tripletex_sim)
    response = httpx2.get(
        tripletex_sim.api_url + "/customer", auth=(str(tripletex_sim.config.company_id), token)
    )
    assert response.status_code == 200


def test_expired_sessions_fail_and_a_new_one_works(
    tripletex_sim: SimHandle, client_for: ClientFactory
) -> None:
    """The admin fault expires every session; the client then gets 401 and can log in again."""
    api = client_for(tripletex_sim)
    assert api.get("/customer").status_code == 200
    faults = httpx2.post(tripletex_sim.url + "/_sim/faults", json={"expire_sessions": True})
    assert faults.json()["expired_sessions"] >= 1
    assert api.get("/customer").status_code == 401
    assert client_for(tripletex_sim).get("/customer").status_code == 200


def test_session_ends_at_oslo_midnight_of_its_expiration_date(tripletex_sim: SimHandle) -> None:
    """A session for tomorrow works until the simulator's clock reaches tomorrow 00:00 in Oslo."""
    tomorrow = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=1)
    response = httpx2.put(
        tripletex_sim.api_url + "/token/session/:create",
        params={
            "consumerToken": "sim-consumer",
            "employeeToken": "sim-employee",
            "expirationDate": str(tomorrow),
        },
    )
    auth = ("0", response.json()["value"]["token"])
    assert httpx2.get(tripletex_sim.api_url + "/customer", auth=auth).status_code == 200
    midnight = datetime.combine(tomorrow, time(0), OSLO).astimezone(UTC)
    tripletex_sim.app.state.runtime.sim.clock = lambda: midnight
    assert httpx2.get(tripletex_sim.api_url + "/customer", auth=auth).status_code == 401


def test_delete_session(tripletex_sim: SimHandle) -> None:
    """DELETE /token/session/{token} ends that session (204); later calls with it are 401."""
    token = login(tripletex_sim)
    with httpx2.Client(base_url=tripletex_sim.api_url, auth=("0", token)) as api:
        assert api.delete(f"/token/session/{token}").status_code == 204
        assert api.get("/customer").status_code == 401
