"""The `chengnuo` command: catalogue, letters, locales and the server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forms.catalogue.models import ApplicantKind
from forms.languages import Lang
from forms.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlmodel import Session

    from api.config import ApiSettings
    from api.pii import Vault
    from api.runtime import Services
    from chengnuo.workers import Worker

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Credit-commitment assistant (承诺).")
catalogue_app = typer.Typer(no_args_is_help=True, help="The catalogue of items.")
letter_app = typer.Typer(no_args_is_help=True, help="Commitment letters as PDF.")
locales_app = typer.Typer(no_args_is_help=True, help="Translations (maintainers).")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(letter_app, name="letter")
app.add_typer(locales_app, name="locales")
staff_app = typer.Typer(no_args_is_help=True, help="Staff accounts and windows.")
app.add_typer(staff_app, name="staff")
deadlines_app = typer.Typer(no_args_is_help=True, help="容缺 deadlines.")
credit_app = typer.Typer(no_args_is_help=True, help="The dishonesty list.")
app.add_typer(credit_app, name="credit")
app.add_typer(deadlines_app, name="deadlines")
documents_app = typer.Typer(no_args_is_help=True, help="Stored letters, uploads and drawings.")
app.add_typer(documents_app, name="documents")
keys_app = typer.Typer(no_args_is_help=True, help="The keys every instance on one database shares.")
app.add_typer(keys_app, name="keys")
wechat_app = typer.Typer(no_args_is_help=True, help="The WeChat Official Account (服务号).")
app.add_typer(wechat_app, name="wechat")


@catalogue_app.command("check")
def catalogue_check() -> None:
    """Validate every item; print each problem with its file and item code."""
    from forms.catalogue import load_catalogue
    from forms.holidays import HolidaysProblem, holidays_file, load_holidays

    catalogue = load_catalogue(Settings().catalogue_dir)
    for problem in catalogue.problems:
        typer.echo(str(problem), err=True)
    try:
        holidays = load_holidays(holidays_file(Settings().catalogue_dir))
    except HolidaysProblem as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    if catalogue.problems:
        typer.echo(f"{len(catalogue.problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(catalogue.items)} items, {len(catalogue.departments)} departments: all sound")
    _calendar_warning(holidays)


@catalogue_app.command("list")
def catalogue_list() -> None:
    """One line per item: its code, a tab, its Chinese name."""
    from forms.catalogue import load_catalogue

    catalogue = load_catalogue(Settings().catalogue_dir)
    for code, item in sorted(catalogue.items.items()):
        typer.echo(f"{code}\t{item.name.zh}")
    if catalogue.problems:
        typer.echo(f"{len(catalogue.problems)} problem(s): run `chengnuo catalogue check`", err=True)
        raise typer.Exit(1)


@catalogue_app.command("transliterate")
def catalogue_transliterate() -> None:
    """Write ky_Arab beside every ky text of the catalogue files."""
    from chengnuo.devtools import transliterate_catalogue

    for path in transliterate_catalogue(Settings().catalogue_dir):
        typer.echo(f"updated {path}")


@letter_app.command("sample")
def letter_sample(
    item_code: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write")],
    lang: Annotated[Lang, typer.Option("--lang", help="The applicant's language")] = Lang.zh,
    kind: Annotated[
        ApplicantKind | None, typer.Option("--kind", help="Who commits (default: the item's first kind)")
    ] = None,
    agent: Annotated[bool, typer.Option("--agent", help="An authorised agent commits on their behalf")] = False,
    private: Annotated[bool, typer.Option("--private", help="The letter as 不公开: not published")] = False,
) -> None:
    """Render a filled sample letter, marked as a sample, sealed."""
    from forms.catalogue import load_catalogue
    from forms.render import RenderingUnavailable, letter_pdf
    from forms.sample import NoSuchSample, private_item, sample_letter
    from forms.seal import Sealer

    settings = Settings()
    item = load_catalogue(settings.catalogue_dir).get(item_code)
    if item is None:
        typer.echo(f"no item {item_code!r}: see `chengnuo catalogue list`", err=True)
        raise typer.Exit(2)
    try:
        if private and item.notice.disclosure.public:
            item = private_item(item)
        letter = sample_letter(item, lang, kind=kind, agent=agent)
    except NoSuchSample as impossible:
        typer.echo(str(impossible), err=True)
        raise typer.Exit(2) from None
    try:
        pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))
    except RenderingUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(3) from None
    output.write_bytes(Sealer.from_settings(settings).seal(pdf, number=letter.number))
    shape = ", ".join(
        [letter.applicant.kind.value, *(["agent"] if letter.agent else []), "public" if letter.public else "不公开"]
    )
    typer.echo(f"{output}: sample letter {letter.number} ({item.code}, {lang.value}; {shape})")


@letter_app.command("verify")
def letter_verify(pdf: Path) -> None:
    """Print the seal verdict; exit 0 only when the letter is intact and ours."""
    from forms.seal import Sealer

    try:
        data = pdf.read_bytes()
    except OSError as error:
        typer.echo(f"cannot read {pdf}: {error.strerror}", err=True)
        raise typer.Exit(2) from None
    check = Sealer.from_settings(Settings()).verify(data)
    typer.echo(f"{check.verdict.value}\tletter {check.number or '-'}")
    if check.seal is not None:  # each signature, and which revision this copy is
        typer.echo(f"platform seal\t{check.seal.value}\t{check.signer or '-'}")
        counter = check.countersignature
        if counter is not None:
            typer.echo(f"department countersignature\t{counter.verdict.value}\t{counter.signer or '-'}")
        what = "countersigned by the department" if counter else "sealed at signing, not countersigned"
        typer.echo(f"revision\t{check.revision} ({what})")
    if not check.ok:
        raise typer.Exit(1)


@locales_app.command("sync")
def locales_sync() -> None:
    """Extract texts into every .po; Chinese as itself, ky_Arab from ky."""
    from chengnuo.devtools import sync_locales

    sync_locales()


@app.command("lifecycle")
def lifecycle(
    readme: Annotated[bool, typer.Option("--readme", help="Rewrite the diagram in README.md instead")] = False,
) -> None:
    """Print the letter's lifecycle as a Mermaid state diagram, drawn from forms/statuses.py's rules."""
    from api.pages.words import STATUSES
    from forms.lifecycle import mermaid, with_diagram

    if not readme:
        typer.echo(mermaid(STATUSES), nl=False)
        return
    path = Path(__file__).resolve().parents[1] / "README.md"
    path.write_text(with_diagram(path.read_text(encoding="utf-8"), STATUSES), encoding="utf-8")
    typer.echo(f"updated {path}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request (off: the API keeps its own access log)")] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, envvar="CHENGNUO_WORKERS", help="Server processes on this machine")
    ] = 1,
) -> None:
    """Serve the API on HOST:PORT, and the bot too when TELEGRAM_BOT_TOKEN is set."""
    from api.config import ApiSettings
    from forms.files import check_writable

    settings = ApiSettings()
    try:  # before anything is imported or opened: one line an operator can act on, not a traceback
        check_writable(settings.data_dir)
    except OSError as error:
        where = f"{settings.data_dir.resolve()} (CHENGNUO_DATA_DIR)"
        typer.echo(f"chengnuo: cannot write to the data directory {where}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    refused = _channels_refused(workers)
    if refused is not None:
        typer.echo(f"chengnuo: {refused}", err=True)
        raise typer.Exit(2)

    import uvicorn

    from api.app import build_services, create_app
    from chengnuo.workers import Worker

    # here once, whatever the number of workers: the schema is migrated and the first admin's password
    # shown once (workers' render pools are their own: this one starts no process unless it renders)
    # a key that is not the data's: KeyProblem, one line (main)
    services = build_services(settings, render_workers=None if workers == 1 else 1)
    _first_admin(services)
    _calendar_warning()
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default: only CHENGNUO_TRUSTED_PROXIES counts
    options: dict[str, Any] = {"host": host, "port": port, "access_log": access_log, "proxy_headers": False}
    if workers > 1:
        from chengnuo.workers import WORKER_READY_SECONDS

        services.renderer.close()
        services.engine.dispose()
        os.environ["CHENGNUO_WORKERS"] = str(workers)  # the workers' settings, which they read at start
        # a worker starts in 2-5 s (keys, fonts, the store) and more on a busy machine: uvicorn's 5 s made
        # its SIGHUP give up the rolling restart; a worker that stops answering is still replaced
        uvicorn.run("chengnuo.cli:worker_app", factory=True, workers=workers,
                    timeout_worker_healthcheck=WORKER_READY_SECONDS, **options)  # fmt: skip
        return
    app = create_app(settings, services)
    _attach_channels(app, services, Worker.alone())
    uvicorn.run(app, **options)


def worker_app() -> FastAPI:
    """One process of `serve --workers N` (uvicorn's app factory, called in each): its own
    connections and render pool, its share of the machine's render workers, the channels it runs."""
    from api.app import build_services, create_app
    from api.config import ApiSettings
    from chengnuo.workers import render_share, take_number

    settings = ApiSettings()
    worker = take_number(settings.data_dir / "run", settings.workers)
    services = build_services(settings, render_workers=render_share(settings.render_workers, worker))
    app = create_app(settings, services)
    app.state.worker = worker  # holds its number's lock as long as the process lives
    _attach_channels(app, services, worker)
    return app


def _channels_refused(workers: int) -> str | None:
    """Why these channels cannot run under `workers` processes (chengnuo/workers.py), or None."""
    from bot.settings import BotSettings
    from bot.wechat.settings import WeChatSettings
    from chengnuo.workers import shared_state_missing

    bot_settings = BotSettings()
    pushed = ["Telegram's webhook"] if bot_settings.telegram_bot_token is not None and bot_settings.webhook else []
    pushed += ["WeChat"] if WeChatSettings().configured else []
    return shared_state_missing(workers, redis=bool(bot_settings.redis_url), pushed=pushed)


def _attach_channels(app: FastAPI, services: Services, worker: Worker) -> None:
    """The bot, when TELEGRAM_BOT_TOKEN is set and this process is where it runs; WeChat, when configured."""
    from bot.settings import BotSettings
    from chengnuo.workers import bot_leases

    bot_settings = BotSettings()
    if bot_settings.telegram_bot_token is not None:
        from bot.running import attach

        leases = bot_leases(worker, services.settings.data_dir / "run", redis=bool(bot_settings.redis_url))
        attach(app, bot_settings, services.catalogue, services.service_token, local_leases=leases)
        mode = "webhook at PUBLIC_URL" if bot_settings.webhook else "long polling"
        typer.echo(f"The bot runs in this process ({mode}, pid {os.getpid()}).", err=True)
    _serve_wechat(app, bot_settings, services)


def _calendar_warning(holidays: Any = None) -> None:
    """A year without the national calendar counts Monday to Friday: say so, rather than silently;
    and the days of this year and the next still to be confirmed against the regional notice."""
    from forms import clock
    from forms.workdays import calendar, calendar_warning, use_calendar

    if holidays is not None:
        use_calendar(holidays)
    today = clock.today()
    warning = calendar_warning(today)
    if warning:
        typer.echo(f"chengnuo: warning: {warning}", err=True)
    for day in [d for year in (today.year, today.year + 1) for d in calendar().unconfirmed(year) if d.date >= today]:
        typer.echo(f"chengnuo: to confirm: {day.date} {day.name} ({day.source})", err=True)


def _first_admin(services: Any) -> None:
    """One machine: the first admin's one-time password, to the terminal that started it. A shared
    store (PostgreSQL): no password in any instance's log, only how to make one."""
    if services.first_admin_password:
        typer.echo(
            "First run: an administrator account was created.\n"
            f"  username: admin\n  one-time password: {services.first_admin_password}\n"
            "It is shown this once; change it after logging in (POST /api/auth/password).",
            err=True,
        )
    elif services.admin_missing:
        typer.echo(
            "No account yet: run `chengnuo staff add admin --role admin` once, with these settings, "
            "to create an administrator and print its one-time password.",
            err=True,
        )


def _serve_wechat(app: Any, bot_settings: Any, services: Any) -> None:
    """The WeChat Official Account beside the API, when WECHAT_APP_ID, _APP_SECRET and _TOKEN are set."""
    from bot.wechat.settings import WeChatSettings

    wechat = WeChatSettings()
    if not wechat.configured:
        return
    from bot.wechat.running import attach as attach_wechat

    attach_wechat(app, bot_settings, wechat, services.catalogue, services.service_token)
    mode = "safe mode" if wechat.safe_mode else "plain mode"
    typer.echo(f"The WeChat Official Account is served at /wechat ({mode}).", err=True)


@app.command("bot")
def bot_alone() -> None:
    """Run the bot alone (long polling) against the API at API_URL, with CHENGNUO_SERVICE_TOKEN (or _FILE)."""
    import asyncio

    from pydantic import SecretStr

    from api.keys import configured
    from bot.running import run_alone
    from bot.settings import BotSettings
    from forms.catalogue import load_catalogue

    settings = BotSettings()
    token = configured(settings.service_token, settings.service_token_file, "CHENGNUO_SERVICE_TOKEN")
    if settings.telegram_bot_token is None or token is None:
        typer.echo("Set TELEGRAM_BOT_TOKEN and CHENGNUO_SERVICE_TOKEN (the API's service token).", err=True)
        raise typer.Exit(2)
    settings = settings.model_copy(update={"service_token": SecretStr(token[0])})
    asyncio.run(run_alone(settings, load_catalogue(settings.catalogue_dir)))


@app.command("chat")
def chat() -> None:
    """The applicant's conversation in this terminal, against an API in this process: no Telegram needed."""
    import asyncio

    import httpx

    from api.app import build_services, create_app
    from api.config import ApiSettings
    from bot.settings import BotSettings
    from bot.terminal import chat as terminal_chat

    settings = ApiSettings()
    services = build_services(settings)
    transport = httpx.ASGITransport(app=create_app(settings, services))
    try:
        asyncio.run(terminal_chat(BotSettings(), transport, services.service_token, services.catalogue))
    finally:
        services.renderer.close()


@wechat_app.command("menu")
def wechat_menu() -> None:
    """Create the account's menu (new commitment, my letters, help and language) with WeChat's API."""
    import asyncio
    import json

    from bot.wechat.client import WeChatClient
    from bot.wechat.errors import WeChatError
    from bot.wechat.menu import menu
    from bot.wechat.settings import WeChatSettings

    settings = WeChatSettings()
    if not settings.configured:
        typer.echo("WeChat is not configured: set WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN.", err=True)
        raise typer.Exit(2)

    async def create() -> dict[str, object]:
        client = WeChatClient(settings)
        try:
            return await client.create_menu(menu())
        finally:
            await client.aclose()

    try:
        answer = asyncio.run(create())
    except WeChatError as error:
        typer.echo(f"WeChat refused the menu: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"menu created: {json.dumps(answer, ensure_ascii=False)}")


@deadlines_app.command("run")
def deadlines_run() -> None:
    """Send due 容缺 reminders and terminate overdue letters once (for cron; the API also runs it)."""
    from api.services.deadlines import run_deadlines

    with _store() as session:
        done = run_deadlines(session)
    typer.echo(f"{done.reminders} reminder(s), {done.terminated} termination(s), {done.expired} expired")


@documents_app.command("sweep")
def documents_sweep() -> None:
    """Remove files no record names and unfinished writes (older than an hour), stale drawings;
    encrypt clear PDFs from before (the API also runs it at start and hourly)."""
    from api.config import ApiSettings
    from api.services.sweep import sweep_documents
    from api.store.engine import make_engine, migrate

    settings = ApiSettings()
    engine = make_engine(settings.store_url)
    migrate(engine)
    swept = sweep_documents(engine, settings, _vault(settings))
    typer.echo(
        f"{swept.orphans} orphan PDF(s), {swept.unfinished} unfinished write(s), {swept.uploads} lost upload(s), "
        f"{swept.drawings} stale drawing(s) removed; {swept.encrypted} clear PDF(s) encrypted"
    )


@documents_app.command("migrate")
def documents_migrate(
    keep_files: Annotated[bool, typer.Option("--keep-files", help="leave the moved files where they are")] = False,
) -> None:
    """Move the data directory's PDFs, uploads and drawings into PostgreSQL, each checked against
    its record (run it on every machine; again, it finds what it moved already there)."""
    from api.config import ApiSettings
    from api.pii import KEY_FILE, Vault
    from api.services.document_migration import migrate_documents
    from api.store.documents import in_database
    from api.store.engine import make_engine, migrate

    settings = ApiSettings()
    engine = make_engine(settings.store_url)
    if not in_database(engine):
        typer.echo("DATABASE_URL is not PostgreSQL: documents stay files under the data directory", err=True)
        raise typer.Exit(2)
    migrate(engine)
    done = migrate_documents(engine, settings, Vault.from_key_file(settings.data_dir / KEY_FILE), keep_files=keep_files)
    for problem in done.problems:
        typer.echo(problem, err=True)
    typer.echo(done.summary())
    if done.mismatched:
        raise typer.Exit(1)


@credit_app.command("import")
def credit_import(
    csv_file: Path,
    apply: Annotated[bool, typer.Option("--apply", help="write the changes (without it: a dry run)")] = False,
) -> None:
    """Replace the dishonesty list with CSV_FILE (id_number,name,reason,listed_on), all or nothing."""
    from api.config import ApiSettings
    from api.services.credit import import_list
    from forms import clock

    with _store() as session:
        vault = _vault(ApiSettings())
        report = import_list(
            session, vault, csv_file.read_bytes(), batch=f"{clock.now():%Y%m%d%H%M}-cli", dry_run=not apply
        )
    for problem in report.problems:
        typer.echo(f"{csv_file}:{problem.line}: {problem.column}: {problem.reason}", err=True)
    verb = "applied" if report.applied else "would apply (dry run: add --apply)" if not report.problems else "refused"
    typer.echo(f"{report.rows} rows: {report.added} added, {report.kept} kept, {report.removed} removed — {verb}")
    if report.problems:
        raise typer.Exit(1)


@staff_app.command("add")
def staff_add(
    username: str,
    role: Annotated[str, typer.Option(help="window or admin")] = "window",
    window: Annotated[str | None, typer.Option(help="the window's name (created if new)")] = None,
    department: Annotated[list[str] | None, typer.Option(help="a department the window serves (repeat)")] = None,
    name: Annotated[str, typer.Option(help="the person's name, for pages and logs")] = "",
) -> None:
    """Add a staff account; its one-time password is printed once."""
    from api.errors import ApiError
    from api.passwords import Passwords
    from api.services.auth import Role, add_staff, add_window

    password = Passwords(1).one_time()  # before the transaction: no lock held while hashing
    with _store() as session:
        try:
            place = add_window(session, window, department or []) if window else None
            add_staff(session, username, role=Role(role), password=password, window=place, display_name=name)
        except (ApiError, ValueError) as error:
            typer.echo(f"not added: {getattr(error, 'message', error)}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"{username}: one-time password {password.text} (shown once; it must be changed at first login)")


@staff_app.command("password")
def staff_password(username: str) -> None:
    """Give an account a new one-time password, printed once; its logins end (a lost admin password too)."""
    from sqlmodel import select

    from api.config import ApiSettings
    from api.passwords import Passwords
    from api.services.auth import renew_password
    from api.store import Staff

    password = Passwords(1).one_time()  # before the transaction: no lock held while hashing
    with _store() as session:
        vault = _vault(ApiSettings())
        staff = session.exec(select(Staff).where(Staff.username == username)).first()
        if staff is None:
            typer.echo(f"no account {username!r}: see `chengnuo staff add`", err=True)
            raise typer.Exit(1)
        renew_password(session, staff, password=password, vault=vault)
    typer.echo(f"{username}: one-time password {password.text} (shown once; it must be changed at first login)")


@keys_app.command("forget")
def keys_forget(
    name: Annotated[
        str, typer.Argument(help="session, service-token, seal or seal:<DEPARTMENT> (its countersigning certificate)")
    ],
) -> None:
    """Forget a key's recorded fingerprint after changing the key on purpose; the next start records
    the new one (the personal-data key cannot change: everything personal is encrypted with it)."""
    from api.config import ApiSettings
    from api.keys import forget_fingerprint
    from api.store.engine import make_engine, migrate

    if name not in ("session", "service-token", "seal") and not name.startswith("seal:"):
        typer.echo(
            f"{name!r}: only session, service-token or seal (seal:<DEPARTMENT>: a countersigning certificate) "
            "can be forgotten",
            err=True,
        )
        raise typer.Exit(2)
    engine = make_engine(ApiSettings().store_url)
    migrate(engine)
    forgotten = forget_fingerprint(engine, name)
    typer.echo(f"{name}: {'forgotten; start every instance with the new key' if forgotten else 'none was recorded'}")


def _vault(settings: ApiSettings) -> Vault:
    """The personal-data key, once the keys are known to be the store's (KeyProblem otherwise)."""
    from api.keys import checked_keys
    from api.pii import Vault
    from api.store.engine import make_engine

    engine = make_engine(settings.store_url)
    try:
        return Vault(checked_keys(settings, engine).personal_data.value)
    finally:
        engine.dispose()


def _store() -> Session:
    """A writing session on the store the settings name, migrated to the newest schema first."""
    from sqlmodel import Session

    from api.config import ApiSettings
    from api.store.engine import make_engine, migrate, writer

    engine = make_engine(ApiSettings().store_url)
    migrate(engine)
    return Session(writer(engine))


def main() -> None:
    try:
        app()
    except Exception as error:
        from api.keys import KeyProblem  # only now: most commands never load the keys' libraries
        from forms.holidays import HolidaysProblem

        if not isinstance(error, KeyProblem | HolidaysProblem):
            raise
        typer.echo(f"chengnuo: {error}", err=True)  # one line an operator can act on, not a traceback
        raise SystemExit(1) from None
