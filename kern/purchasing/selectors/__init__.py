"""Purchasing reads (public). Topic modules are re-exported here; import from
`kern.purchasing.selectors`."""

from kern.purchasing.selectors.bills import (
    BILL_SOURCE,
    MatchFinding,
    MatchResult,
    bills_for,
    duplicate_of,
    match_bill,
    normalise_reference,
    open_orders_of,
    payment_of,
    policy_for,
    quantity_to_bill,
)
from kern.purchasing.selectors.orders import orders_for, receipts_of, to_receive
from kern.purchasing.selectors.prices import vendor_price_for, vendor_prices_for
from kern.purchasing.selectors.rfqs import Comparison, ComparisonLine, Offer, VendorTotal, rfq_comparison

__all__ = [
    "BILL_SOURCE",
    "Comparison",
    "ComparisonLine",
    "MatchFinding",
    "MatchResult",
    "Offer",
    "VendorTotal",
    "bills_for",
    "duplicate_of",
    "match_bill",
    "normalise_reference",
    "open_orders_of",
    "orders_for",
    "payment_of",
    "policy_for",
    "quantity_to_bill",
    "receipts_of",
    "rfq_comparison",
    "to_receive",
    "vendor_price_for",
    "vendor_prices_for",
]
