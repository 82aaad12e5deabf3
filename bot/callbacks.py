"""What a button carries back (Telegram allows 64 bytes): small, typed, prefixed."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageChosen(CallbackData, prefix="lang"):
    code: str


class Menu(CallbackData, prefix="m"):
    action: str  # new, letters, help, home


class Browse(CallbackData, prefix="b"):
    by: str  # department, type, all
    value: str = ""
    page: int = 0


class ItemPicked(CallbackData, prefix="i"):
    code: str


class NoticePage(CallbackData, prefix="n"):
    page: int


class Decision(CallbackData, prefix="d"):
    choice: str  # read (understood), commit, proof


class Answered(CallbackData, prefix="a"):
    """A choice button of question `step` (its place in the plan): an old message's step differs."""

    step: int
    choice: int


class DayPicked(CallbackData, prefix="day"):
    """A date offered as a button (the 容缺 promise): the day itself, so it means the same tomorrow."""

    step: int
    day: str  # ISO, 2026-12-08


class Nav(CallbackData, prefix="nav"):
    action: str  # back, cancel, cancel_yes, cancel_no, skip, done, restart, other_day, other_document,
    # authorisation_template


class Edit(CallbackData, prefix="e"):
    step: int


class Review(CallbackData, prefix="r"):
    action: str  # preview, sign, confirm, drawn, retry


class LetterAction(CallbackData, prefix="l"):
    number: str
    action: str  # show, pdf, events, withdraw, supplement, object, renew


class Withdrawal(CallbackData, prefix="w"):
    """A reason for withdrawing letter `number` (forms.withdrawal), then its confirmation."""

    number: str
    reason: str
    confirmed: bool = False
