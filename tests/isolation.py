"""Objects of another company for every path parameter of the API, to prove cross-company isolation.

When an app adds an endpoint with a new `{something_id}` path parameter, add a builder here: the
isolation test fails until every parameter can be filled with a row of another company.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kern.catalog import services as catalog_services
from kern.core import services as core_services
from kern.parties import services as party_services
from tests.builders import a_customer, a_product, a_user, a_vendor

Builder = Callable[[Any], Any]  # builder(company) -> object whose pk fills the parameter

BUILDERS: dict[str, Builder] = {
    "party_id": lambda company: a_customer(company),
    "contact_id": lambda company: party_services.add_contact(a_customer(company), last_name="Geheim"),
    "address_id": lambda company: party_services.add_address(
        a_customer(company), street="Geheim 1", city="Utrecht"
    ),
    "account_id": lambda company: party_services.add_bank_account(
        a_customer(company), iban="NL91ABNA0417164300"
    ),
    "product_id": lambda company: a_product(company),
    "price_list_id": lambda company: catalog_services.create_price_list(company, name="Geheim"),
    "token_id": lambda company: core_services.issue_api_token(a_user(company), company, name="geheim")[0],
}

# Path parameters that are not rows of a company (an import kind, a report name): the isolation
# test skips operations that have only such parameters.
NOT_COMPANY_ROWS = {"kind"}

# Bodies that pass validation, so that the answer is decided by the object lookup alone.
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/parties/{party_id}/addresses"): {"street": "Straat 1", "city": "Delft"},
    ("post", "/api/v1/parties/{party_id}/contacts"): {"last_name": "Nieuw"},
    ("post", "/api/v1/parties/{party_id}/bank-accounts"): {"iban": "NL20INGB0001234567"},
    ("post", "/api/v1/price-lists/{price_list_id}/items"): [],
}


def register(param: str, builder: Builder) -> None:
    BUILDERS[param] = builder


def register_body(method: str, path: str, body: Any) -> None:
    BODIES[(method, path)] = body


def sample_decimal() -> Decimal:
    return Decimal("1.00")


# --- crm ----------------------------------------------------------------------------------------
def _crm_builders() -> None:
    import datetime as dt

    from kern.crm import services as crm

    def rep(company: Any) -> Any:
        return a_user(company, "sales_rep")

    register(
        "lead_id", lambda company: crm.create_lead(company, organisation="Geheim BV", last_name="Geheim")
    )
    register(
        "opportunity_id",
        lambda company: crm.create_opportunity(company, name="Geheim", party=a_customer(company)),
    )
    register("form_id", lambda company: crm.create_lead_form(company, name="Geheim"))
    register("stage_id", lambda company: crm.create_stage(company, name="Geheim", probability=5))
    register(
        "rule_id",
        lambda company: crm.create_scoring_rule(
            company, name="Geheim", criterion="country", values="NL", points=1
        ),
    )
    register(
        "assignment_rule_id",
        lambda company: crm.create_assignment_rule(company, name="Geheim", user=rep(company)),
    )
    register(
        "activity_id",
        lambda company: crm.schedule_activity(
            company, by=rep(company), subject="Geheim", party=a_customer(company)
        ),
    )
    register(
        "target_id",
        lambda company: crm.set_target(
            company, user=rep(company), period="month", start=dt.date(2026, 1, 1), amount=Decimal("1000")
        ),
    )
    register_body("post", "/api/v1/crm/leads/{lead_id}/engagements", {"kind": "email_opened"})
    register_body("post", "/api/v1/crm/opportunities/{opportunity_id}/move", {"stage_id": 1})


_crm_builders()


# --- purchasing --------------------------------------------------------------------------------


def _purchasing():
    from kern.purchasing import services as purchasing

    return purchasing


def _a_purchase_order(company):
    return _purchasing().create_order(
        company,
        vendor=a_vendor(company),
        lines=[{"product": a_product(company), "quantity": 1, "unit_price": 1}],
    )


def _a_vendor_bill(company):
    return _purchasing().create_bill(
        company, vendor=a_vendor(company), lines=[{"description": "Geheim", "quantity": 1, "unit_price": 1}]
    )


def _a_requisition(company):
    return _purchasing().create_requisition(company, lines=[{"product": a_product(company), "quantity": 1}])


def _an_rfq(company):
    return _purchasing().create_rfq(
        company, lines=[{"product": a_product(company), "quantity": 1}], vendors=[a_vendor(company)]
    )


BUILDERS.update(
    {
        "vendor_price_id": lambda company: _purchasing().set_vendor_price(
            company, vendor=a_vendor(company), product=a_product(company), unit_price=1
        ),
        "purchase_order_id": _a_purchase_order,
        "order_line_id": lambda company: _a_purchase_order(company).lines.get(),
        "vendor_bill_id": _a_vendor_bill,
        "bill_line_id": lambda company: _a_vendor_bill(company).lines.get(),
        "requisition_id": _a_requisition,
        "requisition_line_id": lambda company: _a_requisition(company).lines.get(),
        "rfq_id": _an_rfq,
        "rfq_line_id": lambda company: _an_rfq(company).lines.get(),
        "rfq_vendor_id": lambda company: _an_rfq(company).vendors.get(),
    }
)
NOT_COMPANY_ROWS.add("role")
BODIES.update(
    {
        ("post", "/api/v1/requisitions/{requisition_id}/lines"): {"product_id": 1, "quantity": "1"},
        ("post", "/api/v1/requisitions/{requisition_id}/rfq"): {"vendor_ids": [1]},
        ("post", "/api/v1/rfqs/{rfq_id}/lines"): {"product_id": 1, "quantity": "1"},
        ("post", "/api/v1/rfqs/{rfq_id}/vendors"): {"vendor_id": 1},
        ("post", "/api/v1/rfqs/{rfq_id}/vendors/{rfq_vendor_id}/quote"): {
            "prices": [{"line_id": 1, "unit_price": "1"}]
        },
        ("post", "/api/v1/purchase-orders/{purchase_order_id}/lines"): {"product_id": 1, "quantity": "1"},
        ("post", "/api/v1/vendor-bills/{vendor_bill_id}/release"): {"note": "ok"},
    }
)


# --- service ----------------------------------------------------------------------------------


def _service_builders() -> None:
    import datetime as dt
    import itertools

    seq = itertools.count(1)

    from kern.service import services as service

    def ticket(company):
        return service.open_ticket(company, subject="Geheim", description="Geheim", channel="api")

    def team(company):
        return service.create_team(company, name=f"Geheim {next(seq)}")

    def member(company):
        return service.add_team_member(team(company), user=a_user(company, "service_agent"))

    def article(company):
        return service.create_article(company, title="Geheim", body="Geheim")

    def link(company):
        return service.link_record(
            ticket(company), target_model="catalog.product", target_id=a_product(company).pk
        )

    def calendar(company):
        return service.create_calendar(company, name=f"Geheim {next(seq)}")

    def policy(company):
        from kern.service.models import SlaPolicy

        return SlaPolicy.objects.filter(company=company).first()

    BUILDERS.update(
        {
            "ticket_id": ticket,
            "link_id": link,
            "team_id": team,
            "member_id": member,
            "article_id": article,
            "calendar_id": calendar,
            "policy_id": policy,
        }
    )
    BODIES.update(
        {
            ("post", "/api/v1/service/tickets/{ticket_id}/replies"): {"body": "Hallo"},
            ("post", "/api/v1/service/tickets/{ticket_id}/notes"): {"body": "Hallo"},
            ("post", "/api/v1/service/tickets/{ticket_id}/customer-messages"): {"body": "Hallo"},
            ("post", "/api/v1/service/tickets/{ticket_id}/merge"): {"into_id": 1},
            ("post", "/api/v1/service/tickets/{ticket_id}/links"): {
                "target_model": "catalog.product",
                "target_id": 1,
            },
            ("post", "/api/v1/service/teams/{team_id}/members"): {"user_id": 1},
            ("post", "/api/v1/service/calendars/{calendar_id}/holidays"): {
                "date": str(dt.date(2026, 12, 25)),
                "name": "Kerst",
            },
        }
    )


_service_builders()


def _portal_builders() -> None:
    """A contact's portal login (its revocation is the path parameter of the portal API)."""
    import itertools

    seq = itertools.count(1)

    def access(company: Any) -> Any:
        from kern.parties import services as parties
        from kern.portal import services as portal
        from kern.portal.models import PortalAccess

        n = next(seq)
        contact = parties.add_contact(
            a_customer(company), first_name="Geheim", last_name=f"Klant {n}", email=f"geheim{n}@klant.test"
        )
        user = a_user(company, "portal_customer")
        portal.grant_access(contact, user=user)
        return PortalAccess.objects.get(contact=contact)

    BUILDERS["access_id"] = access


_portal_builders()


# --- ledger -------------------------------------------------------------------------------------


def _ledger_builders() -> None:
    import datetime as dt

    from kern.ledger.models import Account, FiscalYear, Journal, Period
    from kern.ledger.services import LineSpec, create_draft

    BUILDERS.update(
        {
            "ledger_account_id": lambda company: Account.objects.get(company=company, code="1100"),
            "journal_id": lambda company: Journal.objects.get(company=company, code="MEM"),
            "period_id": lambda company: Period.objects.filter(company=company, number=1).first(),
            "fiscal_year_id": lambda company: FiscalYear.objects.filter(company=company).first(),
            "entry_id": lambda company: create_draft(
                company,
                journal="general",
                on=dt.date.today(),
                lines=[
                    LineSpec(account="4600", debit=Decimal("1.00")),
                    LineSpec(account="1100", credit=Decimal("1.00")),
                ],
            ),
        }
    )
    NOT_COMPANY_ROWS.add("box")
    BODIES.update(
        {
            ("post", "/api/v1/ledger/entries/{entry_id}/reverse"): {},
            ("patch", "/api/v1/ledger/entries/{entry_id}"): {"memo": "Geheim"},
        }
    )


_ledger_builders()


# --- inventory ----------------------------------------------------------------------------------
def _inventory_builders() -> None:
    from kern.inventory import selectors as inventory_selectors
    from kern.inventory import services as inventory

    def wh(company: Any) -> Any:
        return inventory_selectors.default_warehouse(company)

    register(
        "warehouse_id", lambda company: inventory.create_warehouse(company, code="GEHEIM", name="Geheim")
    )
    register(
        "location_id", lambda company: inventory.create_location(wh(company).stock_location, name="Geheim")
    )
    register(
        "lot_id", lambda company: inventory.create_lot(a_product(company, tracking="lot"), name="GEHEIM-1")
    )
    register(
        "operation_id",
        lambda company: inventory.create_operation(
            company,
            kind="receipt",
            lines=[inventory.MoveSpec(a_product(company), Decimal("1"))],
            confirm=False,
        ),
    )
    register(
        "reorder_rule_id",
        lambda company: inventory.set_reorder_rule(
            wh(company), a_product(company), min_quantity=Decimal("1"), max_quantity=Decimal("2")
        ),
    )
    register("stock_count_id", lambda company: inventory.start_stock_count(wh(company)))
    register_body("post", "/api/v1/inventory/operations/{operation_id}/scan", {"code": "GEHEIM"})
    register_body(
        "post",
        "/api/v1/inventory/stock-counts/{stock_count_id}/lines",
        {"location_id": 1, "product_id": 1, "quantity": "1"},
    )
    register_body(
        "post", "/api/v1/inventory/stock-counts/{stock_count_id}/scan", {"code": "X", "location_id": 1}
    )


_inventory_builders()


# --- sales --------------------------------------------------------------------------------------


def _sales_builders() -> None:
    from kern.inventory import services as inventory
    from kern.sales import services as sales

    def an_order(company: Any, *, ship: bool = False) -> Any:
        product = a_product(company)
        inventory.adjust_stock(
            company, lines=[inventory.MoveSpec(product, Decimal("5"), unit_cost=Decimal("1"))]
        )
        order = sales.create_order(
            company, customer=a_customer(company), lines=[{"product": product.pk, "quantity": 2}]
        )
        if ship:
            sales.confirm_order(order)
            sales.ship_order(order)
        return order

    def a_return(company: Any) -> Any:
        order = an_order(company, ship=True)
        return sales.create_return(order, lines=[{"line": order.lines.get().pk, "quantity": 1}])

    register("sales_team_id", lambda company: sales.create_team(company, name="Geheim"))
    register(
        "quote_id",
        lambda company: sales.create_quote(
            company, customer=a_customer(company), lines=[{"product": a_product(company).pk, "quantity": 1}]
        ),
    )
    register("order_id", an_order)
    register(
        "invoice_id",
        lambda company: sales.create_invoice(
            company,
            customer=a_customer(company),
            lines=[{"description": "Geheim", "quantity": 1, "unit_price": "10"}],
        ),
    )
    register("return_id", a_return)
    NOT_COMPANY_ROWS.add("token")
    register_body("post", "/api/v1/quotes/{quote_id}/accept", {"name": "Geheim"})
    register_body(
        "post", "/api/v1/sales-orders/{order_id}/returns", {"lines": [{"line": 1, "quantity": "1"}]}
    )


_sales_builders()


def _payments_builders() -> None:
    """Rows of payments: open items, payments, statements and their lines, runs, letters."""
    import datetime as dt

    from kern.parties import services as parties
    from kern.payments import services as payments
    from kern.payments.formats.camt053 import ParsedLine, ParsedStatement, render_camt053
    from tests.builders import a_vendor, an_open_item

    def an_item(company: Any) -> Any:
        return an_open_item(company, a_customer(company), "10.00")

    def a_payment(company: Any) -> Any:
        return payments.receive_payment(
            company, party=a_customer(company), amount=Decimal("5.00"), on=dt.date.today()
        )

    from kern.payments.models import BankJournal

    counter = iter(range(1, 10**6))

    def a_bank(company: Any) -> Any:
        return BankJournal.objects.filter(company=company, iban="NL91ABNA0417164300").first() or (
            payments.create_bank_journal(company, name="Geheim", iban="NL91ABNA0417164300")
        )

    def a_statement(company: Any) -> Any:
        bank = a_bank(company)
        today = dt.date.today()
        n = next(counter)
        data = render_camt053(
            ParsedStatement(
                reference=f"GEHEIM-{company.pk}-{n}",
                iban=bank.iban,
                currency="EUR",
                date=today,
                lines=[
                    ParsedLine(
                        booking_date=today, amount=Decimal(f"7.{n:02d}"), currency="EUR", remittance="x"
                    )
                ],
            )
        )
        return payments.import_bank_statement(company, data).statements[0]

    def a_run(company: Any) -> Any:
        a_bank(company)
        vendor = a_vendor(company)
        parties.add_bank_account(vendor, iban="NL20INGB0001234567")
        an_open_item(company, vendor, "10.00", kind="payable", due_days=0)
        return payments.propose_payment_run(company, execution_date=dt.date.today())

    def a_letter(company: Any) -> Any:
        an_open_item(company, a_customer(company), "10.00", on=dt.date.today() - dt.timedelta(days=60))
        return payments.send_dunning_letters(company)[0]

    register("open_item_id", an_item)
    register("payment_id", a_payment)
    register("statement_id", a_statement)
    register("line_id", lambda company: a_statement(company).lines.get())
    register("run_id", a_run)
    register("letter_id", a_letter)
    register_body("post", "/api/v1/open-items/{open_item_id}/offset", {"counterpart_id": 1})
    register_body("post", "/api/v1/payments/{payment_id}/reverse", {})
    register_body("post", "/api/v1/statement-lines/{line_id}/reconcile", {"party_id": 1})
    register_body("post", "/api/v1/statement-lines/{line_id}/match-payment", {"payment_id": 1})
    register_body("post", "/api/v1/statement-lines/{line_id}/book", {"account": "4610"})


_payments_builders()


def _payments_builders() -> None:
    from kern.payments.models import DunningLevel

    # Every company gets the default reminder levels when it is created.
    BUILDERS["level_id"] = lambda company: (
        DunningLevel.objects.filter(company=company).order_by("level").first()
    )
    BODIES[("patch", "/api/v1/dunning-levels/{level_id}")] = {"name": "Geheim"}


_payments_builders()
