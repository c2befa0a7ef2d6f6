"""Ledger writes (public). Topic modules are re-exported here; import from `kern.ledger.services`."""

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
    "SourceRef",
    "create_account",
    "create_journal",
    "create_tax_code",
    "install_books",
    "open_fiscal_year",
    "post_entries",
    "post_entry",
    "reverse_entry",
    "set_account_role",
    "update_account",
    "update_journal",
    "update_tax_code",
]
