"""Every page of the app, as every role, in Dutch: no 500, and no untranslated menu label.

The URL resolver is walked; path parameters are filled with real rows of the signed-in user's
company (for the generic pages: a row of the page's own model), so the detail and form pages
really render. Pages of later apps are crawled the same way as soon as they are mounted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from kern.catalog import services as catalog
from kern.core import services as core
from kern.core.roles import ROLES
from kern.core.ui import AREAS
from kern.core.ui.registry import all_nav_entries
from kern.parties import services as parties
from tests.builders import a_customer, a_product, a_user, a_vendor, a_web_client

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("api/", "admin/", "i18n/", "static/", "media/")
NOT_PAGES = {"web:logout"}  # a GET that is refused by design is still crawled; this one ends the session
KERN = Path(__file__).resolve().parents[2] / "kern"


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else pattern.namespace or namespace
            )
            yield from _walk(pattern, route, ns or "")
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


def _company_rows(model, company):
    qs = model._default_manager.all()
    names = {f.name for f in model._meta.get_fields()}
    if "company" in names:
        qs = qs.filter(company=company)
    elif model._meta.label == "core.Company":
        qs = qs.filter(pk=company.pk)
    return qs


def _fill(route: str, pattern: URLPattern, company) -> str | None:
    """The route with every parameter replaced by a value that exists for `company`."""
    import re

    resource = (getattr(pattern.callback, "view_initkwargs", None) or {}).get("resource")
    obj = None
    if resource is not None:
        obj = _company_rows(resource.model, company).order_by("pk").first()
    values: dict[str, str] = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name == "pk":
            values[name] = str(obj.pk) if obj is not None else "999999"
        elif name == "parent_pk":
            parent = getattr(obj, f"{resource.parent_field}_id", None) if obj is not None else None
            values[name] = str(parent or 999999)
        elif name == "action":
            values[name] = resource.actions[0].name if resource is not None and resource.actions else "none"
        elif name == "attachment":
            from kern.core.models import Attachment

            found = Attachment.objects.filter(company=company).first()
            values[name] = str(found.pk if found else 999999)
        elif name == "key":
            values[name] = "sales"
        else:
            values[name] = "x"
    url = route
    for name, value in values.items():
        url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
    url = url.replace("^", "").replace("$", "")
    return "/" + url


@pytest.fixture
def world(company):
    """A small company with one of everything the foundation's pages show."""
    admin = a_user(company, "administrator")
    customer = a_customer(company, "Crawl Klant BV", email="klant@crawl.nl")
    a_vendor(company, "Crawl Leverancier")
    parties.add_contact(customer, first_name="An", last_name="Jansen")
    parties.add_address(customer, street="Damrak 1", city="Amsterdam", postcode="1012 LG")
    parties.add_bank_account(customer, iban="NL91ABNA0417164300")
    parties.create_payment_term(company, name="Net 30", net_days=30)
    category = catalog.create_category(company, name="Stoelen")
    product = a_product(company, sku="STOEL-1", category=category)
    price_list = catalog.create_price_list(company, name="Groothandel", currency="EUR")
    catalog.set_price_list_item(price_list, product, unit_price=Decimal("9.50"))
    core.set_exchange_rate("USD", Decimal("1.08"), on=dt.date(2026, 1, 1))
    core.issue_api_token(admin, company, name="crawl")
    core.add_comment(customer, body="Crawl", by=admin)
    core.add_attachment(customer, file=SimpleUploadedFile("a.txt", b"a"), by=admin)
    return company


def _translated_msgids() -> set[str]:
    ids: set[str] = set()
    for po_path in KERN.rglob("locale/nl/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            if entry.msgstr or any(entry.msgstr_plural.values()):
                ids.add(entry.msgid)
    return ids


def test_every_page_renders_for_every_role_in_dutch(world):
    routes = [
        (route, name, pattern)
        for route, name, pattern in _walk(get_resolver())
        if not route.startswith(SKIP_PREFIXES) and name not in NOT_PAGES
    ]
    assert len(routes) > 40
    urls = sorted({_fill(route, pattern, world) for route, _name, pattern in routes})
    failures = []
    for role in ROLES:
        client = a_web_client(a_user(world, role), language="nl")
        for url in urls:
            response = client.get(url)  # an exception in a view fails the test with its traceback
            if response.status_code >= 500:
                failures.append(f"{role} {url}: {response.status_code}")
        assert client.get("/").status_code == 200
    assert not failures, "\n".join(failures)


def test_no_menu_label_is_left_untranslated():
    translated = _translated_msgids()
    labels = [area.label for area in AREAS.values()]
    labels += [entry.label for entry in all_nav_entries()]
    labels += [entry.group for entry in all_nav_entries() if entry.group]
    with translation.override("en"):
        english = {str(label) for label in labels}
    missing = sorted(label for label in english if label not in translated)
    assert not missing, f"menu labels without a Dutch translation: {missing}"
