"""The generic list, detail and form pages (kern.core.ui.Resource), exercised on parties and products."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kern.core.models import Attachment, AuditEvent, Comment, SavedFilter
from kern.core.ui import Action, workflow_actions
from kern.core.ui.columns import neutralise
from kern.parties.models import ContactPerson, Party
from tests.builders import VALID_NL_VAT, a_customer, a_product, a_user, a_vendor, a_web_client
from tests.core.workflow_model import Ticket, TicketStatus
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(company):
    return a_web_client(a_user(company, "sales_manager"))


def _numbers(response) -> list[str]:
    return [obj.number for obj, _cells in response.context["rows"]]


def test_the_list_sorts_searches_filters_and_pages(company, manager):
    a = a_customer(company, "Anker BV", email="info@anker.nl")
    b = a_customer(company, "Bever BV")
    v = a_vendor(company, "Cobra Leverancier")
    assert _numbers(manager.get("/parties/")) == [a.number, b.number, v.number]
    assert _numbers(manager.get("/parties/", {"sort": "-name"})) == [v.number, b.number, a.number]
    assert _numbers(manager.get("/parties/", {"q": "bever"})) == [b.number]
    assert _numbers(manager.get("/parties/", {"q": "bv anker"})) == [a.number]
    assert _numbers(manager.get("/parties/", {"is_vendor": "true"})) == [v.number]
    assert _numbers(manager.get("/parties/", {"is_customer": "true", "sort": "-number"})) == [
        b.number,
        a.number,
    ]
    assert _numbers(manager.get("/parties/", {"sort": "not_a_column"})) == [a.number, b.number, v.number]
    paged = manager.get("/parties/", {"per_page": 25, "page": 99})
    assert paged.context["page"].number == 1 and paged.status_code == 200


def test_the_user_chooses_the_columns(company, manager):
    a_customer(company, "Anker BV", vat_id=VALID_NL_VAT[0])
    default = manager.get("/parties/")
    assert [c.name for c in default.context["columns"]] == [
        "number",
        "name",
        "email",
        "phone",
        "is_customer",
        "is_vendor",
        "is_active",
    ]
    chosen = manager.get("/parties/", {"cols": ["name", "vat_id", "nonsense"]})
    assert [c.name for c in chosen.context["columns"]] == ["name", "vat_id"]
    assert VALID_NL_VAT[0] in chosen.content.decode()


def test_htmx_gets_only_the_results(company, manager):
    a_customer(company, "Anker BV")
    response = manager.get("/parties/", {"q": "anker"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    html = response.content.decode()
    assert (
        html.startswith('<div id="list-results">')
        and "Anker BV" in html
        and "<nav" not in html.split("</table>")[0]
    )


def test_export_gives_the_filtered_rows_with_formulas_neutralised(company, manager):
    a_customer(company, "Anker BV", email="info@anker.nl", credit_limit=Decimal("1500.50"))
    a_customer(company, "+Plus Groep")
    a_vendor(company, "Cobra Leverancier")
    query = {"is_customer": "true", "cols": ["number", "name", "credit_limit", "is_vendor"]}
    response = manager.get("/parties/", {**query, "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="party-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Number", "Name", "Credit limit", "Vendor"],
        ["R00002", "'+Plus Groep", "0,00", "No"],
        ["R00001", "Anker BV", "1500,50", "No"],
    ]
    xlsx = manager.get("/parties/", {**query, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Number", "Name", "Credit limit", "Vendor"]
    assert values[1][:2] == ["R00002", "'+Plus Groep"] and values[2][2] == 1500.5


def test_neutralise_prefixes_every_formula_start():
    assert [neutralise(v) for v in ("=1+1", "+31", "-2", "@SUM(A1)", "\tx", "ok", 5)] == [
        "'=1+1",
        "'+31",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        5,
    ]


def test_saved_filters_belong_to_their_user(company, manager):
    response = manager.post(
        "/parties/saved-filters/", {"name": "Klanten", "query": "is_customer=true&cols=name"}
    )
    assert response.status_code == 302 and response["Location"] == "/parties/?is_customer=true&cols=name"
    saved = SavedFilter.objects.get()
    assert (saved.name, saved.list_key, saved.columns) == ("Klanten", "parties:party_list", ["cols=name"])
    assert "Klanten" in manager.get("/parties/").content.decode()
    other = a_web_client(a_user(company, "sales_manager"))
    assert "Klanten" not in other.get("/parties/").content.decode()
    assert other.post("/parties/saved-filters/", {"remove": saved.pk}).status_code == 404
    manager.post("/parties/saved-filters/", {"name": "", "query": "x=1"})
    assert SavedFilter.objects.count() == 1
    manager.post("/parties/saved-filters/", {"remove": saved.pk})
    assert not SavedFilter.objects.exists()


def test_another_companys_record_is_not_found(company, other_company, manager):
    theirs = a_customer(other_company, "Hun Klant")
    for path in ("", "edit/", "contacts/new/", "comments/", "attachments/"):
        assert manager.get(f"/parties/{theirs.pk}/{path}").status_code in (404, 405)
    assert manager.post(f"/parties/{theirs.pk}/comments/", {"body": "hi"}).status_code == 404
    assert manager.post(f"/parties/{theirs.pk}/do/archive/").status_code == 404
    assert not Comment.objects.exists() and Party.objects.get(pk=theirs.pk).is_active


def test_pages_need_the_model_permissions(company):
    hr = a_web_client(a_user(company, "hr"))  # may view parties, not change them or see products
    party = a_customer(company, "Klant")
    assert hr.get(f"/parties/{party.pk}/").status_code == 200
    assert hr.get(f"/parties/{party.pk}/edit/").status_code == 403
    assert hr.post("/parties/new/", {"name": "X", "kind": "organisation"}).status_code == 403
    assert hr.get("/catalog/products/").status_code == 403
    assert not Party.objects.filter(name="X").exists()
    page = hr.get("/catalog/products/")
    assert "You do not have access to this page." in page.content.decode()


def test_an_invalid_form_keeps_what_was_typed_and_shows_the_error_next_to_the_field(company, manager):
    response = manager.post(
        "/parties/new/",
        {
            "kind": "organisation",
            "name": "Verkeerd BTW BV",
            "vat_id": "NL123",
            "is_customer": "on",
            "credit_limit": "0",
            "language": "nl",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Verkeerd BTW BV"' in html and 'value="NL123"' in html
    assert 'id="id_vat_id_error"' in html and "NL123 is not a valid VAT id." in html
    assert 'aria-invalid="true"' in html
    assert not Party.objects.exists()
    ok = manager.post(
        "/parties/new/",
        {
            "kind": "organisation",
            "name": "Goed BTW BV",
            "vat_id": VALID_NL_VAT[1],
            "is_customer": "on",
            "credit_limit": "0",
            "language": "nl",
        },
    )
    party = Party.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/parties/{party.pk}/"
    assert (party.name, party.vat_id, party.is_customer, party.number) == (
        "Goed BTW BV",
        VALID_NL_VAT[1],
        True,
        "R00001",
    )


def test_a_likely_duplicate_is_shown_and_saved_only_when_confirmed(company, manager):
    existing = a_customer(company, "De Vries B.V.", vat_id=VALID_NL_VAT[0])
    data = {
        "kind": "organisation",
        "name": "De Vries",
        "is_customer": "on",
        "credit_limit": "0",
        "language": "nl",
    }
    warned = manager.post("/parties/new/", data)
    assert warned.status_code == 200
    assert (
        f"{existing.number} De Vries B.V. looks like the same party (same name)." in warned.content.decode()
    )
    assert Party.objects.count() == 1
    confirmed = manager.post("/parties/new/", {**data, "confirm_warnings": "1"})
    assert confirmed.status_code == 302 and Party.objects.count() == 2


def test_a_service_error_lands_on_its_field(company, manager):
    party = a_customer(company, "Klant")
    manager.post(
        f"/parties/{party.pk}/bank-accounts/new/", {"iban": "NL91ABNA0417164300", "is_default": "on"}
    )
    again = manager.post(f"/parties/{party.pk}/bank-accounts/new/", {"iban": "NL91 ABNA 0417 1643 00"})
    assert again.status_code == 422
    assert "is already recorded for Klant" in again.content.decode()
    assert party.bank_accounts.count() == 1


def test_child_pages_add_edit_and_remove_contacts(company, manager):
    party = a_customer(company, "Klant")
    added = manager.post(
        f"/parties/{party.pk}/contacts/new/", {"first_name": "Anna", "last_name": "Jansen", "language": "nl"}
    )
    assert added.status_code == 302 and added["Location"] == f"/parties/{party.pk}/?tab=contacts"
    contact = ContactPerson.objects.get()
    manager.post(
        f"/parties/{party.pk}/contacts/{contact.pk}/edit/",
        {"first_name": "Anna", "last_name": "de Jong", "language": "nl"},
    )
    contact.refresh_from_db()
    assert contact.last_name == "de Jong"
    tab = manager.get(f"/parties/{party.pk}/", {"tab": "contacts"}).content.decode()
    assert "de Jong" in tab and f"/parties/{party.pk}/contacts/{contact.pk}/delete/" in tab
    other = a_customer(company, "Ander")
    assert manager.get(f"/parties/{other.pk}/contacts/{contact.pk}/edit/").status_code == 404
    manager.post(f"/parties/{party.pk}/contacts/{contact.pk}/delete/")
    assert not ContactPerson.objects.exists()


def test_the_detail_page_shows_tabs_history_comments_and_attachments(company, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    party = a_customer(company, "Klant")
    manager.post(
        f"/parties/{party.pk}/edit/",
        {
            "kind": "organisation",
            "name": "Klant Twee",
            "credit_limit": "100",
            "is_active": "on",
            "language": "nl",
        },
    )
    history = manager.get(f"/parties/{party.pk}/", {"tab": "history"})
    changes = history.context["timeline"][0]["changes"]
    assert ("name", "Klant", "Klant Twee") in changes and ("credit limit", "0.00", "100") in changes
    manager.post(f"/parties/{party.pk}/comments/", {"body": "Belt liever 's ochtends."})
    manager.post(f"/parties/{party.pk}/comments/", {"body": "   "})
    assert [c.body for c in Comment.objects.all()] == ["Belt liever 's ochtends."]
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    manager.post(f"/parties/{party.pk}/attachments/", {"file": upload})
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.company_id) == ("contract.pdf", 13, company.pk)
    download = manager.get(f"/parties/{party.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert 'attachment; filename="contract.pdf"' in download["Content-Disposition"]
    page = manager.get(f"/parties/{party.pk}/").content.decode()
    assert "Belt liever" in page and "contract.pdf" in page
    assert AuditEvent.objects.filter(model="core.comment", action="create").count() == 1
    stranger = a_web_client(a_user(company, "sales_manager"))
    stranger.post(f"/parties/{party.pk}/attachments/{attachment.pk}/")
    assert Attachment.objects.count() == 1  # only the uploader (or whoever may delete files) removes it
    manager.post(f"/parties/{party.pk}/attachments/{attachment.pk}/")
    assert not Attachment.objects.exists()


def test_the_price_list_tab_is_registered_by_the_catalog_on_the_party_page(company, manager):
    from kern.catalog.services import create_price_list

    party = a_customer(company, "Klant")
    create_price_list(company, name="Klant-specifiek", currency="EUR", party=party)
    page = manager.get(f"/parties/{party.pk}/", {"tab": "price_lists"})
    assert "Klant-specifiek" in page.content.decode()


def test_actions_call_the_service_and_show_its_refusal(company, manager):
    party = a_customer(company, "Klant")
    assert "do/archive/" in manager.get(f"/parties/{party.pk}/").content.decode()
    manager.post(f"/parties/{party.pk}/do/archive/")
    party.refresh_from_db()
    assert party.is_active is False
    assert "do/archive/" not in manager.get(f"/parties/{party.pk}/").content.decode()
    assert manager.post(f"/parties/{party.pk}/do/nonsense/").status_code == 404


def test_workflow_buttons_follow_the_transitions_table():
    calls = []
    actions = workflow_actions(
        Ticket,
        {"open": lambda t, by: calls.append("open"), "cancelled": lambda t, by: calls.append("cancel")},
        labels={"open": "Open it"},
    )
    assert [(a.name, str(a.label), a.style) for a in actions] == [
        ("cancelled", "Cancelled", "danger"),
        ("open", "Open it", "primary"),
    ]

    class Everyone:
        def has_perm(self, perm):
            return True

    draft, closed = Ticket(status=TicketStatus.DRAFT), Ticket(status=TicketStatus.CLOSED)
    assert [a.name for a in actions if a.available(draft, Everyone(), "x")] == ["cancelled", "open"]
    assert [a.name for a in actions if a.available(closed, Everyone(), "x")] == []
    assert not Action("x", "x", print, permission="nobody").available(
        draft, type("U", (), {"has_perm": lambda s, p: False})(), "x"
    )


def test_list_pages_keep_their_query_count(company, manager):
    for i in range(30):
        a_customer(company, f"Klant {i}", tags=["Retail"])
        a_product(company)
    with query_baseline(__file__, "web.parties.list"):
        assert manager.get("/parties/", {"cols": ["name", "tags", "payment_term"]}).status_code == 200
    with query_baseline(__file__, "web.products.list"):
        assert manager.get("/catalog/products/").status_code == 200


def test_a_new_party_is_active_and_styling_a_form_never_validates_it_early(company, manager):
    from django.http import QueryDict

    from kern.parties.forms import PartyForm

    form = PartyForm(data=QueryDict("kind=organisation&name=X&language=nl&credit_limit=0"), instance=Party())
    assert form._errors is None and "is_active" not in form.fields
    manager.post(
        "/parties/new/", {"kind": "organisation", "name": "Nieuw BV", "credit_limit": "0", "language": "nl"}
    )
    assert Party.objects.get().is_active is True
