"""Catalog refusals in the user's language: units of different kinds do not convert, and a Dutch
user reads why in Dutch (title and detail), an English user in English; `code` never changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kern.catalog.exceptions import IncompatibleUnits
from kern.catalog.models import Uom
from kern.catalog.selectors import convert_quantity
from tests.builders import a_product

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def test_units_of_different_kinds_are_refused_in_dutch_and_in_english():
    kg, hour = Uom.objects.get(code="kg"), Uom.objects.get(code="h")
    with translation.override("nl"):
        dutch = IncompatibleUnits.between(kg, hour)
        dutch_problem = dutch.as_problem()
    english = IncompatibleUnits.between(kg, hour)
    kinds = (str(kg.category), str(hour.category))

    assert dutch.message == (
        f"kan kg niet omrekenen naar h: {kinds[0]} en {kinds[1]} zijn verschillende soorten eenheden"
    )
    assert dutch.errors == {"uom": ["kg is niet om te rekenen naar h"]}
    assert dutch_problem["title"] == "Eenheden zijn niet om te rekenen"
    assert english.message == f"cannot convert kg to h: {kinds[0]} and {kinds[1]} are different kinds of unit"
    assert english.errors == {"uom": ["kg does not convert to h"]}
    assert english.as_problem()["title"] == "Units cannot be converted"
    assert dutch_problem["code"] == english.as_problem()["code"] == "incompatible_units"
    assert (dutch.status, IncompatibleUnits.title) == (422, "Units cannot be converted")


def test_a_unit_that_does_not_convert_has_a_dutch_title_in_a_dutch_api_request(api, company):
    chair = a_product(company, "CHAIR", name="Chair", cost=Decimal("40"))
    line = {"product_id": chair.pk, "quantity": "1", "uom": "h"}
    body = {"kind": "delivery", "allow_partial": False, "lines": [line]}
    dutch = api.post_json("/api/v1/inventory/operations", body, **DUTCH)
    english = api.post_json("/api/v1/inventory/operations", body)
    assert (dutch.status_code, english.status_code) == (422, 422)
    assert (dutch.json()["title"], english.json()["title"]) == (
        "Eenheden zijn niet om te rekenen",
        "Units cannot be converted",
    )
    assert dutch.json()["code"] == english.json()["code"] == "incompatible_units"
    assert dutch.json()["type"] == english.json()["type"]


def test_converting_across_kinds_is_refused_in_dutch_by_the_selector():
    kg, hour = Uom.objects.get(code="kg"), Uom.objects.get(code="h")
    with translation.override("nl"), pytest.raises(IncompatibleUnits) as dutch:
        convert_quantity(Decimal("1"), kg, hour)
    assert dutch.value.message.startswith("kan kg niet omrekenen naar h: ")
    assert dutch.value.errors == {"uom": ["kg is niet om te rekenen naar h"]}
    with pytest.raises(IncompatibleUnits) as english:
        convert_quantity(Decimal("1"), kg, hour)
    assert english.value.errors == {"uom": ["kg does not convert to h"]}
