"""The invoice's open item in receivables (the payments app), registered as the invoice posts."""

from __future__ import annotations

from typing import Any

from kern.payments.models import OpenItemKind
from kern.payments.services import register_open_item
from kern.sales.models import Invoice

SOURCE = "sales.invoice"


def open_item_for(invoice: Invoice, entry: Any, *, by: Any = None) -> Any:
    """One INSERT: what the customer owes on this invoice (negative for a credit note), with its
    due date and early-payment discount, pointing at the invoice and its journal entry."""
    sign = invoice.sign
    item = register_open_item(
        invoice.company,
        kind=OpenItemKind.RECEIVABLE,
        party=invoice.customer_id,
        source_type=SOURCE,
        source_id=invoice.pk,
        number=invoice.number,
        document_date=invoice.invoice_date,
        due_date=invoice.due_date,
        currency=invoice.currency_id,
        amount=sign * invoice.total,
        amount_company=sign * invoice.total_company,
        discount_date=invoice.discount_date,
        discount_amount=invoice.discount_amount,
        reference=invoice.payment_reference,
        entry=entry,
        by=by,
    )
    invoice._open_item = item
    return item
