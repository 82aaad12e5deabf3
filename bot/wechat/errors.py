"""What can go wrong between us and WeChat, each with WeChat's own errcode where it has one."""

from __future__ import annotations

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired


class WeChatError(Exception):
    """An errcode from WeChat's API (or -1: WeChat could not be reached, or answered nonsense)."""

    code: int = -1

    def __init__(self, code: int | None = None, message: str = "") -> None:
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(f"{self.code}: {message}" if message else str(self.code))


class BadSignature(WeChatError):
    """A request to our callback that does not come from WeChat (or is too old to trust)."""

    code = -40001  # the codes of WeChat's own message-encryption samples (ValidateSignature_Error)


class BadMessage(WeChatError):
    """A body we cannot read: not XML, hostile XML, undecryptable, or for another account."""

    code = -40002  # ParseXml_Error


class OutOfWindow(WeChatError):
    """45015: the user has not written to the account within 48 hours; only templates reach them."""

    code = 45015


class QuotaExceeded(WeChatError):
    """45047: more customer-service messages than allowed since the user last wrote."""

    code = 45047


class Unsubscribed(WeChatError):
    """43004: the user no longer follows the account."""

    code = 43004


class TokenRejected(WeChatError):
    """40001/40014/42001 still, after the access token was refreshed once."""

    code = 40001


_BY_CODE: dict[int, type[WeChatError]] = {45015: OutOfWindow, 45047: QuotaExceeded, 43004: Unsubscribed}


def error_for(code: int, message: str) -> WeChatError:
    """The error WeChat's errcode stands for."""
    if code in TOKEN_ERRORS:
        return TokenRejected(code, message)
    return _BY_CODE.get(code, WeChatError)(code, message)
