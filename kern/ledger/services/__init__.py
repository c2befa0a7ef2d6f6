"""Ledger writes (public). Topic modules are re-exported here; import from `kern.ledger.services`."""

from kern.ledger.services.closing import (
    close_fiscal_year,
    close_period,
    reopen_fiscal_year,
    reopen_period,
    revalue_currencies,
    set_lock_date,
)
from kern.ledger.services.drafts import create_draft, delete_draft, post_draft, update_draft
from kern.ledger.services.imports import OpeningBalanceReport, import_opening_balance
from kern.ledger.services.posting import (
    ZERO,
    EntrySpec,
    LineSpec,
    SourceRef,
    post_entries,
    post_entry,
    reverse_entry,
)
from kern.ledger.services.setup import (
    ACCOUNT_ROLES,
    create_account,
    create_journal,
    create_tax_code,
    install_books,
    open_fiscal_year,
    set_account_role,
    update_account,
    update_journal,
    update_tax_code,
)

__all__ = [
    "ACCOUNT_ROLES",
    "ZERO",
    "EntrySpec",
    "LineSpec",
    "OpeningBalanceReport",
    "SourceRef",
    "close_fiscal_year",
    "close_period",
    "create_account",
    "create_draft",
    "create_journal",
    "create_tax_code",
    "delete_draft",
    "import_opening_balance",
    "install_books",
    "open_fiscal_year",
    "post_draft",
    "post_entries",
    "post_entry",
    "reopen_fiscal_year",
    "reopen_period",
    "revalue_currencies",
    "reverse_entry",
    "set_account_role",
    "set_lock_date",
    "update_account",
    "update_draft",
    "update_journal",
    "update_tax_code",
]
