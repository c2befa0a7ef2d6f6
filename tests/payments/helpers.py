"""Reading the books back in payments tests: balances per role and party, subledger totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from kern.ledger.models import JournalLine
from kern.ledger.selectors import account_for
from kern.payments.models import OpenItem

YEAR = dt.date.today().year
D = lambda month, day: dt.date(YEAR, month, day)  # noqa: E731


def balance(company, role: str, party=None) -> Decimal:
    """Debit minus credit on the account playing `role` (for one party when given)."""
    lines = JournalLine.objects.filter(company=company, account=account_for(company, role))
    if party is not None:
        lines = lines.filter(party=party)
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or Decimal("0")) - (totals["c"] or Decimal("0"))


def residuals(company, kind: str, party=None) -> Decimal:
    items = OpenItem.objects.filter(company=company, kind=kind)
    if party is not None:
        items = items.filter(party=party)
    return items.aggregate(s=Sum("residual_company"))["s"] or Decimal("0")


def refreshed(item):
    item.refresh_from_db()
    return item
