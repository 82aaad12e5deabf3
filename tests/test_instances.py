"""Two real `chengnuo serve` processes, as two machines run them: data directories of their own,
one PostgreSQL, one Redis and the configured keys and seal, and nothing else shared."""

from __future__ import annotations

import base64
import os
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

from api.app import build_services
from api.config import ApiSettings
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


def _seal(path: Path, common_name: str = "chengnuo instances test") -> None:
    """The platform's certificate, as production is given one: a PKCS#12 file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
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
    """Keys and a seal of their own, for instances on `database_url` (the seal's file under `where`),
    and each department's certificate for countersigning (one directory every instance is given)."""
    _seal(where / "seal.p12")
    for code in load_catalogue(ROOT / "forms" / "catalogue").departments:
        _seal(where / "departments" / f"{code}.p12", f"{code} instances test")
    keys = {
        "CHENGNUO_PERSONAL_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CHENGNUO_SESSION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CHENGNUO_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "CHENGNUO_SEAL_PKCS12": str(where / "seal.p12"),
        "CHENGNUO_SEAL_PASSWORD": "seal-pw",
        "CHENGNUO_DEPARTMENT_SEALS_DIR": str(where / "departments"),
        "CHENGNUO_DEPARTMENT_SEALS_PASSWORD": "seal-pw",
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


def _clerk(shared: Shared, tmp_path: Path, department: str) -> tuple[str, str]:
    """A clerk made the way an admin tool would, against the same store and keys."""
    settings = ApiSettings(**{"CHENGNUO_DATA_DIR": tmp_path / "admin", "DATABASE_URL": shared.database_url,
                              "CHENGNUO_RENDER_WORKERS": 0, **shared.keys})  # fmt: skip
    services = build_services(settings)
    try:
        return make_staff(services, departments=(department,))
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
        # B's countersignature, read on A: the sealed letter as it was, plus the department's revision
        assert again.content.startswith(on_a.content) and again.content != on_a.content, "never sealed again"
        checked = httpx.post(f"{a}/api/verify", files={"file": ("letter.pdf", again.content)}, timeout=60)
        assert checked.status_code == 200, checked.text
        assert (checked.json()["revision"], checked.json()["matches_stored"]) == (2, True)
        assert [s["verdict"] for s in checked.json()["signatures"]] == ["intact", "intact"]


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
