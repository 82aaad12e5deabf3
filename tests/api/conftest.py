"""The real API app on a real store: SQLite always, PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import Services
from forms.catalogue import Item
from forms.languages import Lang
from forms.sample import sample_letter
from forms.submission import LetterSubmission, submission_hash

STORES = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])


def _postgres_schema_url() -> Iterator[str]:
    """A schema of its own on the server DATABASE_URL names, dropped afterwards."""
    url = ApiSettings(DATABASE_URL=os.environ["DATABASE_URL"]).store_url
    schema = f"test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module", params=STORES)
def services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data_dir = tmp_path_factory.mktemp("api")
    urls = _postgres_schema_url() if request.param == "postgresql" else iter([None])
    url = next(urls)
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=data_dir,
        DATABASE_URL=url,
        PUBLIC_URL="https://chengnuo.example.cn",
        CHENGNUO_SERVICE_TOKEN="test-service-token",
        CHENGNUO_RENDER_WORKERS=1,
    )
    built = build_services(settings)
    assert built.engine.dialect.name == request.param
    yield built
    built.renderer.close()
    built.engine.dispose()
    next(urls, None)  # drops the PostgreSQL schema


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": "Bearer test-service-token"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=headers) as http:
        yield http


def submission_for(item: Item, lang: Lang = Lang.zh, **changes: object) -> LetterSubmission:
    """A valid signed submission for the item, as the bot would send it, with changes applied."""
    letter = sample_letter(item, lang)
    assert letter.signature is not None
    data = letter.model_dump(include={"applicant", "agent", "answers", "supplement", "language", "notice_hash"})
    submission = LetterSubmission(item_code=item.code, signature=letter.signature, **{**data, **changes})
    signature = submission.signature.model_copy(update={"content_hash": submission_hash(submission, item)})
    return submission.model_copy(update={"signature": signature})


def body(submission: LetterSubmission) -> dict[str, object]:
    return submission.model_dump(mode="json")


def key() -> str:
    return f"tg-{secrets.token_hex(8)}"
