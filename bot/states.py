"""Where an applicant is in a conversation; kept in the storage, so it survives a restart."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Commit(StatesGroup):
    item = State()  # finding the item
    notice = State()  # reading the notice, page by page
    decide = State()  # commit, or bring the proof instead
    question = State()  # answering the question data["step"] names
    cancelling = State()  # asked whether to drop the letter
    review = State()  # all answers, each with an edit button
    signing = State()  # typing the full name
    confirm = State()  # confirming the signature; submitting


class MyLetters(StatesGroup):
    supplement = State()  # sending the missing material of data["number"]
    objection = State()  # typing an objection to data["number"]
    withdrawal_reason = State()  # typing why data["number"] is withdrawn (the reason "other")
    credit_objection = State()  # typing an objection to the credit refusal of data["refused"]
