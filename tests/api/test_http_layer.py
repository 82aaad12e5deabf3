"""What every route shares at the HTTP layer: malformed bodies, other methods, HSTS, and an OpenAPI
that says all of it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.config import ApiSettings
from api.runtime import Services


async def test_another_method_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """GET and POST /api/admin/windows are two routes: Starlette's 405 named only the first."""
    answer = await client.put("/api/admin/windows")
    assert (answer.status_code, answer.json()["code"]) == (405, "method_not_allowed")
    assert answer.headers["Allow"] == "GET, POST"
    answer = await client.delete("/api/letters/SFJ-2026-000001/transitions")
    assert answer.status_code == 405 and set(answer.headers["Allow"].split(", ")) >= {"POST"}


async def test_a_body_that_is_not_json_is_a_400_with_a_code(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/auth/token", content=b"\xff\xfe\x0f", headers={"content-type": "application/json"})
    assert (answer.status_code, answer.json()["code"]) == (400, "request.malformed")
    broken = {"content-type": "multipart/form-data; boundary=b"}
    answer = await client.post("/api/verify", content=b"--b\r\nFalse--b--\r\n", headers=broken)
    assert (answer.status_code, answer.json()["code"]) == (400, "request.malformed")


async def test_the_openapi_lists_the_refusals_every_route_shares(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    token = document["paths"]["/api/auth/token"]["post"]["responses"]
    assert {"400", "405", "413", "422"} <= token.keys()
    reveal = document["paths"]["/api/letters/{number}/reveal"]["post"]["responses"]
    assert {"401", "403", "405"} <= reveal.keys()
    assert "Allow" in reveal["405"]["headers"]
    pdf = document["paths"]["/api/letters/{number}/pdf"]["get"]["responses"]
    assert pdf["404"]["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


@pytest.mark.parametrize(
    ("public_url", "hsts"), [("https://chengnuo.example.cn", True), ("http://127.0.0.1:8000", False)]
)
async def test_https_platforms_tell_browsers_to_stay_on_https(
    services: Services, tmp_path: Path, public_url: str, hsts: bool
) -> None:
    settings = ApiSettings(**{**services.settings.model_dump(by_alias=True), "PUBLIC_URL": public_url})
    app = create_app(settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as client:
        for path in ("/healthz", "/login", "/api/letters/SFJ-2026-000001"):
            answer = await client.get(path)
            assert ("Strict-Transport-Security" in answer.headers) is hsts, path
            if hsts:
                assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
