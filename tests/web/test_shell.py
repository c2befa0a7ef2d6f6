"""The shell: menu by area and permission, global search, company and language switchers."""

import re

import pytest
from django.test import Client

from kern.core.ui import NavEntry, nav_for
from tests.builders import a_company, a_customer, a_product, a_user, a_web_client

pytestmark = pytest.mark.django_db


def _areas(html: str) -> list[str]:
    return re.findall(r'data-area="([a-z]+)"', html)


def test_the_menu_shows_only_the_areas_a_role_may_see(company):
    sales = a_web_client(a_user(company, "sales_rep")).get("/").content.decode()
    warehouse = a_web_client(a_user(company, "warehouse")).get("/").content.decode()
    admin = a_web_client(a_user(company, "administrator")).get("/").content.decode()
    # Sales reps read service tickets (they see them before a call), so Service is theirs too.
    assert _areas(sales) == ["sales", "crm", "service", "purchasing", "inventory", "accounting", "settings"]
    assert "/settings/users/" not in sales and "/settings/users/" in admin
    assert "/settings/audit/" not in warehouse
    assert "settings" in _areas(admin)


def test_nav_entries_need_their_permission(company):
    hr = a_user(company, "hr")
    areas = {item["area"].key: [e.url_name for e, _url in item["entries"]] for item in nav_for(hr)}
    assert "core:user_list" not in areas.get("settings", [])
    assert "parties:party_list" in areas["sales"]  # HR may view parties
    assert "catalog:product_list" not in areas.get("sales", [])
    assert NavEntry("sales", "x", "no:such_url").url() == ""


def test_an_area_page_is_the_menu_without_javascript(company):
    client = a_web_client(a_user(company, "sales_rep"))
    page = client.get("/go/sales/")
    assert page.status_code == 200
    assert "/parties/?is_customer=true" in page.content.decode()
    assert client.get("/go/nowhere/").status_code == 404


def test_global_search_finds_parties_and_products_of_the_own_company_only(company, other_company):
    mine = a_customer(company, "Bakkerij Zoet")
    a_customer(other_company, "Bakkerij Zuur")
    product = a_product(company, sku="BAK-1", name="Bakblik")
    client = a_web_client(a_user(company, "sales_manager"))
    partial = client.get(
        "/search/", {"q": "bak"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results"
    )
    html = partial.content.decode()
    assert f"/parties/{mine.pk}/" in html and f"/catalog/products/{product.pk}/" in html
    assert "Zuur" not in html and "<html" not in html
    full = client.get("/search/", {"q": "Zoet"}).content.decode()
    assert "<html" in full and "Bakkerij Zoet" in full and "Bakblik" not in full
    assert "Type at least two characters" in client.get("/search/", {"q": "b"}).content.decode()


def test_search_leaves_out_what_the_role_may_not_see(company):
    a_product(company, sku="HR-1", name="Helm")
    hr = a_web_client(a_user(company, "hr"))
    response = hr.get("/search/", {"q": "Helm"})
    assert response.context["results"] == []
    assert "/catalog/products/" not in response.content.decode()


def test_switching_company_works_only_for_companies_of_the_user(company, other_company):
    third = a_company("Third")
    user = a_user(company, "sales_manager")
    from kern.core.services import add_member

    add_member(other_company, user)
    client = a_web_client(user)
    home = client.get("/").content.decode()
    assert 'id="company-switcher"' in home and "Other" in home
    response = client.post("/account/companies/switch/", {"company": other_company.pk})
    assert response.status_code == 302
    assert client.get("/").context["current_company"] == other_company
    assert client.post("/account/companies/switch/", {"company": third.pk}).status_code == 404
    assert client.post("/account/companies/switch/", {"company": "x"}).status_code == 404
    assert client.get("/").context["current_company"] == other_company


def test_switching_to_dutch_translates_the_menu(company):
    client = a_web_client(a_user(company, "sales_manager"))
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    labels = re.findall(r'data-area="[a-z]+">([^<]+)<', html)
    assert labels[:4] == ["Verkoop", "CRM", "Service", "Inkoop"] and "Instellingen" in labels


def test_the_home_page_shows_the_widgets_of_the_role(company):
    a_customer(company, "Nieuwe Klant BV")
    sales = a_web_client(a_user(company, "sales_rep")).get("/").content.decode()
    accountant = a_web_client(a_user(company, "accountant")).get("/").content.decode()
    assert "Newest customers" in sales and "Nieuwe Klant BV" in sales
    assert "Latest exchange rates" not in sales and "Latest exchange rates" in accountant
    assert "Recent changes" in accountant and "Recent changes" not in sales


def test_anonymous_users_are_sent_to_the_login_page():
    response = Client().get("/parties/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
