"""The bot's one way to the API: a typed client over httpx, never the store itself."""

from __future__ import annotations

import base64
from typing import Any, Self

import httpx

from forms.channels import Channel, ChannelUser, acting
from forms.notifications import Notification
from forms.public import CreditAnswer, EventPublic, LetterContent, LetterPublic, Submitted
from forms.statuses import Status

TIMEOUT = httpx.Timeout(10.0, read=60.0)  # rendering and sealing a letter takes a moment


class ApiUnavailable(Exception):
    """The API could not be reached or failed: the applicant may try again, nothing is lost.
    `code` is the API's when it answered (storage.full: its disk is full), else None."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class ApiRefused(Exception):
    """The API said no (4xx), with a stable code the bot translates."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or []


class ApiClient:
    """Every call the bot makes, typed. Errors become ApiUnavailable or ApiRefused."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    @classmethod
    def connect(cls, base_url: str, token: str, transport: httpx.AsyncBaseTransport | None = None) -> Self:
        headers = {"Authorization": f"Bearer {token}"}
        return cls(httpx.AsyncClient(base_url=base_url, headers=headers, timeout=TIMEOUT, transport=transport))

    async def close(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ApiUnavailable(str(error)) from error
        if answer.status_code >= 400:
            try:
                body = answer.json()
            except ValueError:
                body = {}
            if not isinstance(body, dict):
                body = {}
            if answer.status_code >= 500:
                raise ApiUnavailable(f"{answer.status_code} from {path}", body.get("code"))
            raise ApiRefused(
                answer.status_code, body.get("code", "unknown"), body.get("message", ""), body.get("details")
            )
        return answer

    async def credit_check(self, id_number: str, id_type: str) -> CreditAnswer:
        """The credit verdict on a document of this kind (every kind the letter takes)."""
        answer = await self._call("POST", "/api/credit/check", json={"id_number": id_number, "id_type": id_type})
        return CreditAnswer.model_validate(answer.json())

    async def preview(self, draft: dict[str, Any]) -> bytes:
        """The letter as filled, rendered unsigned and marked as a preview."""
        return (await self._call("POST", "/api/previews", json=draft)).content

    async def authorisation_template(self, item_code: str, lang: str) -> bytes:
        """A blank 授权委托书 for the item, in Chinese and `lang`, for the applicant to sign."""
        return (await self._call("GET", f"/api/items/{item_code}/authorisation", params={"lang": lang})).content

    async def submit(self, submission: dict[str, Any], key: str) -> Submitted:
        answer = await self._call("POST", "/api/letters", json=submission, headers={"Idempotency-Key": key})
        return Submitted.model_validate(answer.json())

    async def upload(self, who: ChannelUser, purpose: str, name: str, content: bytes) -> str:
        """Store an authorisation or a supplement; its upload id goes into the letter or the hand-in."""
        answer = await self._call(
            "POST", "/api/uploads", data={**acting(who), "purpose": purpose}, files={"file": (name, content)}
        )
        return str(answer.json()["upload_id"])

    async def drawn_signature(self, who: ChannelUser, content_hash: str) -> bytes | None:
        """The signature drawn in the Mini App for this content, if the applicant drew one."""
        try:
            answer = await self._call("GET", f"/api/signatures/{who.channel.value}/{who.user}/{content_hash}")
        except ApiRefused as refused:
            if refused.status == 404:
                return None
            raise
        return base64.b64decode(answer.json()["image_png"])

    async def letters_of(self, who: ChannelUser) -> list[LetterPublic]:
        answer = await self._call("GET", "/api/letters", params={**acting(who), "per_page": 20})
        return [LetterPublic.model_validate(item) for item in answer.json()["items"]]

    async def letter(self, number: str) -> LetterPublic:
        return LetterPublic.model_validate((await self._call("GET", f"/api/letters/{number}")).json())

    async def pdf(self, number: str) -> bytes:
        return (await self._call("GET", f"/api/letters/{number}/pdf")).content

    async def events(self, number: str) -> list[EventPublic]:
        answer = await self._call("GET", f"/api/letters/{number}/events")
        return [EventPublic.model_validate(item) for item in answer.json()]

    async def withdraw(self, number: str, who: ChannelUser, reason: str) -> None:
        """Withdraw for the applicant who signed; `reason` as forms.withdrawal records it."""
        body = {"to": Status.withdrawn, "reason": reason, **acting(who)}
        await self._call("POST", f"/api/letters/{number}/transitions", json=body)

    async def content(self, number: str, who: ChannelUser) -> LetterContent:
        """What the applicant answered on their letter: where a re-commitment starts from."""
        answer = await self._call("POST", f"/api/letters/{number}/content", json=acting(who))
        return LetterContent.model_validate(answer.json())

    async def hand_in(self, number: str, who: ChannelUser, upload_ids: list[str], note: str = "") -> None:
        body = {**acting(who), "upload_ids": upload_ids, "note": note}
        await self._call("POST", f"/api/letters/{number}/supplements", json=body)

    async def object_to(self, number: str, who: ChannelUser, text: str) -> None:
        body = {**acting(who), "text": text}
        await self._call("POST", f"/api/letters/{number}/objections", json=body)

    async def object_to_credit_refusal(
        self, who: ChannelUser, id_number: str, id_type: str, text: str, language: str
    ) -> None:
        """An objection to the credit check's refusal of this number, for the credit office."""
        body = {**acting(who), "id_number": id_number, "id_type": id_type, "text": text, "language": language}
        await self._call("POST", "/api/credit/objections", json=body)

    async def share_preview(self, draft: dict[str, Any]) -> str:
        """A link to the preview of this draft (for a channel that cannot carry a PDF)."""
        return str((await self._call("POST", "/api/shares/previews", json=draft)).json()["url"])

    async def share_letter(self, number: str, who: ChannelUser) -> str:
        """A link to the sealed letter, for the channel user who signed it."""
        body = {"number": number, "channel": who.channel.value, "channel_user": who.user}
        return str((await self._call("POST", "/api/shares/letters", json=body)).json()["url"])

    async def signature_link(self, who: ChannelUser, content_hash: str, language: str) -> str:
        """The drawn-signature page with a one-time token (for a channel without Mini Apps)."""
        body = {"channel": who.channel.value, "channel_user": who.user, "content_hash": content_hash,
                "language": language}  # fmt: skip
        return str((await self._call("POST", "/api/signatures/links", json=body)).json()["url"])

    async def lease(self, channel: Channel, limit: int = 30, lease_seconds: int = 60) -> list[Notification]:
        """Up to `limit` of the channel's pending notices, leased for `lease_seconds`."""
        params = {"channel": channel.value, "limit": limit, "lease_seconds": lease_seconds}
        answer = await self._call("GET", "/api/outbox", params=params)
        return [Notification.model_validate(item) for item in answer.json()]

    async def ack(self, notification: Notification) -> None:
        await self._call("POST", f"/api/outbox/{notification.id}/ack", json={"lease_token": notification.lease_token})

    async def release(self, notifications: list[Notification]) -> None:
        """Give back leased notifications not sent: the next courier leases them at once."""
        tokens: dict[str, list[int]] = {}
        for notification in notifications:
            tokens.setdefault(notification.lease_token, []).append(notification.id)
        for token, ids in tokens.items():
            for start in range(0, len(ids), 100):
                await self._call(
                    "POST", "/api/outbox/release", json={"lease_token": token, "ids": ids[start : start + 100]}
                )
