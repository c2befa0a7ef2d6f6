"""Command-line parts of payments: `kern export pain001 --run ID --output FILE` and
`kern import camt053 FILE` / `kern import bank-csv FILE [--map HEADER=FIELD]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kern.core.exceptions import KernError


def export_pain001(argv: list[str], *, stdout: Any, stderr: Any) -> int:
    parser = argparse.ArgumentParser(
        prog="kern export pain001", description="a payment run as a SEPA pain.001.001.03 file"
    )
    parser.add_argument("--run", required=True, help="the payment run's id or number (RUN-2026-0001)")
    parser.add_argument("--output", required=True, help="the file to write ('-' for standard output)")
    parser.add_argument("--company", help="company id or KvK number (when several have the run number)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 2)

    from django.db.models import Q

    from kern.core import context
    from kern.payments.models import PaymentRun
    from kern.payments.services import export_payment_run

    runs = PaymentRun.objects.select_related("company", "bank_journal")
    match = Q(number=args.run) | (Q(pk=int(args.run)) if args.run.isdigit() else Q(pk=None))
    runs = runs.filter(match)
    if args.company:
        company = Q(company__kvk_number=args.company) | (
            Q(company_id=int(args.company)) if args.company.isdigit() else Q(pk=None)
        )
        runs = runs.filter(company)
    found = list(runs[:2])
    if not found:
        stderr.write(f"no payment run {args.run}\n")
        return 1
    if len(found) > 1:
        stderr.write(f"{args.run} exists in several companies: name one with --company\n")
        return 2
    run = found[0]
    try:
        with context.acting(interface="cli", company=run.company):
            document = export_payment_run(run)
    except KernError as exc:
        stderr.write(f"{exc.message}\n")
        return 1
    if args.output == "-":
        stdout.write(document.decode("utf-8"))
    else:
        Path(args.output).write_bytes(document)
        stdout.write(f"wrote {args.output} (run {run.number}, {len(document)} bytes)\n")
    return 0


def _import(company: Any, path: Path, *, user: Any, options: dict, stdout: Any, fmt: str) -> int:
    from kern.payments.services import import_bank_statement

    mapping = {}
    for item in options.get("map") or []:
        if "=" not in item:
            stdout.write(f"--map needs HEADER=FIELD, got {item!r}\n")
            return 2
        header, field = item.split("=", 1)
        mapping[header] = field
    try:
        result = import_bank_statement(
            company, path.read_bytes(), filename=path.name, format=fmt, mapping=mapping or None, by=user
        )
    except KernError as exc:
        stdout.write(f"nothing was imported: {exc.message}\n")
        return 1
    if options.get("json"):
        stdout.write(json.dumps(result.as_dict(), default=str, indent=2) + "\n")
    else:
        for statement in result.statements:
            stdout.write(f"imported statement {statement.reference} ({statement.line_count} lines)\n")
        for statement in result.duplicates:
            stdout.write(f"skipped statement {statement.reference}: imported before\n")
        stdout.write(
            f"reconciled {result.reconciled}, left for the reconciliation screen {result.unmatched}\n"
        )
        for warning in result.warnings:
            stdout.write(f"warning: {warning}\n")
    return 0


def import_camt053(company: Any, path: Path, *, user: Any, options: dict, stdout: Any) -> int:
    return _import(company, path, user=user, options=options, stdout=stdout, fmt="camt053")


def import_bank_csv(company: Any, path: Path, *, user: Any, options: dict, stdout: Any) -> int:
    return _import(company, path, user=user, options=options, stdout=stdout, fmt="csv")
