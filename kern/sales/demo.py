"""Demo data for sales: two teams, a configurable office chair, and quotes, orders, invoices,
credit notes, payments and a return in every state a user meets (idempotent: it runs once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kern.catalog import services as catalog
from kern.catalog.models import Product, ProductType
from kern.core.exceptions import KernError
from kern.inventory.selectors import stock_levels
from kern.parties.models import Party
from kern.payments.services import AllocationSpec, receive_payment
from kern.sales import services
from kern.sales.models import Quote, SalesTeam

D = Decimal
MARKER = "DEMO-"


def _chair(company: Any) -> Product | None:
    """The office chair becomes configurable: frame, armrests, headrest (needs armrests)."""
    chair = Product.objects.filter(
        company=company, name__icontains="bureaustoel", type=ProductType.STOCKED
    ).first()
    if chair is None or chair.is_configurable:
        return chair
    frame = catalog.add_option_group(chair, code="frame", name="Onderstel", selection="single")
    catalog.add_option(frame, code="black", name="Zwart staal", is_default=True)
    catalog.add_option(frame, code="chrome", name="Chroom", price_delta=D("35"), cost_delta=D("18"))
    catalog.add_option(frame, code="alu", name="Aluminium", price_delta=D("60"), cost_delta=D("30"))
    extras = catalog.add_option_group(
        chair, code="extras", name="Extra's", selection="multiple", is_required=False
    )
    arms = catalog.add_option(extras, code="arms", name="Armleggers", price_delta=D("45"), cost_delta=D("20"))
    head = catalog.add_option(
        extras, code="headrest", name="Hoofdsteun", price_delta=D("55"), cost_delta=D("25")
    )
    wheels = catalog.add_option(
        extras, code="soft-wheels", name="Zachte wielen", price_delta=D("15"), cost_delta=D("6")
    )
    catalog.add_option_rule(chair, option=head, kind="requires", target=arms)
    alu = frame.options.get(code="alu")
    catalog.add_option_rule(chair, option=alu, kind="excludes", target=wheels)
    chair.refresh_from_db()
    return chair


def load_sales(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx.get("company")
    if (
        company is None
        or Quote.objects.filter(company=company, customer_reference__startswith=MARKER).exists()
    ):
        return
    users = ctx.get("users", {})
    rep, manager, admin = users.get("sales_rep"), users.get("sales_manager"), users.get("administrator")
    accountant = users.get("accountant")
    if rep is None or manager is None:
        return
    if not SalesTeam.objects.filter(company=company).exists():
        services.create_team(company, name="Binnendienst", manager=manager, members=[rep], by=admin)
        services.create_team(company, name="Buitendienst", manager=manager, by=admin)
    customers = list(
        Party.objects.filter(
            company=company, is_customer=True, is_prospect=False, is_active=True, credit_limit=0
        )
        .exclude(addresses__isnull=True)
        .order_by("number")[:12]
    )
    limited = (
        Party.objects.filter(
            company=company, is_customer=True, is_prospect=False, credit_limit__gt=0, credit_limit__lte=10000
        )
        .exclude(addresses__isnull=True)
        .order_by("number")
        .first()
    )
    goods = list(
        Product.objects.filter(
            company=company, type=ProductType.STOCKED, is_active=True, can_be_sold=True, sale_price__gt=0
        )
        .exclude(tracking__in=["lot", "serial"])
        .order_by("sku")[:40]
    )
    levels = stock_levels(company, goods)
    goods = [p for p in goods if levels[p.pk].available >= 30][:8]
    chair = _chair(company)
    if len(customers) < 8 or len(goods) < 4:
        return
    today = timezone.localdate()
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if progress:
            progress(step, 30)

    def lines(n: int, k: int = 2) -> list[dict[str, Any]]:
        return [
            {"product": goods[(n + j) % len(goods)].pk, "quantity": 1 + (n + 2 * j) % 5} for j in range(k)
        ]

    def quote(
        n: int, *, ref: str, discount: str = "0", by: Any = rep, extra: list[dict] | None = None
    ) -> Quote:
        body = lines(n)
        if discount != "0":
            body[0]["discount_percent"] = discount
        if extra:
            body += extra
        return services.create_quote(
            company,
            customer=customers[n % len(customers)],
            lines=body,
            customer_reference=f"{MARKER}{ref}",
            by=by,
        )

    configured = []
    if chair is not None:
        configured = [{"product": chair.pk, "quantity": 4, "options": ["frame.chrome", "arms", "headrest"]}]

    # Quotes, one in every state.
    quote(0, ref="Q-DRAFT", extra=configured)
    tick()
    services.submit_quote(quote(1, ref="Q-APPROVAL", discount="22"), by=rep)
    tick()
    approved = quote(2, ref="Q-APPROVED", discount="18")
    services.submit_quote(approved, by=rep)
    services.approve_quote(approved, by=manager)
    tick()
    services.send_quote(quote(3, ref="Q-SENT", extra=configured), by=rep)
    tick()
    accepted = quote(4, ref="Q-ACCEPTED")
    services.send_quote(accepted, by=rep)
    accepted_order = services.accept_quote(accepted, name="Inkoop afdeling")
    tick()
    services.reject_quote(services.send_quote(quote(5, ref="Q-REJECTED"), by=rep), reason="Te duur")
    tick()
    expired = services.create_quote(
        company,
        customer=customers[6],
        lines=lines(6),
        quote_date=max(today.replace(month=1, day=1), today - dt.timedelta(days=45)),
        valid_until=max(today.replace(month=1, day=1), today - dt.timedelta(days=15)),
        customer_reference=f"{MARKER}Q-EXPIRED",
        by=rep,
    )
    if expired.valid_until < today:
        Quote.objects.filter(pk=expired.pk).update(status="sent", sent_at=timezone.now())
        services.expire_quotes(company)
    tick()
    services.cancel_quote(quote(7, ref="Q-CANCELLED"), by=rep)
    tick()

    def order(n: int, ref: str, *, policy: str = "delivery", customer: Party | None = None, body=None):
        return services.create_order(
            company,
            customer=customer or customers[n % len(customers)],
            lines=body or lines(n, 3),
            invoicing_policy=policy,
            customer_reference=f"{MARKER}{ref}",
            by=rep,
        )

    # Orders: draft, blocked by credit, confirmed, partly shipped, shipped, done and paid, cancelled.
    order(8, "SO-DRAFT")
    tick()
    if limited is not None:
        big = [
            {
                "product": goods[0].pk,
                "quantity": max(1, int(limited.credit_limit / max(goods[0].sale_price, D(1))) + 5),
            }
        ]
        services.confirm_order(order(9, "SO-BLOCKED", customer=limited, body=big), by=rep)
    tick()
    services.confirm_order(order(10, "SO-CONFIRMED"), by=rep)
    tick()
    partly = order(11, "SO-PARTLY")
    services.confirm_order(partly, by=rep)
    first = partly.lines.order_by("line_no").first()
    services.ship_order(partly, quantities={first.pk: 1}, by=admin)
    tick()
    shipped = order(0, "SO-SHIPPED")
    services.confirm_order(shipped, by=rep)
    services.ship_order(shipped, by=admin)
    tick()
    cancelled = order(1, "SO-CANCELLED")
    services.confirm_order(cancelled, by=rep)
    services.cancel_order(cancelled, reason="Klant heeft elders besteld", by=rep)
    tick()

    # Invoices: unpaid, partly paid, paid (incl. the accepted quote's order), a credit note,
    # a standalone invoice in draft and one posted.
    unpaid = order(2, "SO-UNPAID", policy="order")
    services.confirm_order(unpaid, by=rep)
    services.invoice_order(unpaid, post=True, by=accountant)
    tick()
    part = order(3, "SO-PART-PAID")
    services.confirm_order(part, by=rep)
    services.ship_order(part, by=admin)
    part_invoice = services.invoice_order(part, post=True, by=accountant)
    _pay(company, part_invoice, (part_invoice.total / 2).quantize(D("0.01")), accountant)
    tick()
    for done_order in (accepted_order, order(4, "SO-DONE")):
        if done_order.status == "draft":
            services.confirm_order(done_order, by=rep)
        if done_order.status != "confirmed":
            continue
        services.ship_order(done_order, by=admin)
        paid = services.invoice_order(done_order, post=True, by=accountant)
        _pay(company, paid, paid.total, accountant)
        tick()
    returned = order(5, "SO-RETURN")
    services.confirm_order(returned, by=rep)
    services.ship_order(returned, by=admin)
    services.invoice_order(returned, post=True, by=accountant)
    rma = services.create_return(
        returned,
        lines=[{"line": returned.lines.order_by("line_no").first().pk, "quantity": 1}],
        reason="Beschadigd geleverd",
        by=rep,
    )
    services.authorise_return(rma, by=manager)
    services.receive_return(rma, by=admin)
    services.credit_return(rma, by=accountant)
    services.create_return(
        shipped,
        lines=[{"line": shipped.lines.order_by("line_no").first().pk, "quantity": 1}],
        reason="Verkeerde kleur",
        by=rep,
    )
    tick()
    services.create_invoice(
        company,
        customer=customers[6],
        lines=[{"description": "Installatie en montage", "quantity": "3", "unit_price": "65.00"}],
        customer_reference=f"{MARKER}INV-DRAFT",
        by=accountant,
    )
    services.create_invoice(
        company,
        customer=customers[7],
        lines=[{"description": "Advies werkplekinrichting", "quantity": "4", "unit_price": "95.00"}],
        customer_reference=f"{MARKER}INV-POSTED",
        post=True,
        by=accountant,
    )
    tick()


def _pay(company: Any, invoice: Any, amount: Decimal, by: Any) -> None:
    try:
        receive_payment(
            company,
            party=invoice.customer_id,
            amount=amount,
            on=invoice.invoice_date,
            reference=invoice.payment_reference,
            allocations=[AllocationSpec(open_item=invoice._open_item, amount=amount)],
            by=by,
        )
    except KernError:
        # A currency or blocked item the demo cannot settle simply stays open.
        return
