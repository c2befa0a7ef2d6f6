"""`kern serve`: the production server (gunicorn) with static files from WhiteNoise."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Kern with gunicorn (WSGI); static files are served by WhiteNoise."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KERN_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0")) or None
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("KERN_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, bind: str, workers: int | None, threads: int, timeout: int, **options) -> None:
        workers = workers or min(4, 2 * (os.cpu_count() or 1) + 1)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kern.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "*",
        ]
        self.stdout.write(f"Serving on http://{bind}/ with {workers} workers × {threads} threads")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 -- replaces this process with gunicorn
