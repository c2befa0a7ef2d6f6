"""Pages of parties: customers, vendors and prospects with their contacts, addresses and bank
accounts, and payment terms. Declared on the generic machinery of kern.core.ui."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.parties import selectors, services
from kern.parties.forms import AddressForm, BankAccountForm, ContactForm, PartyForm, PaymentTermForm
from kern.parties.models import Address, BankAccount, ContactPerson, Party, PaymentTerm


class PartyPages(ui.Resource):
    model = Party
    list_columns = [
        "number",
        "name",
        "kind",
        "email",
        "phone",
        "vat_id",
        "kvk_number",
        "is_customer",
        "is_vendor",
        "is_prospect",
        "payment_term",
        "credit_limit",
        "currency",
        "tags",
        "created_at",
        "is_active",
    ]
    default_columns = ["number", "name", "email", "phone", "is_customer", "is_vendor", "is_active"]
    search_fields = ["name", "number", "email", "vat_id", "kvk_number", "phone", "normalised_name"]
    filters = [
        "is_customer",
        "is_vendor",
        "is_prospect",
        "kind",
        "is_active",
        "tags",
        "payment_term",
        "created_at",
    ]
    ordering = ["name"]
    detail_fields = [
        (_("General"), ["number", "name", "kind", "email", "phone", "website", "language", "tags"]),
        (_("Roles"), ["is_customer", "is_vendor", "is_prospect", "is_employee", "is_active"]),
        (_("Registration and terms"), ["vat_id", "kvk_number", "currency", "payment_term", "credit_limit"]),
        (_("Notes"), ["notes"]),
    ]
    form_class = PartyForm
    create_service = staticmethod(services.create_party)
    update_service = staticmethod(services.update_party)
    actions = [
        ui.Action(
            "archive",
            _("Archive"),
            services.archive_party,
            style="outline-secondary",
            confirm=_("Archive this party? It stays on its documents but is no longer offered."),
            condition=lambda party: party.is_active,
            success=_("The party was archived."),
        )
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("tags")

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        def edit(kind: str) -> Any:
            return lambda party, row: reverse(
                f"parties:{kind}_edit", kwargs={"parent_pk": party.pk, "pk": row.pk}
            )

        def delete(kind: str) -> Any:
            return lambda party, row: reverse(
                f"parties:{kind}_delete", kwargs={"parent_pk": party.pk, "pk": row.pk}
            )

        def add(kind: str) -> Any:
            return lambda party: reverse(f"parties:{kind}_create", kwargs={"parent_pk": party.pk})

        return [
            ui.Tab(
                "contacts",
                _("Contact persons"),
                rows="contacts",
                columns=["first_name", "last_name", "job_title", "email", "phone", "is_primary"],
                add_url=add("contactperson"),
                add_label=_("Add contact person"),
                edit_url=edit("contactperson"),
                delete_url=delete("contactperson"),
                row_url=lambda row: "",
            ),
            ui.Tab(
                "addresses",
                _("Addresses"),
                rows="addresses",
                columns=["kind", "street", "postcode", "city", "country", "is_default"],
                add_url=add("address"),
                add_label=_("Add address"),
                edit_url=edit("address"),
                delete_url=delete("address"),
                row_url=lambda row: "",
            ),
            ui.Tab(
                "bank",
                _("Bank accounts"),
                rows="bank_accounts",
                columns=["iban", "bic", "holder_name", "is_default"],
                add_url=add("bankaccount"),
                add_label=_("Add bank account"),
                delete_url=delete("bankaccount"),
                row_url=lambda row: "",
            ),
        ]

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        data["currency"] = getattr(data.get("currency"), "code", None) or ""
        return data

    def warnings(self, request: HttpRequest, form: Any, obj: Any = None) -> list[str]:
        """A likely duplicate (same VAT id, e-mail or name) is shown; the user confirms to go on."""
        found = selectors.likely_duplicates(
            request.company,
            name=form.cleaned_data.get("name", ""),
            vat_id=form.cleaned_data.get("vat_id", ""),
            email=form.cleaned_data.get("email", ""),
            exclude=getattr(obj, "pk", None),
        )
        reasons = {
            "same VAT id": gettext("same VAT id"),
            "same e-mail": gettext("same e-mail"),
            "same name": gettext("same name"),
        }
        return [
            gettext("%(number)s %(name)s looks like the same party (%(reason)s).")
            % {"number": d.number, "name": d.name, "reason": reasons.get(d.reason, d.reason)}
            for d in found
        ]

    def object_title(self, obj: Any) -> str:
        return f"{obj.name} ({obj.number})"


class _PartyChild(ui.Resource):
    parent = PartyPages
    parent_field = "party"
    comments = False
    attachments = False


class ContactPages(_PartyChild):
    model = ContactPerson
    child_path = "contacts"
    parent_tab = "contacts"
    form_class = ContactForm
    create_service = staticmethod(services.add_contact)
    update_service = staticmethod(services.update_contact)
    delete_service = staticmethod(services.remove_contact)


class AddressPages(_PartyChild):
    model = Address
    child_path = "addresses"
    parent_tab = "addresses"
    form_class = AddressForm
    create_service = staticmethod(services.add_address)
    update_service = staticmethod(services.update_address)
    delete_service = staticmethod(services.remove_address)


class BankAccountPages(_PartyChild):
    model = BankAccount
    child_path = "bank-accounts"
    parent_tab = "bank"
    form_class = BankAccountForm
    create_service = staticmethod(services.add_bank_account)
    delete_service = staticmethod(services.remove_bank_account)


class PaymentTermPages(ui.Resource):
    model = PaymentTerm
    name = "paymentterm"
    prefix = "payment-terms/"
    list_columns = ["name", "net_days", "discount_days", "discount_percent", "is_active"]
    search_fields = ["name"]
    filters = ["is_active"]
    detail_fields = ["name", "net_days", "discount_days", "discount_percent", "is_active"]
    form_class = PaymentTermForm
    create_service = staticmethod(services.create_payment_term)
    attachments = False


PARTIES = PartyPages()
CONTACTS = ContactPages()
ADDRESSES = AddressPages()
BANK_ACCOUNTS = BankAccountPages()
PAYMENT_TERMS = PaymentTermPages()


def _search(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    return [
        ui.SearchHit(
            title=party.name,
            url=reverse("parties:party_detail", kwargs={"pk": party.pk}),
            subtitle=" · ".join(x for x in (party.number, party.email, party.vat_id) if x),
        )
        for party in selectors.search_parties(request.company, text, limit=limit)
    ]


def _newest_customers(request: HttpRequest) -> dict[str, Any]:
    rows = selectors.parties_for(request.company).filter(is_customer=True).order_by("-created_at", "-pk")[:8]
    return {"parties": list(rows)}


def register_ui() -> None:
    """Menu entries, search and dashboard card of parties (called from PartiesConfig.ready)."""
    view = "parties.view_party"
    ui.register_nav(
        "sales", _("Customers"), "parties:party_list", permission=view, order=10, query="is_customer=true"
    )
    ui.register_nav(
        "crm", _("Prospects"), "parties:party_list", permission=view, order=20, query="is_prospect=true"
    )
    ui.register_nav("crm", _("All parties"), "parties:party_list", permission=view, order=30)
    ui.register_nav(
        "purchasing", _("Vendors"), "parties:party_list", permission=view, order=10, query="is_vendor=true"
    )
    ui.register_nav(
        "accounting",
        _("Customers"),
        "parties:party_list",
        permission=view,
        order=50,
        query="is_customer=true",
    )
    ui.register_nav(
        "accounting", _("Vendors"), "parties:party_list", permission=view, order=51, query="is_vendor=true"
    )
    ui.register_nav(
        "settings",
        _("Payment terms"),
        "parties:paymentterm_list",
        permission="parties.view_paymentterm",
        order=50,
    )
    ui.register_search(ui.SearchProvider("parties", _("Parties"), _search, permission=view, order=10))
    ui.register_widget(
        ui.Widget(
            "parties.newest_customers",
            _("Newest customers"),
            "parties/widget_newest_customers.html",
            _newest_customers,
            permission=view,
            order=10,
        )
    )
