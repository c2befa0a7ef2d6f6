"""A customer with a portal login, and that customer's documents (quote, order, invoice, ticket)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import SimpleNamespace

from django.test import Client

from kern.core.services import add_attachment, update_company
from kern.parties import services as parties
from kern.portal import services as portal
from kern.portal.models import PortalInvitation
from kern.sales import services as sales
from kern.service import services as service
from tests.builders import a_customer, a_product


def a_portal_customer(
    company, name: str = "Bakkerij De Vries", email: str | None = None, *, documents: bool = True
):
    """A customer, a contact with a portal login and a signed-in browser; with `documents`, also
    a sent quote, a confirmed order, a posted invoice, a ticket with an internal note and a file."""
    w = SimpleNamespace(company=company)
    w.customer = a_customer(company, name, kvk_number="12345678")
    parties.add_address(
        w.customer, kind="billing", street="Dorpsstraat 1", postcode="3511 AB", city="Utrecht"
    )
    email = email or f"{name.split()[-1].lower()}@{name.split()[0].lower()}.test"
    w.contact = parties.add_contact(w.customer, first_name="Anna", last_name=name.split()[-1], email=email)
    invite = portal.invite_contact(w.contact)
    w.invitation = invite
    # the real token only travels in the e-mail: give the invitation one the test knows
    token = "tok-" + str(invite.pk) + "-" + name.replace(" ", "")
    PortalInvitation.objects.filter(pk=invite.pk).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    w.user = portal.accept_invitation(token, password="Portal-geheim-2026")
    w.browser = Client()
    w.browser.force_login(w.user)
    if documents:
        if not company.iban:
            update_company(company, vat_id="NL123456782B01", iban="NL91ABNA0417164300", bic="ABNANL2A")
        hour = a_product(
            company, name="Advies", type="service", sale_price=Decimal("95.00"), cost=Decimal("0")
        )
        w.quote = sales.create_quote(
            company, customer=w.customer, lines=[{"product": hour.pk, "quantity": 2}]
        )
        sales.send_quote(w.quote)
        w.other_quote = sales.create_quote(
            company, customer=w.customer, lines=[{"product": hour.pk, "quantity": 1}]
        )
        sales.send_quote(w.other_quote)
        w.order = sales.create_order(
            company, customer=w.customer, lines=[{"product": hour.pk, "quantity": 3}]
        )
        sales.confirm_order(w.order)
        w.invoice = sales.create_invoice(
            company, customer=w.customer, lines=[{"product": hour.pk, "quantity": 1}], post=True
        )
        w.ticket = service.open_ticket(
            company,
            subject="Vraag van " + name,
            description="Hoe werkt het?",
            customer=w.customer,
            contact=w.contact,
            channel="portal",
        )
        note = service.add_note(w.ticket, body="Interne notitie: klant is lastig", by=None)
        from django.core.files.base import ContentFile

        w.note_file = add_attachment(note, file=ContentFile(b"intern", name="intern.txt"), by=None)
        reply = service.add_customer_message(w.ticket, body="Met bijlage", author_email=email)
        w.public_file = add_attachment(reply, file=ContentFile(b"foto", name="foto.jpg"), by=None)
        article = service.create_article(
            company, title="Intern artikel " + name, body="Geheim", visibility="internal"
        )
        service.publish_article(article)
        w.internal_article = article
        public = service.create_article(company, title="Openbaar " + name, body="Uitleg", visibility="public")
        service.publish_article(public)
        w.public_article = public
    return w
