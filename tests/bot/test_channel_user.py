"""Who the bot acts for: the Telegram user of an update, unless the channel feeding it said who."""

from __future__ import annotations

from aiogram.types import Update

from bot.callbacks import Menu
from forms.catalogue import Catalogue
from forms.channels import ChannelUser
from forms.languages import Lang
from tests.api.conftest import body, key, submission_for
from tests.bot.conftest import Chat
from tests.bot.walk import choose_language


async def signed_by(chat: Chat, catalogue: Catalogue, who: ChannelUser) -> str:
    """A letter signed by `who`, handed to the API as that channel's bot hands it."""
    submission = submission_for(catalogue.items["SFJ-001"], Lang.zh)
    signature = submission.signature.model_copy(update={"channel": who.channel, "channel_user": who.user})
    made = await chat.api.submit(body(submission.model_copy(update={"signature": signature})), key())
    return made.number


async def test_a_given_who_wins_over_the_updates_telegram_user(chat: Chat, catalogue: Catalogue) -> None:
    person = chat.person(840000001)
    on_telegram = await signed_by(chat, catalogue, ChannelUser.telegram(840000001))
    on_wechat = await signed_by(chat, catalogue, ChannelUser.wechat("oWeChat-840000001"))
    await choose_language(chat, person, Lang.zh)

    await chat.send(person.presses_data(Menu(action="letters").pack()))
    listed = chat.telegram.last_text(person.chat.id)
    assert on_telegram in listed and on_wechat not in listed

    update: Update = person.presses_data(Menu(action="letters").pack())
    await chat.dispatcher.feed_update(chat.bot, update, who=ChannelUser.wechat("oWeChat-840000001"))
    listed = chat.telegram.last_text(person.chat.id)
    assert on_wechat in listed and on_telegram not in listed

    again = person.presses_data(Menu(action="letters").pack())
    await chat.dispatcher.feed_update(chat.bot, again, who=ChannelUser.wechat("oWeChat-nobody"))
    assert "您还没有承诺书" in chat.telegram.last_text(person.chat.id)
