"""The render pool heals: a worker killed (kill -9, the OOM killer) is replaced and its job run again;
a job that kills its worker twice is refused alone; /healthz says when the pool cannot render."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, load_pem_private_key, pkcs12
from pydantic import SecretStr

from api.app import create_app
from api.rendering import Renderer
from api.runtime import Services
from forms.languages import Lang
from forms.seal import DEV_SEAL_FILE, Verdict
from tests.api.conftest import body, key, submission_for
from tests.api.test_previews import draft
from tests.processes import WorkerKiller, kill_render_workers, render_workers


async def submit_letter(client: httpx.AsyncClient, services: Services, code: str = "SFJ-001") -> dict[str, str]:
    item = services.catalogue.items[code]
    answer = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert answer.status_code == 201, answer.text
    made: dict[str, str] = answer.json()
    return made


async def sealed_pdf(client: httpx.AsyncClient, services: Services, made: dict[str, str]) -> None:
    pdf = await client.get(made["pdf_url"])
    assert pdf.status_code == 200, pdf.text
    check = await services.sealer.verify_async(pdf.content)
    assert check.verdict is Verdict.intact and check.number == made["number"]


async def test_a_killed_worker_is_replaced_and_nobody_sees_it(client: httpx.AsyncClient, services: Services) -> None:
    await submit_letter(client, services)  # the pool has a worker now
    killed = kill_render_workers()
    assert killed

    made = await submit_letter(client, services, "SCJG-002")  # its PDF is rendered by a new worker
    await sealed_pdf(client, services, made)
    assert not set(render_workers()) & set(killed)

    kill_render_workers()
    preview = await client.post("/api/previews", json=draft(services, "SFJ-001", Lang.ug))
    assert preview.status_code == 200 and preview.headers["content-type"] == "application/pdf", preview.text

    kill_render_workers()  # killed while idle: the health check notices and heals
    for _ in range(50):
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        if render_workers():
            break
        await asyncio.sleep(0.1)  # concurrent.futures' thread has not seen the death yet
    assert render_workers()


async def test_jobs_in_flight_when_their_worker_dies_are_run_again(
    client: httpx.AsyncClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    await client.get("/healthz")  # a worker warmed up
    previews = [
        asyncio.create_task(client.post("/api/previews", json=draft(services, code)))
        for code in ("SFJ-001", "SCJG-002", "SFJ-001", "SCJG-002")
    ]
    while not render_workers():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # mid-job: one renders, the others wait their turn
    caplog.set_level(logging.WARNING, logger="api.render_pool")
    kill_render_workers()
    answers = await asyncio.gather(*previews)
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers if a.status_code != 200]
    replaced = [r for r in caplog.records if "a new one replaces it" in r.getMessage()]
    assert len(replaced) == 1  # four jobs saw the break; one new pool took them all


async def test_a_job_that_kills_its_worker_twice_is_refused_alone(
    client: httpx.AsyncClient, services: Services
) -> None:
    with WorkerKiller() as killer:  # every worker dies as soon as it shows: the pool cannot render
        preview = await client.post("/api/previews", json=draft(services, "SFJ-001"))
        assert (preview.status_code, preview.json()["code"]) == (503, "pdf.render_failed"), preview.text
        health = await client.get("/healthz")
        assert (health.status_code, health.json()["code"]) == (503, "render.unavailable"), health.text
        assert "render" in health.json()["message"]
    assert killer.killed >= 2
    # the killing stopped: the same pool renders again, without a restart
    preview = await client.post("/api/previews", json=draft(services, "SFJ-001"))
    assert preview.status_code == 200, preview.text
    health = await client.get("/healthz")
    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok", "items": 12, "catalogue_problems": 0}


def _production_seal(services: Services, path: Path) -> None:
    """The development seal, as a PKCS#12 file the way production is given one."""
    dev = (services.settings.data_dir / DEV_SEAL_FILE).read_bytes()
    key_, cert = load_pem_private_key(dev, None), x509.load_pem_x509_certificate(dev)
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key_, cert, None, BestAvailableEncryption(b"pw")))  # type: ignore[arg-type]


@pytest.fixture
async def unreadable_seal(services: Services, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """The API whose render workers are told to seal with a PKCS#12 file that is not there (moved,
    on a disk not mounted): every worker stops as it starts."""
    p12 = tmp_path / "platform.p12"
    settings = services.settings.model_copy(update={"seal_pkcs12": p12, "seal_password": SecretStr("pw")})
    renderer = Renderer(settings, 1)
    app = create_app(settings, dataclasses.replace(services, settings=settings, renderer=renderer))
    try:
        headers = {"Authorization": f"Bearer {services.service_token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=headers) as http:
            yield http, p12
    finally:
        renderer.close()


async def test_the_health_check_says_when_no_worker_can_render(
    unreadable_seal: tuple[httpx.AsyncClient, Path], services: Services
) -> None:
    http, p12 = unreadable_seal
    health = await http.get("/healthz")
    assert health.status_code == 503, health.text
    refusal = health.json()
    assert refusal["code"] == "render.unavailable" and refusal["message"]

    _production_seal(services, p12)  # the file is back: the next check finds a working pool
    health = await http.get("/healthz")
    assert health.status_code == 200, health.text


@pytest.fixture
async def impatient(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The API whose workers may spend 50 ms on a job: every letter takes longer (a stuck job, say)."""
    renderer = Renderer(services.settings, 1, job_seconds=0.05)
    app = create_app(services.settings, dataclasses.replace(services, renderer=renderer))
    try:
        headers = {"Authorization": f"Bearer {services.service_token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=headers) as http:
            yield http
    finally:
        renderer.close()


async def test_a_job_past_its_deadline_ends_its_worker_not_the_pool(
    impatient: httpx.AsyncClient, services: Services
) -> None:
    others = set(render_workers())  # the module's own API's
    health = await impatient.get("/healthz")  # a worker starts (fonts and seal load without the job's limit)
    assert health.status_code == 200, health.text
    worker = set(render_workers()) - others
    assert len(worker) == 1

    preview = await impatient.post("/api/previews", json=draft(services, "SFJ-001"))
    assert (preview.status_code, preview.json()["code"]) == (503, "pdf.render_failed"), preview.text
    assert not set(render_workers()) & worker  # the stuck worker was ended (and its successor too)
    health = await impatient.get("/healthz")
    assert health.status_code == 200, health.text
