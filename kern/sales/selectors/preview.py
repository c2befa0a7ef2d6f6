"""The live quote builder: what a quote (or order) being typed would come to, before it is saved.

Every keystroke of the builder asks for this: the lines priced (problems reported per line, not
raised), the totals, whether the discount or margin needs approval and whether the user acting
may give it, the available-to-promise quantity of every stocked line, and the customer's credit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kern.catalog.models import ProductType
from kern.core.exceptions import KernError
from kern.inventory.selectors import available_to_promise
from kern.sales.selectors.documents import CreditPosition, credit_position
from kern.sales.selectors.policy import policy_of
from kern.sales.selectors.pricing import Priced, customer_situation, price_lines

__all__ = ["LineCheck", "Preview", "preview_document"]

ZERO = Decimal("0")


@dataclass
class LineCheck:
    line_no: int
    product_id: int
    available: Decimal | None  # None for services
    short: bool  # asks for more than can be promised


@dataclass
class Preview:
    priced: Priced | None
    errors: dict[str, list[str]]
    approval_reasons: list[str] = field(default_factory=list)
    approval_role: str = ""
    may_send: bool = True  # the acting user may send it without someone else's approval
    lines: list[LineCheck] = field(default_factory=list)
    credit: CreditPosition | None = None
    credit_exceeded: bool = False


def preview_document(
    company: Any,
    *,
    customer: Any,
    lines: list[Any],
    currency: str | None = None,
    on: dt.date | None = None,
    user: Any = None,
    exclude_order: Any = None,
) -> Preview:
    """Price `lines` for `customer` without saving anything; never raises for bad lines."""
    on = on or dt.date.today()
    currency = (currency or getattr(customer, "currency_id", None) or company.base_currency_id).upper()
    try:
        situation = customer_situation(company, customer)
        priced = price_lines(
            company, customer, lines, currency=currency, on=on, situation=situation, strict=False
        )
    except KernError as exc:
        return Preview(priced=None, errors=exc.errors or {"__all__": [exc.message]})
    policy = policy_of(company)
    # Shown, never stored: in the user's language.
    reasons, role = policy.approval_reasons(priced.max_discount, priced.margin_percent, translated=True)
    may_send = True
    if reasons:
        may_send, _why = policy.may_approve(user, priced.max_discount, priced.margin_percent)
    goods = [ln for ln in priced.lines if ln.product.type != ProductType.SERVICE]
    atp = available_to_promise(company, [ln.product for ln in goods]) if goods else {}
    wanted: dict[int, Decimal] = {}
    for ln in goods:
        wanted[ln.product.pk] = (
            wanted.get(ln.product.pk, ZERO) + ln.quantity * ln.uom.factor / ln.product.uom.factor
        )
    checks = [
        LineCheck(
            line_no=ln.line_no,
            product_id=ln.product.pk,
            available=atp.get(ln.product.pk, ZERO) if ln.product.type != ProductType.SERVICE else None,
            short=ln.product.type == ProductType.STOCKED
            and wanted.get(ln.product.pk, ZERO) > atp.get(ln.product.pk, ZERO),
        )
        for ln in priced.lines
    ]
    credit = credit_position(customer, exclude_order=exclude_order)
    return Preview(
        priced=priced,
        errors=priced.errors,
        approval_reasons=reasons,
        approval_role=role,
        may_send=may_send,
        lines=checks,
        credit=credit,
        credit_exceeded=credit.exceeded_by(priced.total),
    )
