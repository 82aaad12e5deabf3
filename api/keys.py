"""The platform's keys: configured (a value, or a file such as a secrets mount) or generated once
into the data directory, and checked at start against the fingerprints the data was first used with.

Several instances share only the database and these keys: an instance with another personal-data
key would store what the others cannot read, and read nothing they stored. So the first instance
to start records each key's fingerprint, and an instance whose key differs refuses to start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.config import ApiSettings
from api.pii import KEY_FILE, Vault
from api.store import KeyFingerprint, LetterRecord
from api.store.engine import insert_for, writer
from forms import clock
from forms.catalogue import Catalogue
from forms.files import create_once
from forms.seal import DEV_SEAL_FILE, Sealer

KEY_BYTES = 32
MIN_TOKEN = 16
FINGERPRINT_LABEL = b"chengnuo key fingerprint:"
KEY_FORMAT = "32 bytes in base64 (44 characters, as `openssl rand -base64 32` prints them)"
TOKEN_FORMAT = f"at least {MIN_TOKEN} visible ASCII characters, no spaces (`openssl rand -base64 32` makes one)"


class KeyProblem(Exception):
    """A key this instance cannot use: one line for the operator, naming the setting, never the key."""


class KeyMismatch(KeyProblem):
    """A key that is not the one the database was first used with."""


@dataclass(frozen=True)
class Key:
    """One key as this instance has it, and where it came from (for the operator, not the key)."""

    name: str  # as recorded in key_fingerprints
    what: str  # in words, for the messages
    value: bytes
    source: str
    advice: str  # what to set so that every instance has the same

    @property
    def fingerprint(self) -> str:
        """An HMAC of a fixed label under the key: equal for equal keys, and no way back to the key."""
        return hmac.new(self.value, FINGERPRINT_LABEL + self.name.encode(), hashlib.sha256).hexdigest()

    def mismatch(self) -> str:
        forget = "" if self.name == "personal-data" else f" (changed on purpose? `chengnuo keys forget {self.name}`)"
        return (
            f"{self.what} ({self.source}) is not the one this database was first used with: "
            f"give every instance the same {self.advice}{forget}"
        )


@dataclass(frozen=True)
class Keys:
    """Every key an instance must share with the others on the same database."""

    personal_data: Key
    session: Key
    service_token: Key
    seal: Key

    def __iter__(self) -> Iterator[Key]:
        return iter((self.personal_data, self.session, self.service_token, self.seal))

    @property
    def token(self) -> str:
        return self.service_token.value.decode()


@dataclass(frozen=True)
class _Kind:
    """A key that a setting gives, or that is generated into the data directory."""

    name: str
    what: str
    setting: str
    default_file: str
    new: Callable[[], bytes]
    parse: Callable[[str, str, str], bytes]


def load_keys(settings: ApiSettings, sealer: Sealer) -> Keys:
    """This instance's keys, from their settings or generated into the data directory; KeyProblem
    names the setting that is wrong."""
    directory = settings.data_dir
    return Keys(
        personal_data=_load(PERSONAL_DATA, settings.personal_data_key, settings.personal_data_key_file, directory),
        session=_load(SESSION, settings.session_key, settings.session_key_file, directory),
        service_token=_load(SERVICE_TOKEN, settings.service_token, settings.service_token_file, directory),
        seal=_seal(settings, sealer),
    )


def _load(kind: _Kind, value: SecretStr | None, file: Path | None, data_dir: Path) -> Key:
    given = configured(value, file, kind.setting)
    text, source = given or _generated(data_dir / kind.default_file, kind.setting, kind.new)
    parsed = kind.parse(text, source, kind.what)
    return Key(kind.name, kind.what, parsed, source, advice=f"{kind.setting} or {kind.setting}_FILE")


def configured(value: SecretStr | None, file: Path | None, setting: str) -> tuple[str, str] | None:
    """The key's text and where it came from, when a setting gives it (a value, or a file)."""
    if value is not None and file is not None:
        raise KeyProblem(f"{setting} and {setting}_FILE are both set: keep one")
    if value is not None:
        return value.get_secret_value().strip(), setting
    if file is None:
        return None
    try:
        return file.read_text(encoding="ascii").strip(), f"{setting}_FILE {file}"
    except OSError as error:
        raise KeyProblem(f"cannot read {setting}_FILE {file}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise KeyProblem(f"{setting}_FILE {file} is not text: expected the key as text") from None


def _generated(path: Path, setting: str, new: Callable[[], bytes]) -> tuple[str, str]:
    """The embedded default for one machine: made on first use, then read back."""
    create_once(path, new())
    try:
        return path.read_text(encoding="ascii").strip(), f"{path}, made because {setting} is unset"
    except UnicodeDecodeError:
        raise KeyProblem(f"{path} is not text: expected the key as text") from None


def _new_key() -> bytes:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES))


def _new_token() -> bytes:
    return secrets.token_urlsafe(KEY_BYTES).encode()


def _key_bytes(text: str, source: str, what: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        value = b""
    if len(value) != KEY_BYTES:
        raise KeyProblem(f"{source} is not a usable {what.removeprefix('the ')}: expected {KEY_FORMAT}")
    return value


def _token_bytes(text: str, source: str, what: str) -> bytes:
    usable = len(text) >= MIN_TOKEN and text.isascii() and text.isprintable() and " " not in text
    if not usable:
        raise KeyProblem(f"{source} is not a usable {what.removeprefix('the ')}: expected {TOKEN_FORMAT}")
    return text.encode()


PERSONAL_DATA = _Kind(
    "personal-data", "the personal-data key", "CHENGNUO_PERSONAL_DATA_KEY", KEY_FILE, _new_key, _key_bytes
)
SESSION = _Kind("session", "the session key", "CHENGNUO_SESSION_KEY", "keys/session-csrf.key", _new_key, _key_bytes)
SERVICE_TOKEN = _Kind(
    "service-token", "the service token", "CHENGNUO_SERVICE_TOKEN", "keys/service-token", _new_token, _token_bytes
)


def _seal(settings: ApiSettings, sealer: Sealer) -> Key:
    """The seal's certificate: letters sealed by one instance must verify on every other."""
    if settings.seal_pkcs12 is not None:
        source = f"CHENGNUO_SEAL_PKCS12 {settings.seal_pkcs12}"
    else:
        source = f"{settings.data_dir / DEV_SEAL_FILE}, made because CHENGNUO_SEAL_PKCS12 is unset"
    advice = "CHENGNUO_SEAL_PKCS12 and CHENGNUO_SEAL_PASSWORD"
    return Key("seal", "the seal certificate", sealer.certificate.dump(), source, advice)


def checked_keys(settings: ApiSettings, engine: Engine, sealer: Sealer | None = None) -> Keys:
    """This instance's keys, once they are known to be the data's (KeyProblem otherwise)."""
    keys = load_keys(settings, sealer or Sealer.from_settings(settings))
    check_fingerprints(engine, keys)
    return keys


def check_department_certificates(sealer: Sealer, catalogue: Catalogue) -> None:
    """Every department with items can countersign: a certificate missing or unreadable is found at
    start, not by a clerk accepting a letter with a queue waiting (KeyProblem, one line)."""
    if sealer.departments is None:
        return
    problems = sealer.departments.unusable(item.department.code for item in catalogue.items.values())
    if problems:
        raise KeyProblem("; ".join(problems) + " (CHENGNUO_DEPARTMENT_SEALS_DIR, CHENGNUO_DEPARTMENT_SEALS_PASSWORD)")


def check_fingerprints(engine: Engine, keys: Keys) -> None:
    """Record the fingerprints this database has none of yet, then refuse any key that differs.

    Instances starting at once on an empty table agree: each inserts only where no row is (the
    others' inserts wait on the first one's and then do nothing), then compares with what is there.
    """
    with Session(engine) as session:  # a read: on SQLite, no write lock on every start
        recorded = _recorded(session)
    missing = [key for key in keys if key.name not in recorded]
    if missing:
        with Session(writer(engine)) as session:
            if keys.personal_data in missing:  # data from before fingerprints were kept
                _check_stored_data(session, keys.personal_data)
            now = clock.now()
            rows = [{"name": k.name, "fingerprint": k.fingerprint, "recorded_at": now} for k in missing]
            insert = insert_for(session)(KeyFingerprint).values(rows)
            session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
            session.commit()
            recorded = _recorded(session)
    for key in keys:
        if not hmac.compare_digest(recorded[key.name], key.fingerprint):
            raise KeyMismatch(key.mismatch())


def forget_fingerprint(engine: Engine, name: str) -> bool:
    """Forget a key's fingerprint (a key changed on purpose); the next start records the new one."""
    with Session(writer(engine)) as session:
        row = session.get(KeyFingerprint, name)
        if row is not None:
            session.delete(row)
            session.commit()
        return row is not None


def _recorded(session: Session) -> dict[str, str]:
    return {row.name: row.fingerprint for row in session.exec(select(KeyFingerprint))}


def _check_stored_data(session: Session, key: Key) -> None:
    """A database used before its keys were recorded: the personal-data key must read its letters."""
    stored = session.exec(select(LetterRecord.id_encrypted).order_by(col(LetterRecord.id)).limit(1)).first()
    if stored is None:
        return
    try:
        Vault(key.value).decrypt(stored)
    except InvalidTag:
        raise KeyMismatch(
            f"{key.what} ({key.source}) does not decrypt the letters already stored: "
            f"give every instance the same {key.advice}"
        ) from None
