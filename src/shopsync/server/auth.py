"""Who may see the status page and press its buttons: the status token, a session cookie, CSRF checks.

Scripts send ``Authorization: Bearer <token>``. Browsers log in once (``GET /login?token=…`` or the
login form) and then carry an HttpOnly, SameSite=Strict cookie. The cookie holds an HMAC of the token,
not the token itself, so a leaked cookie does not reveal it and changing the token logs everyone out.

CSRF: a POST authenticated by the cookie must come from this site, i.e. its ``Origin`` (or, when a
browser sends none, its ``Referer``) must be the server's own origin or ``server.public_url``'s. With
SameSite=Strict a cross-site form or fetch carries no cookie anyway; the origin check is the second,
independent defence (OWASP's "verifying origin with standard headers"). A POST with the bearer token
needs no check: no browser adds that header on its own.

Every comparison with a secret uses ``hmac.compare_digest``. Failures never say which part was wrong.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from pydantic import SecretStr
from starlette.requests import Request

__all__ = [
    "SESSION_COOKIE",
    "Auth",
    "CsrfRejected",
    "LoginRequired",
    "NotConfigured",
    "Unauthorized",
    "local_path",
    "wants_html",
]

#: The session cookie's name.
SESSION_COOKIE = "shopsync_session"
#: How long a browser stays logged in.
SESSION_SECONDS = 7 * 24 * 3600
_SESSION_LABEL = b"shopsync status page session v1"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class NotConfigured(Exception):
    """No status token is configured: the protected routes are off."""


class Unauthorized(Exception):
    """A script's request without a valid bearer token or session cookie (answered 401)."""


class LoginRequired(Exception):
    """A browser's request without a valid session (answered with a redirect to the login page)."""


class CsrfRejected(Exception):
    """A cookie-authenticated POST that did not come from this site (answered 403)."""


def _origin(url: str) -> str | None:
    """``scheme://host:port`` of ``url`` in lower case with the port spelled out; None if it has none."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects after login)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def wants_html(request: Request) -> bool:
    """Whether the client is a browser (htmx, or it accepts HTML) rather than a script."""
    return "hx-request" in request.headers or "text/html" in request.headers.get("accept", "")


class Auth:
    """The status token and the checks built on it."""

    def __init__(self, token: SecretStr | None, public_url: str | None = None) -> None:
        raw = token.get_secret_value() if token is not None else ""
        self._token = raw.encode() if raw else None
        self._session = (
            hmac.new(self._token, _SESSION_LABEL, hashlib.sha256).hexdigest().encode()
            if self._token
            else None
        )
        self._public_origin = _origin(public_url) if public_url else None

    @property
    def configured(self) -> bool:
        """Whether a status token is set (without one, every protected route answers 503)."""
        return self._token is not None

    @property
    def session_value(self) -> str:
        """The session cookie's value (an HMAC of the token)."""
        if self._session is None:
            raise NotConfigured
        return self._session.decode()

    def token_matches(self, offered: str) -> bool:
        """Whether ``offered`` is the status token (constant time)."""
        if self._token is None:
            return False
        return hmac.compare_digest(offered.encode(), self._token)

    def bearer_ok(self, request: Request) -> bool:
        """The request carries ``Authorization: Bearer <the token>``."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    def cookie_ok(self, request: Request) -> bool:
        """The request carries a valid session cookie."""
        value = request.cookies.get(SESSION_COOKIE)
        if value is None or self._session is None:
            return False
        return hmac.compare_digest(value.encode(), self._session)

    def same_origin(self, request: Request) -> bool:
        """The request's ``Origin`` (else ``Referer``) is this server's origin or the public URL's."""
        claimed = request.headers.get("origin") or request.headers.get("referer")
        if not claimed or claimed == "null":
            return False
        origin = _origin(claimed)
        if origin is None:
            return False
        own = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}/")
        return origin in {own, self._public_origin}

    # ------------------------------------------------------------------ route guards

    def require_view(self, request: Request) -> None:
        """For GET routes: a bearer token or a session cookie."""
        if not self.configured:
            raise NotConfigured
        if self.bearer_ok(request) or self.cookie_ok(request):
            return
        raise LoginRequired if wants_html(request) else Unauthorized

    def require_change(self, request: Request) -> None:
        """For POST routes: a bearer token, or a session cookie on a same-origin request."""
        if not self.configured:
            raise NotConfigured
        if self.bearer_ok(request):
            return
        if self.cookie_ok(request):
            if not self.same_origin(request):
                raise CsrfRejected
            return
        raise LoginRequired if wants_html(request) else Unauthorized

    def secure_cookie(self, request: Request) -> bool:
        """Mark the cookie Secure when the page is served (or published) over HTTPS."""
        return request.url.scheme == "https" or (self._public_origin or "").startswith("https:")
