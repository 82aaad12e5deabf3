"""Drawn signatures: the Mini App page, initData checked by HMAC and age, the drawing kept and printed."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pypdf
import pytest
from PIL import Image
from pydantic import SecretStr
from sqlmodel import Session, select

from api.app import create_app
from api.runtime import Services
from api.store import LetterRecord
from api.store.documents import DocumentKind
from forms.languages import LANGS, Lang
from forms.letter import SignatureMethod
from forms.submission import LetterSubmission
from tests.api.conftest import body, key, submission_for
from tests.api.stored import every
from tests.forms.drawings import black_page, drawing, png

BOT_TOKEN = "7000000001:AAH-test-token-for-the-mini-app"
USER = 100000001  # the sample letter's Telegram user
CONTENT_HASH = hashlib.sha256(b"a letter").hexdigest()


@pytest.fixture
async def mini_app(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a Telegram bot token; the service token is sent only where a test says so."""
    settings = services.settings.model_copy(
        update={"telegram_bot_token": SecretStr(BOT_TOKEN), "init_data_max_age": 3600}
    )
    app = create_app(settings, dataclasses.replace(services, settings=settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as http:
        yield http


SERVICE = {"Authorization": "Bearer test-service-token"}


def init_data(user_id: int | None = USER, *, token: str = BOT_TOKEN, age: int = 5) -> str:
    """initData as Telegram signs it (core.telegram.org/bots/webapps), written out from the docs."""
    data = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "auth_date": str(int(time.time()) - age)}
    if user_id is not None:
        data["user"] = json.dumps({"id": user_id, "first_name": "明华", "language_code": "ug"}, ensure_ascii=False)
    # the Ed25519 signature for third parties is one more field under the bot token's HMAC
    data["signature"] = "T8aGLlGIWqc7wWiLgMv5eGgqBgs68CM9TlzgpvFjLoNR4RBOKXjlozKDYKdyitVsUx9W1VugcLyJHkE088HDAA"
    check = "\n".join(f"{k}={v}" for k, v in sorted(data.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(data, quote_via=quote)


async def send(
    http: httpx.AsyncClient, image: bytes | str, init: str | bytes | None, content_hash: str = CONTENT_HASH
) -> httpx.Response:
    """What the page's Submit button sends."""
    # bytes for a header that is not valid text, as a hostile client may send it
    headers = httpx.Headers(
        {} if init is None else {b"X-Telegram-Init-Data": init if isinstance(init, bytes) else init.encode()}
    )
    encoded = image if isinstance(image, str) else base64.b64encode(image).decode()
    return await http.post(
        "/api/signatures", json={"content_hash": content_hash, "image_png": encoded}, headers=headers
    )


async def test_a_drawing_is_stored_and_fetched_by_the_bot(mini_app: httpx.AsyncClient, services: Services) -> None:
    first = await send(mini_app, drawing(), init_data())
    assert (first.status_code, first.json()) == (201, {"stored": True})
    again = await send(mini_app, drawing(200, 80), init_data())  # drawn again: replaces the first
    assert again.status_code == 201

    url = f"/api/signatures/telegram/{USER}/{CONTENT_HASH}"
    fetched = await mini_app.get(url, headers=SERVICE)
    assert fetched.status_code == 200, fetched.text
    image = Image.open(io.BytesIO(base64.b64decode(fetched.json()["image_png"])))
    assert image.format == "PNG" and image.size == (200, 80) and image.mode == "LA"
    assert image.getchannel("A").getbbox() is not None  # the ink survived the re-encoding

    assert (await mini_app.get(url)).status_code == 401  # the bot's token only
    other = await mini_app.get(f"/api/signatures/telegram/{USER + 1}/{CONTENT_HASH}", headers=SERVICE)
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    # the same digits as a WeChat user are someone else; what is not a user of its channel is refused
    elsewhere = await mini_app.get(f"/api/signatures/wechat/{USER}/{CONTENT_HASH}", headers=SERVICE)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")
    for channel, user in (("wechat", "o.x!"), ("telegram", "0"), ("telegram", "-5")):
        refused = await mini_app.get(f"/api/signatures/{channel}/{user}/{CONTENT_HASH}", headers=SERVICE)
        assert (refused.status_code, refused.json()["code"]) == (422, "signature.user"), user
    stored = every(services, DocumentKind.drawing)
    # encrypted: no PNG signature in any file (3 bytes "PNG" turn up by chance in ciphertext, 8 do not)
    assert stored and not any(b"\x89PNG\r\n\x1a\n" in blob or str(USER) in name for name, blob in stored.items())


@pytest.mark.parametrize(
    "init",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param(init_data().replace(str(USER), str(USER + 1)), id="tampered user"),
        pytest.param(init_data().replace("auth_date=", "auth_date=1"), id="tampered date"),
        pytest.param(init_data(token="7000000001:AAH-another-bots-token"), id="wrong token"),
        pytest.param(init_data(age=3600 + 60), id="stale"),
        pytest.param(init_data(age=-3600), id="from the future"),
        pytest.param(init_data() + "&user=%7B%22id%22%3A1%7D", id="repeated field"),
        pytest.param(re.sub(r"hash=\w+", "hash=" + "é" * 64, init_data()).encode(), id="non-ascii hash"),
        pytest.param(init_data().split("&hash=")[0], id="no hash"),
        pytest.param("not a query string", id="garbage"),
        pytest.param(init_data(user_id=None), id="no user"),
    ],
)
async def test_init_data_that_is_not_genuine_and_fresh_is_refused(
    mini_app: httpx.AsyncClient, init: str | bytes | None
) -> None:
    answer = await send(mini_app, drawing(), init)
    assert (answer.status_code, answer.json()["code"]) == (401, "signature.init_data"), answer.text


def _noise(width: int, height: int) -> bytes:
    return png(Image.frombytes("RGBA", (width, height), os.urandom(width * height * 4)))


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="not a PNG"),
        pytest.param(drawing()[:200], id="truncated PNG"),
        pytest.param(_noise(420, 300), id="larger than 300 KB"),
        pytest.param(png(Image.new("RGBA", (3000, 40), (0, 0, 0, 0))), id="too wide"),
        pytest.param(black_page(12000, 12000), id="12000×12000 bomb"),
        pytest.param(png(Image.new("RGBA", (4, 4), "black")), id="too small"),
        pytest.param(png(Image.new("RGBA", (320, 120), (0, 0, 0, 0))), id="blank, transparent"),
        pytest.param(png(Image.new("RGB", (320, 120), "white")), id="blank, white"),
        pytest.param("this is not base64!", id="not base64"),
        pytest.param("A" * 500_000, id="far too long"),
    ],
)
async def test_images_that_are_not_a_signature_are_refused(mini_app: httpx.AsyncClient, image: bytes | str) -> None:
    answer = await send(mini_app, image, init_data())
    assert (answer.status_code, answer.json()["code"]) == (422, "signature.image"), answer.text


async def test_without_a_bot_token_drawn_signatures_are_unavailable(client: httpx.AsyncClient) -> None:
    answer = await send(client, drawing(), init_data())
    assert (answer.status_code, answer.json()["code"]) == (503, "signature.unavailable")


@pytest.mark.parametrize("lang", LANGS)
async def test_the_page_in_every_language(mini_app: httpx.AsyncClient, lang: Lang) -> None:
    answer = await mini_app.get("/miniapp/signature", params={"lang": lang.value, "content_hash": CONTENT_HASH})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    direction = "rtl" if lang in (Lang.ug, Lang.ky_Arab) else "ltr"
    assert f'<html lang="{lang.html_lang}" dir="{direction}">' in page
    assert '<canvas id="pad"' in page and 'id="clear"' in page and 'id="submit"' in page
    assert json.dumps(CONTENT_HASH) in page
    if lang is not Lang.zh:
        assert "提交" not in page and "清除" not in page  # the texts are translated
    # nothing from another host: no absolute or protocol-relative address anywhere
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "http:" not in page and "https:" not in page and "url(" not in page
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and page.count(f'nonce="{nonce.group(1)}"') == 2  # the one style and the one script


async def test_the_page_refuses_bad_parameters(mini_app: httpx.AsyncClient) -> None:
    for params in ({"content_hash": "x" * 64}, {"content_hash": CONTENT_HASH, "lang": "en"}, {}):
        answer = await mini_app.get("/miniapp/signature", params=params)
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_the_page_script_parses(mini_app: httpx.AsyncClient, tmp_path: Path) -> None:
    page = (await mini_app.get("/miniapp/signature", params={"content_hash": CONTENT_HASH})).text
    script = re.search(r"<script nonce=\"[^\"]+\">(.*?)</script>", page, re.DOTALL)
    assert script is not None
    (tmp_path / "page.js").write_text(script.group(1), encoding="utf-8")
    checked = subprocess.run(["node", "--check", str(tmp_path / "page.js")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


async def test_a_drawn_signature_is_printed_on_the_letter(mini_app: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]
    typed = submission_for(item)
    assert (await send(mini_app, drawing(), init_data(), typed.signature.content_hash)).status_code == 201
    fetched = await mini_app.get(f"/api/signatures/telegram/{USER}/{typed.signature.content_hash}", headers=SERVICE)
    image = base64.b64decode(fetched.json()["image_png"])
    evidence = typed.signature.model_copy(update={"method": SignatureMethod.drawn, "image_png": image})
    drawn = typed.model_copy(update={"signature": evidence})

    sizes = []
    for submission in (typed, drawn):
        made = await mini_app.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key(), **SERVICE})
        assert made.status_code == 201, made.text
        pdf = await mini_app.get(made.json()["pdf_url"], headers=SERVICE)
        audit_page = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[-1]
        sizes.append(sorted(picture.image.size for picture in audit_page.images if picture.image is not None))
    typed_sizes, drawn_sizes = sizes
    assert len(drawn_sizes) == len(typed_sizes) + 1  # the QR code on both, the drawing on the drawn one
    assert (320, 120) in drawn_sizes and (320, 120) not in typed_sizes


def _drawn(typed: LetterSubmission, image: bytes) -> dict[str, object]:
    """The submission signed with this drawing, as a hostile caller of the API could send it."""
    evidence = typed.signature.model_copy(update={"method": SignatureMethod.drawn, "image_png": image})
    return body(typed.model_copy(update={"signature": evidence}))


@pytest.mark.parametrize(
    ("image", "field"),
    [
        pytest.param(black_page(12000, 12000), "signature.image_png", id="12000×12000 bomb"),
        pytest.param(black_page(2400, 1200), "signature.image_png", id="too many pixels"),
        pytest.param(_noise(420, 300), "signature.image_png", id="larger than 300 KB"),
        pytest.param(png(Image.new("RGBA", (320, 120), (0, 0, 0, 0))), None, id="blank"),
    ],
)
async def test_a_submission_with_a_drawing_no_canvas_makes_is_refused(
    client: httpx.AsyncClient, services: Services, image: bytes, field: str | None
) -> None:
    typed = submission_for(services.catalogue.items["SFJ-001"])
    with Session(services.engine) as session:
        letters_before = len(session.exec(select(LetterRecord.id)).all())
    answer = await client.post("/api/letters", json=_drawn(typed, image), headers={"Idempotency-Key": key()})
    assert answer.status_code == 422, answer.text
    refusal = answer.json()
    if field is None:  # a well-formed PNG without ink: the API's own check of the drawing
        assert refusal["code"] == "signature.image" and "nothing is drawn" in refusal["message"]
    else:  # its size, read from the header: refused while the request is read
        assert refusal["code"] == "invalid_request"
        assert [d["field"] for d in refusal["details"]] == [field]
    with Session(services.engine) as session:
        assert len(session.exec(select(LetterRecord.id)).all()) == letters_before
