"""Links for a channel that cannot send a PDF or open a Mini App: a letter's or a preview's PDF
behind /d/{token}, and the drawn-signature page with a one-time token."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from api.runtime import Services
from api.services.sweep import sweep_documents
from api.store import Share
from forms import clock
from forms.languages import Lang
from tests.api.test_documents import submitted
from tests.api.test_previews import draft
from tests.forms.drawings import drawing
from tests.forms.pdf_reading import pdf_text

USER = "100000001"  # the sample letter's Telegram user
CONTENT_HASH = hashlib.sha256(b"a letter to be signed").hexdigest()
NO_SERVICE = {"Authorization": ""}  # what a phone's browser sends: no token of ours


class Clock:
    """forms.clock moved forward by a test, for everything that reads it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + self.offset)

    def forward(self, by: timedelta) -> None:
        self.offset += by


@pytest.fixture
def moved(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


def path_of(url: str) -> str:
    assert url.startswith("https://chengnuo.example.cn/d/"), url
    return urlsplit(url).path


async def preview_link(client: httpx.AsyncClient, services: Services, lang: Lang = Lang.zh) -> dict[str, str]:
    made = await client.post("/api/shares/previews", json=draft(services, "SFJ-001", lang))
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


async def letter_link(
    client: httpx.AsyncClient, number: str, channel: str = "telegram", user: str = USER
) -> httpx.Response:
    return await client.post("/api/shares/letters", json={"number": number, "channel": channel, "channel_user": user})


async def test_a_preview_link_serves_the_preview_for_an_hour(client: httpx.AsyncClient, services: Services) -> None:
    link = await preview_link(client, services)
    expires = datetime.fromisoformat(link["expires_at"])
    assert timedelta(minutes=59) < expires - clock.now() <= timedelta(hours=1)
    path = path_of(link["url"])

    page = await client.get(path, headers=NO_SERVICE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert f'href="{path}/pdf"' in page.text and f'href="{path}/pdf?open=1"' in page.text
    assert "下载 PDF" in page.text and "预览" in page.text

    download = await client.get(f"{path}/pdf", headers=NO_SERVICE)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "no-store" and download.headers["x-content-type-options"] == "nosniff"
    text = re.sub(r"\s+", "", pdf_text(download.content))
    assert "预览" in text and "不是有效的承诺书" in text and "653022199003150016" in text
    opened = await client.get(f"{path}/pdf?open=1", headers=NO_SERVICE)
    assert opened.headers["content-disposition"].startswith("inline;") and opened.content == download.content


async def test_a_preview_link_is_refused_as_a_preview_is(client: httpx.AsyncClient, services: Services) -> None:
    filled = draft(services, "SFJ-001")
    wrong = await client.post("/api/shares/previews", json={**filled, "notice_hash": "0" * 64})
    assert (wrong.status_code, wrong.json()["code"]) == (409, "notice.changed")
    anyone = await client.post("/api/shares/previews", json=filled, headers=NO_SERVICE)
    assert anyone.status_code == 401


async def test_a_letter_link_only_for_who_signed_it(
    client: httpx.AsyncClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    number = await submitted(client, services, "SFJ-001")
    for channel, user in [("telegram", "100000002"), ("wechat", USER), ("telegram", "o-not-a-number")]:
        refused = await letter_link(client, number, channel, user)
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), (channel, user)
    absent = await letter_link(client, "SFJ-2026-999999")
    assert absent.status_code == 404
    assert (
        await client.post("/api/shares/letters", json={"number": number, "channel": "sms", "channel_user": USER})
    ).status_code == 422
    anyone = await client.post(
        "/api/shares/letters", json={"number": number, "channel": "telegram", "channel_user": USER}, headers=NO_SERVICE
    )
    assert anyone.status_code == 401

    made = await letter_link(client, number)
    assert made.status_code == 201, made.text
    expires = datetime.fromisoformat(made.json()["expires_at"])
    assert timedelta(days=7) - timedelta(minutes=1) < expires - clock.now() <= timedelta(days=7)
    path = path_of(made.json()["url"])
    page = await client.get(path, headers=NO_SERVICE)
    assert page.status_code == 200 and number in page.text
    token = path.rsplit("/", 1)[1]
    caplog.set_level(logging.INFO, logger="api.pages.shares")
    pdf = await client.get(f"{path}/pdf", headers=NO_SERVICE)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == f'attachment; filename="{number}.pdf"'
    assert pdf.content == (await client.get(f"/api/letters/{number}/pdf")).content  # the sealed letter itself
    read = [r.getMessage() for r in caplog.records if r.name == "api.pages.shares"]
    assert any(number in line and "letter" in line for line in read)
    assert not any(token in r.getMessage() for r in caplog.records)


async def test_the_page_speaks_the_letters_language_or_the_one_asked(
    client: httpx.AsyncClient, services: Services
) -> None:
    link = await preview_link(client, services, Lang.ug)
    path = path_of(link["url"])
    page = await client.get(path, headers=NO_SERVICE)
    assert 'lang="ug" dir="rtl"' in page.text
    assert re.search("\u2066\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\u2069", page.text), "the end time read left to right"
    for lang, tag in [("ky", 'lang="ky" dir="ltr"'), ("ky_Arab", 'lang="ky-Arab" dir="rtl"'), ("zh", 'lang="zh-Hans"')]:
        assert tag in (await client.get(path, params={"lang": lang}, headers=NO_SERVICE)).text
    assert 'lang="ug"' in (await client.get(path, params={"lang": "xx"}, headers=NO_SERVICE)).text


async def test_an_ended_link_says_so_and_how_to_get_another(
    client: httpx.AsyncClient, services: Services, moved: Clock
) -> None:
    path = path_of((await preview_link(client, services))["url"])
    moved.forward(timedelta(hours=1, seconds=1))
    for address in (path, f"{path}/pdf", f"{path}/pdf?open=1"):
        ended = await client.get(address, headers=NO_SERVICE)
        assert ended.status_code == 410, address
        assert "text/html" in ended.headers["content-type"] and "链接已失效" in ended.text
        assert "助手" in ended.text and b"%PDF" not in ended.content


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),  # well formed, never given
        "abc",
        "x" * 42 + "!",
        "a" * 500,
        "%2e%2e",
        "..%2Fapi%2Fletters",
    ],
)
async def test_unknown_and_garbage_tokens_are_404_pages(client: httpx.AsyncClient, token: str) -> None:
    for address in (f"/d/{token}", f"/d/{token}/pdf"):
        answer = await client.get(address, headers=NO_SERVICE)
        assert answer.status_code == 404, address
        assert "没有找到这个链接" in answer.text and "助手" in answer.text


async def test_a_signature_token_is_no_document_link(client: httpx.AsyncClient) -> None:
    made = await client.post(
        "/api/signatures/links",
        json={"channel": "telegram", "channel_user": USER, "content_hash": CONTENT_HASH, "language": "zh"},
    )
    token = parse_qs(urlsplit(made.json()["url"]).fragment)["token"][0]
    assert (await client.get(f"/d/{token}", headers=NO_SERVICE)).status_code == 404


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SFJ-001")
    tokens = [path_of((await letter_link(client, number)).json()["url"]).rsplit("/", 1)[1]]
    tokens.append(path_of((await preview_link(client, services))["url"]).rsplit("/", 1)[1])
    signature = await client.post(
        "/api/signatures/links",
        json={"channel": "telegram", "channel_user": USER, "content_hash": CONTENT_HASH, "language": "ky"},
    )
    tokens.append(parse_qs(urlsplit(signature.json()["url"]).fragment)["token"][0])
    with Session(services.engine) as session:
        rows = session.exec(select(Share)).all()
    digests = {row.token_sha256 for row in rows}
    for token in tokens:
        assert len(token) >= 43 and hashlib.sha256(token.encode()).hexdigest() in digests
        assert not any(token in repr(row.model_dump()) for row in rows)
    preview = next(r for r in rows if r.token_sha256 == hashlib.sha256(tokens[1].encode()).hexdigest())
    assert preview.pdf is not None and b"%PDF" not in preview.pdf  # kept encrypted: it shows the ID number
    database = services.settings.data_dir / "chengnuo.db"
    if services.engine.dialect.name == "sqlite":
        stored = b"".join(p.read_bytes() for p in database.parent.glob("chengnuo.db*"))
        assert not any(token.encode() in stored for token in tokens)


async def test_the_sweep_removes_ended_links(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SFJ-001")
    letter = path_of((await letter_link(client, number)).json()["url"])
    preview = path_of((await preview_link(client, services))["url"])
    swept = sweep_documents(services.engine, services.settings, services.vault, now=time.time() + 2 * 3600)
    assert swept.shares >= 1
    assert (await client.get(preview, headers=NO_SERVICE)).status_code == 404  # gone, not only ended
    assert (await client.get(letter, headers=NO_SERVICE)).status_code == 200  # a week's link: still there
    swept = sweep_documents(services.engine, services.settings, services.vault, now=time.time() + 8 * 24 * 3600)
    assert swept.shares >= 1
    assert (await client.get(letter, headers=NO_SERVICE)).status_code == 404
    with Session(services.engine) as session:
        assert all(s.expires_at > clock.now() + timedelta(days=8) for s in session.exec(select(Share)))


async def signature_link(client: httpx.AsyncClient, content_hash: str = CONTENT_HASH, **changes: str) -> str:
    asked = {"channel": "telegram", "channel_user": USER, "content_hash": content_hash, "language": "ug", **changes}
    made = await client.post("/api/signatures/links", json=asked)
    assert made.status_code == 201, made.text
    url = urlsplit(made.json()["url"])
    assert url.path == "/miniapp/signature" and parse_qs(url.query) == {"content_hash": [content_hash], "lang": ["ug"]}
    expires = datetime.fromisoformat(made.json()["expires_at"])
    assert timedelta(minutes=29) < expires - clock.now() <= timedelta(minutes=30)
    return parse_qs(url.fragment)["token"][0]


async def draw(client: httpx.AsyncClient, token: str, content_hash: str = CONTENT_HASH) -> httpx.Response:
    """What the page's Submit button sends when it was opened from a signature link."""
    image = base64.b64encode(drawing()).decode()
    # bytes: a hostile client sends a header that is not ASCII
    headers = httpx.Headers({b"X-Signature-Token": token.encode(), b"Authorization": b""})
    return await client.post(
        "/api/signatures", json={"content_hash": content_hash, "image_png": image}, headers=headers
    )


async def test_a_signature_token_stores_one_drawing_for_its_letter(client: httpx.AsyncClient) -> None:
    """No Telegram bot token is configured here: a link needs none."""
    content_hash = hashlib.sha256(secrets.token_bytes(8)).hexdigest()
    token = await signature_link(client, content_hash)
    other = await draw(client, token, CONTENT_HASH)  # a drawing for another letter than the link's
    assert (other.status_code, other.json()["code"]) == (403, "signature.token_hash")
    assert (await client.get(f"/api/signatures/telegram/{USER}/{content_hash}")).status_code == 404

    stored = await draw(client, token, content_hash)  # the refusal above did not use the token up
    assert (stored.status_code, stored.json()) == (201, {"stored": True})
    fetched = await client.get(f"/api/signatures/telegram/{USER}/{content_hash}")  # as the bot fetches it
    assert fetched.status_code == 200 and base64.b64decode(fetched.json()["image_png"]).startswith(b"\x89PNG")

    again = await draw(client, token, content_hash)
    assert (again.status_code, again.json()["code"]) == (410, "signature.token_used")
    # the token is checked before the drawing is decoded, as initData is
    headers = {"X-Signature-Token": token, **NO_SERVICE}
    garbage = await client.post(
        "/api/signatures", json={"content_hash": content_hash, "image_png": "!"}, headers=headers
    )
    assert (garbage.status_code, garbage.json()["code"]) == (410, "signature.token_used")


async def test_a_signature_token_ends(client: httpx.AsyncClient, moved: Clock) -> None:
    token = await signature_link(client)
    moved.forward(timedelta(minutes=30, seconds=1))
    ended = await draw(client, token)
    assert (ended.status_code, ended.json()["code"]) == (410, "signature.token_expired")


@pytest.mark.parametrize("token", [secrets.token_urlsafe(32), "", "garbage", "é" * 43])
async def test_an_unknown_signature_token_is_refused(client: httpx.AsyncClient, token: str) -> None:
    answer = await draw(client, token)
    assert (answer.status_code, answer.json()["code"]) == (401, "signature.token")


async def test_what_a_signature_link_refuses(client: httpx.AsyncClient) -> None:
    asked = {"channel": "telegram", "channel_user": USER, "content_hash": CONTENT_HASH, "language": "zh"}
    short = await client.post("/api/signatures/links", json={**asked, "channel": "wechat", "channel_user": "oAbC"})
    assert (short.status_code, short.json()["code"]) == (422, "signature.user"), "no openid is 4 characters"
    wechat = await client.post("/api/signatures/links", json={**asked, "channel": "wechat", "channel_user": "oWx0001"})
    assert wechat.status_code == 201, "a WeChat follower draws on the same page"
    for wrong in ({"content_hash": "abc"}, {"language": "en"}, {"channel": "sms"}, {"channel_user": "a b"}):
        assert (await client.post("/api/signatures/links", json={**asked, **wrong})).status_code == 422, wrong
    assert (await client.post("/api/signatures/links", json=asked, headers=NO_SERVICE)).status_code == 401
