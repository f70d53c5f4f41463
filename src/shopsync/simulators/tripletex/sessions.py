"""Session tokens: ``/token/session/:create``, Basic auth on every other call, expiry.

A session lives until Oslo midnight at the start of its ``expirationDate`` (which must be later than
today). Wrong consumer/employee tokens are 422 code 18000 with an ``arg:<name>`` validation message,
as real servers answer; a missing, unknown or expired session is 401 code 3000. The Basic auth user
must be ``0`` (or blank, or the company id). Sessions live in memory only: a restarted simulator
forgets them, as a client must expect of any session.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.refdata import SESSION_EMPLOYEE_ID
from shopsync.simulators.tripletex.state import OSLO, Simulator

__all__ = ["Session", "Sessions"]

CONSUMER_TOKEN_ID = 1_001
EMPLOYEE_TOKEN_ID = 2_001


@dataclass
class Session:
    """One session token."""

    id: int
    token: str
    expiration: date
    expires_at: datetime
    employee_id: int
    encryption_key: str

    def doc(self) -> dict[str, Any]:
        """The session as a stored ``SessionToken`` doc."""
        return {
            "id": self.id,
            "version": 0,
            "consumerToken": CONSUMER_TOKEN_ID,
            "employeeToken": EMPLOYEE_TOKEN_ID,
            "expirationDate": self.expiration.isoformat(),
            "token": self.token,
            "encryptionKey": self.encryption_key,
        }


class Sessions:
    """All sessions of one simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._by_token: dict[str, Session] = {}
        self._next_id = 1

    def create(self, consumer: str | None, employee: str | None, expiration: str | None) -> Session:
        """Check the tokens and the date, then open a session."""
        cfg = self.sim.config
        problems: list[errors.Message] = []
        if not consumer or not hmac.compare_digest(consumer, cfg.consumer_token.get_secret_value()):
            problems.append(_arg("consumerToken", "The consumer token is invalid or does not exist."))
        if not employee or not hmac.compare_digest(employee, cfg.employee_token.get_secret_value()):
            problems.append(_arg("employeeToken", "The employee token is invalid or does not exist."))
        day: date | None = None
        if not expiration:
            problems.append(_arg("expirationDate", "Kan ikke være null."))
        else:
            try:
                day = date.fromisoformat(expiration.strip()[:10])
            except ValueError:
                problems.append(_arg("expirationDate", f"Ugyldig dato: {expiration}"))
        if day is not None and day <= self.sim.today_oslo():
            problems.append(_arg("expirationDate", "Utløpsdatoen må være senere enn dagens dato."))
        if problems:
            raise errors.validation_failed(problems)
        assert day is not None
        token_id = 2_000_000_000 + self._next_id
        raw = json.dumps({"tokenId": token_id, "token": str(uuid.uuid4())}, separators=(",", ":"))
        session = Session(
            id=self._next_id,
            token=base64.b64encode(raw.encode()).decode(),
            expiration=day,
            expires_at=datetime.combine(day, time(0), OSLO),
            employee_id=SESSION_EMPLOYEE_ID,
            encryption_key=secrets.token_hex(16),
        )
        self._next_id += 1
        self._by_token[session.token] = session
        return session

    def authenticate(self, authorization: str | None) -> Session:
        """The session named by a Basic auth header, or 401 code 3000."""
        if not authorization or not authorization[:6].lower() == "basic ":
            raise errors.unauthorized()
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise errors.unauthorized() from None
        user, sep, token = decoded.partition(":")
        if not sep or user.strip() not in ("", "0", str(self.sim.config.company_id)):
            raise errors.unauthorized()
        session = self._by_token.get(token)
        if session is None:
            raise errors.unauthorized()
        if self.sim.clock() >= session.expires_at:
            del self._by_token[token]
            raise errors.unauthorized()
        return session

    def delete(self, token: str) -> None:
        """End a session (404 code 6000 if there is none)."""
        if self._by_token.pop(token, None) is None:
            raise errors.not_found("Session token not found")

    def expire_all(self) -> int:
        """End every session now (fault injection: lets tests prove a client renews on 401)."""
        count = len(self._by_token)
        self._by_token.clear()
        return count

    def __len__(self) -> int:
        return len(self._by_token)


def _arg(name: str, text: str) -> errors.Message:
    return errors.message(f"arg:{name}", text, f"arg:{name}")
