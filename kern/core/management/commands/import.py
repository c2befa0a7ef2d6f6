"""`kern import <kind> FILE [--dry-run] [--map "Header=field" …]`.

Tabular kinds (parties, contacts, products, …) run through core.imports: a dry run reports every
bad row and why; a commit is all-or-nothing. Other kinds (e.g. `ubl`) are registered by their
apps as file importers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from kern.core import context
from kern.core.exceptions import KernError
from kern.core.imports import get_importer, importers, run_import
from kern.core.models import Company
from kern.core.registry import FILE_IMPORTS


def resolve_company(ref: str | None) -> Company:
    companies = Company.objects.filter(is_active=True)
    if ref:
        company = companies.filter(kvk_number=ref).first() or (
            companies.filter(pk=int(ref)).first() if ref.isdigit() else None
        )
        if company is None:
            raise CommandError(f"no company {ref!r} (give its id or KvK number)")
        return company
    if companies.count() == 1:
        return companies.get()
    raise CommandError("several companies exist: choose one with --company ID|KVK")


class Command(BaseCommand):
    help = "Import a CSV/XLSX file of parties, contacts or products (or another registered kind)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="map a file column to a field (repeatable)",
        )
        parser.add_argument("--company", help="company id or KvK number")
        parser.add_argument("--user", help="username recorded as the importer in the audit log")
        parser.add_argument("--format", choices=["csv", "xlsx"])
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts) -> None:
        kind, path = opts["kind"], Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"no user {opts['user']!r}")
        company = resolve_company(opts["company"])
        if kind in FILE_IMPORTS:
            with context.acting(user, interface="cli", company=company):
                code = FILE_IMPORTS[kind](company, path, user=user, options=opts, stdout=self.stdout)
            if code:
                sys.exit(code)
            return
        if kind not in importers():
            raise CommandError(
                f"unknown kind {kind!r}; known: {', '.join(sorted([*importers(), *FILE_IMPORTS]))}"
            )
        mapping = {}
        for item in opts["map"]:
            if "=" not in item:
                raise CommandError(f"--map needs HEADER=FIELD, got {item!r}")
            header, field = item.split("=", 1)
            mapping[header] = field
        try:
            with context.acting(user, interface="cli", company=company):
                report = run_import(
                    get_importer(kind),
                    company,
                    path.read_bytes(),
                    filename=path.name,
                    format=opts["format"],
                    mapping=mapping,
                    dry_run=opts["dry_run"],
                    by=user,
                )
        except KernError as exc:
            raise CommandError(exc.message) from None
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self._print(report)
        if report.errors:
            sys.exit(1)

    def _print(self, report) -> None:
        console = Console(file=self.stdout)
        verb = "would import" if report.dry_run else "imported"
        if report.errors:
            table = Table(
                title=f"{len(report.errors)} problem(s) in {report.total_rows} rows — nothing was imported"
            )
            table.add_column("row", justify="right")
            table.add_column("column")
            table.add_column("problem")
            for err in report.errors:
                table.add_row(str(err.row), err.column, err.message)
            console.print(table)
        else:
            count = report.valid_rows if report.dry_run else report.created
            console.print(f"{report.kind}: {verb} {count} of {report.total_rows} rows")
