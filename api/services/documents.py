"""The letter as signed and the item as read, kept together, encrypted, in the letter's row."""

from __future__ import annotations

import json

from api.pii import Vault
from api.store import LetterRecord
from forms.catalogue import Item
from forms.letter import Letter


def seal_document(vault: Vault, letter: Letter, item: Item) -> bytes:
    """Encrypted: the letter holds the personal numbers in clear. The item is kept so that the
    letter renders the same notice years later, whatever the catalogue says by then."""
    document = {"letter": letter.model_dump(mode="json"), "item": item.model_dump(mode="json")}
    return vault.encrypt(json.dumps(document, ensure_ascii=False))


def stored_letter(vault: Vault, record: LetterRecord) -> tuple[Letter, Item]:
    """The letter as signed and the item as it was read, from the encrypted document."""
    document = json.loads(vault.decrypt(record.document))
    return Letter.model_validate(document["letter"]), Item.model_validate(document["item"])
