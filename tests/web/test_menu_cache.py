"""The menu is built once per set of permissions and language, and shows what it showed before."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from kern.core.roles import ROLES
from kern.core.services import set_roles
from kern.core.ui import AREAS, nav_for
from kern.core.ui import registry as nav_registry
from kern.core.ui.registry import all_nav_entries
from tests.builders import a_user, a_web_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_menus_built_yet():
    """Menus outlive a test (they are per process); start each test from none."""
    nav_registry._nav_cache.clear()


def _menu_as_it_was(user) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """The menu computed the old way, every entry checked and reversed: what users must still see."""
    shown: dict[str, list] = {}
    for entry in sorted(all_nav_entries(), key=lambda e: (e.order, str(e.label))):
        perms = (entry.permission,) if isinstance(entry.permission, str) else entry.permission
        if perms is not None and not any(user.has_perm(p) for p in perms):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        url = f"{url}?{entry.query}" if entry.query else url
        shown.setdefault(entry.area, []).append((str(entry.label), str(entry.group or ""), url))
    return [
        (area.key, str(area.label), shown[area.key])
        for area in sorted(AREAS.values(), key=lambda a: a.order)
        if area.key in shown
    ]


def _menu(user) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    return [
        (
            item["area"].key,
            str(item["area"].label),
            [(str(e.label), str(e.group), url) for e, url in item["entries"]],
        )
        for item in nav_for(user)
    ]


def _menu_html(html: str) -> str:
    return html[html.index('<ul class="navbar-nav me-auto"') : html.index('<form class="kern-search')]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_role_sees_the_menu_it_saw_before_also_from_the_cache(company, language):
    with translation.override(language):
        for role in ROLES:
            first, second = a_user(company, role), a_user(company, role)
            expected = _menu_as_it_was(first)
            assert expected, role
            assert _menu(first) == expected, role
            assert _menu(second) == expected, role  # the second user of the role gets the cached menu


def test_the_rendered_menu_is_the_same_for_users_of_one_role_and_differs_between_roles(company):
    rep1, rep2 = a_user(company, "sales_rep"), a_user(company, "sales_rep")
    warehouse = a_user(company, "warehouse")
    html = {u: _menu_html(a_web_client(u).get("/").content.decode()) for u in (rep1, rep2, warehouse)}
    assert html[rep1] == html[rep2]
    assert html[rep1] != html[warehouse]
    for user in (rep1, warehouse):
        urls = re.findall(r'class="dropdown-item" href="([^"]+)"', html[user])
        assert urls == [url for _k, _l, entries in _menu_as_it_was(user) for _label, _g, url in entries]


def test_users_sharing_a_role_share_one_built_menu(company, monkeypatch):
    nav_for(a_user(company, "accountant"))
    builds = []
    real_build = nav_registry._build_nav
    monkeypatch.setattr(nav_registry, "_build_nav", lambda user: builds.append(user) or real_build(user))
    nav_for(a_user(company, "accountant"))
    assert builds == []  # no permission checks or URL reversals for the second accountant
    with translation.override("nl"):
        nav_for(a_user(company, "accountant"))
    assert len(builds) == 1  # another language is another menu (labels and their order)


def test_a_role_change_shows_in_the_menu_on_the_next_request(company):
    user = a_user(company, "warehouse")
    client = a_web_client(user)
    assert "/settings/users/" not in _menu_html(client.get("/").content.decode())
    set_roles(user, ["warehouse", "administrator"])
    assert "/settings/users/" in _menu_html(client.get("/").content.decode())
    set_roles(user, ["warehouse"])
    assert "/settings/users/" not in _menu_html(client.get("/").content.decode())


def test_a_permission_given_to_the_user_or_taken_from_the_role_shows_on_the_next_request(company):
    user = a_user(company, "warehouse")
    other = a_user(company, "warehouse")
    client, other_client = a_web_client(user), a_web_client(other)
    assert "/settings/users/" not in _menu_html(client.get("/").content.decode())
    view_user = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    user.user_permissions.add(view_user)
    assert "/settings/users/" in _menu_html(client.get("/").content.decode())
    assert "/settings/users/" not in _menu_html(other_client.get("/").content.decode())  # only theirs

    assert 'href="/catalog/products/"' in _menu_html(other_client.get("/").content.decode())
    role = other.groups.get(name="warehouse")
    role.permissions.remove(
        Permission.objects.get(content_type__app_label="catalog", codename="view_product")
    )
    assert 'href="/catalog/products/"' not in _menu_html(other_client.get("/").content.decode())
