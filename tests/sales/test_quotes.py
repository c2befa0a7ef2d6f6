"""Quotes: pricing (price lists, quantity breaks, options, units), approval by role, the margin
floor, sending, the signed acceptance link and its refusals, revision, expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kern.catalog import services as catalog
from kern.core.exceptions import PermissionDenied, ValidationFailed
from kern.sales import services
from kern.sales.exceptions import ApprovalNotAllowed, ApprovalRequired, InvalidConfiguration, LinkInvalid
from kern.sales.models import Quote, QuoteLine, QuoteStatus, SalesOrder
from kern.sales.selectors import preview_document
from tests.builders import a_product, a_user

pytestmark = pytest.mark.django_db
D = Decimal


def a_quote(world, *lines, by=None, **fields):
    return services.create_quote(
        world.company,
        customer=world.customer,
        lines=list(lines) or [{"product": world.chair.pk, "quantity": 2}],
        by=by or world.rep,
        **fields,
    )


def test_price_lists_and_quantity_breaks_set_the_list_price(world):
    staffel = catalog.create_price_list(world.company, name="Staffel")
    catalog.set_price_list_item(staffel, world.chair, min_quantity=D("10"), unit_price=D("90.00"))
    catalog.set_price_list_item(staffel, world.chair, min_quantity=D("100"), discount_percent=D("25"))
    own = catalog.create_price_list(world.company, name="Jansen", party=world.customer)
    catalog.set_price_list_item(own, world.desk, unit_price=D("399.00"))

    quote = a_quote(
        world,
        {"product": world.chair.pk, "quantity": 5},
        {"product": world.chair.pk, "quantity": 10},
        {"product": world.chair.pk, "quantity": 120},
        {"product": world.desk.pk, "quantity": 1},
    )

    lines = list(quote.lines.order_by("line_no"))
    assert [ln.list_price for ln in lines] == [D("100.0000"), D("90.0000"), D("75.0000"), D("399.0000")]
    assert [ln.amount for ln in lines] == [D("500.00"), D("900.00"), D("9000.00"), D("399.00")]
    assert quote.max_discount_percent == 0  # list prices are agreed prices, not manual discounts
    assert quote.approval_reasons == []


def test_a_unit_of_the_same_kind_converts_price_and_quantity_breaks(world):
    quote = a_quote(world, {"product": world.chair.pk, "quantity": 2, "uom": "dozen"})

    line = quote.lines.get()
    assert (line.uom.code, line.list_price, line.amount) == ("dozen", D("1200.0000"), D("2400.00"))
    with pytest.raises(ValidationFailed) as refused:
        a_quote(world, {"product": world.chair.pk, "quantity": 2, "uom": "kg"})
    assert refused.value.errors == {"lines[0].uom": ["CHAIR is sold in pcs; kg does not convert"]}


def test_discounts_beyond_the_role_need_the_right_approver(world):
    director = a_user(world.company, "administrator")
    quote = a_quote(world, {"product": world.chair.pk, "quantity": 1, "discount_percent": "35"})
    assert quote.approval_role == "administrator"
    assert quote.approval_reasons == [
        "discount 35% is above 15%: needs Administrator",
        "margin 7.69% is below the floor of 10%",
    ]

    with pytest.raises(ApprovalRequired):
        services.send_quote(quote, by=world.rep)
    services.submit_quote(quote, by=world.rep)
    with pytest.raises(ApprovalNotAllowed) as refused:
        services.approve_quote(quote, by=world.manager)
    assert refused.value.status == 403
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by) == (QuoteStatus.TO_APPROVE, None)

    services.approve_quote(quote, by=director)
    services.send_quote(quote, by=world.rep)
    assert (quote.status, quote.approved_by) == (QuoteStatus.SENT, director)


def test_a_manager_sends_a_discount_within_the_managers_limit_and_is_recorded_as_approver(world):
    quote = a_quote(
        world, {"product": world.chair.pk, "quantity": 1, "discount_percent": "25"}, by=world.manager
    )

    services.send_quote(quote, by=world.manager)

    assert (quote.status, quote.approved_by, quote.approval_role) == (
        QuoteStatus.SENT,
        world.manager,
        "sales_manager",
    )


def test_a_lowered_price_counts_as_a_discount(world):
    quote = a_quote(world, {"product": world.chair.pk, "quantity": 1, "unit_price": "80"})

    assert (quote.max_discount_percent, quote.approval_role) == (D("20.00"), "sales_manager")


def test_a_margin_under_the_floor_needs_a_sales_manager(world):
    cheap = a_product(world.company, "THIN", sale_price=D("100.00"), cost=D("95.00"))

    quote = a_quote(world, {"product": cheap.pk, "quantity": 1})

    assert quote.approval_reasons == ["margin 5.00% is below the floor of 10%"]
    with pytest.raises(ApprovalRequired):
        services.send_quote(quote, by=world.rep)
    services.send_quote(quote, by=world.manager)
    assert quote.status == QuoteStatus.SENT


def test_a_configuration_that_breaks_a_rule_is_refused_naming_the_line(world):
    frame = catalog.add_option_group(world.chair, code="frame", name="Frame")
    oak = catalog.add_option(frame, code="oak", name="Oak", price_delta=D("40"))
    catalog.add_option(frame, code="steel", name="Steel")
    extras = catalog.add_option_group(
        world.chair, code="extras", name="Extras", selection="multiple", is_required=False
    )
    wheels = catalog.add_option(extras, code="wheels", name="Wheels")
    catalog.add_option_rule(world.chair, option=oak, kind="excludes", target=wheels)

    with pytest.raises(InvalidConfiguration) as refused:
        a_quote(world, {"product": world.chair.pk, "quantity": 1, "options": ["oak", "wheels"]})

    assert refused.value.errors == {"lines[0].options": ["Oak cannot be combined with Wheels"]}
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()
    with pytest.raises(InvalidConfiguration) as open_group:
        a_quote(world, {"product": world.chair.pk, "quantity": 1})
    assert open_group.value.errors == {"lines[0].options": ["Frame: choose an option"]}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"product": 999999, "quantity": 1}, "lines[0].product", "unknown product"),
        ({"product": "CHAIR", "quantity": 1}, "lines[0].product", "choose a product"),
        ({"quantity": 1}, "lines[0].product", "choose a product"),
        ("chair", "lines", "invalid"),
        ({"product": "P", "quantity": 1, "colour": "red"}, "lines[0].colour", "unknown field"),
    ],
)
def test_bad_lines_are_refused_with_the_field_named(world, line, field, message):
    if isinstance(line, dict) and line.get("product") == "P":
        line["product"] = world.chair.pk
    with pytest.raises(ValidationFailed) as refused:
        a_quote(world, line)
    assert refused.value.errors[field] == [message]
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "discount", "field", "message"),
    [
        ("0", "0", "lines[0].quantity", "must be more than 0"),
        ("-2", "0", "lines[0].quantity", "must be more than 0"),
        ("1.00001", "0", "lines[0].quantity", "at most 4 decimals"),
        ("abc", "0", "lines[0].quantity", "not a number"),
        ("1", "100.5", "lines[0].discount_percent", "between 0 and 100"),
        ("1e30", "0", "lines[0].quantity", "too large"),
    ],
)
def test_bad_numbers_are_refused(world, quantity, discount, field, message):
    with pytest.raises(ValidationFailed) as refused:
        a_quote(world, {"product": world.chair.pk, "quantity": quantity, "discount_percent": discount})
    assert refused.value.errors == {field: [message]}


def test_the_acceptance_link_accepts_once_and_refuses_altered_expired_and_old_links(world):
    quote = a_quote(world)
    services.send_quote(quote, by=world.rep)
    token = services.acceptance_token(quote)

    with pytest.raises(LinkInvalid):
        services.quote_for_token(token + "x")
    with pytest.raises(LinkInvalid):
        services.quote_for_token(token, today=quote.valid_until + dt.timedelta(days=1))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT

    services.revise_quote(quote, by=world.rep)
    services.send_quote(quote, by=world.rep)
    with pytest.raises(LinkInvalid) as old:
        services.quote_for_token(token)
    assert old.value.status == 403 and "no longer valid" in old.value.message

    order = services.accept_quote(
        services.quote_for_token(services.acceptance_token(quote)), name="P. Jansen"
    )
    assert SalesOrder.objects.get().pk == order.pk
    with pytest.raises(LinkInvalid):
        services.quote_for_token(services.acceptance_token(quote))


def test_editing_an_approved_quote_takes_back_the_approval(world):
    quote = a_quote(world, {"product": world.chair.pk, "quantity": 1, "discount_percent": "20"})
    services.submit_quote(quote, by=world.rep)
    services.approve_quote(quote, by=world.manager)

    services.update_quote(
        quote, lines=[{"product": world.chair.pk, "quantity": 3, "discount_percent": "20"}], by=world.rep
    )

    quote.refresh_from_db()
    assert (quote.status, quote.approved_by, quote.total) == (QuoteStatus.DRAFT, None, D("290.40"))
    with pytest.raises(ApprovalRequired):
        services.send_quote(quote, by=world.rep)


def test_sent_quotes_past_their_date_expire(world):
    quote = a_quote(world, quote_date=timezone.localdate() - dt.timedelta(days=40))
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)

    assert services.expire_quotes(world.company) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED


def test_the_preview_reports_problems_per_line_and_the_stock_available(world):
    preview = preview_document(
        world.company,
        customer=world.customer,
        lines=[
            {"product": world.chair.pk, "quantity": 60},
            {"product": world.hour.pk, "quantity": 2, "discount_percent": "101"},
            {"product": world.desk.pk, "quantity": 1},
        ],
        user=world.rep,
    )

    assert preview.errors == {"lines[1].discount_percent": ["between 0 and 100"]}
    assert [(c.product_id, c.available, c.short) for c in preview.lines] == [
        (world.chair.pk, D("50"), True),
        (world.desk.pk, D("10"), False),
    ]
    assert preview.priced.total == D("7804.50")  # (6000 + 450) × 1.21
    assert preview.credit.limit == 0 and not preview.credit_exceeded
    assert not Quote.objects.exists()


def test_only_the_sales_rep_role_may_send_what_it_may_give(world):
    warehouse = a_user(world.company, "warehouse")
    quote = a_quote(world, {"product": world.chair.pk, "quantity": 1, "discount_percent": "10"})
    services.send_quote(quote, by=warehouse)  # no approval needed: anyone allowed to send sends
    assert quote.status == QuoteStatus.SENT
    with pytest.raises(PermissionDenied):
        services.approve_quote(
            a_quote(world, {"product": world.chair.pk, "quantity": 1, "discount_percent": "16"}), by=warehouse
        )
