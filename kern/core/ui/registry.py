"""Registries the apps fill from AppConfig.ready(): navigation, dashboard widgets, global search,
document links and extra tabs on another app's detail page.

Core owns the registries so every app can register without importing anything above it; the
shell in `kern.web` reads them to draw the menu, the home page and the search box.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AREAS",
    "Area",
    "NavEntry",
    "SearchHit",
    "SearchProvider",
    "Widget",
    "document_url",
    "nav_for",
    "register_document_url",
    "register_nav",
    "register_search",
    "register_tab",
    "register_widget",
    "search",
    "search_providers",
    "tabs_for",
    "widgets_for",
]


# --- navigation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str
    label: Any
    order: int


AREAS: dict[str, Area] = {
    a.key: a
    for a in [
        Area("sales", _("Sales"), 10),
        Area("crm", _("CRM"), 20),
        Area("service", _("Service"), 30),
        Area("marketing", _("Marketing"), 40),
        Area("purchasing", _("Purchasing"), 50),
        Area("inventory", _("Inventory"), 60),
        Area("manufacturing", _("Manufacturing"), 70),
        Area("accounting", _("Accounting"), 80),
        Area("hr", _("HR"), 90),
        Area("reports", _("Reports"), 100),
        Area("settings", _("Settings"), 110),
    ]
}


@dataclass(frozen=True)
class NavEntry:
    area: str
    label: Any  # a gettext_lazy string: it is shown in the user's language
    url_name: str
    permission: str | tuple[str, ...] | None = None  # any of these; None: every signed-in user
    order: int = 100
    query: str = ""  # appended to the URL, e.g. "is_customer=true"
    group: Any = ""  # an optional heading inside the area's menu

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.area, self.url_name, self.query)

    def url(self) -> str:
        try:
            base = reverse(self.url_name)
        except NoReverseMatch:
            return ""
        return f"{base}?{self.query}" if self.query else base


_NAV: dict[tuple[str, str, str], NavEntry] = {}

# Built menus, per everything that decides them (see _nav_key). Every page draws the menu, and
# building it costs a hundred permission checks and URL reversals; users sharing a role share one.
# Keyed by the permissions themselves, so a role change is a new key on the next request: nothing
# to invalidate. Bounded because a user with hand-picked permissions makes a key of their own.
_NAV_CACHE_SIZE = 256
_nav_cache: OrderedDict[Hashable, list[dict[str, Any]]] = OrderedDict()
_nav_version = 0
_nav_lock = threading.Lock()


def register_nav(
    area: str,
    label: Any,
    url_name: str,
    *,
    permission: str | tuple[str, ...] | None = None,
    order: int = 100,
    query: str = "",
    group: Any = "",
) -> NavEntry:
    """Add a menu entry under one of AREAS, shown to users who hold `permission` (any of them)."""
    if area not in AREAS:
        raise ValueError(f"unknown navigation area {area!r}; one of {', '.join(AREAS)}")
    global _nav_version
    entry = NavEntry(area, label, url_name, permission, order, query, group)
    with _nav_lock:
        _NAV[entry.key] = entry
        _nav_version += 1  # menus built before this entry existed are stale
    return entry


def _allowed(user: Any, permission: str | tuple[str, ...] | None) -> bool:
    if permission is None:
        return bool(getattr(user, "is_authenticated", False))
    perms = (permission,) if isinstance(permission, str) else permission
    return any(user.has_perm(p) for p in perms)


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The areas the user may see, in order, each with its entries: [{area, entries: [(entry, url)]}].

    Labels come translated into the active language (plain strings), URLs reversed."""
    if not getattr(user, "is_authenticated", False):
        return []
    key = _nav_key(user)
    if key is None:
        return _build_nav(user)
    with _nav_lock:
        menu = _nav_cache.get(key)
        if menu is not None:
            _nav_cache.move_to_end(key)
    if menu is None:
        menu = _build_nav(user)
        with _nav_lock:
            _nav_cache[key] = menu
            while len(_nav_cache) > _NAV_CACHE_SIZE:
                _nav_cache.popitem(last=False)
    # Fresh dicts and lists: a caller changing its menu must not change everyone's.
    return [{"area": item["area"], "entries": list(item["entries"])} for item in menu]


def _nav_key(user: Any) -> Hashable | None:
    """Everything the menu depends on: the user's effective permissions (what has_perm answers
    from: active, superuser, the permissions of their roles and their own), the language (labels
    and their order), where URLs are rooted, and the registry itself. Not the company: roles and
    permissions are global to a user (kern.core.roles), so every company shows the same menu."""
    all_permissions = getattr(user, "get_all_permissions", None)
    if all_permissions is None:  # not a Django user: build its menu every time
        return None
    return (
        bool(getattr(user, "is_active", False)),
        bool(getattr(user, "is_superuser", False)),
        frozenset(all_permissions()),
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        _nav_version,
    )


def _build_nav(user: Any) -> list[dict[str, Any]]:
    by_area: dict[str, list[tuple[NavEntry, str]]] = {}
    for entry in sorted(_NAV.values(), key=lambda e: (e.order, str(e.label))):
        if not _allowed(user, entry.permission):
            continue
        url = entry.url()
        if url:
            # Translated once here (the language is part of the cache key), not on every page.
            shown = replace(entry, label=str(entry.label), group=str(entry.group) if entry.group else "")
            by_area.setdefault(entry.area, []).append((shown, url))
    return [
        {"area": replace(area, label=str(area.label)), "entries": tuple(by_area[area.key])}
        for area in sorted(AREAS.values(), key=lambda a: a.order)
        if area.key in by_area
    ]


def all_nav_entries() -> list[NavEntry]:
    return list(_NAV.values())


# --- dashboard widgets ----------------------------------------------------------------------


@dataclass(frozen=True)
class Widget:
    """A card on the home page: `context(request)` returns what `template` renders.

    Shown to users who hold `permission` and, when `roles` is given, have one of those roles.
    """

    key: str
    title: Any
    template: str
    context: Callable[[Any], dict[str, Any]]
    permission: str | tuple[str, ...] | None = None
    roles: tuple[str, ...] = ()
    order: int = 100
    width: int = 6  # Bootstrap columns of 12 on a wide screen


_WIDGETS: dict[str, Widget] = {}


def register_widget(widget: Widget) -> Widget:
    _WIDGETS[widget.key] = widget
    return widget


def widgets_for(user: Any) -> list[Widget]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = (
        set(user.groups.values_list("name", flat=True)) if any(w.roles for w in _WIDGETS.values()) else set()
    )
    return [
        w
        for w in sorted(_WIDGETS.values(), key=lambda w: (w.order, w.key))
        if _allowed(user, w.permission) and (not w.roles or roles & set(w.roles))
    ]


# --- global search --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    subtitle: str = ""


@dataclass(frozen=True)
class SearchProvider:
    """`search(request, text, limit)` returns SearchHits within request.company."""

    key: str
    label: Any
    search: Callable[[Any, str, int], Iterable[SearchHit]]
    permission: str | tuple[str, ...] | None = None
    order: int = 100


_SEARCH: dict[str, SearchProvider] = {}


def register_search(provider: SearchProvider) -> SearchProvider:
    _SEARCH[provider.key] = provider
    return provider


def search_providers() -> list[SearchProvider]:
    return sorted(_SEARCH.values(), key=lambda p: (p.order, p.key))


def search(request: Any, text: str, *, limit: int = 5) -> list[tuple[SearchProvider, list[SearchHit]]]:
    """Every provider the user may use, with its hits (groups without hits are left out)."""
    text = (text or "").strip()
    if len(text) < 2 or getattr(request, "company", None) is None:
        return []
    results = []
    for provider in search_providers():
        if not _allowed(request.user, provider.permission):
            continue
        hits = list(provider.search(request, text, limit))[:limit]
        if hits:
            results.append((provider, hits))
    return results


# --- document links and extra tabs ----------------------------------------------------------

_DOCUMENT_URLS: dict[str, str | Callable[[Any], str]] = {}


def register_document_url(model_label: str, target: str | Callable[[Any], str]) -> None:
    """How to link to a record of `model_label` ("sales.salesorder"): a URL name taking `pk`, or
    a callable(pk) -> URL. Resources register theirs automatically; ledger lines and stock moves
    use it to link `source_type` + `source_id` to the document behind them."""
    _DOCUMENT_URLS[model_label.lower()] = target


def document_url(model_label: str | type[Model] | Model, pk: Any = None) -> str:
    """The page of a record, or "" when no page is registered for its kind."""
    if not isinstance(model_label, str):
        if pk is None and isinstance(model_label, Model):
            pk = model_label.pk
        model_label = model_label._meta.label_lower
    target = _DOCUMENT_URLS.get(model_label.lower())
    if target is None:
        _load_urls()
        target = _DOCUMENT_URLS.get(model_label.lower())
    if target is None or pk in (None, ""):
        return ""
    if callable(target):
        return target(pk)
    try:
        return reverse(target, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def _load_urls() -> None:
    """Resources register their pages when the URLconf loads; make sure it has."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- importing the URL modules registers the pages


@dataclass
class _TabRegistration:
    tab: Any
    order: int = 100


_TABS: dict[str, list[_TabRegistration]] = {}


def register_tab(model_label: str, tab: Any, *, order: int = 100) -> None:
    """Add a tab (a `kern.core.ui.Tab`) to the detail page of another app's model, e.g. sales adds
    "Sales orders" to the party page — the lower app never imports the higher one."""
    regs = _TABS.setdefault(model_label.lower(), [])
    regs[:] = [r for r in regs if r.tab.key != tab.key]
    regs.append(_TabRegistration(tab, order))


def tabs_for(model_label: str) -> list[Any]:
    return [r.tab for r in sorted(_TABS.get(model_label.lower(), []), key=lambda r: r.order)]
