"""WeChat cannot carry a PDF into the chat, nor open a Telegram Mini App: both become links.

A document the conversation sends becomes a link to a page of the API that shows it, with a token
that expires and opens only that document: the sealed letter (known by its number, and only its
owner's), or the preview (rendered again from the draft the conversation asked the API to render).
The drawn-signature button becomes the same signature page, opened with a one-time token. The
blank 授权委托书 holds nothing personal: its link is the API's public address of it.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from bot.client import ApiClient
from forms.channels import ChannelUser
from forms.validation.printed import LETTER_NUMBER_PATTERN

LETTER_FILE = re.compile(LETTER_NUMBER_PATTERN.removesuffix("$") + r"\.pdf$")  # "SFJ-2026-000042.pdf"
KEPT_PREVIEWS = 256  # drafts remembered, by their PDF's digest, until the turn that shows them


class LinkingApi(ApiClient):
    """The API client of the WeChat channel: it remembers which draft each preview came from."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previews: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.templates: OrderedDict[str, tuple[str, str]] = OrderedDict()  # digest: item code, language
        self.public_url = ""  # where applicants reach the API (PUBLIC_URL)

    async def preview(self, draft: dict[str, Any]) -> bytes:
        pdf = await super().preview(draft)
        self.previews[hashlib.sha256(pdf).hexdigest()] = draft
        while len(self.previews) > KEPT_PREVIEWS:
            self.previews.popitem(last=False)
        return pdf

    async def authorisation_template(self, item_code: str, lang: str) -> bytes:
        pdf = await super().authorisation_template(item_code, lang)
        self.templates[hashlib.sha256(pdf).hexdigest()] = (item_code, lang)
        while len(self.templates) > KEPT_PREVIEWS:
            self.templates.popitem(last=False)
        return pdf

    async def document_link(self, who: ChannelUser, name: str, content: bytes) -> str | None:
        """The link that shows this document to its owner; None for a document we cannot name."""
        draft = self.previews.pop(hashlib.sha256(content).hexdigest(), None)
        if draft is not None:
            return await self.share_preview(draft)
        template = self.templates.get(hashlib.sha256(content).hexdigest())
        if template is not None:
            code, lang = template
            return f"{self.public_url.rstrip('/')}/api/items/{quote(code)}/authorisation?lang={quote(lang)}"
        letter = LETTER_FILE.match(name)
        if letter is not None:
            return await self.share_letter(name.removesuffix(".pdf"), who)
        return None

    async def signature_page(self, who: ChannelUser, mini_app_url: str) -> str:
        """The Mini App's address, for this follower, with a one-time token instead of initData."""
        query = parse_qs(urlsplit(mini_app_url).query)
        content_hash, lang = query.get("content_hash", [""])[0], query.get("lang", ["zh"])[0]
        return await self.signature_link(who, content_hash, lang)
