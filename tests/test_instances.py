"""Two real `chengnuo serve` processes, as two machines run them: data directories of their own,
one PostgreSQL, one Redis and the configured keys and seal, and nothing else shared."""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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
from sqlalchemy import create_engine
from sqlmodel import Session, select
from stdnum.cn import ric

from api.app import build_services
from api.config import ApiSettings
from api.services.auth import Role
from api.sessions import SESSION_COOKIE
from api.store import LetterRecord, OutboxMessage
from forms import clock
from forms.catalogue import load_catalogue
from forms.channels import acting
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.api.staffing import make_staff
from tests.api.uploading import PDF, SIGNER, agent
from tests.bot.telegram_server import Call, TelegramServer
from tests.served import free_port, served

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
def serving(shared: Shared, data_dirs: list[Path], changes: list[dict[str, str]] | None = None) -> Iterator[list[str]]:
    """Instances started at the same moment, each on a data directory of its own (and its own
    `changes` to the environment, if given)."""
    ports = [free_port() for _ in data_dirs]
    commands = [["serve", "--host", "127.0.0.1", "--port", str(port)] for port in ports]
    with running(shared, data_dirs, commands, changes) as started:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, data_dir in zip(urls, started, data_dirs, strict=True):
            _wait_until_up(url, process, _log(data_dir))
        yield urls


@contextmanager
def running(
    shared: Shared, data_dirs: list[Path], commands: list[list[str]], changes: list[dict[str, str]] | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`chengnuo <command>` processes, started at once; stopped as a deploy stops them (SIGTERM)."""
    started = []
    try:
        for data_dir, command, change in zip(data_dirs, commands, changes or [{} for _ in data_dirs], strict=True):
            data_dir.mkdir(parents=True, exist_ok=True)
            environment = shared.environment(data_dir, **change)
            with _log(data_dir).open("wb") as log:
                started.append(subprocess.Popen([sys.executable, "-m", "chengnuo", *command], env=environment,
                                                stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        yield started
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _log(data_dir: Path) -> Path:
    return data_dir.parent / f"{data_dir.name}.log"


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


# Couriers: one at a time across processes, within Telegram's limits

JITTER = 0.1  # a message reaches the fake later than the pacer let it go (a busy loop, a busy machine)


def _burst(shared: Shared, number: str, chats: list[int]) -> list[tuple[int, int]]:
    """Notices for these chats in the outbox's order, each with a reason saying its place: (chat, n)."""
    engine = create_engine(shared.database_url)
    placed = []
    try:
        with Session(engine) as session:
            letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
            assert letter.id is not None
            for n, chat in enumerate(chats):
                payload = {"number": number, "item_code": letter.item_code, "from_status": "signed",
                           "to_status": "accepted", "reason": f"#{n}", "language": "zh"}  # fmt: skip
                session.add(OutboxMessage(
                    letter_id=letter.id, channel="telegram", channel_user=str(chat), kind="status_changed",
                    dedup_key=f"burst:{number}:{n}", payload=json.dumps(payload), created_at=clock.now(),
                ))  # fmt: skip
                placed.append((chat, n))
            session.commit()
    finally:
        engine.dispose()
    return placed


def _place(call: Call) -> int:
    found = re.search(r"#(\d+)", call.text)
    assert found, call.text
    return int(found.group(1))


def _eventually(done: Callable[[], bool], seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in logs)
            raise AssertionError(f"not within {seconds}s: {what}\n{tails}")
        time.sleep(0.02)


def _serve_commands(count: int) -> tuple[list[list[str]], list[str]]:
    ports = [free_port() for _ in range(count)]
    return [["serve", "--host", "127.0.0.1", "--port", str(port)] for port in ports], [
        f"http://127.0.0.1:{port}" for port in ports
    ]


@contextmanager
def couriers(
    shared: Shared, tmp_path: Path, how: str, telegram: TelegramServer, telegram_url: str
) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]], list[Path]]]:
    """Two processes with the bot: two `chengnuo serve` (the bot beside each one's API), or two
    `chengnuo bot` beside one API; each reaches the fake Telegram at an address of its own.
    Yields an API's URL, the two processes by name, and every log."""
    token = f"{random.randrange(10**9, 10**10)}:AA{secrets.token_urlsafe(24)}"  # leases of this test's own
    names = ["a", "b"]
    bots = [{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": f"{telegram_url}/{name}"} for name in names]
    dirs = [tmp_path / name for name in names]
    if how == "serve":
        commands, urls = _serve_commands(2)
        with running(shared, dirs, commands, bots) as processes:
            for url, process, data_dir in zip(urls, processes, dirs, strict=True):
                _wait_until_up(url, process, _log(data_dir))
            yield urls[0], dict(zip(names, processes, strict=True)), [_log(d) for d in dirs]
        return
    [api_dir] = [tmp_path / "api"]
    with serving(shared, [api_dir]) as [api]:
        bots = [{**bot, "API_URL": api} for bot in bots]
        with running(shared, dirs, [["bot"], ["bot"]], bots) as processes:
            logs = [_log(api_dir), *(_log(d) for d in dirs)]
            for name, process in zip(names, processes, strict=True):

                def started(name: str = name, process: subprocess.Popen[bytes] = process) -> bool:
                    return process.poll() is not None or telegram.called(name, "setMyCommands")

                _eventually(started, 60, f"the bot {name} started", logs)
                assert process.poll() is None, _log(tmp_path / name).read_text(errors="replace")[-3000:]
            yield api, dict(zip(names, processes, strict=True)), logs


@pytest.mark.parametrize("how", ["serve", "bot"])
def test_two_couriers_in_two_processes_deliver_a_burst_once_in_order_within_telegrams_limits(
    shared: Shared, tmp_path: Path, how: str
) -> None:
    """The holder of the courier's lease is stopped (SIGTERM) mid-burst, as a deploy stops it; the
    other process goes on. What Telegram received, when: each once, in order, 30/s, 1/s a chat."""
    catalogue = load_catalogue(ROOT / "forms" / "catalogue")
    item = catalogue.items["JTJ-002"]
    many = [860000001, 860000002, 860000003, 860000004]
    chats = [chat for _ in range(4) for chat in many] + [860000100 + n for n in range(40)]  # more than 30 at once
    telegram = TelegramServer()
    with served(telegram.app()) as telegram_url, couriers(shared, tmp_path, how, telegram, telegram_url) as (
        api, processes, logs,
    ):  # fmt: skip
        service = {"Authorization": f"Bearer {shared.keys['CHENGNUO_SERVICE_TOKEN']}"}
        made = httpx.post(f"{api}/api/letters", json=body(submission_for(item)),
                          headers={**service, "Idempotency-Key": key()}, timeout=120)  # fmt: skip
        assert made.status_code == 201, made.text
        placed = _burst(shared, made.json()["number"], chats)

        def ours() -> list[Call]:
            return [call for call in telegram.sent() if call.chat in set(chats)]

        _eventually(lambda: len(ours()) >= 20, 60, "20 sent", logs)
        holder = ours()[0].who
        processes[holder].terminate()  # a deploy stops it mid-burst
        stopped_at = time.monotonic()
        _eventually(lambda: len(ours()) >= len(placed), 60, "all sent", logs)
        time.sleep(0.5)  # anything sent twice would show by now
        # a clean stop: uvicorn raises SIGTERM again once it has shut down, `chengnuo bot` returns
        assert processes[holder].wait(timeout=30) in (0, -signal.SIGTERM), _log(tmp_path / holder).read_text()
        sent = ours()

    by_holder = [call for call in sent if call.who == holder]
    by_successor = [call for call in sent if call.who != holder]
    assert len(by_holder) >= 20 and by_successor, "the other process took over"
    assert by_holder[-1].at < by_successor[0].at, "never both at once"
    took = by_successor[0].at - stopped_at
    assert took < 5, f"the other took over {took:.1f}s after a clean stop"
    assert sorted((call.chat, _place(call)) for call in sent) == sorted(placed), "each once"
    for chat in many:
        assert [_place(call) for call in sent if call.chat == chat] == [n for c, n in placed if c == chat], "in order"
    times = [call.at for call in sent]
    assert all(sum(1 for other in times if at <= other < at + 1.0 - JITTER) <= 30 for at in times), "30 a second"
    for chat in set(chats):  # from the answer to one to the arrival of the next: no jitter to allow for
        gaps = [b.at - a.answered for a, b in itertools.pairwise(call for call in sent if call.chat == chat)]
        assert all(gap >= 1.0 for gap in gaps), f"1 a second to chat {chat}: {gaps}"
    assert telegram.conflicts == [], "one polling consumer"
