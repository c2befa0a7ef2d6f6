"""`kern export <kind> …`: file exports registered by the apps (xaf, ubl, pain001 …).

Each app registers its exporter (core.registry.register_export) and parses its own options:
`kern export xaf --year 2026 --output audit.xaf`. Exit status 2 for an unknown kind.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from kern.core import context
from kern.core.registry import EXPORTS


class Command(BaseCommand):
    help = "Export a file: kern export <kind> [options]; kern export --list"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", nargs="?")
        parser.add_argument("rest", nargs="*")
        parser.add_argument("--list", action="store_true")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after the kind belongs to the exporter's own parser.
        if len(argv) > 2 and not argv[2].startswith("-"):
            self.execute_kind(argv[2], argv[3:])
        super().run_from_argv(argv)

    def execute_kind(self, kind: str, rest: list[str]) -> None:
        runner = EXPORTS.get(kind)
        if runner is None:
            self.stderr.write(f"unknown export {kind!r}; known: {', '.join(sorted(EXPORTS)) or 'none'}")
            sys.exit(2)
        with context.acting(interface="cli"):
            code = runner(rest, stdout=self.stdout, stderr=self.stderr)
        sys.exit(code or 0)

    def handle(self, *args, kind: str | None = None, rest: list[str] | None = None, **options) -> None:
        if options.get("list") or not kind:
            self.stdout.write("\n".join(sorted(EXPORTS)) or "no exports registered")
            return
        self.execute_kind(kind, list(rest or []))
