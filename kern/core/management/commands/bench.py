"""`kern bench <workload> …`: the standard workloads of shared/bench/WORKLOAD.md.

Apps register their workloads (core.registry.register_benchmark); each prints its figures as
JSON and verifies its results. Exit status 1 when the checks fail.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from kern.core.registry import BENCHMARKS


class Command(BaseCommand):
    help = "Run a benchmark workload: kern bench <name> [options]; kern bench --list"

    def add_arguments(self, parser) -> None:
        parser.add_argument("workload", nargs="?")
        parser.add_argument("rest", nargs="*")
        parser.add_argument("--list", action="store_true")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after the workload name belongs to the workload's own parser.
        if len(argv) > 2 and not argv[2].startswith("-"):
            name, rest = argv[2], argv[3:]
            runner = BENCHMARKS.get(name)
            if runner is None:
                self.stderr.write(
                    f"unknown workload {name!r}; known: {', '.join(sorted(BENCHMARKS)) or 'none'}"
                )
                sys.exit(2)
            sys.exit(runner(rest))
        super().run_from_argv(argv)

    def handle(self, *args, workload: str | None = None, list: bool = False, **options) -> None:
        if list or not workload:
            self.stdout.write("\n".join(sorted(BENCHMARKS)) or "no workloads registered")
            return
        runner = BENCHMARKS.get(workload)
        if runner is None:
            raise CommandError(f"unknown workload {workload!r}")
        code = runner(options.get("rest") or [])
        if code:
            raise CommandError(f"{workload} checks failed")
