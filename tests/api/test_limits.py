"""Request bodies are bounded per route and refused with 413 before they are read, JSON or page alike."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from api.runtime import Services
from tests.served import served

MB = 1024 * 1024


@pytest.fixture(scope="module")
def url(services: Services) -> Iterator[str]:
    with served(create_app(services.settings, services)) as address:
        yield address


def _raw(url: str, head: str, body: bytes, *, wait: float = 10) -> bytes:
    """Send the head and only a little of the body; what the server answers meanwhile."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as connection:
        connection.sendall(head.encode() + body)
        answer = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_huge_json_body_is_refused_before_it_is_read(url: str) -> None:
    """200 MB announced to the login, 1 MB of it sent: 413 at once, the rest never waited for."""
    head = (
        "POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {200 * MB}\r\n\r\n"
    )
    answer = _raw(url, head, b"{" + b" " * MB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code":"request.too_large"' in answer


def test_a_chunked_body_is_read_no_further_than_the_limit(url: str) -> None:
    head = (
        "POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b" " * (32 * 1024)
    answer = _raw(url, head, b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_small_chunked_body_still_reaches_its_route(url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "nobody", '
        yield b'"password": "wrong-password"}'

    answer = httpx.post(f"{url}/api/auth/token", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 401 and answer.json()["code"] == "login.failed"


def test_an_upload_route_takes_its_own_limit_and_no_more(url: str, services: Services) -> None:
    token = {"Authorization": f"Bearer {services.service_token}"}
    form = {"channel": "telegram", "channel_user": "100000001", "purpose": "authorisation"}
    pdf = b"%PDF-1.7\n" + b"0" * (2 * MB)  # over the 64 KiB of JSON routes, well under the 10 MB of uploads
    taken = httpx.post(f"{url}/api/uploads", data=form, files={"file": ("a.pdf", pdf)}, headers=token, timeout=60)
    assert taken.status_code == 201, taken.text
    head = (
        f"POST /api/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {services.service_token}\r\n"
        f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {100 * MB}\r\n\r\n"
    )
    assert _raw(url, head, b"--b\r\n").startswith(b"HTTP/1.1 413")


def test_a_50_mb_form_to_the_login_page_is_a_page_that_says_so(url: str) -> None:
    head = (
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {50 * MB}\r\nCookie: chengnuo_lang=zh\r\n\r\n"
    )
    answer = _raw(url, head, b"username=" + b"a" * MB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"text/html" in answer.split(b"\r\n\r\n")[0]
    page = httpx.Response(413, content=answer.split(b"\r\n\r\n", 1)[1])
    assert "提交的内容太大" in page.text and '"code"' not in page.text
