"""Sales writes (public). Topic modules are re-exported here; import from `kern.sales.services`.

teams      sales teams
quotes     quotes: configure, price, approve, send, accept through the signed link
orders     sales orders: confirm (credit check, reservation), release, cancel, ship
invoicing  invoices and credit notes: from orders or standalone, posting, payment status
returns    return authorisations, return receipts, credit notes for returns
"""

from kern.sales.services.invoicing import (
    cancel_invoice,
    create_invoice,
    credit_invoice,
    invoice_order,
    on_open_item_settled,
    payment_reference_for,
    post_invoice,
    update_invoice,
)
from kern.sales.services.orders import (
    cancel_order,
    confirm_order,
    create_order,
    on_stock_operation_done,
    order_from_quote,
    release_order,
    ship_order,
    update_order,
)
from kern.sales.services.quotes import (
    accept_quote,
    acceptance_token,
    approve_quote,
    cancel_quote,
    create_quote,
    expire_quotes,
    quote_for_token,
    refuse_quote_approval,
    reject_quote,
    revise_quote,
    send_quote,
    submit_quote,
    update_quote,
)
from kern.sales.services.returns import (
    authorise_return,
    cancel_return,
    create_return,
    credit_return,
    receive_return,
)
from kern.sales.services.teams import create_team, set_team_members, update_team

__all__ = [
    "accept_quote",
    "acceptance_token",
    "approve_quote",
    "authorise_return",
    "cancel_invoice",
    "cancel_order",
    "cancel_quote",
    "cancel_return",
    "confirm_order",
    "create_invoice",
    "create_order",
    "create_quote",
    "create_return",
    "create_team",
    "credit_invoice",
    "credit_return",
    "expire_quotes",
    "invoice_order",
    "on_open_item_settled",
    "on_stock_operation_done",
    "order_from_quote",
    "payment_reference_for",
    "post_invoice",
    "quote_for_token",
    "receive_return",
    "refuse_quote_approval",
    "reject_quote",
    "release_order",
    "revise_quote",
    "send_quote",
    "set_team_members",
    "ship_order",
    "submit_quote",
    "update_invoice",
    "update_order",
    "update_quote",
    "update_team",
]
