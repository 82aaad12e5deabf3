"""Lookup benchmark: a million letters in SQLite, found by number, by ID number and by name over HTTP.

    .venv/bin/python bench/lookup.py [--letters 1000000] [--requests 2000] [--dir var/bench-lookup]

The store is built once into --dir (a few minutes) and reused. The API runs in its own process
(uvicorn, as `chengnuo serve` runs it); one client on one keep-alive connection times each request.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import insert, text
from stdnum.cn import ric

from api.config import ApiSettings
from api.pii import KEY_FILE, Vault
from api.services.names import fold_name, name_grams
from api.store import LetterRecord, NameGram
from api.store.engine import make_engine, migrate, writer
from forms.validation import mask_id

TOKEN = "bench-service-token"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红玉梅文斌宇浩凯鹏飞俊"
    "辉波宁鑫博丹晶晨阳欣怡雪琳佳慧颖婷倩玲燕萍莉琴云凤荣海亮林鹏志成新春光东"
)
UYGHUR = ["ئابدۇللا ئەخمەت", "مۇھەممەت ئىمىن", "گۈلنار تۇرسۇن", "ئەكبەر قادىر", "پاتىگۈل ئابلىز"]
KYRGYZ = ["Асан Үсөнов", "Гүлнара Токтосун", "Бакыт Мамбетов", "Айгүл Жумабаева"]
DEPARTMENTS = ["SFJ", "MZJ", "GAJ", "SCJG", "FGW", "RSJ", "NYJ", "JTJ", "WLJ"]


def person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(UYGHUR)
    if roll < 0.12:
        return rng.choice(KYRGYZ)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    body = f"6530{rng.randrange(10, 99)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def build(settings: ApiSettings, letters: int) -> None:
    """Fill the store with `letters` realistic rows (personal numbers encrypted, names indexed)."""
    engine = make_engine(settings.store_url)
    migrate(engine)
    vault = Vault.from_key_file(settings.data_dir / KEY_FILE)
    rng = random.Random(20261123)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    sequences = dict.fromkeys(DEPARTMENTS, 0)
    batch, grams = [], []
    with writer(engine).begin() as connection:
        for index in range(1, letters + 1):
            department = rng.choice(DEPARTMENTS)
            sequences[department] += 1
            number = f"{department}-2026-{sequences[department]:06d}"
            id_number, name = resident_id(rng), person(rng)
            signed_at = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            batch.append(
                {
                    "id": index, "number": number, "department_code": department, "year": 2026,
                    "sequence": sequences[department], "item_code": f"{department}-001",
                    "commitment_type": "certification", "status": "signed", "applicant_kind": "person",
                    "applicant_name": name, "name_search": fold_name(name), "id_type": "resident_id",
                    "id_hash": vault.lookup_hash(id_number),
                    "id_masked": mask_id(id_number), "id_encrypted": vault.encrypt(id_number),
                    "phone_masked": "138****0000", "phone_encrypted": vault.encrypt("13800000000"),
                    "language": "zh", "public": False, "signed_at": signed_at, "valid_until": date(2027, 1, 1),
                    "content_hash": "0" * 64, "notice_hash": "0" * 64, "verify_code": "ABCD-EFGH",
                    "document": b"bench", "created_at": signed_at, "updated_at": signed_at,
                }
            )  # fmt: skip
            grams += [{"gram": g, "letter_id": index} for g in name_grams(name)]
            if len(batch) == 20000:
                connection.execute(insert(LetterRecord), batch)
                connection.execute(insert(NameGram), grams)
                batch, grams = [], []
                print(f"\r  {index:,} letters", end="", flush=True)
        if batch:
            connection.execute(insert(LetterRecord), batch)
            connection.execute(insert(NameGram), grams)
        connection.execute(text("ANALYZE"))
    print()


def timed(connection: http.client.HTTPConnection, paths: list[str]) -> list[float]:
    """Milliseconds per request on one keep-alive connection (http.client: the leanest client)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    times = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status == 200, body
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=Path("var/bench-lookup"))
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    environment = {
        "CHENGNUO_DATA_DIR": str(args.dir.resolve()),
        "CHENGNUO_SERVICE_TOKEN": TOKEN,
        "CHENGNUO_RENDER_WORKERS": "0",
        "CHENGNUO_DEADLINE_INTERVAL": "0",
    }
    settings = ApiSettings.model_validate(environment)
    marker = args.dir / f"built-{args.letters}"
    if not marker.exists():
        print(f"building a store of {args.letters:,} letters in {args.dir} (once)")
        (args.dir / "chengnuo.db").unlink(missing_ok=True)
        build(settings, args.letters)
        marker.touch()

    env = {**os.environ, **environment}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "chengnuo", "serve", "--host", "127.0.0.1", "--port", str(args.port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        client = http.client.HTTPConnection("127.0.0.1", args.port)
        report(client, settings, args.letters, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=10)


def report(client: http.client.HTTPConnection, settings: ApiSettings, letters: int, requests: int) -> None:
    """Time each kind of lookup and print p50 and p99."""
    engine = make_engine(settings.store_url)
    with engine.connect() as connection:
        sample = connection.execute(
            text("SELECT number, id_masked FROM letters ORDER BY random() LIMIT :n"), {"n": requests}
        ).all()
    rng = random.Random(7)
    ids = [resident_id(rng) for _ in range(requests)]  # mostly absent: the index must say so fast too
    # half "surname + given", half two given-name characters, as a clerk types part of a name
    names = [rng.choice(SURNAMES if rng.random() < 0.5 else GIVEN) + rng.choice(GIVEN) for _ in range(requests)]
    cases = {
        "by number": [f"/api/letters/{number}" for number, _ in sample],
        "by ID number": [f"/api/letters?id_number={i}" for i in ids],
        "by name (2 characters)": [f"/api/letters?name={quote(n)}" for n in names],
    }
    timed(client, cases["by number"][:200])  # warm the page cache
    print(f"{letters:,} letters, SQLite, one connection over HTTP, {requests} requests each")
    print(f"{'lookup':<26} {'p50 ms':>8} {'p99 ms':>8}")
    for label, paths in cases.items():
        times = sorted(timed(client, paths))
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{label:<26} {statistics.median(times):>8.2f} {p99:>8.2f}")


if __name__ == "__main__":
    main()
