"""The blank 授权委托书 an agent downloads (public, no token): the item named in both languages, and a
flood of requests costs one render per item and language, not one each."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.runtime import Services
from forms.languages import Lang
from tests.forms.pdf_reading import pdf_text


@pytest.fixture
def renders(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the render workers were asked for, by kind."""
    asked: list[str] = []
    pool = services.renderer._pool
    run = pool.run

    async def counted(*args: Any, what: str, **kwargs: Any) -> Any:
        asked.append(what)
        return await run(*args, what=what, **kwargs)

    monkeypatch.setattr(pool, "run", counted)
    return asked


async def test_the_template_names_the_item_in_chinese_and_the_agents_language(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["GAJ-001"]
    answer = await client.get("/api/items/GAJ-001/authorisation", params={"lang": "ug"}, headers={"Authorization": ""})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "授权委托书" in text and item.name(Lang.zh) in text
    assert item.name(Lang.ug).split()[0] in text


async def test_unknown_items_and_items_without_agents_are_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    unknown = await client.get("/api/items/NOPE-999/authorisation")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "item.unknown")
    in_person = next(code for code, item in services.catalogue.items.items() if not item.proxy_allowed)
    refused = await client.get(f"/api/items/{in_person}/authorisation")
    assert (refused.status_code, refused.json()["code"]) == (409, "item.no_agent")


async def test_a_flood_of_requests_costs_one_render_per_item_and_language(
    client: httpx.AsyncClient, renders: list[str]
) -> None:
    flood = [client.get("/api/items/NYJ-001/authorisation", params={"lang": "ky"}) for _ in range(30)]
    answers = await asyncio.gather(*flood)
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1, "every asker gets the same letter"
    assert renders.count("authorisation") == 1, "asked at once: rendered once"

    again = await client.get("/api/items/NYJ-001/authorisation", params={"lang": "ky"})
    assert again.content == answers[0].content and renders.count("authorisation") == 1, "later: kept"
    other = await client.get("/api/items/NYJ-001/authorisation", params={"lang": "ug"})
    assert other.status_code == 200 and other.content != answers[0].content
    assert renders.count("authorisation") == 2, "another language is another letter"
