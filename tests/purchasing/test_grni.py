"""Goods received not invoiced returns to zero for every order that is fully received and billed,
whatever the order of receipts and bills, the partial quantities, the prices billed and the
rounding of the values along the way (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kern.purchasing import services
from kern.purchasing.models import OrderStatus
from tests.builders import a_product, a_user, a_vendor
from tests.purchasing.helpers import balance, receive

PRICE_FACTORS = [Decimal("1"), Decimal("1.1"), Decimal("0.95"), Decimal("1.3333")]


def split(total: int, parts: int, cuts: list[int]) -> list[int]:
    """`total` as `parts` non-negative quantities, at the (sorted) cut points."""
    points = sorted(min(c, total) for c in cuts[: parts - 1])
    edges = [0, *points, total]
    return [b - a for a, b in pairwise(edges)]


@st.composite
def orders(draw):
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(1, 12),  # quantity
                st.integers(100, 99999).map(lambda c: Decimal(c) / 1000),  # unit price, three decimals
                st.sampled_from(PRICE_FACTORS),  # what the bills charge relative to the order
            ),
            min_size=1,
            max_size=3,
        )
    )
    receipts = draw(st.integers(1, 3))
    bills = draw(st.integers(1, 3))
    cuts = draw(st.lists(st.integers(0, 12), min_size=4, max_size=4))
    sequence = draw(st.permutations(["R"] * receipts + ["B"] * bills))
    return lines, receipts, bills, cuts, sequence


@pytest.fixture
def setting(company):
    return {
        "company": company,
        "buyer": a_user(company, "buyer"),
        "clerk": a_user(company, "accountant"),
        "controller": a_user(company, "controller"),
        "vendor": a_vendor(company, "Leverancier"),
        "products": [a_product(company, f"P{n}", cost=Decimal("1")) for n in range(3)],
        "count": [0],
    }


@pytest.mark.django_db
@settings(max_examples=15)
@given(case=orders())
def test_grni_returns_to_zero_once_an_order_is_received_and_billed(setting, case):
    lines, receipts, bills, cuts, sequence = case
    company, vendor, products = setting["company"], setting["vendor"], setting["products"]
    grni_before = balance(company, "grni")
    order = services.create_order(
        company,
        vendor=vendor,
        lines=[
            {"product": products[i], "quantity": q, "unit_price": p} for i, (q, p, _f) in enumerate(lines)
        ],
        by=setting["buyer"],
    )
    services.approve_order(order, by=setting["controller"])
    order_lines = list(order.lines.order_by("position"))
    received = [split(q, receipts, cuts) for q, _p, _f in lines]
    billed = [split(q, bills, cuts[::-1]) for q, _p, _f in lines]
    r = b = 0
    for step in sequence:
        if step == "R":
            quantities = {products[i].sku: received[i][r] for i in range(len(lines)) if received[i][r]}
            if quantities:
                receive(order, quantities)
            r += 1
        else:
            bill_lines = [
                {
                    "order_line": ol,
                    "quantity": billed[i][b],
                    "unit_price": (lines[i][1] * lines[i][2]).quantize(Decimal("0.000001")),
                }
                for i, ol in enumerate(order_lines)
                if billed[i][b]
            ]
            if bill_lines:
                setting["count"][0] += 1
                bill = services.create_bill(
                    company, vendor=vendor, vendor_reference=f"H-{setting['count'][0]}", lines=bill_lines
                )
                services.approve_bill(bill, by=setting["clerk"])
            b += 1
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE
    for ol in order.lines.all():
        assert (ol.qty_received, ol.qty_billed) == (ol.quantity, ol.quantity)
        assert ol.received_value == ol.billed_grni_value
    assert balance(company, "grni") == grni_before
