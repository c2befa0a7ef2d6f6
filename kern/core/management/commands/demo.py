"""`kern demo`: load the Dutch demo company (idempotent) and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kern.core import context
from kern.core.demo import demo_logins
from kern.core.registry import DEMO_STEPS


class Command(BaseCommand):
    help = "Load the demo company with customers, vendors, products, users per role (safe to run twice)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, logins: bool = False, **options) -> None:
        console = Console(stderr=False)
        if not logins:
            ctx: dict = {}
            steps = sorted(DEMO_STEPS.values(), key=lambda s: s.order)
            with (
                context.acting(interface="cli"),
                Progress(
                    TextColumn("[bold]{task.description:<12}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                    transient=False,
                    disable=not console.is_terminal,
                ) as progress,
            ):
                for step in steps:
                    task = progress.add_task(step.name, total=None)

                    def report(done: int, total: int, _task=task) -> None:
                        progress.update(_task, completed=done, total=total)

                    step.run(ctx, report)
                    progress.update(task, completed=1, total=1) if progress.tasks[
                        task
                    ].total is None else None
            console.print("Demo data is loaded.")
        table = Table(title="Demo logins (http://127.0.0.1:8000/login/)")
        table.add_column("username")
        table.add_column("password")
        table.add_column("role")
        for username, password, role in demo_logins():
            table.add_row(username, password, role)
        console.print(table)
