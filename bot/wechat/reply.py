"""One turn of the conversation as WeChat text: one message, paged when it is too long.

WeChat counts customer-service messages (5 per message of the user, and none after 48 h), so what
the conversation says in one turn goes out as one text. The choices become links the user taps
(`weixin://bizmsgmenu`: WeChat sends the number back as a message carrying the choice's id),
numbered so that typing the number does the same. A text over WeChat's 2048 bytes is cut into
pages at line ends (Uyghur and Kyrgyz letters take 2 bytes each); the next page is one more choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

from bot.stand_in import Choice
from bot.wechat.protocol import TEXT_LIMIT as LIMIT

MORE = "wx:more"  # the id of the choice that shows the next page


@dataclass(frozen=True)
class Page:
    """One message to the user, and what each number typed (or tapped) in it means."""

    text: str
    choices: tuple[str, ...] = ()


@dataclass
class Draft:
    """What one turn said, in order: paragraphs of text, and the choices the last ones offered."""

    paragraphs: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)


def plain(text: str) -> str:
    """Conversation text as WeChat shows it: angle brackets would open tags (an applicant's
    answer read back could otherwise carry a link of its own)."""
    return text.replace("<", "＜").replace(">", "＞")


def tap(number: int, choice: Choice) -> str:
    """A choice as a line: tapping sends `number` with the choice's callback data as its menu id."""
    label = escape(plain(choice.label), quote=False)
    if choice.data is None:
        return f'🔗 <a href="{_href(choice.url or "")}">{label}</a>'
    link = f"weixin://bizmsgmenu?msgmenucontent={number}&msgmenuid={quote(choice.data, safe='')}"
    return f'{number}. <a href="{link}">{label}</a>'


def _href(url: str) -> str:
    """A URL inside href="…": WeChat does not decode entities there, so `&` stays as it is."""
    return url.replace('"', "%22").replace("<", "%3C").replace(">", "%3E")


def pages(draft: Draft, more_label: str) -> list[Page]:
    """The turn as one page, or several when it is longer than WeChat takes."""
    numbered = [c for c in draft.choices if c.data is not None]
    lines, data = [], []
    for choice in draft.choices:
        if choice.data is not None:
            data.append(choice.data)
            lines.append(tap(len(data), choice))
        else:
            lines.append(tap(0, choice))
    tail = "\n".join(lines)
    body = "\n\n".join(p for p in draft.paragraphs if p)
    whole = f"{body}\n\n{tail}" if tail and body else body or tail
    if _size(whole) <= LIMIT:
        return [Page(whole, tuple(c.data for c in numbered if c.data))]
    # every page but the last ends with "next page"; the last carries the choices
    reserve = _size(tap(1, Choice(more_label + " (99/99)", MORE))) + 2
    chunks = _cut(body, LIMIT - reserve)
    if _size(chunks[-1]) + _size(tail) + 2 > LIMIT:
        chunks.append("")
    result = []
    for index, chunk in enumerate(chunks, 1):
        if index < len(chunks):
            more = tap(1, Choice(f"{more_label} ({index}/{len(chunks)})", MORE))
            result.append(Page(f"{chunk}\n\n{more}", (MORE,)))
        else:
            text = f"{chunk}\n\n{tail}" if chunk and tail else chunk or tail
            result.append(Page(text, tuple(data)))
    return result


def _size(text: str) -> int:
    return len(text.encode())


def _cut(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` bytes, cut at line ends where possible, else between characters."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _size(line) > limit:  # a line too long alone: cut between characters
            head = line.encode()[:limit].decode(errors="ignore")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            line = line[len(head) :]
        joined = f"{current}\n{line}" if current else line
        if _size(joined) > limit:
            pieces.append(current)
            current = line
        else:
            current = joined
    if current or not pieces:
        pieces.append(current)
    return [piece.strip("\n") for piece in pieces]
