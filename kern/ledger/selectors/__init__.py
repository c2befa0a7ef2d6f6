"""Ledger reads (public). Topic modules are re-exported here; import from `kern.ledger.selectors`."""

from kern.ledger.selectors.accounts import account_by_code, account_for, books_of, journal_for
from kern.ledger.selectors.taxes import (
    TaxableLine,
    TaxAmount,
    TaxComputation,
    compute_taxes,
    party_tax_situation,
    tax_code_for,
)
from kern.ledger.selectors.verify import BooksCheck, verify_books

__all__ = [
    "BooksCheck",
    "TaxAmount",
    "TaxComputation",
    "TaxableLine",
    "account_by_code",
    "account_for",
    "books_of",
    "compute_taxes",
    "journal_for",
    "party_tax_situation",
    "tax_code_for",
    "verify_books",
]
