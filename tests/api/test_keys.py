"""Instances on one store share their keys by configuration; a key that is not the data's stops the start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.app import build_services, create_app
from api.keys import KeyMismatch, KeyProblem
from api.runtime import write_session
from tests.api.conftest import STORES, _postgres_schema_url, body, key, submission_for
from forms.catalogue import load_catalogue
from tests.api.keyring import SEAL_PASSWORD, instance, new_key, new_token, platform_seal, shared_keys, started
from tests.cli import chengnuo

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "110101199003074514"


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store several instances share: one SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    urls = _postgres_schema_url()
    yield next(urls)
    next(urls, None)


@pytest.fixture(scope="module")
def seal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return platform_seal(tmp_path_factory.mktemp("seal"))


def fingerprints(store: str) -> dict[str, str]:
    engine = create_engine(store.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, fingerprint FROM key_fingerprints")).all()
    engine.dispose()
    return {name: fingerprint for name, fingerprint in rows}


def test_keys_given_in_the_environment_or_as_files_are_the_same_keys(
    tmp_path: Path, store: str, seal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = shared_keys(seal)
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    by_environment = instance(tmp_path / "a", store)
    for name in keys:
        monkeypatch.delenv(name)
    mounted = tmp_path / "secrets"
    mounted.mkdir()
    as_files: dict[str, str | Path] = {
        "CHENGNUO_SEAL_PKCS12": seal,
        "CHENGNUO_SEAL_PASSWORD": keys["CHENGNUO_SEAL_PASSWORD"],
    }
    for name in ("CHENGNUO_PERSONAL_DATA_KEY", "CHENGNUO_SESSION_KEY", "CHENGNUO_SERVICE_TOKEN"):
        (mounted / name).write_text(keys[name] + "\n")  # as `echo` or a secrets mount leaves it
        as_files[f"{name}_FILE"] = mounted / name
    by_files = instance(tmp_path / "b", store, **as_files)

    with started(by_environment) as first, started(by_files) as second:
        assert second.vault.decrypt(first.vault.encrypt(ID_NUMBER)) == ID_NUMBER
        assert first.vault.decrypt(second.vault.encrypt(ID_NUMBER)) == ID_NUMBER
        assert first.vault.lookup_hash(ID_NUMBER) == second.vault.lookup_hash(ID_NUMBER)  # the ID search
        assert first.csrf_token("a-session") == second.csrf_token("a-session")
        assert first.service_token == second.service_token == keys["CHENGNUO_SERVICE_TOKEN"]
    assert not (tmp_path / "a" / "keys").exists() and not (tmp_path / "b" / "keys").exists()  # nothing generated
    recorded = fingerprints(store)
    assert sorted(recorded) == ["personal-data", "seal", "service-token", "session"]
    assert not any(keys[name] in " ".join(recorded.values()) for name in keys)


def test_generated_keys_are_the_embedded_default_of_one_machine(tmp_path: Path, store: str) -> None:
    with started(instance(tmp_path / "data", store)) as first:
        blob = first.vault.encrypt(ID_NUMBER)
    assert (tmp_path / "data" / "keys" / "personal-data.key").exists()
    with started(instance(tmp_path / "data", store)) as again:  # restarted: the same files, the same keys
        assert again.vault.decrypt(blob) == ID_NUMBER


def test_with_defaults_a_second_machine_is_refused_rather_than_storing_what_the_first_cannot_read(
    tmp_path: Path, store: str
) -> None:
    with started(instance(tmp_path / "a", store)):
        pass
    with pytest.raises(KeyMismatch) as refused:
        build_services(instance(tmp_path / "b", store))
    message = str(refused.value)
    assert message.startswith("the personal-data key") and "CHENGNUO_PERSONAL_DATA_KEY" in message, message
    assert str(tmp_path / "b") in message and "\n" not in message


@pytest.mark.parametrize(
    ("setting", "other"),
    [
        ("CHENGNUO_PERSONAL_DATA_KEY", new_key()),
        ("CHENGNUO_SESSION_KEY", new_key()),
        ("CHENGNUO_SERVICE_TOKEN", new_token()),
    ],
)
def test_an_instance_with_another_key_refuses_to_start_naming_the_setting(
    tmp_path: Path, store: str, seal: Path, setting: str, other: str
) -> None:
    keys = shared_keys(seal)
    with started(instance(tmp_path / "a", store, **keys)):
        pass
    with pytest.raises(KeyMismatch) as refused:
        build_services(instance(tmp_path / "b", store, **{**keys, setting: other}))
    message = str(refused.value)
    assert f"give every instance the same {setting} or {setting}_FILE" in message, message
    assert "\n" not in message and other not in message and keys[setting] not in message
    with started(instance(tmp_path / "c", store, **keys)):  # the right keys still start
        pass


def test_another_seal_certificate_refuses_to_start(tmp_path: Path, store: str, seal: Path) -> None:
    keys = shared_keys(seal)
    with started(instance(tmp_path / "a", store, **keys)):
        pass
    (tmp_path / "other").mkdir()
    other = {**keys, "CHENGNUO_SEAL_PKCS12": str(platform_seal(tmp_path / "other"))}
    with pytest.raises(KeyMismatch, match=r"CHENGNUO_SEAL_PKCS12 and CHENGNUO_SEAL_PASSWORD.*keys forget seal"):
        build_services(instance(tmp_path / "b", store, **other))


def test_a_department_that_cannot_countersign_is_found_at_start_not_at_the_window(
    tmp_path: Path, store: str, seal: Path
) -> None:
    """Every department with items needs its certificate: one missing, or a wrong password, stops the
    start with one line naming it, rather than a clerk's first acceptance failing with a queue waiting."""
    seals = tmp_path / "departments"
    seals.mkdir()
    codes = sorted(load_catalogue(ROOT / "forms" / "catalogue").departments)
    for code in codes[1:]:
        shutil.copy(seal, seals / f"{code}.p12")  # any certificate will do here
    keys = {**shared_keys(seal), "CHENGNUO_DEPARTMENT_SEALS_DIR": str(seals),
            "CHENGNUO_DEPARTMENT_SEALS_PASSWORD": SEAL_PASSWORD}  # fmt: skip
    with pytest.raises(KeyProblem, match=rf"no certificate for department {codes[0]}: expected .*{codes[0]}\.p12"):
        build_services(instance(tmp_path / "a", store, **keys))
    shutil.copy(seal, seals / f"{codes[0]}.p12")
    wrong = {**keys, "CHENGNUO_DEPARTMENT_SEALS_PASSWORD": "not-it"}
    with pytest.raises(KeyProblem, match=r"cannot read the certificate of department .*wrong password") as refused:
        build_services(instance(tmp_path / "a", store, **wrong))
    assert "\n" not in str(refused.value) and "not-it" not in str(refused.value)
    with started(instance(tmp_path / "a", store, **keys)):  # every department can countersign
        pass


def test_a_key_changed_on_purpose_is_accepted_once_its_fingerprint_is_forgotten(
    tmp_path: Path, store: str, seal: Path
) -> None:
    keys = shared_keys(seal)
    with started(instance(tmp_path / "a", store, **keys)):
        pass
    rotated = {**keys, "CHENGNUO_SERVICE_TOKEN": new_token()}
    environment = {**rotated, "CHENGNUO_DATA_DIR": str(tmp_path / "a"), "DATABASE_URL": store}
    refused = chengnuo("keys", "forget", "personal-data", **environment)
    assert refused.returncode == 2 and "only session, service-token or seal" in refused.stderr
    forgotten = chengnuo("keys", "forget", "service-token", **environment)
    assert forgotten.returncode == 0, forgotten.stderr
    with started(instance(tmp_path / "a", store, **rotated)) as services:
        assert services.service_token == rotated["CHENGNUO_SERVICE_TOKEN"]
    with pytest.raises(KeyMismatch, match="the service token"):
        build_services(instance(tmp_path / "a", store, **keys))


def test_chengnuo_serve_with_another_key_prints_one_line_and_exits(tmp_path: Path, store: str, seal: Path) -> None:
    keys = shared_keys(seal)
    with started(instance(tmp_path / "a", store, **keys)):
        pass
    other = new_key()
    environment = {**keys, "CHENGNUO_PERSONAL_DATA_KEY": other, "CHENGNUO_RENDER_WORKERS": "0"}
    started_b = chengnuo("serve", "--port", "0", CHENGNUO_DATA_DIR=tmp_path / "b", DATABASE_URL=store, **environment)
    assert started_b.returncode == 1
    assert "Traceback" not in started_b.stderr and other not in started_b.stderr + started_b.stdout
    # pyhanko's import may warn of cryptography's deprecations before: not ours, and not an error
    lines = [line for line in started_b.stderr.strip().splitlines() if line.startswith("chengnuo:")]
    assert len(lines) == 1 and started_b.stderr.strip().endswith(lines[0]), started_b.stderr
    assert lines[0].startswith("chengnuo: the personal-data key (CHENGNUO_PERSONAL_DATA_KEY)"), lines[0]
    assert "give every instance the same CHENGNUO_PERSONAL_DATA_KEY or CHENGNUO_PERSONAL_DATA_KEY_FILE" in lines[0]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"CHENGNUO_PERSONAL_DATA_KEY": "not base64!"}, "CHENGNUO_PERSONAL_DATA_KEY is not a usable personal-data key"),
        ({"CHENGNUO_SESSION_KEY": "c2hvcnQ="}, "CHENGNUO_SESSION_KEY is not a usable session key: expected 32 bytes"),
        ({"CHENGNUO_SERVICE_TOKEN": "short"}, "CHENGNUO_SERVICE_TOKEN is not a usable service token"),
        ({"CHENGNUO_SERVICE_TOKEN": "with a space in it, long"}, "CHENGNUO_SERVICE_TOKEN is not a usable service"),
        (
            {"CHENGNUO_SESSION_KEY": new_key(), "CHENGNUO_SESSION_KEY_FILE": "/run/secrets/session"},
            "CHENGNUO_SESSION_KEY and CHENGNUO_SESSION_KEY_FILE are both set: keep one",
        ),
        (
            {"CHENGNUO_PERSONAL_DATA_KEY_FILE": "/run/secrets/nowhere"},
            "cannot read CHENGNUO_PERSONAL_DATA_KEY_FILE /run/secrets/nowhere: No such file or directory",
        ),
    ],
)
def test_a_malformed_key_setting_is_one_clear_error(tmp_path: Path, settings: dict[str, str], expected: str) -> None:
    store = f"sqlite:///{tmp_path / 'shared.db'}"
    with pytest.raises(KeyProblem) as refused:
        build_services(instance(tmp_path / "a", store, **settings))
    assert str(refused.value).startswith(expected), str(refused.value)
    served = chengnuo("serve", "--port", "0", CHENGNUO_DATA_DIR=tmp_path / "a", DATABASE_URL=store, **settings)
    assert served.returncode == 1 and "Traceback" not in served.stderr
    assert served.stderr.strip().splitlines()[-1] == f"chengnuo: {refused.value}"
    given = settings.get("CHENGNUO_PERSONAL_DATA_KEY") or settings.get("CHENGNUO_SERVICE_TOKEN")
    assert given is None or given not in served.stderr


START = """
import sys
from api.app import build_services, create_app
from api.config import ApiSettings
from api.keys import KeyMismatch
try:
    services = build_services(ApiSettings())
except KeyMismatch as refused:
    print(refused, file=sys.stderr)
    sys.exit(3)
services.renderer.close()
"""


def race(tmp_path: Path, url: str, keysets: list[dict[str, str]]) -> tuple[list[int], list[str]]:
    """Instances started at the same moment on `url`, one per set of keys: their exit codes and errors."""

    def starting(number: int, keys: dict[str, str]) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ, **keys, "PYTHONPATH": str(ROOT), "DATABASE_URL": url,
            "CHENGNUO_DATA_DIR": str(tmp_path / f"instance-{number}"), "CHENGNUO_RENDER_WORKERS": "0",
        }  # fmt: skip
        return subprocess.Popen([sys.executable, "-c", START], env=environment, stderr=subprocess.PIPE)

    processes = [starting(number, keys) for number, keys in enumerate(keysets)]
    errors = [process.communicate(timeout=180)[1].decode() for process in processes]
    return [process.returncode for process in processes], errors


@pytest.fixture
def empty_postgresql() -> Iterator[str]:
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    urls = _postgres_schema_url()
    yield next(urls)
    next(urls, None)


def test_instances_starting_at_once_on_an_empty_store_record_one_fingerprint_and_all_start(
    tmp_path: Path, seal: Path, empty_postgresql: str
) -> None:
    keys = shared_keys(seal)
    codes, errors = race(tmp_path, empty_postgresql, [keys] * 4)
    assert codes == [0, 0, 0, 0], errors
    assert sorted(fingerprints(empty_postgresql)) == ["personal-data", "seal", "service-token", "session"]


def test_instances_with_two_sets_of_keys_starting_at_once_agree_on_one(
    tmp_path: Path, seal: Path, empty_postgresql: str
) -> None:
    ours, theirs = shared_keys(seal), shared_keys(seal)
    codes, errors = race(tmp_path, empty_postgresql, [ours, theirs] * 3)
    by_keys = {frozenset(codes[0::2]), frozenset(codes[1::2])}
    assert by_keys == {frozenset({0}), frozenset({3})}, (codes, errors)  # the first to record won, whole


async def test_a_store_from_before_fingerprints_refuses_a_key_that_does_not_read_its_letters(
    tmp_path: Path, store: str, seal: Path
) -> None:
    keys = shared_keys(seal)
    with started(instance(tmp_path / "a", store, **keys)) as services:
        transport = httpx.ASGITransport(app=create_app(services.settings, services))
        headers = {"Authorization": f"Bearer {keys['CHENGNUO_SERVICE_TOKEN']}", "Idempotency-Key": key()}
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as bot:
            submission = body(submission_for(services.catalogue.items["SFJ-001"]))
            assert (await bot.post("/api/letters", json=submission, headers=headers)).status_code == 201
        with write_session(services) as session:  # as the store was before this version
            session.execute(text("DELETE FROM key_fingerprints"))
            session.commit()
    other = {**keys, "CHENGNUO_PERSONAL_DATA_KEY": new_key()}
    with pytest.raises(KeyMismatch, match="does not decrypt the letters already stored"):
        build_services(instance(tmp_path / "b", store, **other))
    assert fingerprints(store) == {}  # nothing recorded for the wrong key
    with started(instance(tmp_path / "c", store, **keys)):
        pass
    assert len(fingerprints(store)) == 4
