"""Channel users: one spelling per user, checked by channel; letters signed before channels still read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forms.catalogue import Catalogue
from forms.channels import Channel, ChannelUser, optional_user
from forms.languages import Lang
from forms.letter import Letter, SignatureEvidence
from forms.sample import sample_letter


def test_a_user_is_named_with_its_channel() -> None:
    assert str(ChannelUser.telegram(7_123_456_789)) == "telegram:7123456789"
    assert ChannelUser.telegram(123456) != ChannelUser.wechat("123456")  # equal strings, two people
    assert ChannelUser.telegram(42).telegram_id == 42
    with pytest.raises(ValueError, match="not a Telegram user"):
        _ = ChannelUser.wechat("oAbc_123-xyz").telegram_id


@pytest.mark.parametrize(
    ("channel", "user"),
    [
        (Channel.telegram, "0"),
        (Channel.telegram, "-1"),
        (Channel.telegram, "007"),  # one id, one spelling
        (Channel.telegram, "1e6"),
        (Channel.telegram, str(2**63)),
        (Channel.telegram, "１２３"),  # full-width digits are digits to int(), not to us
        (Channel.wechat, "abc"),
        (Channel.wechat, "o" * 65),
        (Channel.wechat, "o/../../etc"),
        (Channel.wechat, "oAbc 123"),
    ],
)
def test_what_is_not_a_user_of_its_channel_is_refused(channel: Channel, user: str) -> None:
    with pytest.raises(ValidationError):
        ChannelUser(channel=channel, user=user)
    with pytest.raises(ValueError):
        optional_user(channel, user)


def test_a_pair_of_optional_fields_names_one_user_or_none() -> None:
    assert optional_user(None, None) is None
    assert optional_user(Channel.wechat, "oAbc_123-xyz") == ChannelUser.wechat("oAbc_123-xyz")
    for channel, user in ((Channel.telegram, None), (None, "123")):
        with pytest.raises(ValueError, match="come together"):
            optional_user(channel, user)


def test_a_letter_signed_before_channels_reads_as_its_telegram_users(catalogue: Catalogue) -> None:
    letter = sample_letter(catalogue.items["SFJ-001"], Lang.zh)
    stored = letter.model_dump(mode="json")
    del stored["signature"]["channel_user"]
    stored["signature"]["telegram_user_id"] = 7_123_456_789
    assert Letter.model_validate(stored).signature.who == ChannelUser.telegram(7_123_456_789)  # type: ignore[union-attr]
    stored["signature"]["telegram_user_id"] = None
    assert Letter.model_validate(stored).signature.who is None  # type: ignore[union-attr]


def test_the_signature_names_a_user_of_its_channel(catalogue: Catalogue) -> None:
    signature = sample_letter(catalogue.items["SFJ-001"], Lang.zh).signature
    assert signature is not None and signature.who == ChannelUser.telegram(100000001)
    fields = signature.model_dump()
    wechat = SignatureEvidence.model_validate({**fields, "channel": "wechat", "channel_user": "oWx9_abcdef"})
    assert wechat.who == ChannelUser.wechat("oWx9_abcdef")
    with pytest.raises(ValidationError):
        SignatureEvidence.model_validate({**fields, "channel": "telegram", "channel_user": "oWx9_abcdef"})
    with pytest.raises(ValidationError):
        SignatureEvidence.model_validate({k: v for k, v in fields.items() if k != "channel"})
