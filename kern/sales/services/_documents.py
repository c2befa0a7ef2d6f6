"""Writing a quote's or an order's header fields and lines (shared by both)."""

from __future__ import annotations

from typing import Any

from kern.core import audit
from kern.core.numbering import NumberClaim
from kern.core.rows import save_new_with_lines
from kern.sales.models import QuoteLine, SalesDocument, SalesOrderLine
from kern.sales.selectors.pricing import Priced
from kern.sales.services._common import insert_rows


def line_rows(
    model: type[QuoteLine] | type[SalesOrderLine], parent: SalesDocument, priced: Priced
) -> list[Any]:
    parent_field = "quote" if model is QuoteLine else "order"
    rows = []
    for ln in priced.lines:
        row = model(
            company_id=parent.company_id,
            line_no=ln.line_no,
            product=ln.product,
            description=ln.description,
            quantity=ln.quantity,
            uom=ln.uom,
            list_price=ln.list_price,
            discount_percent=ln.discount_percent,
            unit_price=ln.unit_price,
            amount=ln.amount,
            unit_cost=ln.unit_cost,
            price_list_id=ln.price_list_id,
            options=ln.options,
            option_summary=ln.option_summary,
            tax_code=ln.tax_code,
            tax_rate=ln.tax_rate,
            tax_kind=ln.tax_kind,
        )
        setattr(row, parent_field, parent)
        rows.append(row)
    return rows


def save_with_lines(
    model: type[QuoteLine] | type[SalesOrderLine],
    parent: SalesDocument,
    priced: Priced,
    *,
    number: NumberClaim,
) -> list[Any]:
    """Insert a new document numbered by `number` and its priced lines: one statement on PostgreSQL."""
    rows = line_rows(model, parent, priced)
    save_new_with_lines(parent, model, rows, parent="quote" if model is QuoteLine else "order", number=number)
    audit.record_lines_created(parent, rows)
    return rows


def write_lines(
    model: type[QuoteLine] | type[SalesOrderLine], parent: SalesDocument, priced: Priced, *, replace: bool
) -> list[Any]:
    """Insert the priced lines in one statement (replacing the old ones when editing)."""
    if replace:
        for old in model.objects.filter(**{("quote" if model is QuoteLine else "order"): parent}):
            old.delete()  # one by one, so each removed line is in the audit log
    rows = line_rows(model, parent, priced)
    insert_rows(model, rows)
    audit.record_lines_created(parent, rows)
    return rows


def apply_totals(doc: SalesDocument, priced: Priced) -> None:
    doc.net_total = priced.net_total
    doc.tax_total = priced.tax_total
    doc.total = priced.total
    doc.cost_total = priced.cost_total
