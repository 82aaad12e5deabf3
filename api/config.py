"""The API's settings: the letter core's, plus the store and the keys (read by api/keys.py)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from forms.settings import Settings


class ApiSettings(Settings):
    """Read from the environment; keys left unset are generated into the data directory."""

    database_url: str | None = Field(None, alias="DATABASE_URL")
    # the keys every instance on one database shares: a value, or a file (a secrets mount); unset,
    # each is generated into the data directory (one machine). Formats and checks: api/keys.py
    personal_data_key: SecretStr | None = Field(None, alias="CHENGNUO_PERSONAL_DATA_KEY")
    personal_data_key_file: Path | None = Field(None, alias="CHENGNUO_PERSONAL_DATA_KEY_FILE")
    session_key: SecretStr | None = Field(None, alias="CHENGNUO_SESSION_KEY")
    session_key_file: Path | None = Field(None, alias="CHENGNUO_SESSION_KEY_FILE")
    service_token: SecretStr | None = Field(None, alias="CHENGNUO_SERVICE_TOKEN")
    service_token_file: Path | None = Field(None, alias="CHENGNUO_SERVICE_TOKEN_FILE")
    # render workers on this machine, shared out among the server processes (chengnuo/workers.py)
    render_workers: int = Field(2, alias="CHENGNUO_RENDER_WORKERS", ge=0, le=32)
    workers: int = Field(1, alias="CHENGNUO_WORKERS", ge=1, le=64, description="server processes on this machine")
    # a letter renders in well under a second; a worker still on one job after this is stuck, and is ended
    render_timeout: float = Field(30, alias="CHENGNUO_RENDER_TIMEOUT", gt=0, le=3600, description="seconds")
    deadline_interval: int = Field(600, alias="CHENGNUO_DEADLINE_INTERVAL", ge=0, description="seconds; 0: off")
    # the Mini App's initData is signed with the bot's own token; unset, drawn signatures are off
    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    init_data_max_age: int = Field(3600, alias="CHENGNUO_INIT_DATA_MAX_AGE", ge=1, description="seconds")
    # how long a link handed to an applicant opens (api/services/shares.py)
    letter_link_life: int = Field(7 * 24 * 3600, alias="CHENGNUO_LETTER_LINK_LIFE", ge=60, description="seconds")
    preview_link_life: int = Field(3600, alias="CHENGNUO_PREVIEW_LINK_LIFE", ge=60, description="seconds")
    signature_link_life: int = Field(30 * 60, alias="CHENGNUO_SIGNATURE_LINK_LIFE", ge=60, description="seconds")
    # request bodies of JSON and forms; routes that take files declare their own (api/limits.py)
    max_body: int = Field(64 * 1024, alias="CHENGNUO_MAX_BODY", ge=1024, description="bytes")
    # argon2 takes 64 MiB and a core for about 0.1 s per password: more logins at once wait their turn
    password_hashes: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), alias="CHENGNUO_PASSWORD_HASHES", ge=1, le=32
    )
    # addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed; unset: none
    trusted_proxies: str = Field("", alias="CHENGNUO_TRUSTED_PROXIES")

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        """Each an IP address or network: uvicorn would take anything else for a name that never matches."""
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value

    @property
    def proxies(self) -> list[str]:
        """The trusted proxies, one address or network each."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def store_url(self) -> str:
        """SQLAlchemy URL: DATABASE_URL (postgresql://… uses psycopg 3), else SQLite in the data dir."""
        if self.database_url:
            url = self.database_url
            for prefix in ("postgresql://", "postgres://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.data_dir / 'chengnuo.db').resolve()}"

    @property
    def letters_dir(self) -> Path:
        return self.data_dir / "letters"

    @property
    def signatures_dir(self) -> Path:
        """Drawn signatures waiting for their letter, encrypted (api/drawings.py)."""
        return self.data_dir / "signatures"

    @property
    def uploads_dir(self) -> Path:
        """Files handed in for letters, encrypted (api/store/upload_files.py)."""
        return self.data_dir / "uploads"

    @property
    def imports_dir(self) -> Path:
        """Previewed dishonesty lists waiting for "apply" (api/services/pending_imports.py)."""
        return self.data_dir / "imports"
