"""Builders shared by every app's tests: a company, users in roles, an API client, parties, products.

Each returns real rows made through the services, so tests exercise the same paths as users.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

from django.test import Client

from kern.catalog import services as catalog_services
from kern.core import services as core_services
from kern.core.models import Company
from kern.parties import services as party_services

_seq = itertools.count(1)

VALID_NL_VAT = ["NL123456782B01", "NL123456794B01", "NL123456800B01", "NL123456812B01", "NL123456824B01"]


def a_company(name: str | None = None, **fields: Any) -> Company:
    n = next(_seq)
    defaults = {
        "name": name or f"Company {n}",
        "legal_name": f"{name or f'Company {n}'} B.V.",
        "kvk_number": f"{10000000 + n}",
        "base_currency": "EUR",
        "street": "Damrak 1",
        "postcode": "1012 LG",
        "city": "Amsterdam",
        "country": "NL",
    }
    defaults.update(fields)
    return core_services.create_company(**defaults)


def a_user(
    company: Company | None = None, *roles: str, username: str | None = None, password: str = "x-secret-pw-1"
):
    n = next(_seq)
    return core_services.create_user(
        username or f"user{n}",
        password=password,
        email=f"user{n}@example.test",
        roles=list(roles or ["administrator"]),
        companies=[company] if company else [],
    )


class ApiClient(Client):
    """A test client that speaks JSON to /api/v1 with a token of one user in one company."""

    def __init__(self, user: Any, company: Company, **defaults: Any):
        _token, secret = core_services.issue_api_token(user, company, name="tests")
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}", **defaults)
        self.user = user
        self.company = company
        self.secret = secret

    def _json(self, method: str, path: str, data: Any = None, **extra: Any):
        body = json.dumps(data, default=str) if data is not None else None
        return getattr(super(), method)(path, data=body, content_type="application/json", **extra)

    def post_json(self, path: str, data: Any = None, **extra: Any):
        return self._json("post", path, data, **extra)

    def patch_json(self, path: str, data: Any = None, **extra: Any):
        return self._json("patch", path, data, **extra)

    def put_json(self, path: str, data: Any = None, **extra: Any):
        return self._json("put", path, data, **extra)


def an_api_client(company: Company, *roles: str) -> ApiClient:
    return ApiClient(a_user(company, *(roles or ("administrator",))), company)


def a_customer(company: Company, name: str | None = None, **fields: Any):
    fields.setdefault("is_customer", True)
    return party_services.create_party(company, name=name or f"Customer {next(_seq)}", **fields)


def a_vendor(company: Company, name: str | None = None, **fields: Any):
    fields.setdefault("is_vendor", True)
    return party_services.create_party(company, name=name or f"Vendor {next(_seq)}", **fields)


def a_product(company: Company, sku: str | None = None, **fields: Any):
    n = next(_seq)
    fields.setdefault("name", f"Product {n}")
    fields.setdefault("sale_price", Decimal("10.00"))
    fields.setdefault("cost", Decimal("6.00"))
    return catalog_services.create_product(company, sku=sku or f"SKU-{n:05d}", **fields)


def an_open_year(company: Company, year: int):
    """The company's fiscal year `year` with its periods, created when missing (ledger)."""
    from kern.ledger.models import FiscalYear
    from kern.ledger.services import open_fiscal_year

    return FiscalYear.objects.filter(company=company, year=year).first() or open_fiscal_year(company, year)


def a_posted_entry(
    company: Company, *lines: tuple[str, str, str], journal: str = "general", on=None, **kwargs: Any
):
    """Post an entry from (account code or role:name, debit, credit) triples (ledger)."""
    import datetime as dt

    from kern.ledger.services import LineSpec, post_entry

    specs = []
    for account, debit, credit, *party in lines:
        where = {"role": account[5:]} if account.startswith("role:") else {"account": account}
        specs.append(
            LineSpec(
                debit=Decimal(debit), credit=Decimal(credit), party_id=party[0] if party else None, **where
            )
        )
    return post_entry(company=company, journal=journal, on=on or dt.date.today(), lines=specs, **kwargs)


def a_web_client(user: Any, *, language: str = "en") -> Client:
    """A browser-like test client signed in as `user`, past two-factor login where the role needs it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="tests", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies["django_language"] = language
    return client


def an_open_item(
    company: Company,
    party: Any,
    amount: str | Decimal,
    *,
    kind: str = "receivable",
    on=None,
    due_days: int = 30,
    currency: str | None = None,
    amount_company: str | Decimal | None = None,
    number: str | None = None,
    reference: str = "",
    discount_days: int = 0,
    discount_percent: str | Decimal = "0",
    **extra: Any,
):
    """A posted invoice (receivable) or bill (payable) with its open item (payments).

    Posts receivable/revenue (or expense/payable) through the ledger and registers the open item
    with the same company-currency amount, as sales and purchasing do. Negative amounts are
    credit notes.
    """
    import datetime as dt

    from kern.ledger.services import LineSpec, SourceRef, post_entry
    from kern.payments.services import register_open_item

    on = on or dt.date.today()
    amount = Decimal(str(amount))
    currency = currency or company.base_currency_id
    if amount_company is None:
        amount_company = amount
    amount_company = Decimal(str(amount_company))
    n = next(_seq)
    number = number or f"{'INV' if kind == 'receivable' else 'BILL'}-{n:05d}"
    k = 1 if kind == "receivable" else -1
    signed = k * amount_company  # debit (+) or credit (-) on the party account
    foreign = (
        {"amount_currency": k * amount, "currency": currency} if currency != company.base_currency_id else {}
    )
    party_line = LineSpec(
        role=kind,
        party_id=party.pk,
        debit=signed if signed > 0 else Decimal("0"),
        credit=-signed if signed < 0 else Decimal("0"),
        **foreign,
    )
    other = LineSpec(
        role="revenue" if kind == "receivable" else "expense",
        debit=-signed if signed < 0 else Decimal("0"),
        credit=signed if signed > 0 else Decimal("0"),
    )
    entry = post_entry(
        company=company,
        journal="sale" if kind == "receivable" else "purchase",
        on=on,
        lines=[party_line, other],
        source=SourceRef("tests.document", n, number),
    )
    discount = Decimal("0")
    if Decimal(str(discount_percent)) and amount > 0:
        discount = (amount * Decimal(str(discount_percent)) / 100).quantize(Decimal("0.01"))
    return register_open_item(
        company,
        kind=kind,
        party=party,
        source_type="tests.document",
        source_id=n,
        number=number,
        reference=reference,
        document_date=on,
        due_date=on + dt.timedelta(days=due_days),
        discount_date=on + dt.timedelta(days=discount_days) if discount else None,
        discount_amount=discount,
        currency=currency,
        amount=amount,
        amount_company=amount_company,
        entry=entry,
        **extra,
    )


def in_stock(
    product: Any,
    quantity: Any,
    *,
    unit_cost: Any = None,
    warehouse: Any = None,
    location: Any = None,
    lot: Any = None,
    serials: Any = (),
    by: Any = None,
):
    """Book `quantity` of `product` into stock (an inventory adjustment, valued at `unit_cost`,
    default the product's cost). Returns the adjustment operation."""
    from kern.inventory import services as inventory_services

    spec = inventory_services.MoveSpec(
        product,
        Decimal(str(quantity)),
        unit_cost=Decimal(str(unit_cost)) if unit_cost is not None else product.cost,
        location_to=location,
        lot=lot,
        serials=tuple(serials),
    )
    return inventory_services.adjust_stock(product.company, lines=[spec], warehouse=warehouse, by=by)


def a_warehouse(company: Company, code: str | None = None, **fields: Any):
    from kern.inventory import services as inventory_services

    n = next(_seq)
    return inventory_services.create_warehouse(
        company, code=code or f"W{n}", name=fields.pop("name", f"Warehouse {n}"), **fields
    )
