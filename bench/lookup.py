"""Lookup benchmark: a million letters, found by number, by ID number and by name over HTTP.

    .venv/bin/python bench/lookup.py [--letters 1000000] [--requests 2000] [--dir var/bench-lookup]
    DATABASE_URL=postgresql://user@host/db .venv/bin/python bench/lookup.py [--workers 2] [--concurrency 16]

SQLite under --dir, or PostgreSQL when DATABASE_URL is set (its public schema is filled: use a database of
its own). The store is built once (COPY on PostgreSQL: a few minutes for a million) and reused while it
holds --letters letters. The API runs in its own process (`chengnuo serve`); one client on one keep-alive
connection times each request; then `chengnuo serve --workers N` takes --concurrency connections at once.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, insert, text
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


COLUMNS = (
    "id", "number", "department_code", "year", "sequence", "item_code", "commitment_type", "status",
    "applicant_kind", "applicant_name", "name_search", "id_type", "id_hash", "id_masked", "id_encrypted",
    "phone_masked", "phone_encrypted", "language", "public", "signed_at", "valid_until", "channel",
    "content_hash", "notice_hash", "verify_code", "document", "created_at", "updated_at",
)  # fmt: skip


def letters_made(vault: Vault, letters: int) -> Iterator[tuple[tuple[object, ...], set[str]]]:
    """Each letter's row (in COLUMNS' order) and its name's grams, the same for every run."""
    rng = random.Random(20261123)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    sequences = dict.fromkeys(DEPARTMENTS, 0)
    phone = vault.encrypt("13800000000")  # one ciphertext for all: only the ID numbers are looked up
    for index in range(1, letters + 1):
        department = rng.choice(DEPARTMENTS)
        sequences[department] += 1
        id_number, name = resident_id(rng), person(rng)
        signed_at = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        row = (
            index, f"{department}-2026-{sequences[department]:06d}", department, 2026, sequences[department],
            f"{department}-001", "certification", "signed", "person", name, fold_name(name), "resident_id",
            vault.lookup_hash(id_number), mask_id(id_number), vault.encrypt(id_number), "138****0000", phone,
            "zh", False, signed_at, date(2027, 1, 1), "telegram", "0" * 64, "0" * 64, "ABCD-EFGH", b"bench",
            signed_at, signed_at,
        )  # fmt: skip
        yield row, name_grams(name)


def build(settings: ApiSettings, letters: int) -> None:
    """Fill the store with `letters` realistic rows (personal numbers encrypted, names indexed)."""
    engine = make_engine(settings.store_url)
    migrate(engine)
    vault = Vault.from_key_file(settings.data_dir / KEY_FILE)
    made = letters_made(vault, letters)
    if engine.dialect.name == "postgresql":
        _copy(engine, made)
    else:
        _insert(engine, made)
    engine.dispose()
    print()


def _insert(engine: Engine, made: Iterator[tuple[tuple[object, ...], set[str]]]) -> None:
    """SQLite: executemany in batches of 20,000, one transaction."""
    batch: list[dict[str, object]] = []
    grams: list[dict[str, object]] = []
    with writer(engine).begin() as connection:
        for row, row_grams in made:
            batch.append(dict(zip(COLUMNS, row, strict=True)))
            grams += [{"gram": g, "letter_id": row[0]} for g in row_grams]
            if len(batch) == 20000:
                connection.execute(insert(LetterRecord), batch)
                connection.execute(insert(NameGram), grams)
                batch, grams = [], []
                print(f"\r  {row[0]:,} letters", end="", flush=True)
        if batch:
            connection.execute(insert(LetterRecord), batch)
            connection.execute(insert(NameGram), grams)
        connection.execute(text("ANALYZE"))


def _copy(engine: Engine, made: Iterator[tuple[tuple[object, ...], set[str]]]) -> None:
    """PostgreSQL: COPY, the letters then their grams (an executemany would take an hour)."""
    grams: list[tuple[str, int]] = []
    with engine.raw_connection() as raw:
        connection = raw.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("TRUNCATE letters, name_grams CASCADE")
            with cursor.copy(f"COPY letters ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row, row_grams in made:
                    copy.write_row(row)
                    grams += [(g, row[0]) for g in row_grams]  # type: ignore[misc]
                    if row[0] % 20000 == 0:  # type: ignore[operator]
                        print(f"\r  {row[0]:,} letters", end="", flush=True)
            print(f", {len(grams):,} name grams", end="", flush=True)
            with cursor.copy("COPY name_grams (gram, letter_id) FROM STDIN") as copy:
                for gram in grams:
                    copy.write_row(gram)
            cursor.execute("SELECT setval(pg_get_serial_sequence('letters', 'id'), (SELECT max(id) FROM letters))")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE letters")
        connection.execute("VACUUM ANALYZE name_grams")


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
    parser.add_argument("--dir", type=Path, default=None, help="default: var/bench-lookup, or -pg")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgresql", action="store_true", help="the store DATABASE_URL names (set: implied)")
    parser.add_argument("--workers", type=int, default=2, help="`serve --workers N` for the concurrent run")
    parser.add_argument("--concurrency", type=int, default=16, help="connections at once in the concurrent run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the concurrent run")
    args = parser.parse_args()
    postgresql = args.postgresql or bool(os.environ.get("DATABASE_URL"))
    if postgresql and not os.environ.get("DATABASE_URL"):
        parser.error("--postgresql needs DATABASE_URL (postgresql://user@host/db)")
    folder: Path = args.dir or Path("var/bench-lookup-pg" if postgresql else "var/bench-lookup")
    environment = {
        "CHENGNUO_DATA_DIR": str(folder.resolve()),
        "CHENGNUO_SERVICE_TOKEN": TOKEN,
        "CHENGNUO_RENDER_WORKERS": "0",
        "CHENGNUO_DEADLINE_INTERVAL": "0",
    }
    if postgresql:
        environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
    settings = ApiSettings.model_validate(environment)
    if _letters_stored(settings, folder) != args.letters:
        print(f"building a store of {args.letters:,} letters for {settings.store_url.split('@')[-1]} (once)")
        started = time.perf_counter()
        if not postgresql:
            (folder / "chengnuo.db").unlink(missing_ok=True)
        build(settings, args.letters)
        (folder / "built").write_text(str(args.letters))
        print(f"  built in {time.perf_counter() - started:.0f} s")

    env = {**os.environ, **environment}
    if not postgresql:
        env.pop("DATABASE_URL", None)
    store = "PostgreSQL" if postgresql else "SQLite"
    with _serving(env, args.port, 1):
        client = http.client.HTTPConnection("127.0.0.1", args.port)
        report(client, settings, store, args.letters, args.requests)
    with _serving(env, args.port, args.workers):
        concurrent_report(settings, args)


def _letters_stored(settings: ApiSettings, folder: Path) -> int:
    """How many letters the store was built with (0: not built, or built for another run)."""
    marker = folder / "built"
    if not marker.exists():
        return 0
    engine = make_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM letters")).scalar_one()
    except Exception:
        return 0
    finally:
        engine.dispose()
    return int(stored) if int(marker.read_text() or 0) == stored else 0


@contextmanager
def _serving(env: dict[str, str], port: int, workers: int) -> Iterator[None]:
    """`chengnuo serve [--workers N]` in a process of its own, until the block ends."""
    command = [sys.executable, "-m", "chengnuo", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0 if workers > 1 else 0)  # every worker up, not only the first
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(client: http.client.HTTPConnection, settings: ApiSettings, store: str, letters: int, requests: int) -> None:
    """Time each kind of lookup and print p50 and p99."""
    cases = lookups(settings, requests)
    timed(client, cases["by number"][:200])  # warm the page cache
    print(f"{letters:,} letters, {store}, one connection over HTTP, {requests} requests each")
    print(f"{'lookup':<26} {'p50 ms':>8} {'p99 ms':>8}")
    for label, paths in cases.items():
        times = sorted(timed(client, paths))
        print(f"{label:<26} {statistics.median(times):>8.2f} {percentile(times, 0.99):>8.2f}")


def lookups(settings: ApiSettings, requests: int) -> dict[str, list[str]]:
    """The paths of each kind of lookup: letters that exist, ID numbers mostly absent, parts of names."""
    engine = make_engine(settings.store_url)
    with engine.connect() as connection:
        sample = connection.execute(
            text("SELECT number FROM letters ORDER BY random() LIMIT :n"), {"n": requests}
        ).scalars()
        numbers = list(sample)
    engine.dispose()
    rng = random.Random(7)
    ids = [resident_id(rng) for _ in range(requests)]  # mostly absent: the index must say so fast too
    # half "surname + given", half two given-name characters, as a clerk types part of a name
    names = [rng.choice(SURNAMES if rng.random() < 0.5 else GIVEN) + rng.choice(GIVEN) for _ in range(requests)]
    return {
        "by number": [f"/api/letters/{number}" for number in numbers],
        "by ID number": [f"/api/letters?id_number={i}" for i in ids],
        "by name (2 characters)": [f"/api/letters?name={quote(n)}" for n in names],
    }


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def concurrent_report(settings: ApiSettings, args: argparse.Namespace) -> None:
    """Lookups by number and by ID number, half each, on `concurrency` keep-alive connections."""
    cases = lookups(settings, args.requests)
    paths = [p for pair in zip(cases["by number"], cases["by ID number"], strict=True) for p in pair]
    times, elapsed = asyncio.run(_load(args.port, paths, args.concurrency, args.seconds))
    times.sort()
    print(
        f"serve --workers {args.workers}, {args.concurrency} connections, {args.seconds:g} s of lookups by number"
        f" and by ID number: {len(times) / elapsed:,.0f} lookups/s, p50 {statistics.median(times):.2f} ms,"
        f" p99 {percentile(times, 0.99):.2f} ms"
    )


async def _load(port: int, paths: list[str], concurrency: int, seconds: float) -> tuple[list[float], float]:
    """Each connection sends its next request as soon as the last answer is read (asyncio streams:
    http.client in threads would spend the client's core on the GIL instead of the requests)."""
    times: list[float] = []
    started = time.perf_counter()
    stop = started + seconds

    async def connection(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        index = offset
        while time.perf_counter() < stop:
            path = paths[index % len(paths)]
            index += concurrency
            sent = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            times.append((time.perf_counter() - sent) * 1000)
            assert head.startswith(b"HTTP/1.1 200"), head
        writer.close()

    await asyncio.gather(*(connection(n) for n in range(concurrency)))
    return times, time.perf_counter() - started


if __name__ == "__main__":
    main()
