"""Whatever customers and vendors do — invoices, credit notes, payments large and small, offsets,
reversals, in euro and in dollars — the open items add up to the receivable and payable
accounts in the ledger, and the ledger balances."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from kern.core.exceptions import KernError
from kern.core.models import ExchangeRate
from kern.ledger.models import JournalLine
from kern.payments.models import OpenItem, Payment
from kern.payments.services import AllocationSpec, offset_open_items, pay, receive_payment, reverse_payment
from tests.builders import a_customer, a_vendor, an_open_item
from tests.payments.helpers import D, balance, residuals

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=200_000).map(lambda cents: Decimal(cents) / 100)
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["invoice", "credit_note", "receive", "receive_to", "offset", "reverse", "bill", "pay"]
        ),
        amounts,
        st.sampled_from(["EUR", "USD"]),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12)
@given(steps=steps)
def test_open_items_always_add_up_to_the_ledger(company, steps):
    if not ExchangeRate.objects.filter(currency_id="USD").exists():
        ExchangeRate.objects.create(currency_id="USD", rate_date=D(1, 1), rate=Decimal("1.10"))
        ExchangeRate.objects.create(currency_id="USD", rate_date=D(6, 1), rate=Decimal("1.05"))
    customer = a_customer(company)
    vendor = a_vendor(company)
    for n, (action, amount, currency, pick) in enumerate(steps):
        on = D(1 + n % 11, 10)
        company_amount = (amount / (Decimal("1.10") if on < D(6, 1) else Decimal("1.05"))).quantize(
            Decimal("0.01")
        )
        if company_amount == 0:
            continue
        fx = {"currency": currency, "amount_company": company_amount} if currency == "USD" else {}
        try:
            if action == "invoice":
                an_open_item(company, customer, amount, on=on, **fx)
            elif action == "credit_note":
                an_open_item(
                    company,
                    customer,
                    -amount,
                    on=on,
                    **({**fx, "amount_company": -company_amount} if fx else {}),
                )
            elif action == "bill":
                an_open_item(company, vendor, amount, kind="payable", on=on, **fx)
            elif action == "receive":
                receive_payment(company, party=customer, amount=amount, currency=currency, on=on)
            elif action == "pay":
                pay(company, party=vendor, amount=amount, currency=currency, on=on)
            elif action == "receive_to":
                items = list(
                    OpenItem.objects.filter(company=company, party=customer, residual__gt=0).order_by("pk")
                )
                if items:
                    item = items[pick % len(items)]
                    share = min(amount, item.residual)
                    receive_payment(
                        company,
                        party=customer,
                        amount=amount,
                        currency=item.currency_id,
                        on=on,
                        allocations=[AllocationSpec(item, share)],
                    )
            elif action == "offset":
                debit = OpenItem.objects.filter(
                    company=company, party=customer, residual__gt=0, currency_id=currency
                ).first()
                credit = OpenItem.objects.filter(
                    company=company, party=customer, residual__lt=0, currency_id=currency
                ).first()
                if debit and credit:
                    offset_open_items(debit, credit, on=on)
            elif action == "reverse":
                payments = list(Payment.objects.filter(company=company, status="posted").order_by("pk"))
                if payments:
                    reverse_payment(payments[pick % len(payments)], on=on)
        except KernError as refused:
            assert refused.status in (409, 422), refused.message  # a refusal, never a half-booking
        assert balance(company, "receivable") == residuals(company, "receivable")
        assert -balance(company, "payable") == residuals(company, "payable")
    totals = JournalLine.objects.filter(company=company).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"]
