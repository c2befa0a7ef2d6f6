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
from tests.builders import a_customer, a_product, a_user

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
