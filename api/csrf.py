"""CSRF tokens of page sessions: derived from the session token with the session key (api/keys.py),
so nothing more is stored (api/sessions.py has the cookies and checks that use them)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def csrf_token(key: bytes, session_token: str) -> str:
    """The CSRF token of a session: the same for the session's whole life, useless for another."""
    digest = hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
