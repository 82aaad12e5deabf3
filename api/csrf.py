"""CSRF tokens of page sessions: derived from the session token with a key of the platform, so
nothing more is stored (api/sessions.py has the cookies and checks that use them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from forms.files import create_once

CSRF_KEY_FILE = "keys/session-csrf.key"


def load_csrf_key(path: Path) -> bytes:
    """The key CSRF tokens are derived with, created on first use like the other keys."""
    create_once(path, base64.b64encode(secrets.token_bytes(32)))
    return base64.b64decode(path.read_bytes().strip())


def csrf_token(key: bytes, session_token: str) -> str:
    """The CSRF token of a session: the same for the session's whole life, useless for another."""
    digest = hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
