"""Tripletex session tokens: create, keep fresh, and attach them as HTTP Basic auth.

A session is made from the consumer and employee tokens with ``POST /token/session/:create`` (JSON
body, API 2.74+); servers that answer 404/405, or 400 code 4000 ("HTTP 405 Method Not Allowed"),
get the legacy ``PUT`` with query parameters, and the client remembers that. The session expires at
midnight (Oslo time) starting its ``expirationDate``; a new one is made ``session_renew_margin``
before that, and once when a request answers 401 (then the request is replayed). Requests carry
``Authorization: Basic base64("<company_id>:<sessionToken>")``.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import httpx2
from pydantic import SecretStr

from ..logs import register_secret
from ._exceptions import ApiError, NotFound, UnexpectedResponse
from ._http import Requester, json_body
from ._models import SessionToken
from ._query import OSLO
from ._settings import TripletexSettings

__all__ = ["SessionAuth", "SessionManager"]

CREATE_PATH = "/token/session/:create"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Session:
    """A live session token and when Tripletex will stop accepting it."""

    token: SecretStr
    expires_at: dt.datetime


class SessionManager:
    """Owns the current session; safe to share between concurrent requests."""

    def __init__(
        self,
        requester: Requester,
        settings: TripletexSettings,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._requester = requester
        self._settings = settings
        self._clock = clock
        self._session: Session | None = None
        self._lock = asyncio.Lock()
        self._legacy = False
        self.created = 0  #: sessions created so far (for stats and tests)

    @property
    def expires_at(self) -> dt.datetime | None:
        """When the current session expires, if there is one."""
        return self._session.expires_at if self._session else None

    async def token(self) -> SecretStr:
        """The current session token, creating or renewing the session when due."""
        session = self._session
        if session is None or self._due(session):
            async with self._lock:
                session = self._session
                if session is None or self._due(session):
                    session = self._session = await self._create()
        return session.token

    async def renew(self, stale: SecretStr) -> SecretStr:
        """Replace the session that answered 401, unless another request already did."""
        async with self._lock:
            current = self._session
            if current is None or current.token.get_secret_value() == stale.get_secret_value():
                current = self._session = await self._create()
            return current.token

    def _due(self, session: Session) -> bool:
        margin = dt.timedelta(seconds=self._settings.session_renew_margin_seconds)
        return self._clock() >= session.expires_at - margin

    def _expiration(self) -> tuple[dt.date, dt.datetime]:
        now = self._clock()
        margin = dt.timedelta(seconds=self._settings.session_renew_margin_seconds)
        date = now.astimezone(OSLO).date() + dt.timedelta(days=self._settings.session_lifetime_days)
        # Near midnight a one-day session would be due at once: push the date until it is not.
        while (expires := dt.datetime.combine(date, dt.time(0), OSLO)) - margin <= now:
            date += dt.timedelta(days=1)
        return date, expires

    async def _create(self) -> Session:
        date, expires = self._expiration()
        consumer = self._settings.consumer_token.get_secret_value()
        employee = self._settings.employee_token.get_secret_value()
        response: httpx2.Response | None = None
        if not self._legacy:
            try:
                response = await self._requester.request(
                    "POST",
                    CREATE_PATH,
                    json={
                        "consumerToken": consumer,
                        "employeeToken": employee,
                        "expirationDate": date.isoformat(),
                    },
                    authenticated=False,
                    idempotent=True,
                )
            except ApiError as exc:
                if not _post_unsupported(exc):
                    raise
                self._legacy = True
        if response is None:
            response = await self._requester.request(
                "PUT",
                CREATE_PATH,
                params={
                    "consumerToken": consumer,
                    "employeeToken": employee,
                    "expirationDate": date.isoformat(),
                },
                authenticated=False,
                idempotent=True,
            )
        body = json_body(response, method=response.request.method, path=CREATE_PATH)
        value = body.get("value") if isinstance(body, dict) else None
        token = SessionToken.model_validate(value).token if isinstance(value, dict) else None
        if not token:
            raise UnexpectedResponse("session answer has no token", method="POST", path=CREATE_PATH)
        register_secret(token)
        self.created += 1
        return Session(token=SecretStr(token), expires_at=expires)


def _post_unsupported(exc: ApiError) -> bool:
    """True for the answers an older Tripletex gives to ``POST :create`` (it only knows PUT)."""
    return isinstance(exc, NotFound) or exc.status == 405 or (exc.status == 400 and exc.code == 4000)


class SessionAuth(httpx2.Auth):
    """httpx2 auth flow: Basic ``<company_id>:<sessionToken>``, one renewal and replay on 401."""

    requires_request_body = True  # the request is replayed after a 401
    requires_response_body = True  # read the 401 so its connection is free while we renew

    def __init__(self, sessions: SessionManager, company_id: int) -> None:
        self._sessions = sessions
        self._company_id = company_id

    def __repr__(self) -> str:
        return f"SessionAuth(company_id={self._company_id})"

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        token = await self._sessions.token()
        request.headers["Authorization"] = self._header(token)
        response = yield request
        if response.status_code == 401:
            token = await self._sessions.renew(token)
            request.headers["Authorization"] = self._header(token)
            yield request

    def _header(self, token: SecretStr) -> str:
        raw = f"{self._company_id}:{token.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")
