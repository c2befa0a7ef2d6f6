"""`kern worker`: run background tasks (django-tasks, database backend), enqueue the recurring
tasks apps registered (`core.registry.register_periodic_task`) and retry outbox events."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from kern.core.events import dispatch_pending
from kern.core.registry import PERIODIC_TASKS

log = logging.getLogger("kern.worker")


def _relay_outbox(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            dispatch_pending()
        except Exception:  # the relay must outlive one bad batch
            log.exception("outbox relay failed")
        stop.wait(interval)


def _pending(task) -> bool:
    """A run of `task` is waiting or running (a run claimed over an hour ago counts as dead)."""
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    stale = timezone.now() - dt.timedelta(hours=1)
    runs = DBTaskResult.objects.filter(task_path=task.module_path)
    return (
        runs.filter(status="READY").exists() or runs.filter(status="RUNNING", started_at__gt=stale).exists()
    )


def enqueue_periodic(last: dict[str, float], *, now: float | None = None) -> list[str]:
    """Enqueue each registered periodic task that is due; `last` remembers when (monotonic)."""
    now = time.monotonic() if now is None else now
    enqueued = []
    for name, periodic in sorted(PERIODIC_TASKS.items()):
        if name in last and now - last[name] < periodic.every:
            continue
        last[name] = now
        try:
            if not _pending(periodic.task):
                periodic.task.enqueue()
                enqueued.append(name)
        except Exception:  # one task must not stop the others
            log.exception("periodic task %s could not be enqueued", name)
    return enqueued


def _schedule_periodic(stop: threading.Event) -> None:
    last: dict[str, float] = {}
    while not stop.is_set():
        close_old_connections()
        enqueue_periodic(last)
        stop.wait(5)


class Command(BaseCommand):
    help = "Run background tasks and deliver domain events whose after-commit handlers failed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--once", action="store_true", help="process what is due, then exit")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        uses_database_tasks = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if once:
            n = dispatch_pending()
            enqueue_periodic({})
            if uses_database_tasks:
                call_command("db_worker", batch=True, interval=0, startup_delay=False)
            self.stdout.write(f"outbox events delivered: {n}")
            return
        if not uses_database_tasks:
            raise CommandError("TASKS uses a backend without a queue; `kern worker` needs django_tasks_db")
        stop = threading.Event()
        relay = threading.Thread(target=_relay_outbox, args=(max(interval, 1.0) * 5, stop), daemon=True)
        relay.start()
        scheduler = threading.Thread(target=_schedule_periodic, args=(stop,), daemon=True)
        scheduler.start()
        try:
            call_command("db_worker", interval=interval)
        finally:
            stop.set()
            time.sleep(0)
