"""Settings read from the environment; one instance is built by each entry point."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from forms.catalogue.loader import BUILTIN_DIR


class Settings(BaseSettings):
    """Where data lives, how the platform is reached, and which certificate seals letters."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("var"), alias="CHENGNUO_DATA_DIR")
    public_url: str = Field("http://127.0.0.1:8000", alias="PUBLIC_URL")
    catalogue_dir: Path = Field(BUILTIN_DIR, alias="CHENGNUO_CATALOGUE_DIR")
    # Production seals with the platform's certificate; without one a development key is made.
    seal_pkcs12: Path | None = Field(None, alias="CHENGNUO_SEAL_PKCS12")
    seal_password: SecretStr | None = Field(None, alias="CHENGNUO_SEAL_PASSWORD")
    # Each department countersigns the letters it accepts with its own certificate: a directory of
    # `<DEPARTMENT CODE>.p12`; unset, a development key per department is made (forms/countersign.py).
    department_seals_dir: Path | None = Field(None, alias="CHENGNUO_DEPARTMENT_SEALS_DIR")
    department_seals_password: SecretStr | None = Field(None, alias="CHENGNUO_DEPARTMENT_SEALS_PASSWORD")

    def verify_url(self, number: str, code: str | None = None) -> str:
        """The address printed as a QR code on every page of a letter; the code stops guessing."""
        url = f"{self.public_url.rstrip('/')}/verify/{number}"
        return f"{url}?code={code}" if code else url
