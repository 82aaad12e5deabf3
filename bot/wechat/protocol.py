"""The callback protocol of an Official Account: check who is calling, read what they sent, answer.

wechatpy does the cryptography (AES-CBC with the EncodingAESKey, the AppID check inside the
plaintext) and renders the reply XML; the XML we read is parsed by xmltodict with entity
declarations refused, so no request can make us expand entities. Signatures are compared here in
constant time (wechatpy compares with `!=`).

Replay window: a request whose `timestamp` is more than REPLAY_WINDOW seconds from our clock is
refused as BadSignature. WeChat retries an unanswered message three times within about 15
seconds, so five minutes leaves room for clock drift; what remains inside the window is stopped
by deduplicating MsgId (dedup.py). In plain mode the signature covers only token, timestamp and
nonce, not the body: anyone who sees one request could post another body with its parameters,
which the window bounds to five minutes. Safe mode signs and encrypts the body: prefer it.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from bot.wechat.errors import BadMessage, BadSignature
from bot.wechat.settings import WeChatSettings

REPLAY_WINDOW = 300  # seconds between WeChat's timestamp and our clock
TEXT_LIMIT = 2048  # bytes of UTF-8 in one text message, passive or customer-service

NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Kind = Literal["text", "image", "subscribe", "unsubscribe", "click", "other"]


@dataclass(frozen=True)
class Inbound:
    """One message or event from a user, as WeChat pushed it."""

    openid: str  # FromUserName
    account: str  # ToUserName: the account's original id (gh_…)
    created: int  # CreateTime
    kind: Kind
    msg_id: str | None = None
    text: str = ""  # Content of a text message
    menu_choice: str | None = None  # bizmsgmenuid: the user tapped an item of a msgmenu message
    media_id: str | None = None  # MediaId of an image
    event_key: str | None = None  # EventKey of a menu CLICK (or of a subscribe through a QR code)

    @property
    def dedup_key(self) -> str:
        """The same for WeChat's retries of one message: its MsgId, or for events who, when and what
        (the key too: two different menu clicks within one second are two clicks)."""
        if self.msg_id:  # unique across WeChat; the sender too, so that no one else's id can shadow it
            return f"msg:{self.openid}:{self.msg_id}"
        return f"evt:{self.openid}:{self.created}:{self.kind}:{self.event_key or ''}"


def fits(text: str) -> bool:
    """The text can go as one WeChat text message."""
    return len(text.encode("utf-8")) <= TEXT_LIMIT


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts, concatenated."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The fields under <xml>; BadMessage for anything else, entity declarations included."""
    try:
        parsed = xmltodict.parse(body, disable_entities=True)
    except Exception as error:  # expat's errors, and the ValueError xmltodict raises for an <!ENTITY>
        raise BadMessage(message=f"unreadable XML: {error}") from None
    fields = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(fields, dict):
        raise BadMessage(message="no <xml> element")
    return fields


def _field(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


def inbound_from(body: bytes | str) -> Inbound:
    """The message in a plain XML body (signature checks are `Protocol.read`'s); BadMessage if unreadable."""
    return _inbound(parse_xml(body))


def _inbound(fields: Mapping[str, Any]) -> Inbound:
    openid, account = _field(fields, "FromUserName"), _field(fields, "ToUserName")
    created = _field(fields, "CreateTime")
    if not openid or not account or not created or not created.isdigit():
        raise BadMessage(message="no FromUserName, ToUserName or CreateTime")
    msg_type = (_field(fields, "MsgType") or "").lower()
    common: dict[str, Any] = {"openid": openid, "account": account, "created": int(created),
                              "msg_id": _field(fields, "MsgId")}  # fmt: skip
    if msg_type == "text":
        return Inbound(kind="text", text=_field(fields, "Content") or "", menu_choice=_field(fields, "bizmsgmenuid"),
                       **common)  # fmt: skip
    if msg_type == "image":
        return Inbound(kind="image", media_id=_field(fields, "MediaId"), **common)
    if msg_type == "event":
        event = (_field(fields, "Event") or "").lower()
        key = _field(fields, "EventKey") or None
        if event in ("subscribe", "unsubscribe", "click"):
            return Inbound(kind=event, event_key=key, **common)  # type: ignore[arg-type]  # one of Kind
    return Inbound(kind="other", **common)


class Protocol:
    """The account's side of WeChat's callback: plain mode, or safe mode when the AES key is set."""

    def __init__(
        self, settings: WeChatSettings, *, clock: Callable[[], float] = time.time, window: int = REPLAY_WINDOW
    ) -> None:
        if settings.token is None or not settings.app_id:
            raise ValueError("WeChat is not configured: set WECHAT_APP_ID and WECHAT_TOKEN")
        self.settings = settings
        self._token = settings.token.get_secret_value()
        self._clock = clock
        self._window = window
        self._crypto = (
            WeChatCrypto(self._token, settings.aes_key.get_secret_value(), settings.app_id)
            if settings.aes_key is not None
            else None
        )

    def answer_check(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET /wechat, WeChat's server check: echostr back when the signature is ours."""
        self._check(signature, timestamp, nonce)
        return echostr

    def read(self, params: Mapping[str, str], body: bytes) -> Inbound:
        """POST /wechat: the message, once its signature is checked (and, in safe mode, decrypted)."""
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        if params.get("encrypt_type", "raw").lower() != "aes":
            if self._crypto is not None:  # in safe mode a plain body is signed by nobody
                raise BadSignature(message="a plain message while safe mode is on")
            self._check(params.get("signature", ""), timestamp, nonce)
            return inbound_from(body)
        if self._crypto is None:
            raise BadMessage(message="an encrypted message, but WECHAT_ENCODING_AES_KEY is not set")
        outer = parse_xml(body)
        encrypted = _field(outer, "Encrypt")
        if not encrypted:
            raise BadMessage(message="no <Encrypt> in a safe-mode message")
        self._check(params.get("msg_signature", ""), timestamp, nonce, encrypted)
        try:
            plain = self._crypto.decrypt_message(outer, params["msg_signature"], timestamp, nonce)
        except InvalidAppIdException:
            raise BadMessage(message="encrypted for another AppID") from None
        except InvalidSignatureException:  # checked above already; kept for safety
            raise BadSignature(message="msg_signature does not match") from None
        except Exception as error:  # base64, padding, length, UTF-8: all mean a body we cannot read
            raise BadMessage(message=f"cannot decrypt: {type(error).__name__}") from None
        return inbound_from(plain)

    def reply(self, inbound: Inbound, text: str) -> bytes:
        """The passive reply: a text to the user (encrypted in safe mode); b"success" for no text."""
        if not text:
            return b"success"  # WeChat's word for "nothing to say", so it does not retry
        if not fits(text):
            raise ValueError(f"a WeChat text holds at most {TEXT_LIMIT} bytes of UTF-8: page it")
        # wechatpy wraps the content in CDATA as it is: a "]]>" inside would end it early, and a control
        # character XML 1.0 cannot carry would make WeChat drop the whole reply
        content = NOT_IN_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>")
        now = int(self._clock())
        xml = TextReply(source=inbound.account, target=inbound.openid, content=content, time=now).render()
        if self._crypto is None:
            return str(xml).encode("utf-8")
        nonce = str(secrets.randbelow(10**10))
        return str(self._crypto.encrypt_message(xml, nonce, str(now))).encode("utf-8")

    def _check(self, signature: str, timestamp: str, nonce: str, *body: str) -> None:
        expected = sign(self._token, timestamp, nonce, *body)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise BadSignature(message="the signature does not match")
        if not timestamp.isdigit() or abs(self._clock() - int(timestamp)) > self._window:
            raise BadSignature(message=f"timestamp {timestamp!r} is outside the replay window")
