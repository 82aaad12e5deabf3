"""The bot's settings: how it reaches Telegram and the API, and where its conversations live."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from forms.settings import Settings


class BotSettings(Settings):
    """Read from the environment by `chengnuo bot`, `chengnuo serve` and `chengnuo chat`."""

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    # a self-hosted Bot API server (https://github.com/tdlib/telegram-bot-api) instead of Telegram's
    telegram_api_url: str | None = Field(None, alias="TELEGRAM_API_URL")
    api_url: str = Field("http://127.0.0.1:8000", alias="API_URL")
    service_token: SecretStr | None = Field(None, alias="CHENGNUO_SERVICE_TOKEN")
    service_token_file: Path | None = Field(None, alias="CHENGNUO_SERVICE_TOKEN_FILE")  # a secrets mount
    redis_url: str | None = Field(None, alias="REDIS_URL")
    webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")

    @property
    def webhook(self) -> bool:
        """Telegram pushes updates to PUBLIC_URL when it is a public https address; else we poll."""
        return self.public_url.startswith("https://")

    @property
    def mini_app(self) -> bool:
        """Telegram opens Mini Apps only from https addresses: otherwise the typed signature alone."""
        return self.public_url.startswith("https://")
