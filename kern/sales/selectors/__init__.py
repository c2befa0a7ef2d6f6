"""Sales reads (public). Topic modules are re-exported here; import from `kern.sales.selectors`.

pricing    pricing a document's lines (catalog prices, options, discounts, VAT codes, totals)
policy     the company's discount limits per role, margin floor and quote validity
documents  lists, search, the customer's credit position
preview    the live quote builder: totals, approval, available-to-promise and credit per line
"""

from kern.sales.selectors.documents import (
    CreditPosition,
    credit_position,
    invoiced_revenue,
    invoices_of,
    open_order_amount,
    open_receivables,
    orders_of,
    pdf_for,
    quotes_of,
    search_invoices,
    search_orders,
    search_quotes,
    ubl_for,
)
from kern.sales.selectors.policy import SalesPolicy, policy_of
from kern.sales.selectors.preview import LineCheck, Preview, preview_document
from kern.sales.selectors.pricing import (
    LineInput,
    Priced,
    PricedLine,
    Situation,
    customer_situation,
    price_lines,
)

__all__ = [
    "CreditPosition",
    "LineCheck",
    "LineInput",
    "Preview",
    "Priced",
    "PricedLine",
    "SalesPolicy",
    "Situation",
    "credit_position",
    "customer_situation",
    "invoiced_revenue",
    "invoices_of",
    "open_order_amount",
    "open_receivables",
    "orders_of",
    "pdf_for",
    "policy_of",
    "preview_document",
    "price_lines",
    "quotes_of",
    "search_invoices",
    "search_orders",
    "search_quotes",
    "ubl_for",
]
