"""Payments writes (public). Topic modules are re-exported here; import from `kern.payments.services`."""

from kern.payments.services.banking import (
    StatementImport,
    auto_match_line,
    book_line_to_account,
    create_bank_journal,
    default_bank_journal,
    ignore_line,
    import_bank_statement,
    match_line_to_payment,
    reconcile_line,
    unmatch_line,
    update_bank_journal,
)
from kern.payments.services.dunning import (
    create_dunning_level,
    install_dunning_levels,
    send_dunning_letters,
    update_dunning_level,
)
from kern.payments.services.openitems import block_open_item, register_open_item, release_open_item
from kern.payments.services.runs import (
    approve_payment_run,
    cancel_payment_run,
    export_payment_run,
    propose_payment_run,
    remove_run_line,
)
from kern.payments.services.settlement import (
    AllocationSpec,
    allocate_credit,
    offset_open_items,
    pay,
    post_payment,
    receive_payment,
    reverse_payment,
)

__all__ = [
    "AllocationSpec",
    "StatementImport",
    "allocate_credit",
    "approve_payment_run",
    "auto_match_line",
    "block_open_item",
    "book_line_to_account",
    "cancel_payment_run",
    "create_bank_journal",
    "create_dunning_level",
    "default_bank_journal",
    "export_payment_run",
    "ignore_line",
    "import_bank_statement",
    "install_dunning_levels",
    "match_line_to_payment",
    "offset_open_items",
    "pay",
    "post_payment",
    "propose_payment_run",
    "receive_payment",
    "reconcile_line",
    "register_open_item",
    "release_open_item",
    "remove_run_line",
    "reverse_payment",
    "send_dunning_letters",
    "unmatch_line",
    "update_bank_journal",
    "update_dunning_level",
]
