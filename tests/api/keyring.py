"""Instances of the API on one shared store, each with its own data directory, and keys to give them."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, load_pem_private_key, pkcs12

from api.app import build_services
from api.config import ApiSettings
from api.runtime import Services
from forms.seal import _write_development_key

SEAL_PASSWORD = "seal-s3cret"


def new_key() -> str:
    """A personal-data or session key as an operator makes one: `openssl rand -base64 32`."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def platform_seal(directory: Path) -> Path:
    """A PKCS#12 seal all instances share, as a certificate from a CA would be."""
    pem = directory / "seal.pem"
    _write_development_key(pem)
    data = pem.read_bytes()
    key, cert = load_pem_private_key(data, None), x509.load_pem_x509_certificate(data)
    p12 = directory / "platform.p12"
    encryption = BestAvailableEncryption(SEAL_PASSWORD.encode())
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, encryption))  # type: ignore[arg-type]
    return p12


def shared_keys(seal: Path) -> dict[str, str]:
    """The settings every instance on one store must have alike."""
    return {
        "CHENGNUO_PERSONAL_DATA_KEY": new_key(),
        "CHENGNUO_SESSION_KEY": new_key(),
        "CHENGNUO_SERVICE_TOKEN": new_token(),
        "CHENGNUO_SEAL_PKCS12": str(seal),
        "CHENGNUO_SEAL_PASSWORD": SEAL_PASSWORD,
    }


def instance(data_dir: Path, store: str, **settings: str | Path) -> ApiSettings:
    """The settings of one instance: its own data directory, the shared store."""
    return ApiSettings(
        CHENGNUO_DATA_DIR=data_dir,
        DATABASE_URL=store,
        CHENGNUO_RENDER_WORKERS=0,
        CHENGNUO_DEADLINE_INTERVAL=0,
        **settings,
    )


@contextmanager
def started(settings: ApiSettings) -> Iterator[Services]:
    services = build_services(settings)
    try:
        yield services
    finally:
        services.renderer.close()
        services.engine.dispose()
