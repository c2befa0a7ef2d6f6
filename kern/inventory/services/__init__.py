"""Every write of the inventory (public). Topic modules, re-exported so import paths never change:

setup        warehouses, the location tree, lots, reorder rules, per-company defaults
operations   creating operations: deliveries, receipts, transfers, returns, scrap, adjustments
reservation  reserving and releasing stock
shipping     pick, pack, ship / validate; backorders; valuation posted through the ledger
counts       stock counts
"""

from kern.inventory.services.counts import (
    apply_stock_count,
    cancel_stock_count,
    record_count,
    scan_count,
    start_stock_count,
)
from kern.inventory.services.operations import (
    MoveSpec,
    adjust_stock,
    cancel_operation,
    create_delivery,
    create_operation,
    receive,
    return_operation,
    scrap_stock,
    transfer_stock,
)
from kern.inventory.services.reservation import confirm_operation, reserve_stock, unreserve_stock
from kern.inventory.services.setup import (
    create_location,
    create_lot,
    create_warehouse,
    install_defaults,
    remove_reorder_rule,
    set_reorder_rule,
    update_location,
    update_warehouse,
)
from kern.inventory.services.shipping import (
    PickLine,
    pack,
    pick,
    pick_move,
    scan_pick,
    ship_delivery,
    validate_operation,
)

__all__ = [
    "MoveSpec",
    "PickLine",
    "adjust_stock",
    "apply_stock_count",
    "cancel_operation",
    "cancel_stock_count",
    "confirm_operation",
    "create_delivery",
    "create_location",
    "create_lot",
    "create_operation",
    "create_warehouse",
    "install_defaults",
    "pack",
    "pick",
    "pick_move",
    "receive",
    "record_count",
    "remove_reorder_rule",
    "reserve_stock",
    "return_operation",
    "scan_count",
    "scan_pick",
    "scrap_stock",
    "set_reorder_rule",
    "ship_delivery",
    "start_stock_count",
    "transfer_stock",
    "unreserve_stock",
    "update_location",
    "update_warehouse",
    "validate_operation",
]
