"""Printable quotes, orders, invoices and credit notes: one HTML template for the screen and the PDF.

`document_context` gathers what the template shows; `render_pdf` runs WeasyPrint on the very same
template (with the print stylesheet from the app's static files), so what the user previews is
what the customer receives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from kern.ledger.selectors import compute_taxes
from kern.sales.models import Invoice, Quote, SalesOrder

STYLESHEET = Path(__file__).parent / "static" / "sales" / "print.css"


def document_context(doc: Quote | SalesOrder | Invoice) -> dict[str, Any]:
    company = doc.company
    if isinstance(doc, Invoice):
        kind = "credit_note" if doc.is_credit_note else "invoice"
        address = doc.invoice_address
        date = doc.invoice_date
    elif isinstance(doc, Quote):
        kind, address, date = "quote", None, doc.quote_date
    else:
        kind, address, date = "order", doc.invoice_address, doc.order_date
    if address is None:
        address = doc.customer.addresses.order_by("-is_default", "kind", "id").first()
    lines = list(doc.lines.select_related("product", "uom").order_by("line_no"))
    taxes = getattr(doc, "tax_summary", None)
    if taxes is None:
        # Quotes and orders: the VAT the invoice will carry, by the ledger's one rounding rule.
        computed = compute_taxes(
            company, [(ln.amount, ln.tax_code) for ln in lines], currency=doc.currency_id
        )
        categories = {ln.tax_code: ln.tax_kind for ln in lines}
        taxes = [
            {
                "code": t.tax_code,
                "rate": t.rate.normalize(),
                "base": t.base,
                "tax": t.tax,
                "kind": categories.get(t.tax_code),
            }
            for t in computed.taxes
        ]
    return {
        "doc": doc,
        "kind": kind,
        "company": company,
        "customer": doc.customer,
        "address": address,
        "date": date,
        "lines": lines,
        "taxes": taxes,
    }


def render_html(doc: Quote | SalesOrder | Invoice, *, for_pdf: bool = False) -> str:
    context = document_context(doc)
    context["for_pdf"] = for_pdf
    return render_to_string("sales/print/document.html", context)


def render_pdf(doc: Quote | SalesOrder | Invoice) -> bytes:
    """The document as PDF, in the customer's language."""
    from weasyprint import CSS, HTML

    with translation.override(getattr(doc.customer, "language", None) or "nl"):
        html = render_html(doc, for_pdf=True)
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))]
    )


def pdf_name(doc: Quote | SalesOrder | Invoice) -> str:
    number = getattr(doc, "number", "") or f"draft-{doc.pk}"
    return f"{number}.pdf"
