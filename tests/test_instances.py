"""Two real `chengnuo serve` processes, as two machines run them: data directories of their own,
one PostgreSQL, one Redis and the configured keys and seal, and nothing else shared."""

from __future__ import annotations

import base64
import os
import random
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from stdnum.cn import ric

from api.app import build_services
from api.config import ApiSettings
from api.services.auth import Role
from api.sessions import SESSION_COOKIE
from forms.catalogue import load_catalogue
from forms.channels import acting
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.api.staffing import make_staff
from tests.api.uploading import PDF, SIGNER, agent
from tests.served import free_port

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")), reason="needs PostgreSQL and Redis"
)
ROOT = Path(__file__).resolve().parents[1]


def _seal(path: Path) -> None:
    """The platform's certificate, as production is given one: a PKCS#12 file."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chengnuo instances test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30)).sign(private, hashes.SHA256())
    )  # fmt: skip
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", private, certificate, None,
                                                           BestAvailableEncryption(b"seal-pw")))  # fmt: skip


@dataclass
class Shared:
    """What every instance is given: the store, Redis, the keys, the seal."""

    database_url: str
    keys: dict[str, str]

    def environment(self, data_dir: Path, **changes: str) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url, "REDIS_URL": os.environ["REDIS_URL"],
            "CHENGNUO_DATA_DIR": str(data_dir), "CHENGNUO_RENDER_WORKERS": "1", "CHENGNUO_DEADLINE_INTERVAL": "0",
            "PUBLIC_URL": "https://chengnuo.example.cn", **self.keys, **changes,
        }  # fmt: skip


def make_shared(database_url: str, where: Path) -> Shared:
    """Keys and a seal of their own, for instances on `database_url` (the seal's file under `where`)."""
    _seal(where / "seal.p12")
    keys = {
        "CHENGNUO_PERSONAL_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CHENGNUO_SESSION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CHENGNUO_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "CHENGNUO_SEAL_PKCS12": str(where / "seal.p12"),
        "CHENGNUO_SEAL_PASSWORD": "seal-pw",
    }
    return Shared(database_url, keys)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    urls = _postgres_schema_url()
    try:
        yield make_shared(next(urls), tmp_path)
    finally:
        next(urls, None)


@contextmanager
def serving(shared: Shared, data_dirs: list[Path]) -> Iterator[list[str]]:
    """Instances started at the same moment, each on a data directory of its own."""
    ports = [free_port() for _ in data_dirs]
    started = []
    for data_dir, port in zip(data_dirs, ports, strict=True):
        data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "chengnuo", "serve", "--host", "127.0.0.1", "--port", str(port)]
        log = (data_dir.parent / f"{data_dir.name}.log").open("wb")
        started.append(
            subprocess.Popen(command, env=shared.environment(data_dir), stdout=log, stderr=subprocess.STDOUT)
        )
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process, data_dir in zip(urls, started, data_dirs, strict=True):
            _wait_until_up(url, process, data_dir.parent / f"{data_dir.name}.log")
        yield urls
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url} ended: {log.read_text(errors='replace')[-3000:]}"
        try:
            if httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up: {log.read_text(errors='replace')[-3000:]}")


def _clerk(shared: Shared, tmp_path: Path, department: str | None, role: Role = Role.window) -> tuple[str, str]:
    """A clerk (or an admin) made the way an admin tool would, against the same store and keys."""
    settings = ApiSettings(**{"CHENGNUO_DATA_DIR": tmp_path / "admin", "DATABASE_URL": shared.database_url,
                              "CHENGNUO_RENDER_WORKERS": 0, **shared.keys})  # fmt: skip
    services = build_services(settings)
    try:
        return make_staff(services, role=role, departments=(department,) if department else ())
    finally:
        services.renderer.close()
        services.engine.dispose()


def test_a_letter_made_on_one_instance_is_the_same_letter_on_the_other(shared: Shared, tmp_path: Path) -> None:
    catalogue = load_catalogue(ROOT / "forms" / "catalogue")
    item = catalogue.items["JTJ-002"]
    with serving(shared, [tmp_path / "a", tmp_path / "b"]) as (a, b):  # both at once, on an empty database
        service = {"Authorization": f"Bearer {shared.keys['CHENGNUO_SERVICE_TOKEN']}"}
        made = httpx.post(f"{a}/api/letters", json=body(submission_for(item)),
                          headers={**service, "Idempotency-Key": key()}, timeout=120)  # fmt: skip
        assert made.status_code == 201, made.text
        number = made.json()["number"]
        on_a = httpx.get(f"{a}/api/letters/{number}/pdf", headers=service, timeout=120)
        on_b = httpx.get(f"{b}/api/letters/{number}/pdf", headers=service, timeout=120)
        assert on_a.status_code == on_b.status_code == 200
        assert on_a.content == on_b.content, "one sealed letter, whichever instance is asked"
        verified = httpx.post(f"{b}/api/verify", files={"file": ("letter.pdf", on_a.content)}, timeout=60)
        assert verified.status_code == 200, verified.text
        assert (verified.json()["seal"], verified.json()["matches_stored"]) == ("intact", True)

        username, password = _clerk(shared, tmp_path, item.department.code)
        token = httpx.post(f"{b}/api/auth/token", json={"username": username, "password": password}, timeout=60)
        clerk = {"Authorization": f"Bearer {token.json()['access_token']}"}
        accepted = httpx.post(f"{b}/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk,
                              timeout=60)  # fmt: skip
        assert accepted.status_code == 201, accepted.text
        revealed = httpx.post(f"{b}/api/letters/{number}/reveal", headers=clerk, timeout=60)
        assert revealed.status_code == 200, revealed.text
        assert revealed.json()["id_number"] == submission_for(item).applicant.id_number, "A's encryption, B's key"
        again = httpx.get(f"{a}/api/letters/{number}/pdf", headers=service, timeout=120)
        assert again.content == on_a.content, "never sealed again behind the record's back"


def test_an_authorisation_uploaded_on_one_instance_is_read_on_the_other(shared: Shared, tmp_path: Path) -> None:
    catalogue = load_catalogue(ROOT / "forms" / "catalogue")
    item = next(i for i in catalogue.items.values() if i.proxy_allowed)
    with serving(shared, [tmp_path / "a", tmp_path / "b"]) as (a, b):
        service = {"Authorization": f"Bearer {shared.keys['CHENGNUO_SERVICE_TOKEN']}"}
        form = {**acting(SIGNER), "purpose": "authorisation"}
        sent = httpx.post(f"{a}/api/uploads", files={"file": ("scan.pdf", PDF)}, data=form, headers=service,
                          timeout=60)  # fmt: skip
        assert sent.status_code == 201, sent.text
        upload = sent.json()["upload_id"]
        submission = submission_for(item, agent=agent(upload))
        made = httpx.post(f"{a}/api/letters", json=body(submission), headers={**service, "Idempotency-Key": key()},
                          timeout=120)  # fmt: skip
        assert made.status_code == 201, made.text
        username, password = _clerk(shared, tmp_path, item.department.code)
        token = httpx.post(f"{b}/api/auth/token", json={"username": username, "password": password}, timeout=60)
        clerk = {"Authorization": f"Bearer {token.json()['access_token']}"}
        read = httpx.get(f"{b}/api/uploads/{upload}", headers=clerk, timeout=60)
        assert (read.status_code, read.content) == (200, PDF), read.text


def test_an_instance_with_another_key_refuses_to_start(shared: Shared, tmp_path: Path) -> None:
    with serving(shared, [tmp_path / "a"]):
        pass  # the first instance records the keys' fingerprints
    other = base64.b64encode(secrets.token_bytes(32)).decode()
    environment = shared.environment(tmp_path / "b", CHENGNUO_PERSONAL_DATA_KEY=other)
    (tmp_path / "b").mkdir()
    refused = subprocess.run([sys.executable, "-m", "chengnuo", "serve", "--port", str(free_port())],
                             env=environment, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode != 0
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert any("CHENGNUO_PERSONAL_DATA_KEY" in line for line in lines), refused.stderr
    assert "Traceback" not in refused.stderr


def _resident_id() -> str:
    """A valid resident ID of nobody else's."""
    born = datetime(1960, 1, 1) + timedelta(days=random.randrange(40 * 365))
    body = f"653022{born:%Y%m%d}{random.randrange(100, 999)}"
    return body + ric.calc_check_digit(body + "?")  # it reads all but the last character


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no field {name} in the page: {page[-2000:]}"
    return found.group(1)


def test_a_credit_list_previewed_on_one_instance_is_applied_on_the_other(shared: Shared, tmp_path: Path) -> None:
    first, second = _resident_id(), _resident_id()
    listing = (f"id_number,name,reason,listed_on\n{first},古丽米拉,拒不履行法院判决,2026-01-05\n"
               f"{second},阿不都热合曼,严重失信,2025-12-01\n").encode()  # fmt: skip
    with serving(shared, [tmp_path / "a", tmp_path / "b"]) as (a, b):
        service = {"Authorization": f"Bearer {shared.keys['CHENGNUO_SERVICE_TOKEN']}"}

        def eligible(url: str, id_number: str) -> bool:
            answer = httpx.post(f"{url}/api/credit/check", json={"id_number": id_number}, headers=service, timeout=30)
            assert answer.status_code == 200, answer.text
            return bool(answer.json()["eligible"])

        username, password = _clerk(shared, tmp_path, None, Role.admin)
        logged = httpx.post(f"{a}/api/auth/session", json={"username": username, "password": password}, timeout=30)
        assert logged.status_code == 200, logged.text
        # the cookie is Secure (an https PUBLIC_URL): the browser, behind TLS, sends it to either instance
        browser = {"Cookie": f"{SESSION_COOKIE}={logged.cookies[SESSION_COOKIE]}"}
        csrf = logged.json()["csrf_token"]

        preview = httpx.post(f"{a}/credit", data={"csrf_token": csrf}, files={"file": ("名单.csv", listing)},
                             headers=browser, timeout=60)  # fmt: skip
        assert preview.status_code == 200, preview.text
        form = {"csrf_token": _hidden(preview.text, "csrf_token"), "token": _hidden(preview.text, "token"),
                "sha256": _hidden(preview.text, "sha256")}  # fmt: skip
        assert eligible(a, first) and eligible(b, first), "nothing changes before apply"

        applied = httpx.post(f"{b}/credit/apply", data=form, headers=browser, timeout=60)
        assert applied.status_code == 200, applied.text
        assert "名单已导入" in applied.text
        for url in (a, b):
            assert not eligible(url, first) and not eligible(url, second), f"the applied list on {url}"
            page = httpx.get(f"{url}/credit", headers=browser, timeout=30)
            assert re.search(r'名单上现有失信主体：\S*\s*<span class="number" dir="ltr">2</span>', page.text), url
        again = httpx.post(f"{a}/credit/apply", data=form, headers=browser, timeout=60)
        assert again.status_code == 410, "applied once, whichever instance is asked again"
