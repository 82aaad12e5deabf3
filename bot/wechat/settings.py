"""How the Official Account is reached: its app id and secret, the server token, the message key."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from forms.settings import Settings

AES_KEY_LENGTH = 43  # EncodingAESKey: 32 bytes in base64 without its trailing "="


class WeChatSettings(Settings):
    """Read from the environment; the channel runs only when `configured`."""

    app_id: str | None = Field(None, alias="WECHAT_APP_ID")
    app_secret: SecretStr | None = Field(None, alias="WECHAT_APP_SECRET")
    token: SecretStr | None = Field(None, alias="WECHAT_TOKEN")  # the server-check token of 服务器配置
    aes_key: SecretStr | None = Field(None, alias="WECHAT_ENCODING_AES_KEY")  # set: 安全模式
    api_url: str = Field("https://api.weixin.qq.com", alias="WECHAT_API_URL")
    template_status: str | None = Field(None, alias="WECHAT_TEMPLATE_STATUS")
    template_reminder: str | None = Field(None, alias="WECHAT_TEMPLATE_REMINDER")

    @field_validator("aes_key")
    @classmethod
    def _aes_key_is_43_characters(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if len(value.get_secret_value()) != AES_KEY_LENGTH:
            raise ValueError(f"WECHAT_ENCODING_AES_KEY must be {AES_KEY_LENGTH} characters, as the platform shows it")
        return value

    @property
    def configured(self) -> bool:
        """The app id, its secret and the server token are all set."""
        secrets = (self.app_secret, self.token)
        return bool(self.app_id) and all(s is not None and s.get_secret_value() for s in secrets)

    @property
    def safe_mode(self) -> bool:
        """Messages arrive and leave AES-encrypted (安全模式) when the EncodingAESKey is set."""
        return self.aes_key is not None
