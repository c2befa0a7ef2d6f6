"""Random order-to-cash histories keep the books, the stock and receivables consistent.

A hypothesis state machine orders, confirms, ships (all or part), invoices, pays (part, all, too
much), returns and credits in any order the documents allow — and refuses what they do not allow
without changing anything. After every step:

- the ledger balances (every entry, and all of them together);
- receivables in the ledger = the open items in the subledger = the open residuals of the posted
  invoices and credit notes plus the customers' unapplied credit;
- every invoice's residual equals its open item's;
- on hand per product = the start − what went out + what came back = the sum of its done moves;
- no order line has more delivered than ordered or less than nothing invoiced.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kern.core.exceptions import KernError
from kern.inventory.models import INTERNAL_KINDS, Move, MoveStatus
from kern.inventory.selectors import stock_levels
from kern.ledger.models import JournalEntry, JournalLine
from kern.ledger.selectors import account_for
from kern.payments.models import OpenItem
from kern.payments.services import receive_payment
from kern.sales import services
from kern.sales.models import Invoice, InvoiceKind, InvoiceStatus, OrderStatus, SalesOrder, SalesOrderLine

D = Decimal
START = {"chair": D("50"), "desk": D("10")}


def cents(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_random_order_to_cash_histories_stay_consistent(world):
    products = {"chair": world.chair, "desk": world.desk, "hour": world.hour}

    class OrderToCash(RuleBasedStateMachine):
        orders = Bundle("orders")
        invoices = Bundle("invoices")

        def __init__(self):
            super().__init__()
            self._tx = transaction.atomic()
            self._tx.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._tx.__exit__(None, None, None)

        @rule(
            target=orders,
            picks=st.lists(
                st.tuples(st.sampled_from(["chair", "desk", "hour"]), st.integers(1, 4)),
                min_size=1,
                max_size=3,
            ),
            policy=st.sampled_from(["delivery", "order"]),
        )
        def order(self, picks, policy):
            order = services.create_order(
                world.company,
                customer=world.customer,
                lines=[{"product": products[name].pk, "quantity": q} for name, q in picks],
                invoicing_policy=policy,
                by=world.rep,
            )
            services.confirm_order(order, by=world.rep)
            return order.pk

        @rule(order=orders, part=st.booleans())
        def ship(self, order, part):
            order = SalesOrder.objects.get(pk=order)
            lines = [ln for ln in order.lines.select_related("product") if ln.product.type != "service"]
            open_line = next((ln for ln in lines if ln.qty_delivered < ln.quantity), None)
            quantities = {open_line.pk: 1} if part and open_line is not None else None
            self._refusable(lambda: services.ship_order(order, quantities=quantities, by=world.rep))

        @rule(target=invoices, order=orders)
        def invoice(self, order):
            order = SalesOrder.objects.get(pk=order)
            try:
                with transaction.atomic():
                    return services.invoice_order(order, post=True, by=world.accountant).pk
            except KernError as exc:
                assert exc.status == 409, exc.message
                return None

        @rule(invoice=invoices, share=st.sampled_from(["half", "all", "more"]))
        def pay(self, invoice, share):
            if invoice is None:
                return
            invoice = Invoice.objects.get(pk=invoice)
            if invoice.kind != InvoiceKind.INVOICE or invoice.residual <= 0:
                return
            amount = {
                "half": (invoice.residual / 2).quantize(D("0.01")),
                "all": invoice.residual,
                "more": invoice.residual + D("10.00"),
            }[share]
            if amount > 0:
                receive_payment(world.company, party=world.customer, amount=amount, on=dt.date.today())

        @rule(order=orders)
        def return_one(self, order):
            order = SalesOrder.objects.get(pk=order)
            line = next(
                (
                    ln
                    for ln in order.lines.select_related("product")
                    if ln.product.type != "service" and ln.qty_delivered - ln.qty_returned >= 1
                ),
                None,
            )
            if line is None:
                return
            rma = services.create_return(order, lines=[{"line": line.pk, "quantity": 1}], by=world.rep)
            services.authorise_return(rma, by=world.rep)
            services.receive_return(rma, by=world.rep)
            self._refusable(lambda: services.credit_return(rma, by=world.accountant))

        @rule(invoice=invoices)
        def credit_one(self, invoice):
            if invoice is None:
                return
            invoice = Invoice.objects.get(pk=invoice)
            line = invoice.lines.first()
            self._refusable(
                lambda: services.credit_invoice(
                    invoice, lines=[{"line": line.pk, "quantity": 1}], by=world.accountant
                )
            )

        @rule(order=orders)
        def cancel(self, order):
            self._refusable(lambda: services.cancel_order(SalesOrder.objects.get(pk=order), by=world.rep))

        def _refusable(self, action):
            """Run an action the documents may refuse; a refusal (409/422) changes nothing."""
            before = self._fingerprint()
            try:
                with transaction.atomic():
                    action()
            except KernError as exc:
                assert exc.status in (409, 422), exc.message
                assert self._fingerprint() == before

        def _fingerprint(self):
            return (
                JournalEntry.objects.filter(company=world.company).count(),
                list(
                    SalesOrderLine.objects.order_by("pk").values_list(
                        "qty_delivered", "qty_invoiced", "qty_returned"
                    )
                ),
                Invoice.objects.count(),
            )

        @invariant()
        def the_ledger_balances(self):
            # Sums are rounded to cents: SQLite adds decimals in binary floating point.
            totals = JournalLine.objects.filter(company=world.company).aggregate(
                d=Sum("debit"), c=Sum("credit")
            )
            assert cents(totals["d"]) == cents(totals["c"])
            per_entry = (
                JournalLine.objects.filter(company=world.company)
                .values("entry_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            )
            assert all(cents(row["d"]) == cents(row["c"]) for row in per_entry)

        @invariant()
        def receivables_agree(self):
            ledger = JournalLine.objects.filter(
                company=world.company, account=account_for(world.company, "receivable")
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
            in_ledger = cents(ledger["d"]) - cents(ledger["c"])
            items = OpenItem.objects.filter(company=world.company, kind="receivable")
            in_subledger = cents(items.aggregate(s=Sum("residual_company"))["s"])
            invoices = Invoice.objects.filter(company=world.company, status=InvoiceStatus.POSTED)
            open_invoices = sum((inv.residual * inv.sign for inv in invoices), D(0))
            unapplied = items.filter(source_type="payments.payment").aggregate(s=Sum("residual_company"))[
                "s"
            ] or D(0)
            assert in_ledger == in_subledger == open_invoices + unapplied
            residuals = dict(items.filter(source_type="sales.invoice").values_list("source_id", "residual"))
            for inv in invoices:
                assert inv.residual * inv.sign == residuals[inv.pk]

        @invariant()
        def stock_is_the_sum_of_the_moves(self):
            internal = list(INTERNAL_KINDS)
            signed = Case(
                When(
                    Q(location_to__kind__in=internal) & ~Q(location_from__kind__in=internal),
                    then=F("quantity"),
                ),
                When(
                    Q(location_from__kind__in=internal) & ~Q(location_to__kind__in=internal),
                    then=-F("quantity"),
                ),
                default=Value(D(0)),
                output_field=DecimalField(max_digits=20, decimal_places=4),
            )
            levels = stock_levels(world.company, [world.chair, world.desk])
            for name in ("chair", "desk"):
                product = products[name]
                moved = Move.objects.filter(product=product, status=MoveStatus.DONE).aggregate(s=Sum(signed))[
                    "s"
                ] or D(0)
                lines = SalesOrderLine.objects.filter(product=product).aggregate(
                    out=Sum("qty_delivered"), back=Sum("qty_returned")
                )
                shipped = (lines["out"] or D(0)) - (lines["back"] or D(0))
                assert levels[product.pk].on_hand == moved == START[name] - shipped

        @invariant()
        def lines_stay_within_bounds(self):
            assert not SalesOrderLine.objects.filter(
                Q(qty_delivered__gt=F("quantity")) | Q(qty_invoiced__lt=0)
            ).exists()
            assert not SalesOrder.objects.filter(
                status=OrderStatus.CANCELLED, lines__qty_delivered__gt=0, lines__product__type="stocked"
            ).exists()

    run_state_machine_as_test(
        OrderToCash,
        settings=settings(
            max_examples=int(__import__("os").environ.get("KERN_FLOW_EXAMPLES", "8")),
            stateful_step_count=8,
            deadline=None,
        ),
    )
