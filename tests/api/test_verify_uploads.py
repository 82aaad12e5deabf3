"""Verifying by upload tells nothing about a letter unless the file is that letter, sealed and intact."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.runtime import Services
from forms.seal import Sealer
from forms.settings import Settings
from tests.api.conftest import body, key, submission_for
from tests.forms.hostile_pdfs import deeply_nested, unsigned_naming

RECORD = ("status", "item_code", "department_code", "signed_on")


@pytest.fixture
async def letter(client: httpx.AsyncClient, services: Services) -> dict[str, str]:
    item = services.catalogue.items["WLJ-001"]
    made = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert made.status_code == 201
    return dict(made.json())


@pytest.fixture
def public(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Anyone: no token."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://api.test")


def _only_the_verdict(answer: httpx.Response, verdict: str) -> None:
    assert (answer.status_code, answer.json()["code"]) == (422, "upload.not_a_letter")
    assert answer.json()["details"] == [{"verdict": verdict}]
    assert not any(field in answer.text for field in RECORD)


async def test_a_hand_made_unsigned_pdf_naming_a_letter_learns_nothing_of_it(
    public: httpx.AsyncClient, letter: dict[str, str]
) -> None:
    fake = unsigned_naming(letter["number"])
    answer = await public.post("/api/verify", files={"file": ("letter.pdf", fake, "application/pdf")})
    _only_the_verdict(answer, "unsigned")
    assert "WLJ" not in answer.text


async def test_a_pdf_sealed_by_someone_else_naming_a_letter_learns_nothing_of_it(
    public: httpx.AsyncClient, letter: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = Sealer.from_settings(Settings(CHENGNUO_DATA_DIR=tmp_path_factory.mktemp("stranger")))
    # pyHanko's synchronous sign runs a loop of its own: not inside the test's
    fake = await asyncio.to_thread(stranger.seal, unsigned_naming(letter["number"]), number=letter["number"])
    answer = await public.post("/api/verify", files={"file": ("letter.pdf", fake, "application/pdf")})
    _only_the_verdict(answer, "not_ours")


async def test_an_altered_copy_gets_its_verdict_and_no_record(
    client: httpx.AsyncClient, public: httpx.AsyncClient, letter: dict[str, str]
) -> None:
    pdf = (await client.get(letter["pdf_url"])).content
    altered = bytearray(pdf)
    altered[pdf.find(b"stream\n") + 40] ^= 1
    answer = await public.post("/api/verify", files={"file": ("letter.pdf", bytes(altered), "application/pdf")})
    _only_the_verdict(answer, "altered")

    intact = await public.post("/api/verify", files={"file": ("letter.pdf", pdf, "application/pdf")})
    assert intact.status_code == 200
    assert intact.json()["number"] == letter["number"] and intact.json()["status"] == "signed"


async def test_a_pdf_built_to_exhaust_the_reader_is_no_letter_not_a_server_error(
    public: httpx.AsyncClient, letter: dict[str, str]
) -> None:
    bomb = deeply_nested(letter["number"])
    answer = await public.post("/api/verify", files={"file": ("letter.pdf", bomb, "application/pdf")})
    _only_the_verdict(answer, "altered")
