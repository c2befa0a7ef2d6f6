"""`kern ledger verify [--company ID|KVK] [--json]`: check the hash chain, numbering and balances.

Exit status 1 when anything is wrong; the message names the first broken entry.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kern.core.models import Company
from kern.ledger.selectors import verify_books


def _company(ref: str | None) -> Company | None:
    if not ref:
        return None
    company = Company.objects.filter(kvk_number=ref).first()
    if company is None and ref.isdigit():
        company = Company.objects.filter(pk=int(ref)).first()
    if company is None:
        raise CommandError(f"no company {ref!r} (give its id or KvK number)")
    return company


class Command(BaseCommand):
    help = "Ledger maintenance: `kern ledger verify` recomputes the entry hash chain, numbering and balances."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain, numbering and balances")
        verify.add_argument("--company", help="company id or KvK number (default: every company)")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, action: str, **options) -> None:
        if action == "verify":
            self._verify(options)

    def _verify(self, options) -> None:
        checks = verify_books(_company(options.get("company")))
        if options.get("json"):
            self.stdout.write(json.dumps([c.as_dict() for c in checks], indent=2))
        else:
            for check in checks:
                company = Company.objects.filter(pk=check.company_id).values_list("name", flat=True).first()
                if check.ok:
                    self.stdout.write(f"{company}: {check.entries} entries verified, books intact")
                else:
                    self.stdout.write(f"{company}: BROKEN")
                    for problem in check.problems:
                        self.stdout.write(f"  - {problem}")
        if not all(c.ok for c in checks):
            sys.exit(1)
