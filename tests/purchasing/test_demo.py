"""The purchasing demo: requisitions, RFQs, orders and bills in every state, loaded once."""

import pytest

from kern.core.registry import DEMO_STEPS
from kern.payments.services import create_bank_journal
from kern.purchasing.models import PurchaseOrder, Requisition, Rfq, VendorBill


def _states(company):
    return (
        set(Requisition.objects.filter(company=company).values_list("status", flat=True)),
        set(Rfq.objects.filter(company=company).values_list("status", flat=True)),
        set(PurchaseOrder.objects.filter(company=company).values_list("status", flat=True)),
        set(
            VendorBill.objects.filter(company=company).values_list("kind", "status", "match_status", "source")
        ),
    )


@pytest.mark.django_db
def test_the_purchasing_demo_has_every_state_and_loads_once():
    ctx: dict = {}
    for name in ("core", "parties", "catalog"):
        DEMO_STEPS[name].run(ctx, None)
    create_bank_journal(ctx["company"], name="ABN AMRO", iban="NL91ABNA0417164300", bic="ABNANL2A")
    DEMO_STEPS["purchasing"].run(ctx, None)
    company = ctx["company"]
    requisitions, rfqs, orders, bills = first = _states(company)
    assert requisitions == {"draft", "submitted", "approved", "rejected", "done", "cancelled"}
    assert rfqs == {"draft", "sent", "awarded", "cancelled"}
    assert orders == {
        "draft",
        "to_approve",
        "approved",
        "sent",
        "partly_received",
        "received",
        "partly_billed",
        "billed",
        "done",
        "cancelled",
    }
    assert {
        ("bill", "draft", "not_checked", "manual"),
        ("bill", "draft", "not_checked", "einvoice"),
        ("bill", "cancelled", "not_checked", "manual"),
        ("bill", "approved", "matched", "order"),
        ("bill", "approved", "variance", "order"),
        ("bill", "partly_paid", "released", "order"),
        ("bill", "paid", "matched", "order"),
        ("credit_note", "approved", "no_order", "manual"),
    } <= bills
    DEMO_STEPS["purchasing"].run(ctx, None)
    assert _states(company) == first
