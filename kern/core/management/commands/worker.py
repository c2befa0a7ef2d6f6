"""`kern worker`: run background tasks (django-tasks, database backend) and retry outbox events."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from kern.core.events import dispatch_pending

log = logging.getLogger("kern.worker")


def _relay_outbox(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            dispatch_pending()
        except Exception:  # the relay must outlive one bad batch
            log.exception("outbox relay failed")
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run background tasks and deliver domain events whose after-commit handlers failed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--once", action="store_true", help="process what is due, then exit")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        uses_database_tasks = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if once:
            n = dispatch_pending()
            if uses_database_tasks:
                call_command("db_worker", batch=True, interval=0, startup_delay=False)
            self.stdout.write(f"outbox events delivered: {n}")
            return
        if not uses_database_tasks:
            raise CommandError("TASKS uses a backend without a queue; `kern worker` needs django_tasks_db")
        stop = threading.Event()
        relay = threading.Thread(target=_relay_outbox, args=(max(interval, 1.0) * 5, stop), daemon=True)
        relay.start()
        try:
            call_command("db_worker", interval=interval)
        finally:
            stop.set()
            time.sleep(0)
