"""Parties API: CRUD, filters, search, cursor pagination, nested contacts, query counts."""

import pytest

from kern.parties.models import Party
from tests.builders import a_customer, a_vendor
from tests.querycounts import query_baseline


@pytest.mark.django_db
def test_create_a_customer_with_address_contact_and_bank_account(api):
    response = api.post_json(
        "/api/v1/parties",
        {
            "name": "Hendriks Bouw B.V.",
            "roles": ["customer", "vendor"],
            "vat_id": "NL123456782B01",
            "kvk_number": "12345678",
            "tags": ["Bouw"],
            "addresses": [{"street": "Dorpsstraat 4", "postcode": "3511 AA", "city": "Utrecht"}],
            "contacts": [
                {"first_name": "Els", "last_name": "Hendriks", "email": "els@hendriks.nl", "is_primary": True}
            ],
            "bank_accounts": [{"iban": "NL91ABNA0417164300"}],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["roles"], body["tags"], body["likely_duplicates"]) == (["customer", "vendor"], ["Bouw"], [])
    assert body["addresses"][0]["city"] == "Utrecht" and body["contacts"][0]["last_name"] == "Hendriks"
    again = api.post_json("/api/v1/parties", {"name": "Hendriks Bouw BV"}).json()
    assert again["likely_duplicates"] == [
        {"id": body["id"], "number": body["number"], "name": "Hendriks Bouw B.V.", "reason": "same name"}
    ]


@pytest.mark.django_db
def test_a_rejected_nested_create_writes_nothing(api):
    response = api.post_json(
        "/api/v1/parties", {"name": "Half BV", "bank_accounts": [{"iban": "NL91ABNA0417164301"}]}
    )
    assert response.status_code == 422 and "iban" in response.json()["errors"]
    assert not Party.objects.filter(name="Half BV").exists()


@pytest.mark.django_db
def test_update_filter_search_and_archive(api, company):
    jansen = a_customer(company, "Jansen Drukwerk", email="info@jansen.nl")
    a_vendor(company, "Leverancier X")
    assert (
        api.patch_json(
            f"/api/v1/parties/{jansen.pk}", {"phone": "+31 30 1234567", "roles": ["customer", "prospect"]}
        ).status_code
        == 200
    )
    assert Party.objects.get(pk=jansen.pk).is_prospect
    names = lambda url: [p["name"] for p in api.get(url).json()["results"]]  # noqa: E731
    assert names("/api/v1/parties?role=vendor") == ["Leverancier X"]
    assert names("/api/v1/parties?q=jansen") == ["Jansen Drukwerk"]
    assert api.delete(f"/api/v1/parties/{jansen.pk}").status_code == 204
    assert names("/api/v1/parties?active=false") == ["Jansen Drukwerk"]


@pytest.mark.django_db
def test_cursor_pagination_walks_every_party_once(api, company):
    for i in range(7):
        a_customer(company, f"Klant {i}")
    seen, url = [], "/api/v1/parties?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [p["name"] for p in page["results"]]
        url = page["next"]
    assert sorted(seen) == [f"Klant {i}" for i in range(7)]


@pytest.mark.django_db
def test_contacts_crud(api, company):
    party = a_customer(company)
    created = api.post_json(
        f"/api/v1/parties/{party.pk}/contacts", {"last_name": "Smit", "email": "smit@x.nl"}
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    assert (
        api.patch_json(f"/api/v1/contacts/{cid}", {"job_title": "Inkoper"}).json()["job_title"] == "Inkoper"
    )
    assert [c["id"] for c in api.get(f"/api/v1/contacts?party_id={party.pk}").json()["results"]] == [cid]
    assert api.delete(f"/api/v1/contacts/{cid}").status_code == 204
    assert api.get(f"/api/v1/contacts/{cid}").status_code == 404


@pytest.mark.django_db
def test_list_endpoints_do_not_grow_queries_with_rows(api, company):
    for i in range(30):
        party = a_customer(company, f"Klant {i}", tags=["A", "B"])
        api.post_json(f"/api/v1/parties/{party.pk}/contacts", {"last_name": f"C{i}"})
    with query_baseline(__file__, "api.parties.list"):
        assert len(api.get("/api/v1/parties?page_size=30").json()["results"]) == 30
    with query_baseline(__file__, "api.contacts.list"):
        assert len(api.get("/api/v1/contacts?page_size=30").json()["results"]) == 30
    with query_baseline(__file__, "api.parties.detail"):
        assert api.get(f"/api/v1/parties/{party.pk}").status_code == 200
