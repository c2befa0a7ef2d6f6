"""`kern demo`: load the Dutch demo company (idempotent) and print the demo logins."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kern.core import context
from kern.core.demo import demo_logins
from kern.core.registry import DEMO_STEPS

LOCMEM_MAIL = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = "Load the demo company with customers, vendors, products, users per role (safe to run twice)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/login/", help="login URL shown with the logins"
        )
        parser.add_argument("--send-mail", action="store_true", help="send the e-mails the demo triggers")

    def handle(self, *args, logins: bool = False, url: str = "", send_mail: bool = False, **options) -> None:
        console = Console()
        if not logins:
            # Demo documents trigger notifications (SLA escalations, confirmations); keep them in
            # memory unless asked, so loading the demo mails nobody and prints no mail.
            with nullcontext() if send_mail else override_settings(EMAIL_BACKEND=LOCMEM_MAIL):
                self._load(console)
            console.print("Demo data is loaded.")
        table = Table(title=f"Demo logins ({url})")
        for column in ("username", "password", "role"):
            table.add_column(column)
        for username, password, role in demo_logins():
            table.add_row(username, password, role)
        console.print(table)

    def _load(self, console: Console) -> None:
        ctx: dict = {}
        progress = Progress(
            TextColumn("[bold]{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        with context.acting(interface="cli"), progress:
            for step in sorted(DEMO_STEPS.values(), key=lambda s: s.order):
                task = progress.add_task(step.name, total=None)

                def report(done: int, total: int, _task=task) -> None:
                    progress.update(_task, completed=done, total=total)

                step.run(ctx, report)
                if progress.tasks[task].total is None:
                    progress.update(task, completed=1, total=1)
