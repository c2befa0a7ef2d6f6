"""The generic UI machinery every app's views.py uses (see docs/design.md, section UI).

from kern.core import ui

class ProductPages(ui.Resource): ...          # list, detail, forms, actions of a model
ui.register_nav("sales", _("Products"), "catalog:product_list", permission="catalog.view_product")
ui.register_widget(ui.Widget(...))            # a card on the home dashboard
ui.register_search(ui.SearchProvider(...))    # results in the global search box
ui.register_tab("parties.party", ui.Tab(...)) # a tab on another app's detail page
ui.document_url("sales.salesorder", 12)       # link to any record by model label + id
"""

from kern.core.ui.columns import Column, export_csv, export_xlsx, neutralise
from kern.core.ui.forms import KernForm, KernFormMixin, KernModelForm, apply_errors, style_form
from kern.core.ui.registry import (
    AREAS,
    NavEntry,
    SearchHit,
    SearchProvider,
    Widget,
    document_url,
    nav_for,
    register_document_url,
    register_nav,
    register_search,
    register_tab,
    register_widget,
    search,
    tabs_for,
    widgets_for,
)
from kern.core.ui.resource import Action, Resource, Tab, scope_form, workflow_actions
from kern.core.ui.session import choose_company

__all__ = [
    "AREAS",
    "Action",
    "Column",
    "KernForm",
    "KernFormMixin",
    "KernModelForm",
    "NavEntry",
    "Resource",
    "SearchHit",
    "SearchProvider",
    "Tab",
    "Widget",
    "apply_errors",
    "choose_company",
    "document_url",
    "export_csv",
    "export_xlsx",
    "nav_for",
    "neutralise",
    "register_document_url",
    "register_nav",
    "register_search",
    "register_tab",
    "register_widget",
    "scope_form",
    "search",
    "style_form",
    "tabs_for",
    "widgets_for",
    "workflow_actions",
]
