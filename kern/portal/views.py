"""The customer portal at /portal/. Every page runs through `portal_page`, which finds the signed-in
contact's customer and resolves every id in the URL within that customer's records *before* it
looks at the method: another customer's id is a 404 for every verb, and nothing is revealed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.core.exceptions import KernError
from kern.core.selectors import attachments_on
from kern.parties.models import ContactPerson
from kern.portal import selectors, services
from kern.sales import services as sales_services
from kern.sales.selectors.documents import pdf_for, ubl_for
from kern.service import selectors as service_selectors
from kern.service import services as service_services
from kern.service.models import TicketCategory

LOOKUPS: dict[str, Callable[[Any, Any], Any]] = {
    "ticket_id": selectors.ticket_of,
    "quote_id": selectors.quote_of,
    "order_id": selectors.order_of,
    "invoice_id": selectors.invoice_of,
    "article_id": selectors.article_of,
}


def portal_page(*, methods: tuple[str, ...] = ("GET",)) -> Callable:
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return HttpResponseRedirect(f"{reverse('portal:login')}?next={request.path}")
            access = selectors.access_of(request.user)
            if access is None:
                raise PermissionDenied
            request.portal = access
            resolved = {}
            for name, value in kwargs.items():
                if name in LOOKUPS:
                    resolved[name.removesuffix("_id")] = LOOKUPS[name](access, value)
                elif name == "attachment_id":  # always after its ticket in the URL
                    resolved["attachment"] = selectors.public_file_of(resolved["ticket"], value)
                else:
                    resolved[name] = value
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, access, **resolved)

        return wrapper

    return decorate


def _page(request: HttpRequest, template: str, context: dict[str, Any], **kw: Any) -> HttpResponse:
    context.setdefault("access", request.portal)
    return render(request, f"portal/{template}", context, **kw)


# --- sign in and invitations -----------------------------------------------------------------


class PortalLogin(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("portal:home")


class PasswordForm(ui.KernForm):
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, min_length=8)
    repeat = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("repeat"):
            self.add_error("repeat", _("The passwords differ."))
        return data


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invited contact chooses a password and is signed in."""
    try:
        invite = services.invitation_for(token)
    except KernError:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = ui.style_form(PasswordForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token, password=form.cleaned_data["password"])
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(reverse("portal:home"))
    return render(request, "portal/invitation.html", {"form": form, "invitation": invite})


# --- home ------------------------------------------------------------------------------------


@portal_page()
def home(request: HttpRequest, access: Any) -> HttpResponse:
    tickets = selectors.my_tickets(access)
    invoices = selectors.my_invoices(access).exclude(payment_status="paid")
    return _page(
        request,
        "home.html",
        {
            "open_tickets": tickets.filter(status__in=("new", "open", "pending")).order_by("-created_at")[:5],
            "open_invoices": invoices[:5],
            "quotes": selectors.my_quotes(access).filter(status="sent")[:5],
        },
    )


# --- tickets ---------------------------------------------------------------------------------


class PortalTicketForm(ui.KernForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(TicketCategory.objects.none(), label=_("Topic"), required=False)
    description = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000
    )
    files = forms.FileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, company_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(
            company_id=company_id, is_active=True, is_public=True
        )
        suggest = {
            "hx-get": reverse("portal:kb_suggest"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#kb-suggestions",
            "hx-swap": "outerHTML",
            "hx-include": "[name=subject],[name=description]",
        }
        self.fields["subject"].widget.attrs.update(suggest)
        self.fields["description"].widget.attrs.update(suggest)


class PortalReplyForm(ui.KernForm):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=50_000
    )
    files = forms.FileField(label=_("Attachments"), required=False)


@portal_page()
def tickets(request: HttpRequest, access: Any) -> HttpResponse:
    rows = selectors.my_tickets(access).select_related("contact").order_by("-created_at")
    return _page(request, "tickets.html", {"tickets": rows})


@portal_page(methods=("GET", "POST"))
def ticket_new(request: HttpRequest, access: Any) -> HttpResponse:
    form = ui.style_form(
        PortalTicketForm(request.POST or None, request.FILES or None, company_id=access.company_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = service_services.open_ticket(
                access.company,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                channel="portal",
                customer=access.party,
                contact=access.contact,
                attachments=request.FILES.getlist("files"),
                by=request.user,
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("Your ticket %(number)s was created.") % {"number": ticket.number}
            )
            return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]))
    return _page(request, "ticket_new.html", {"form": form, "articles": []})


@portal_page(methods=("GET", "POST"))
def ticket(request: HttpRequest, access: Any, ticket: Any) -> HttpResponse:
    form = ui.style_form(PortalReplyForm(request.POST or None, request.FILES or None))
    if request.method == "POST" and form.is_valid():
        try:
            service_services.add_customer_message(
                ticket,
                body=form.cleaned_data["body"],
                by=request.user,
                author_name=access.contact.full_name,
                author_email=access.contact.email,
                channel="portal",
                attachments=request.FILES.getlist("files"),
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, gettext("Your message was added."))
            return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]))
    conversation = [(m, list(attachments_on(m))) for m in service_selectors.public_messages(ticket)]
    return _page(
        request,
        "ticket.html",
        {
            "ticket": ticket,
            "conversation": conversation,
            "form": form,
            "can_reply": ticket.status not in ("closed", "merged"),
        },
    )


@portal_page(methods=("POST",))
def ticket_close(request: HttpRequest, access: Any, ticket: Any) -> HttpResponse:
    try:
        service_services.close_ticket(ticket, by=request.user)
        messages.success(request, gettext("The ticket was closed. Thank you!"))
    except KernError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("portal:ticket", args=[ticket.pk]))


@portal_page()
def ticket_file(request: HttpRequest, access: Any, ticket: Any, attachment: Any) -> HttpResponse:
    """A file on a public message of the customer's own ticket (never on an internal note)."""
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)


@portal_page()
def kb_suggest(request: HttpRequest, access: Any) -> HttpResponse:
    text = f"{request.GET.get('subject', '')} {request.GET.get('description', '')}"[:1000]
    articles = service_selectors.suggest_articles(access.company_id, text, public_only=True)
    return _page(request, "_kb_suggestions.html", {"articles": list(articles)})


# --- documents -------------------------------------------------------------------------------


def _pdf(doc: Any) -> HttpResponse:
    name, body = pdf_for(doc)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@portal_page()
def quotes(request: HttpRequest, access: Any) -> HttpResponse:
    return _page(request, "quotes.html", {"quotes": selectors.my_quotes(access).select_related("currency")})


class AcceptForm(ui.KernForm):
    name = forms.CharField(label=_("Your name, to sign"), max_length=120)


@portal_page(methods=("GET", "POST"))
def quote(request: HttpRequest, access: Any, quote: Any) -> HttpResponse:
    form = ui.style_form(AcceptForm(request.POST or None, initial={"name": access.contact.full_name}))
    if request.method == "POST" and form.is_valid():
        try:
            order = sales_services.accept_quote(
                quote,
                name=form.cleaned_data["name"],
                from_address=request.META.get("REMOTE_ADDR", ""),
                by=request.user,
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Thank you: quote %(q)s is accepted as order %(o)s.")
                % {"q": quote.number, "o": order.number},
            )
            return HttpResponseRedirect(reverse("portal:order", args=[order.pk]))
    lines = list(quote.lines.select_related("product").all()) if hasattr(quote, "lines") else []
    return _page(
        request,
        "quote.html",
        {"quote": quote, "lines": lines, "form": form, "can_accept": quote.status == "sent"},
    )


@portal_page()
def quote_pdf(request: HttpRequest, access: Any, quote: Any) -> HttpResponse:
    return _pdf(quote)


@portal_page()
def orders(request: HttpRequest, access: Any) -> HttpResponse:
    return _page(request, "orders.html", {"orders": selectors.my_orders(access).select_related("currency")})


@portal_page()
def order(request: HttpRequest, access: Any, order: Any) -> HttpResponse:
    lines = list(order.lines.select_related("product").all()) if hasattr(order, "lines") else []
    return _page(request, "order.html", {"order": order, "lines": lines})


@portal_page()
def order_pdf(request: HttpRequest, access: Any, order: Any) -> HttpResponse:
    return _pdf(order)


@portal_page()
def invoices(request: HttpRequest, access: Any) -> HttpResponse:
    rows = selectors.my_invoices(access).select_related("currency")
    return _page(request, "invoices.html", {"invoices": rows})


@portal_page()
def invoice_pdf(request: HttpRequest, access: Any, invoice: Any) -> HttpResponse:
    return _pdf(invoice)


@portal_page()
def invoice_ubl(request: HttpRequest, access: Any, invoice: Any) -> HttpResponse:
    try:
        body = ubl_for(invoice)
    except KernError as exc:  # e.g. the company has no VAT number yet: say so, never a 500
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("portal:invoices"))
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@portal_page()
def statement(request: HttpRequest, access: Any) -> HttpResponse:
    return _page(request, "statement.html", {"statement": selectors.my_statement(access)})


# --- knowledge and profile -------------------------------------------------------------------


@portal_page()
def knowledge(request: HttpRequest, access: Any) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    return _page(
        request, "knowledge.html", {"articles": selectors.public_articles(access.company_id, text), "q": text}
    )


@portal_page()
def article(request: HttpRequest, access: Any, article: Any) -> HttpResponse:
    return _page(request, "article.html", {"article": article})


class ProfileForm(ui.KernModelForm):
    class Meta:
        model = ContactPerson
        fields = ["first_name", "last_name", "job_title", "email", "phone", "mobile", "language"]


@portal_page(methods=("GET", "POST"))
def profile(request: HttpRequest, access: Any) -> HttpResponse:
    form = ui.style_form(
        ProfileForm(request.POST or None, instance=ContactPerson.objects.get(pk=access.contact_id))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_my_details(access, by=request.user, **form.cleaned_data)
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, gettext("Your details were saved."))
            return HttpResponseRedirect(reverse("portal:profile"))
    return _page(request, "profile.html", {"form": form})


# --- staff: invitations and logins ----------------------------------------------------------

# Staff who may change a customer's contact persons invite them to the portal and end their
# logins (the same permission as the API's /portal/invitations and /portal/accesses).
STAFF_PERMISSION = "parties.change_contactperson"


class InviteForm(ui.KernForm):
    contact = forms.ModelChoiceField(ContactPerson.objects.none(), label=_("Contact person"))


def _staff(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the login page, or None for staff who may manage portal logins (403 else)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("web:login"))
    if not request.user.has_perm(STAFF_PERMISSION) or request.company is None:
        raise PermissionDenied
    return None


def staff_access(request: HttpRequest) -> HttpResponse:
    """Staff invite customers' contacts to the portal, see who has a login and revoke one."""
    refused = _staff(request)
    if refused is not None:
        return refused
    form = InviteForm(request.POST or None)
    form.fields["contact"].queryset = (
        ContactPerson.objects.filter(company=request.company, party__is_customer=True, is_active=True)
        .exclude(email="")
        .select_related("party")
    )
    ui.style_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_contact(
                form.cleaned_data["contact"], by=request.user, base_url=request.build_absolute_uri("/")
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, gettext("The invitation was sent."))
            return HttpResponseRedirect(reverse("portal:staff_access"))
    context = {
        "title": _("Portal logins"),
        "form": form,
        "accesses": selectors.logins_of(request.company),
        "invitations": selectors.open_invitations_of(request.company)[:50],
    }
    return render(request, "portal/staff_access.html", context)


def staff_revoke_access(request: HttpRequest, access_id: int) -> HttpResponse:
    """End a contact's portal login (POST, from the list of logins); audited by the service."""
    if selectors.access_of(request.user) is not None:
        raise Http404  # a signed-in customer: the portal never confirms an id (see the top)
    refused = _staff(request)
    if refused is not None:
        return refused
    access = selectors.login_of(request.company, access_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = HttpResponseRedirect(reverse("portal:staff_access"))
    if not access.is_active:
        messages.info(request, gettext("The portal login of %(contact)s was already revoked.") % _who(access))
        return back
    try:
        services.revoke_access(access, by=request.user)
    except KernError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("The portal login of %(contact)s is revoked: they can no longer sign in.") % _who(access),
        )
    return back


def _who(access: Any) -> dict[str, str]:
    return {"contact": f"{access.contact} ({access.party})"}


def register_ui() -> None:
    ui.register_nav(
        "sales",
        _("Portal logins"),
        "portal:staff_access",
        permission=STAFF_PERMISSION,
        order=90,
    )
    ui.register_nav(
        "service",
        _("Portal logins"),
        "portal:staff_access",
        permission=STAFF_PERMISSION,
        order=90,
    )


logout_view = auth_views.LogoutView.as_view(next_page="portal:login")
