"""More inventory refusals read well in English and in Dutch: a tracked line without its lot or
serial number says which number it needs, packing with nothing picked left, picking with nothing
reserved, an unknown or empty scanned code (in the selector and in the scan endpoint), a quantity
too small for the product's unit, deactivating a location that holds stock, a reorder rule saved
over someone else's, returning an operation that is not done, a reservation that lost its stock
to another one, and a company without a warehouse; the warehouse master data's refusals (an
unknown field, a warehouse code or location name or barcode in use, a '/' in a location name, a
location that cannot hold sub-locations, negative stock still booked, a lot of an untracked product
or a lot that exists, a reorder rule's unknown product or vendor, a service, a maximum below the
minimum) and the operations' (an unknown type, no lines, another company's partner or warehouse,
returning what is not a delivery or receipt, a line that is not done, everything returned). The
sales, payments and inventory catalogues hold no entry their app no longer marks ('company' comes
from kern/core)."""

from __future__ import annotations

import shutil
from decimal import Decimal

import polib
import pytest
from django.db import IntegrityError
from django.utils import translation

from kern.catalog.models import ProductType, TrackingMode
from kern.core.exceptions import Conflict, NotFound, ValidationFailed
from kern.inventory import selectors, services
from kern.inventory.exceptions import InvalidQuantity, LotRequired
from kern.inventory.models import LocationKind, ReorderRule, Warehouse
from kern.inventory.services import MoveSpec, PickLine, _sql
from kern.payments.models import Payment
from kern.sales.models import Invoice
from tests.builders import a_customer, a_product, a_vendor, in_stock
from tests.web.test_translations import KERN, _extracted

D = Decimal


def _unvalidated_receipt(company, vendor, product):
    return services.receive(company, lines=[MoveSpec(product, D("1"))], partner=vendor, validate=False)


def _refused(refusal, call, *args, **kwargs):
    """The refusal `call` raises in Dutch, then in English."""
    with translation.override("nl"), pytest.raises(refusal) as dutch:
        call(*args, **kwargs)
    with pytest.raises(refusal) as english:
        call(*args, **kwargs)
    return dutch.value, english.value


def _invalid(field, call, *args, **kwargs):
    """The Dutch and English messages of the ValidationFailed `call` raises on `field`."""
    dutch, english = _refused(ValidationFailed, call, *args, **kwargs)
    assert dutch.errors == {field: [dutch.message.removeprefix(f"{field}: ")]}
    assert english.errors == {field: [english.message.removeprefix(f"{field}: ")]}
    return dutch.message, english.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tracking", "english", "dutch"),
    [
        (
            TrackingMode.SERIAL,
            "a serial number is required for PHONE Phone",
            "een serienummer is verplicht voor PHONE Phone",
        ),
        (
            TrackingMode.LOT,
            "a lot number is required for PHONE Phone",
            "een partijnummer is verplicht voor PHONE Phone",
        ),
    ],
)
def test_a_tracked_line_without_its_number_names_the_number_it_needs(
    company, vendor, tracking, english, dutch
):
    phone = a_product(company, "PHONE", name="Phone", tracking=tracking)
    receipt = _unvalidated_receipt(company, vendor, phone)
    with pytest.raises(LotRequired) as refused_in_english:
        services.validate_operation(receipt)
    with translation.override("nl"), pytest.raises(LotRequired) as refused_in_dutch:
        services.validate_operation(receipt)

    assert refused_in_english.value.message == english
    assert refused_in_dutch.value.message == dutch
    for refused in (refused_in_english.value, refused_in_dutch.value):
        problem = refused.as_problem()
        assert (problem["code"], problem["product_id"]) == ("lot_required", phone.pk)
    assert refused_in_english.value.errors == {"lot": ["PHONE needs a lot or serial number"]}


@pytest.mark.django_db
def test_packing_with_nothing_picked_left_is_refused_in_dutch(company, customer, chair):
    in_stock(chair, 5)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("2"))], partner=customer)
    services.pick(delivery, lines=[PickLine(delivery.moves.get().pk, D("0"))])  # picked, but nothing
    assert delivery.status == "picked"

    dutch, english = _refused(Conflict, services.pack, delivery)

    assert dutch.message == f"{delivery.number}: er is niets gepickt dat nog ingepakt moet worden"
    assert english.message == f"{delivery.number}: nothing picked is left to pack"
    assert dutch.as_problem()["code"] == english.as_problem()["code"] == "nothing_to_pack"


@pytest.mark.django_db
def test_an_unknown_or_empty_code_is_not_found_in_dutch(company):
    with translation.override("nl"):
        with pytest.raises(NotFound) as unknown:
            selectors.resolve_code(company, " NOPE-42 ")
        with pytest.raises(NotFound) as empty:
            selectors.resolve_code(company, "  ")
    assert unknown.value.message == "NOPE-42 is geen product, partij, serienummer of locatie"
    assert empty.value.message == "lege code"

    with pytest.raises(NotFound) as english:
        selectors.resolve_code(company, "NOPE-42")
    assert english.value.message == "NOPE-42 is not a product, lot, serial number or location"
    with pytest.raises(NotFound) as english_empty:
        selectors.resolve_code(company, "")
    assert english_empty.value.message == "empty code"


@pytest.mark.django_db
def test_a_quantity_smaller_than_the_products_unit_can_hold_is_refused_in_dutch(company, vendor):
    wire = a_product(company, "WIRE", name="Wire", uom="kg")
    line = MoveSpec(wire, D("0.01"), uom="g")  # 0.00001 kg: below the 0.0001 a quantity keeps
    dutch, english = _refused(
        InvalidQuantity, services.receive, company, lines=[line], partner=vendor, validate=False
    )

    assert dutch.message == "WIRE Wire: aantal 0.01 g is minder dan één kg"
    assert english.message == "WIRE Wire: quantity 0.01 g is less than one kg"
    assert dutch.errors == {"quantity": [dutch.message]}


@pytest.mark.django_db
def test_an_unknown_scanned_code_is_refused_in_dutch_by_the_api(api):
    dutch = api.get("/api/v1/inventory/scan?code=NOPE-42", HTTP_ACCEPT_LANGUAGE="nl")
    english = api.get("/api/v1/inventory/scan?code=NOPE-42")

    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["detail"] == "NOPE-42: geen product, partij, serienummer of locatie"
    assert dutch.json()["errors"] == {"code": ["onbekende code"]}
    assert english.json()["detail"] == "NOPE-42: no product, lot, serial number or location"
    assert english.json()["errors"] == {"code": ["unknown code"]}
    assert dutch.json()["code"] == english.json()["code"] == "unknown_code"


@pytest.mark.django_db
def test_picking_with_nothing_reserved_is_refused_in_dutch(company, customer, chair):
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("2"))], partner=customer, allow_partial=True
    )
    assert delivery.status == "waiting"  # no stock, so nothing is reserved

    dutch, english = _refused(Conflict, services.pick, delivery)

    assert dutch.message == f"{delivery.number}: er is niets gereserveerd om te picken"
    assert english.message == f"{delivery.number}: nothing is reserved to pick"
    assert dutch.as_problem()["code"] == english.as_problem()["code"] == "nothing_reserved"


@pytest.mark.django_db
def test_deactivating_a_location_that_holds_stock_is_refused_in_dutch(wh, chair):
    in_stock(chair, 5)
    location = wh.stock_location

    dutch, english = _refused(Conflict, services.update_location, location, is_active=False)

    assert dutch.message == f"{location} bevat nog voorraad"
    assert english.message == f"{location} still holds stock"
    assert dutch.as_problem()["code"] == english.as_problem()["code"] == "location_not_empty"


@pytest.mark.django_db
def test_a_reorder_rule_changed_by_someone_else_is_refused_in_dutch(wh, chair, monkeypatch):
    def taken(self, *args, **kwargs):  # another user saved the product's rule first
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(ReorderRule, "save", taken)
    dutch, english = _refused(
        Conflict, services.set_reorder_rule, wh, chair, min_quantity=D("2"), max_quantity=D("10")
    )

    assert dutch.message == "de bestelregel is door iemand anders gewijzigd; probeer het opnieuw"
    assert english.message == "the rule was changed by someone else; try again"


@pytest.mark.django_db
def test_returning_an_operation_that_is_not_done_is_refused_in_dutch(company, customer, chair):
    in_stock(chair, 5)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("2"))], partner=customer)
    assert delivery.status == "ready"

    dutch, english = _refused(Conflict, services.return_operation, delivery)

    assert dutch.message == f"{delivery.number} is niet gereed; annuleer de mutatie in plaats daarvan"
    assert english.message == f"{delivery.number} is not done; cancel it instead"
    assert dutch.as_problem()["code"] == english.as_problem()["code"] == "not_done"


@pytest.mark.django_db
def test_a_reservation_that_keeps_losing_its_stock_is_refused_in_dutch(company, customer, chair, monkeypatch):
    in_stock(chair, 5)
    # Every conditional UPDATE finds the stock taken by a concurrent reservation.
    monkeypatch.setattr(_sql, "reserve_quants", lambda allocations: set())
    line = MoveSpec(chair, D("2"))

    dutch, english = _refused(Conflict, services.create_delivery, company, lines=[line], partner=customer)

    assert dutch.message == "de voorraad is tijdens het reserveren gewijzigd; probeer het opnieuw"
    assert english.message == "stock changed while reserving; try again"
    assert dutch.as_problem()["code"] == english.as_problem()["code"] == "reservation_conflict"


@pytest.mark.django_db
def test_a_company_without_a_warehouse_is_not_found_in_dutch(company):
    Warehouse.objects.filter(company=company).update(is_active=False)

    dutch, english = _refused(NotFound, selectors.default_warehouse, company)

    assert dutch.message == "het bedrijf heeft geen magazijn"
    assert english.message == "the company has no warehouse"


@pytest.mark.django_db
def test_a_slash_in_a_location_name_is_refused_in_dutch(wh):
    bin_a = services.create_location(wh.stock_location, name="A1")

    for call, target in ((services.create_location, wh.stock_location), (services.update_location, bin_a)):
        dutch, english = _invalid("name", call, target, name="A/2")
        assert dutch == "name: een locatienaam mag geen '/' bevatten"
        assert english == "name: a location name cannot contain '/'"


@pytest.mark.django_db
def test_a_location_where_none_can_go_is_refused_in_dutch(wh):
    dutch, english = _invalid("parent", services.create_location, wh.customer_location, name="Bin")
    assert dutch == f"parent: {wh.customer_location} kan geen sublocaties hebben"
    assert english == f"parent: {wh.customer_location} cannot have sub-locations"

    dutch, english = _invalid(
        "kind", services.create_location, wh.stock_location, name="Bin", kind=LocationKind.SCRAP
    )
    assert dutch == "kind: een magazijnlocatie is intern of een overzichtslocatie"
    assert english == "kind: a warehouse location is internal or a view"


@pytest.mark.django_db
def test_a_location_name_or_barcode_in_use_is_refused_in_dutch(wh):
    first = services.create_location(wh.stock_location, name="A1", barcode="LOC-1")

    dutch, english = _invalid("name", services.create_location, wh.stock_location, name="A1")
    assert dutch == f"name: {first.full_name} bestaat al"
    assert english == f"name: {first.full_name} exists"

    dutch, english = _invalid(
        "barcode", services.create_location, wh.stock_location, name="A2", barcode="LOC-1"
    )
    assert dutch == "barcode: barcode LOC-1 is al in gebruik"
    assert english == "barcode: barcode LOC-1 is in use"


@pytest.mark.django_db
def test_an_unknown_field_of_a_warehouse_or_location_is_refused_in_dutch(company, wh):
    for field, call, target, fields in (
        ("country", services.create_warehouse, company, {"code": "WH2", "name": "Second", "country": "NL"}),
        ("colour", services.update_warehouse, wh, {"colour": "red"}),
        ("colour", services.update_location, wh.stock_location, {"colour": "red"}),
    ):
        dutch, english = _invalid(field, call, target, **fields)
        assert (dutch, english) == (f"{field}: onbekend veld", f"{field}: unknown field")


@pytest.mark.django_db
def test_a_warehouse_code_in_use_is_refused_in_dutch(company, wh):
    assert wh.code == "WH"
    dutch, english = _invalid("code", services.create_warehouse, company, code="wh", name="Second")
    assert dutch == "code: er bestaat al een magazijn met code WH"
    assert english == "code: a warehouse with code WH exists"

    second = services.create_warehouse(company, code="WH2", name="Second")
    dutch, english = _invalid("code", services.update_warehouse, second, code="wh")
    assert dutch == "code: er bestaat al een magazijn met code WH"
    assert english == "code: a warehouse with code WH exists"


@pytest.mark.django_db
def test_refusing_negative_stock_while_some_is_booked_is_refused_in_dutch(company, wh, customer, chair):
    services.update_warehouse(wh, allow_negative_stock=True)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("2"))], partner=customer, allow_partial=True
    )
    services.ship_delivery(delivery)

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.update_warehouse(wh, allow_negative_stock=False)
    wh.refresh_from_db()  # the refused update left the instance changed
    with pytest.raises(Conflict) as english:
        services.update_warehouse(wh, allow_negative_stock=False)

    assert dutch.value.message == (
        "CHAIR staat onder nul (-2.0000) in dit magazijn: boek eerst de ontbrekende voorraad "
        "voordat negatieve voorraad wordt geweigerd"
    )
    assert english.value.message == (
        "CHAIR is below zero (-2.0000) in this warehouse: book the missing stock "
        "before refusing negative stock"
    )
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "negative_stock_exists"


@pytest.mark.django_db
def test_a_lot_of_an_untracked_product_or_a_lot_that_exists_is_refused_in_dutch(company, chair):
    dutch, english = _invalid("product", services.create_lot, chair, name="L1")
    assert dutch == "product: CHAIR wordt niet per partij of serienummer gevolgd"
    assert english == "product: CHAIR is not tracked by lot or serial number"

    wine = a_product(company, "WINE", name="Wine", tracking=TrackingMode.LOT)
    services.create_lot(wine, name="L1")
    dutch, english = _invalid("name", services.create_lot, wine, name="L1")
    assert dutch == "name: WINE heeft al partij L1"
    assert english == "name: WINE already has lot L1"


@pytest.mark.django_db
def test_a_reorder_rule_that_cannot_be_kept_is_refused_in_dutch(company, other_company, wh, chair):
    quantities = {"min_quantity": D("2"), "max_quantity": D("10")}
    theirs = a_product(other_company, "OTHER", name="Other")
    dutch, english = _invalid("product", services.set_reorder_rule, wh, theirs, **quantities)
    assert (dutch, english) == ("product: onbekend product", "product: unknown product")

    fitting = a_product(company, "FIT", name="Fitting", type=ProductType.SERVICE)
    dutch, english = _invalid("product", services.set_reorder_rule, wh, fitting, **quantities)
    assert dutch == "product: FIT is een dienst en wordt niet op voorraad gehouden"
    assert english == "product: FIT is a service and is not kept in stock"

    their_vendor = a_vendor(other_company, "Elders BV")
    dutch, english = _invalid(
        "vendor", services.set_reorder_rule, wh, chair, vendor=their_vendor, **quantities
    )
    assert (dutch, english) == ("vendor: onbekende leverancier", "vendor: unknown vendor")

    dutch, english = _invalid(
        "max_quantity", services.set_reorder_rule, wh, chair, min_quantity=D("10"), max_quantity=D("2")
    )
    assert dutch == "max_quantity: het maximum mag niet onder het minimum liggen"
    assert english == "max_quantity: the maximum must not be below the minimum"
    assert not ReorderRule.objects.exists()


@pytest.mark.django_db
def test_an_operation_that_cannot_be_created_is_refused_in_dutch(company, other_company, chair):
    line = MoveSpec(chair, D("1"))
    dutch, english = _invalid("kind", services.create_operation, company, kind="teleport", lines=[line])
    assert dutch == "kind: onbekende soort mutatie 'teleport'"
    assert english == "kind: unknown operation type 'teleport'"

    dutch, english = _invalid("lines", services.create_operation, company, kind="receipt", lines=[])
    assert dutch == "lines: een mutatie heeft minstens één regel nodig"
    assert english == "lines: an operation needs at least one line"

    theirs = a_customer(other_company, "Elders BV")
    dutch, english = _invalid("partner", services.create_delivery, company, lines=[line], partner=theirs)
    assert (dutch, english) == ("partner: onbekende relatie", "partner: unknown partner")

    their_warehouse = selectors.default_warehouse(other_company)
    dutch, english = _invalid(
        "warehouse", services.receive, company, lines=[line], warehouse=their_warehouse, validate=False
    )
    assert (dutch, english) == ("warehouse: onbekend magazijn", "warehouse: unknown warehouse")


@pytest.mark.django_db
def test_returning_what_is_not_a_delivery_or_receipt_is_refused_in_dutch(company, chair):
    in_stock(chair, 5)
    scrap = services.scrap_stock(company, lines=[MoveSpec(chair, D("1"))], reason="broken")

    dutch, english = _invalid("kind", services.return_operation, scrap)
    assert dutch == f"kind: {scrap.number}: alleen leveringen en ontvangsten worden geretourneerd"
    assert english == f"kind: {scrap.number}: only deliveries and receipts are returned"


@pytest.mark.django_db
def test_returning_a_line_that_is_not_done_or_nothing_left_is_refused_in_dutch(company, customer, chair):
    in_stock(chair, 5)
    delivery = services.ship_delivery(
        services.create_delivery(company, lines=[MoveSpec(chair, D("2"))], partner=customer)
    )
    assert delivery.status == "done"

    dutch, english = _invalid("move_id", services.return_operation, delivery, lines=[(987654, D("1"))])
    assert dutch == f"move_id: mutatie 987654 is geen gereedgemelde regel van {delivery.number}"
    assert english == f"move_id: move 987654 is not a done line of {delivery.number}"

    services.return_operation(delivery, validate=True)  # everything comes back
    dutch, english = _invalid("lines", services.return_operation, delivery)
    assert dutch == f"lines: alles van {delivery.number} is al geretourneerd"
    assert english == f"lines: everything of {delivery.number} has been returned"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("app", ["sales", "payments", "inventory"])
def test_the_catalogue_holds_only_strings_its_app_marks(app, tmp_path):
    """makemessages --no-obsolete of the app (as tests/web/test_translations.py runs it) would
    drop every entry listed here; 'company' is kern/core's (CompanyOwned), not the app's."""
    po = polib.pofile(str(KERN / app / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    entries = {(e.msgctxt, e.msgid) for e in po if e.msgid and not e.obsolete}
    unused = sorted(msgid for _, msgid in entries - _extracted(app, tmp_path))
    assert unused == [], f"kern/{app} no longer marks {unused}"


def test_the_company_field_of_sales_and_payments_reads_in_dutch_from_the_core_catalogue():
    with translation.override("nl"):
        labels = {str(model._meta.get_field("company").verbose_name) for model in (Invoice, Payment)}
    assert labels == {"bedrijf"}
