"""Who may use the page: the browser that opened the URL with the token, on this computer, from the page itself.

The server listens on 127.0.0.1 only, but any web page the user visits can send requests there: the token
keeps out requests that do not know it, the Host check keeps out a foreign name resolved to 127.0.0.1 (DNS
rebinding), and the Origin check with the CSRF token keeps out a form posted by another site.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode

TOKEN_PARAMETER = "token"
CSRF_HEADER = "x-csrf-token"
_READ_ONLY_METHODS = {"GET", "HEAD"}
LOCAL_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Refusal:
    status: HTTPStatus
    message: str


WRONG_HOST = Refusal(HTTPStatus.FORBIDDEN, "此頁只接受以 127.0.0.1 或 localhost 開啟；請使用 plandocs ui 顯示的網址。")
NO_TOKEN = Refusal(HTTPStatus.FORBIDDEN, "此網址缺少或含有錯誤的通行碼；請使用 plandocs ui 啟動時顯示（或自動開啟）的完整網址。")
FOREIGN_ORIGIN = Refusal(HTTPStatus.FORBIDDEN, "此操作不是由本頁送出，已拒絕；請在 plandocs 的頁面上操作。")
NO_CSRF = Refusal(HTTPStatus.FORBIDDEN, "此操作缺少頁面的驗證碼，已拒絕；請重新整理頁面後再試。")


@dataclass(frozen=True)
class Guard:
    """The secrets of one server run and the checks every request passes before reaching a route."""

    token: str
    port: int

    @classmethod
    def fresh(cls, port: int) -> Guard:
        return cls(secrets.token_urlsafe(32), port)

    @property
    def cookie_name(self) -> str:
        # cookies are shared by every port of a host: two pages running at once must not overwrite each other's
        return f"plandocs_{self.port}"

    @property
    def csrf_token(self) -> str:
        """Derived from the token, so it is bound to this run and needs no storage."""
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    @property
    def hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in LOCAL_NAMES}

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}?{urlencode({TOKEN_PARAMETER: self.token})}"

    def refusal(self, method: str, host: str, origin: str | None, cookie: str | None, csrf: str | None) -> Refusal | None:
        """Why a request (with the token in its cookie, or given in the URL) is refused, or None."""
        if host not in self.hosts:
            return WRONG_HOST
        if cookie is None or not secrets.compare_digest(cookie, self.token):
            return NO_TOKEN
        if method in _READ_ONLY_METHODS:
            return None
        if origin != f"http://{host}":
            return FOREIGN_ORIGIN
        if csrf is None or not secrets.compare_digest(csrf, self.csrf_token):
            return NO_CSRF
        return None

    def given_token(self, query: str) -> str | None:
        """The token of a first visit's URL, `/?token=…`."""
        return dict(parse_qsl(query)).get(TOKEN_PARAMETER)

    def without_token(self, path: str, query: str) -> str:
        """The URL to send the browser to once the token is in its cookie: no secret left in its history."""
        rest = urlencode([(k, v) for k, v in parse_qsl(query) if k != TOKEN_PARAMETER])
        return path + (f"?{rest}" if rest else "")
