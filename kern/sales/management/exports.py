"""`kern export ubl --invoice NUMBER --output FILE [--company ID|KVK|NAME]`: a posted invoice or
credit note as a Peppol BIS Billing 3.0 UBL file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kern.core.exceptions import KernError


def export_ubl(argv: list[str], *, stdout: Any, stderr: Any) -> int:
    parser = argparse.ArgumentParser(prog="kern export ubl", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--invoice", required=True, help="the invoice or credit note number, e.g. INV-2026-00001"
    )
    parser.add_argument("--output", required=True, help="the file to write ('-' for standard output)")
    parser.add_argument(
        "--company", help="company id, KvK number or name (when several companies have the number)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 2)

    from django.db.models import Q

    from kern.core.models import Company
    from kern.sales.models import Invoice
    from kern.sales.selectors import ubl_for

    invoices = Invoice.objects.filter(number=args.invoice).select_related("company", "customer")
    if args.company:
        match = Q(kvk_number=args.company) | Q(name__iexact=args.company)
        if args.company.isdigit():
            match |= Q(pk=int(args.company))
        invoices = invoices.filter(company__in=Company.objects.filter(match))
    found = list(invoices[:2])
    if not found:
        stderr.write(
            f"no posted invoice or credit note {args.invoice}"
            + (f" in {args.company}" if args.company else "")
        )
        return 1
    if len(found) > 1:
        stderr.write(f"{args.invoice} exists in several companies: name one with --company")
        return 2
    try:
        document = ubl_for(found[0])
    except KernError as exc:
        stderr.write(str(exc.message))
        return 1
    if args.output == "-":
        stdout.write(document.decode("utf-8"))
    else:
        Path(args.output).write_bytes(document)
        stdout.write(
            f"wrote {args.output} ({found[0].get_kind_display().lower()} {args.invoice}, {len(document)} bytes)"
        )
    return 0
