"""`kern service_desk escalate|poll-mail [--every SECONDS]`: the periodic work of the service desk.

`kern worker` already does both every minute (periodic tasks in `kern.service.tasks`); this
command runs them by hand or from cron where no worker runs (`--every 60` keeps it running).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from kern.service import services


class Command(BaseCommand):
    help = "Escalate tickets whose service level is at risk or breached, or poll the support mailboxes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("task", choices=["escalate", "poll-mail"])
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds (0: once)")
        parser.add_argument("--times", type=int, default=0, help="stop after N runs (0: never, with --every)")

    def handle(self, *args, task: str, every: float, times: int, **options) -> None:
        if every < 0:
            raise CommandError("--every must not be negative")
        runs = 0
        while True:
            counts = services.check_service_levels() if task == "escalate" else services.poll_mailboxes()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing to do")
            runs += 1
            if not every or (times and runs >= times):
                return
            time.sleep(every)
            close_old_connections()  # a long-running loop must not hold a dead connection
