"""``pixely run``, the unattended monthly job, and the sending step of ``notify --send``.

Both show their progress the same way: a progress bar on a terminal, one
plain line per message otherwise (cron), and, with ``--log-file``, the same
lines with date and time appended to a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

    from pixely_benefits.ledger import Plan
    from pixely_benefits.loading import Loaded
    from pixely_benefits.months import Month
    from pixely_benefits.records import ControlData
    from pixely_benefits.sending import AfterWrite, Limits, SendEvent
    from pixely_benefits.sheet.base import ChangeSet, Store


def parse_rate(text: str | None) -> float | None:
    """``--rate``: ``20/min`` or ``20`` messages per minute."""
    if text is None:
        return None
    value = text.strip().lower().removesuffix("/min").removesuffix("/minuto").strip()
    try:
        rate = float(value.replace(",", "."))
    except ValueError:
        rate = 0.0
    if not rate > 0:
        raise typer.BadParameter(
            f"«{text}» no es un ritmo: escribe cuántos correos por minuto, p. ej. 20/min."
        )
    return rate


RateOption = Annotated[
    str | None,
    typer.Option(
        "--rate",
        help="Como mucho N correos por minuto, p. ej. 20/min (Gmail y los "
        "proveedores limitan los envíos). Por omisión, sin límite.",
        metavar="N/min",
        show_default=False,
    ),
]
MaxOption = Annotated[
    int | None,
    typer.Option(
        "--max",
        min=1,
        help="Como mucho N correos en esta ejecución; el resto queda pendiente "
        "para la siguiente.",
        metavar="N",
        show_default=False,
    ),
]


def limits(rate: str | None, most: int | None) -> Limits:
    from pixely_benefits.sending import Limits

    return Limits(per_minute=parse_rate(rate), most=most)


class RunLog:
    """``--log-file``: plain lines, each with the date and time, appended."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file: IO[str] | None = None
        if path is not None:
            from pixely_benefits.errors import PixelyError

            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = path.open("a", encoding="utf-8")
            except OSError as error:
                raise PixelyError(
                    f"No se puede escribir el registro «{path}» ({error.strerror}): "
                    "revisa la ruta de --log-file y sus permisos."
                ) from None

    def line(self, text: str) -> None:
        if self._file is not None:
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            for part in text.splitlines() or [""]:
                self._file.write(f"{stamp} {part}\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Progress:
    """Shows :class:`SendEvent`: a bar on a terminal, plain lines otherwise."""

    def __init__(self, log: RunLog) -> None:
        self.log = log
        self._bar: Bar | None = None
        self._task: TaskID | None = None

    def event(self, event: SendEvent) -> None:
        self.log.line(event.text)
        console = common.console
        if not console.is_terminal:
            console.print(event.text, markup=False, soft_wrap=True)
            return
        if event.kind == "inicio":
            from rich.progress import Progress as Bar

            self._bar = Bar(console=console)
            self._bar.start()
            self._task = self._bar.add_task("Enviando correos", total=event.total)
            return
        if self._bar is None or self._task is None:
            console.print(event.text, markup=False, soft_wrap=True)
            return
        if event.kind in ("enviado", "rechazado"):
            self._bar.update(self._task, completed=event.done)
        if event.kind != "enviado":
            self._bar.console.print(event.text, markup=False, soft_wrap=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar = self._task = None


def _after_write(store: Store, ctx: typer.Context | None) -> AfterWrite:
    """The ClickUp step after each write (nothing when ClickUp is off)."""
    from pixely_benefits.cli.clickup import after_write

    def hook(changes: ChangeSet, data: ControlData) -> None:
        after_write(store, data, changes, ctx)

    return hook


@contextmanager
def send_lock() -> Iterator[None]:
    """The run lock, for ``notify --send`` (exit code 3 when it is taken)."""
    from pixely_benefits.monthly_run import run_lock
    from pixely_benefits.settings import get_settings

    with run_lock(get_settings()):
        yield


def check_mail() -> None:
    """Stop before anything is written if the SMTP settings are missing or wrong."""
    from pixely_benefits.mail import mail_config
    from pixely_benefits.settings import get_settings

    mail_config(get_settings())


def send_prepared(
    store: Store,
    loaded: Loaded,
    plan: Plan,
    folder: Path,
    chosen: Limits,
    ctx: typer.Context | None = None,
) -> bool:
    """``notify --send``: send the plan's e-mails, show how it went; ``True`` if
    something failed. ``ctx`` puts ``--sheet`` in the command it suggests."""
    from pixely_benefits.mail import mail_config
    from pixely_benefits.run_summary import failure_lines, sending_lines
    from pixely_benefits.send_journal import SendJournal
    from pixely_benefits.sending import Sender, send_notices
    from pixely_benefits.settings import get_settings

    settings = get_settings()
    progress = Progress(RunLog(None))
    sender = Sender(
        store=store,
        journal=SendJournal.default(settings),
        mail=mail_config(settings),
        user=common.user_name(),
        business=loaded.data.settings,
        after_write=_after_write(store, ctx),
        on_event=progress.event,
    )
    try:
        report = send_notices(sender, plan.notices, folder, chosen)
    finally:
        progress.stop()
    out = common.console
    out.print()
    lines = [
        *sending_lines(report, report.recovered),
        *failure_lines(report, report.notes),
    ]
    for line in lines:
        line = common.suggest_in(ctx, line) if ctx else line
        out.print(line, markup=False, soft_wrap=True)
    by_hand = [
        n.client.client_id
        for n in plan.notices
        if n.reach.email is None and n.client.client_id in plan.to_confirm
    ]
    if by_hand:
        words = ["sent", *dict.fromkeys(by_hand), "--month", str(plan.notices[0].month)]
        command = common.suggest(ctx, *words) if ctx else " ".join(["pixely", *words])
        out.print(
            f"Por WhatsApp, a mano: abre «{folder / 'index.html'}» y, cuando los "
            f"envíes, confírmalo con: {command}",
            markup=False,
            soft_wrap=True,
        )
    return report.failed


@app.command("run")
def run_command(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        common.month_option("Mes a procesar, AAAA-MM. Por omisión, el mes en curso."),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Envía los correos por SMTP (PIXELY_SMTP_*); sin esta opción solo "
            "los prepara en la carpeta de salida.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Muestra lo que haría sin escribir ni enviar."),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            help="Añade a este archivo una línea con fecha y hora por cada paso.",
            metavar="RUTA",
            show_default=False,
        ),
    ] = None,
    summary_to: Annotated[
        str | None,
        typer.Option(
            "--resumen-a",
            help="Envía el resumen por correo a esta dirección (la de la CM).",
            metavar="CORREO",
            show_default=False,
        ),
    ] = None,
    rate: RateOption = None,
    most: MaxOption = None,
    folder: common.OutboxOption = None,
) -> None:
    """El trabajo del mes, sin atención: revisa la hoja, avisa y resume.

    Revisa la hoja (se detiene si falta una pestaña o un encabezado; las filas con
    problemas se omiten y se listan), crea las filas «pendiente» y los mensajes de
    los clientes elegibles, con --send envía los correos (cada cliente una sola
    vez, aunque una ejecución anterior se haya cortado) y termina con un resumen:
    notificados, omitidos y por qué, fallos, entregas vencidas, seguimientos y
    problemas de la hoja. Solo una ejecución a la vez.

    Códigos de salida: 0 todo bien; 1 algo falló o necesita revisión; 2 no se pudo
    ejecutar (hoja o configuración); 3 otra ejecución está en marcha.
    """
    from pixely_benefits.errors import PixelyError

    chosen_month = common.parse_month(month)
    chosen = limits(rate, most)
    if summary_to:
        summary_to = _address(summary_to)
    log = RunLog(log_file)
    log.line(f"inicio: pixely run{_described(month, send, dry_run)}")
    try:
        code = _run(ctx, chosen_month, send, dry_run, summary_to, chosen, folder, log)
    except PixelyError as error:
        log.line(f"error: {error.message}")
        log.line(f"fin: código {error.exit_code}")
        log.close()
        raise
    log.line(f"fin: código {code}")
    log.close()
    raise typer.Exit(code)


def _described(month: str | None, send: bool, dry_run: bool) -> str:
    parts = [f" --month {month}" if month else "", " --send" if send else ""]
    return "".join(parts) + (" --dry-run" if dry_run else "")


def _run(
    ctx: typer.Context,
    month: Month | None,
    send: bool,
    dry_run: bool,
    summary_to: str | None,
    chosen: Limits,
    folder: Path | None,
    log: RunLog,
) -> int:
    from pixely_benefits.mail import mail_config
    from pixely_benefits.monthly_run import RunHooks, RunOptions, run_lock, run_month
    from pixely_benefits.send_journal import SendJournal
    from pixely_benefits.settings import get_settings

    settings = get_settings()
    mail = mail_config(settings) if send or summary_to else None
    options = RunOptions(
        month=month,
        send=send,
        dry_run=dry_run,
        outbox=folder or settings.outbox,
        limits=chosen,
        summary_to=summary_to,
        command=common.suggest(ctx),
        suggest=lambda text: common.suggest_in(ctx, text),
    )
    progress = Progress(log)
    lock = nullcontext() if dry_run else run_lock(settings)
    with lock:
        store = common.store(ctx)
        log.line(f"hoja: {store.label}")
        hooks = RunHooks(
            line=log.line,
            on_event=progress.event,
            after_write=_after_write(store, ctx),
        )
        try:
            summary = run_month(
                store,
                options,
                hooks,
                user=common.user_name(),
                journal=SendJournal.default(settings),
                mail=mail,
            )
        finally:
            progress.stop()
    out = common.console
    out.print()
    for line in summary.lines():
        out.print(line, markup=False, soft_wrap=True)
        log.line(line)
    if summary_to and not summary.mail_error:
        out.print(f"Resumen enviado a {escape(summary_to)}.", soft_wrap=True)
        log.line(f"resumen enviado a {summary_to}")
    return summary.exit_code


def _address(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise typer.BadParameter(
            f"«{value}» no es una dirección de correo válida.", param_hint="--resumen-a"
        ) from None
