"""Files handed to the API as the bot hands them: through POST /api/uploads."""

from __future__ import annotations

import httpx

from forms.channels import ChannelUser, acting
from forms.letter import Agent, IdType
from forms.sample import SAMPLE_ID

SIGNER = ChannelUser.telegram(100000001)  # the user forms.sample signs with
STRANGER = ChannelUser.telegram(100000002)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


async def upload(
    client: httpx.AsyncClient,
    data: bytes = PDF,
    *,
    purpose: str = "authorisation",
    user: ChannelUser = SIGNER,
    name: str = "scan.pdf",
) -> httpx.Response:
    files = {"file": (name, data, "application/octet-stream")}
    return await client.post("/api/uploads", files=files, data={**acting(user), "purpose": purpose})


async def upload_id(
    client: httpx.AsyncClient, data: bytes = PDF, *, purpose: str = "authorisation", user: ChannelUser = SIGNER
) -> str:
    answer = await upload(client, data, purpose=purpose, user=user)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["upload_id"])


def agent(authorisation_file: str | None) -> Agent:
    """An agent (委托代理人) with a valid ID, authorised by the named upload."""
    return Agent(
        name="李建国",
        id_type=IdType.resident_id,
        id_number=SAMPLE_ID,
        phone="13900000000",
        authorisation_file=authorisation_file,
    )
