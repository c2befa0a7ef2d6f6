"""The inventory demo step: stock in two warehouses, operations in every state, valuation that
reconciles to the ledger; loaded once however often it runs."""

import pytest

from kern.catalog.demo import load_catalog
from kern.core.demo import demo_company, load_core
from kern.inventory import selectors
from kern.inventory.demo import load_inventory
from kern.inventory.models import Lot, Move, Operation, StockCount, Warehouse
from kern.parties.demo import load_parties


def _counts(company):
    return {
        "warehouses": Warehouse.objects.filter(company=company).count(),
        "operations": Operation.objects.filter(company=company).count(),
        "operation_states": sorted(
            set(Operation.objects.filter(company=company).values_list("status", flat=True))
        ),
        "move_states": sorted(set(Move.objects.filter(company=company).values_list("status", flat=True))),
        "kinds": sorted(set(Operation.objects.filter(company=company).values_list("kind", flat=True))),
        "lots": Lot.objects.filter(company=company).count(),
        "counts": list(StockCount.objects.filter(company=company).values_list("status", flat=True)),
    }


@pytest.mark.django_db
def test_the_demo_warehouse_reconciles_and_loads_once():
    ctx: dict = {}
    load_core(ctx)
    load_parties(ctx)
    load_catalog(ctx)
    load_inventory(ctx)
    company = demo_company()
    first = _counts(company)
    assert first["warehouses"] == 2
    assert first["operation_states"] == ["cancelled", "done", "draft", "packed", "picked", "ready", "waiting"]
    assert first["move_states"] == ["cancelled", "done", "draft", "reserved", "waiting"]
    assert first["kinds"] == ["adjustment", "customer_return", "delivery", "internal", "receipt", "scrap"]
    assert first["lots"] >= 10 and first["counts"] == ["in_progress"]
    assert len(selectors.to_replenish(company)) >= 3
    rec = selectors.valuation_reconciliation(company)
    assert rec.valuation > 0 and rec.reconciles, rec
    load_inventory(ctx)
    assert _counts(company) == first
