"""The payments screens for dunning, dunning levels, customer credit and refunds, and leaving a
bill out of a proposed payment run: who may use them, what they show, what they book, and the
form errors they answer with (never a 500)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kern.core.models import AuditEvent
from kern.payments.models import (
    Allocation,
    DunningLetter,
    DunningLevel,
    OpenItem,
    Payment,
    PaymentRun,
    PaymentRunLine,
)
from kern.payments.services import (
    approve_payment_run,
    create_bank_journal,
    propose_payment_run,
    receive_payment,
    send_dunning_letters,
)
from tests.builders import a_customer, a_user, a_vendor, a_web_client, an_open_item
from tests.payments.helpers import D, refreshed

pytestmark = pytest.mark.django_db

IBAN = "NL91ABNA0417164300"


def _accountant(company, language="en"):
    return a_web_client(a_user(company, "accountant"), language=language)


def _viewer(company, *codenames):
    """A user who may only do what the codenames allow (no role)."""
    user = a_user(company, "sales_rep")
    user.groups.clear()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    return a_web_client(user)


# --- dunning ----------------------------------------------------------------------------------


def _late_customer(company, name="Traag Betalend BV"):
    customer = a_customer(company, name)
    late = an_open_item(company, customer, "500.00", on=D(3, 1), due_days=30, number=f"INV-{name[:4]}-1")
    an_open_item(company, customer, "80.00", on=D(4, 10), due_days=30, number=f"INV-{name[:4]}-2")
    return customer, late


def test_the_dunning_screen_shows_the_next_letter_and_sends_the_ticked_ones(company, other_company):
    slow, late = _late_customer(company)
    other, _ = _late_customer(company, "Ander Laat BV")
    stranger, _ = _late_customer(other_company, "Vreemd BV")
    client = _accountant(company)
    url = reverse("payments:dunning")

    page = client.get(url, {"on": D(4, 10).isoformat()})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Traag Betalend BV" in text and "Ander Laat BV" in text and "Vreemd BV" not in text
    assert "1. Payment reminder" in text and "no fee" in text  # level 1 is due, without a fee
    assert f'name="party" value="{slow.pk}"' in text

    # Tick one customer: only that one gets a letter; the screen then shows what was reached.
    sent = client.post(url, {"on": D(4, 10).isoformat(), "party": [slow.pk]})
    assert sent.status_code == 302 and sent["Location"].endswith(f"?on={D(4, 10).isoformat()}")
    letter = DunningLetter.objects.get(company=company)
    assert (letter.party, letter.level, letter.fee) == (slow, 1, Decimal("0.00"))
    assert refreshed(late).dunning_level == 1
    assert AuditEvent.objects.filter(model="payments.dunningletter", object_id=str(letter.pk)).exists()
    after = client.get(url, {"on": D(4, 10).isoformat()}).content.decode()
    assert "level 1" in after and "2. Second reminder from" in after

    # Later, level 2 with its fee is due; the fee becomes an open item of the customer.
    later = client.get(url, {"on": D(4, 25).isoformat()}).content.decode()
    assert "2. Second reminder" in later and "15.00" in later
    client.post(url, {"on": D(4, 25).isoformat(), "party": [slow.pk, other.pk, stranger.pk]})
    assert DunningLetter.objects.filter(company=company).count() == 3
    assert not DunningLetter.objects.filter(company=other_company).exists()
    assert OpenItem.objects.filter(company=company, source_type="payments.dunningletter").count() == 2


def test_dunning_refuses_bad_input_with_a_message(company):
    slow, _late = _late_customer(company)
    client = _accountant(company)
    url = reverse("payments:dunning")

    nobody = client.post(url, {"on": D(4, 10).isoformat()})
    assert nobody.status_code == 422 and b"Tick at least one customer" in nobody.content
    future = client.post(url, {"on": "2999-01-01", "party": [slow.pk]})
    assert future.status_code == 422 and b"cannot be dated in the future" in future.content
    nothing_due = client.post(url, {"on": D(4, 2).isoformat(), "party": [slow.pk]})  # 2 days late
    assert nothing_due.status_code == 422 and b"no customer is due a reminder" in nothing_due.content
    garbage = client.get(url, {"on": "not-a-date"})
    assert garbage.status_code == 400 and b"Enter a valid date" in garbage.content
    assert not DunningLetter.objects.exists()


def test_dunning_needs_its_permissions(company):
    slow, _late = _late_customer(company)
    url = reverse("payments:dunning")
    assert a_web_client(a_user(company, "sales_rep")).get(url).status_code == 403

    viewer = _viewer(company, "view_dunningletter")
    page = viewer.get(url, {"on": D(4, 10).isoformat()})
    assert page.status_code == 200 and b'name="party"' not in page.content  # sees, cannot send
    assert viewer.post(url, {"on": D(4, 10).isoformat(), "party": [slow.pk]}).status_code == 403
    customer_url = reverse("payments:dunning_customer", kwargs={"pk": slow.pk})
    assert viewer.post(customer_url, {"on": D(4, 10).isoformat()}).status_code == 403
    assert not DunningLetter.objects.exists()


def test_one_customer_s_dunning_page_previews_sends_and_lists_the_letters(company, other_company):
    slow, late = _late_customer(company)
    stranger, _ = _late_customer(other_company, "Vreemd BV")
    client = _accountant(company)
    url = reverse("payments:dunning_customer", kwargs={"pk": slow.pk})
    on = {"on": D(4, 25).isoformat()}

    page = client.get(url, on)
    text = page.content.decode()
    assert page.status_code == 200 and late.number in text and "2. Second reminder" in text
    preview = client.get(reverse("payments:dunning_preview", kwargs={"pk": slow.pk}), on)
    assert preview.status_code == 200 and late.number in preview.content.decode()
    assert not DunningLetter.objects.exists()  # a preview records nothing

    assert client.post(url, on).status_code == 302
    letter = DunningLetter.objects.get(company=company)
    assert letter.level == 2 and letter.fee == Decimal("15.00")
    listed = client.get(url, on).content.decode()
    letter_url = reverse("payments:dunning_letter", kwargs={"pk": letter.pk})
    assert letter.number in listed and letter_url in listed
    assert "No reminder is due" in listed

    html = client.get(letter_url)
    assert html.status_code == 200 and late.number in html.content.decode()
    pdf = client.get(letter_url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    detail = client.get(reverse("payments:dunningletter_detail", kwargs={"pk": letter.pk}))
    assert letter_url.encode() in detail.content
    party_tab = client.get(
        reverse("parties:party_detail", kwargs={"pk": slow.pk}), {"tab": "dunning_letters"}
    )
    assert party_tab.status_code == 200 and letter.number.encode() in party_tab.content
    overview = client.get(reverse("payments:dunning"), on).content.decode()
    assert f"{url}?on={D(4, 25).isoformat()}#letters-title" in overview  # the count links to the letters

    nothing = client.get(reverse("payments:dunning_preview", kwargs={"pk": slow.pk}), on)
    assert nothing.status_code == 302  # nothing due any more: back to the customer's page
    for name in ("dunning_customer", "dunning_preview"):
        assert client.get(reverse(f"payments:{name}", kwargs={"pk": stranger.pk})).status_code == 404
    foreign_letter = send_dunning_letters(other_company, on=D(4, 25))[0]
    assert client.get(reverse("payments:dunning_letter", kwargs={"pk": foreign_letter.pk})).status_code == 404


def test_dunning_levels_are_edited_on_their_own_pages(company):
    client = _accountant(company)
    assert client.get(reverse("payments:dunninglevel_list")).status_code == 200
    level = DunningLevel.objects.get(company=company, level=2)
    edit = reverse("payments:dunninglevel_edit", kwargs={"pk": level.pk})
    form = {
        "level": 2,
        "name": "Tweede herinnering",
        "days_overdue": 28,
        "fee": "12.50",
        "text": "Betaal nu.",
    }
    assert client.post(edit, {**form, "is_active": "on"}).status_code == 302
    level.refresh_from_db()
    assert (level.days_overdue, level.fee, level.name) == (28, Decimal("12.50"), "Tweede herinnering")
    assert AuditEvent.objects.filter(model="payments.dunninglevel", object_id=str(level.pk)).exists()

    negative = client.post(edit, {**form, "fee": "-1"})
    assert negative.status_code == 422 and b"greater than or equal to 0" in negative.content
    create = reverse("payments:dunninglevel_create")
    twice = client.post(create, {**form, "level": 1, "name": "Dubbel"})
    assert twice.status_code == 422 and DunningLevel.objects.filter(company=company).count() == 3
    zero = client.post(create, {**form, "level": 0})
    assert zero.status_code == 422
    made = client.post(create, {**form, "level": 4, "name": "Incasso", "days_overdue": 60, "fee": "75"})
    assert made.status_code == 302 and DunningLevel.objects.filter(company=company, level=4).exists()
    assert a_web_client(a_user(company, "sales_rep")).get(create).status_code == 403


# --- customer credit and refunds --------------------------------------------------------------


def _customer_with_credit(company):
    customer = a_customer(company, "Klant Met Tegoed BV")
    invoice = an_open_item(company, customer, "121.00", on=D(2, 1), number="INV-CR-1")
    note = an_open_item(company, customer, "-30.00", on=D(2, 3), number="CN-CR-1")
    receive_payment(company, party=customer, amount=Decimal("171.00"), on=D(2, 5))  # 50 kept as credit
    later = an_open_item(company, customer, "80.00", on=D(2, 10), number="INV-CR-2")
    return customer, invoice, note, later


def test_the_credit_screen_shows_before_and_after_then_uses_the_credit(company, other_company):
    customer, invoice, note, later = _customer_with_credit(company)
    assert refreshed(invoice).residual == 0 and refreshed(note).residual == Decimal("-30.00")
    kept = OpenItem.objects.get(company=company, source_type="payments.payment")
    assert kept.residual == Decimal("-50.00")
    client = _accountant(company)

    listing = client.get(reverse("payments:credits")).content.decode()
    url = reverse("payments:party_credit", kwargs={"pk": customer.pk})
    assert "Klant Met Tegoed BV" in listing and url in listing

    credit_detail = client.get(reverse("payments:openitem_detail", kwargs={"pk": kept.pk})).content.decode()
    assert f"{url}?kind=receivable&amp;credit={kept.pk}" in credit_detail  # "Use this credit"
    page = client.get(url, {"kind": "receivable", "credit": kept.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "CN-CR-1" in text and kept.number in text and "INV-CR-2" in text
    assert f'value="{kept.pk}" id="credit_{kept.pk}" checked' in text
    preview = client.get(
        url, {"credit": kept.pk, "debit": later.pk, "amount": "20.00"}, HTTP_HX_REQUEST="true"
    )
    shown = preview.content.decode()
    assert preview.status_code == 200 and "-50.00" in shown and "-30.00" in shown and "60.00" in shown
    assert not Allocation.objects.filter(counterpart__isnull=False).exists()  # a preview books nothing

    done = client.post(url, {"do": "allocate", "credit": kept.pk, "debit": later.pk, "amount": "20.00"})
    assert done.status_code == 302
    assert refreshed(kept).residual == Decimal("-30.00") and refreshed(later).residual == Decimal("60.00")
    message = client.get(done["Location"]).content.decode()
    assert "-50.00 → -30.00" in message and "80.00 → 60.00" in message

    all_of_it = client.post(url, {"do": "allocate", "credit": note.pk, "debit": later.pk})
    assert all_of_it.status_code == 302
    assert refreshed(note).residual == 0 and refreshed(later).residual == Decimal("30.00")
    assert AuditEvent.objects.filter(model="payments.allocation").count() >= 4

    stranger = a_customer(other_company)
    assert client.get(reverse("payments:party_credit", kwargs={"pk": stranger.pk})).status_code == 404


def test_the_credit_screen_answers_bad_input_with_form_errors(company, other_company):
    customer, invoice, _note, later = _customer_with_credit(company)
    kept = OpenItem.objects.get(company=company, source_type="payments.payment")
    foreign = an_open_item(other_company, a_customer(other_company), "-5.00", on=D(2, 1))
    client = _accountant(company)
    url = reverse("payments:party_credit", kwargs={"pk": customer.pk})

    def refused(data, text):
        response = client.post(url, {"do": "allocate", **data})
        assert response.status_code == 422 and text in response.content.decode(), response.content.decode()[
            -3000:
        ]

    refused({"debit": later.pk}, "Choose the credit to use.")
    refused({"credit": kept.pk, "debit": later.pk, "amount": "51.00"}, "At most 50.00 can be used here.")
    refused({"credit": kept.pk, "debit": later.pk, "amount": "abc"}, "Enter a number.")
    refused({"credit": kept.pk, "debit": later.pk, "amount": "-3"}, "greater than or equal to 0.01")
    refused({"credit": foreign.pk, "debit": later.pk}, "That credit is not open any more.")
    refused({"credit": kept.pk, "debit": invoice.pk}, "That item is not open any more.")  # settled already
    refused({"credit": later.pk, "debit": later.pk}, "That credit is not open any more.")
    assert refreshed(kept).residual == Decimal("-50.00") and refreshed(later).residual == Decimal("80.00")

    preview = client.get(url, {"credit": kept.pk, "debit": later.pk, "amount": "99"})
    assert preview.status_code == 400 and "At most 50.00 can be used here." in preview.content.decode()

    viewer = _viewer(company, "view_openitem")
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"do": "allocate", "credit": kept.pk, "debit": later.pk}).status_code == 403
    assert (
        viewer.post(url, {"do": "refund", "credit": kept.pk, "date": D(3, 1).isoformat()}).status_code == 403
    )
    assert a_web_client(a_user(company, "sales_rep")).get(url).status_code == 403


def test_a_customer_s_credit_is_paid_back_as_a_refund(company):
    customer, *_items = _customer_with_credit(company)
    kept = OpenItem.objects.get(company=company, source_type="payments.payment")
    bank = create_bank_journal(company, name="Bank", iban=IBAN)
    client = _accountant(company)
    url = reverse("payments:party_credit", kwargs={"pk": customer.pk})
    form = {"do": "refund", "credit": kept.pk, "date": D(3, 1).isoformat(), "bank_journal": bank.pk}

    too_much = client.post(url, {**form, "amount": "60.00"})
    assert too_much.status_code == 422 and b"At most 50.00 is left of this credit." in too_much.content
    no_date = client.post(url, {**form, "date": ""})
    assert no_date.status_code == 422
    assert not Payment.objects.filter(company=company, direction="outgoing").exists()

    done = client.post(url, {**form, "amount": "20.00"})
    refund = Payment.objects.get(company=company, direction="outgoing")
    assert done.status_code == 302 and done["Location"] == reverse(
        "payments:payment_detail", kwargs={"pk": refund.pk}
    )
    assert refund.amount == Decimal("20.00") and refund.party == customer and refund.unallocated == 0
    assert refreshed(kept).residual == Decimal("-30.00")
    assert client.post(url, {**form}).status_code == 302  # the rest: all that is left
    assert refreshed(kept).residual == 0


# --- payment runs -----------------------------------------------------------------------------


def _draft_run(company):
    from kern.parties import services as party_services

    create_bank_journal(company, name="Bank", iban=IBAN)
    bills = []
    for name, amount in (("Leverancier A", "100.00"), ("Leverancier B", "40.00")):
        vendor = a_vendor(company, name)
        party_services.add_bank_account(vendor, iban="NL20INGB0001234567")
        bills.append(an_open_item(company, vendor, amount, kind="payable", on=D(3, 1), due_days=0))
    bills.append(an_open_item(company, vendor, "25.00", kind="payable", on=D(3, 1), due_days=0))
    return propose_payment_run(company, execution_date=D(3, 2)), bills


def test_a_bill_is_left_out_of_a_proposed_run_and_the_totals_follow(company):
    run, (_first, _second, third) = _draft_run(company)
    assert run.total == Decimal("165.00")
    client = _accountant(company)
    detail = reverse("payments:paymentrun_detail", kwargs={"pk": run.pk})
    line = PaymentRunLine.objects.get(run=run, open_item=third)
    remove = reverse("payments:run_line_remove", kwargs={"pk": run.pk, "line": line.pk})

    tab = client.get(detail, {"tab": "lines"}).content.decode()
    assert remove in tab and "165.00" in tab
    ask = client.get(remove)
    assert ask.status_code == 200 and third.number in ask.content.decode()
    approve_payment_run(run, by=a_user(company, "controller"))
    run.refresh_from_db()
    assert run.status == "approved"
    refused = client.post(remove)
    assert refused.status_code == 302 and PaymentRunLine.objects.filter(pk=line.pk).exists()
    assert "cannot change" in client.get(refused["Location"]).content.decode()


def test_removing_a_line_from_a_draft_run_retotals_it_and_voids_approvals(company):
    from kern.payments.models import PaymentRunApproval

    run, (first, *_others) = _draft_run(company)
    PaymentRun.objects.filter(pk=run.pk).update(required_approvals=2)  # as above the dual threshold
    run.refresh_from_db()
    approve_payment_run(run, by=a_user(company, "controller"))
    assert PaymentRunApproval.objects.filter(run=run).count() == 1
    client = _accountant(company)
    line = PaymentRunLine.objects.get(run=run, open_item=first)
    remove = reverse("payments:run_line_remove", kwargs={"pk": run.pk, "line": line.pk})

    done = client.post(remove)
    assert done.status_code == 302 and done["Location"].endswith("?tab=lines")
    run.refresh_from_db()
    assert run.total == Decimal("65.00") and run.required_approvals == 1 and run.status == "draft"
    assert not PaymentRunLine.objects.filter(pk=line.pk).exists()
    assert not PaymentRunApproval.objects.filter(run=run).exists()
    page = client.get(done["Location"]).content.decode()
    assert "is left out of" in page and "65.00" in page and "no longer hold" in page
    assert AuditEvent.objects.filter(
        model="payments.paymentrunline", object_id=str(line.pk), action="delete"
    ).exists()

    assert client.post(remove).status_code == 404  # gone already
    sales = a_web_client(a_user(company, "sales_rep"))
    other_line = PaymentRunLine.objects.filter(run=run).first()
    other_remove = reverse("payments:run_line_remove", kwargs={"pk": run.pk, "line": other_line.pk})
    assert sales.post(other_remove).status_code == 403
    assert PaymentRunLine.objects.filter(pk=other_line.pk).exists()


# --- links and language -----------------------------------------------------------------------


def test_payables_pages_link_to_purchasing_s_vendor_bills(company):
    client = _accountant(company)
    payables = client.get(reverse("payments:aged_payables")).content.decode()
    assert reverse("purchasing:bill_list") in payables and reverse("payments:propose_run") in payables
    propose = client.get(reverse("payments:propose_run")).content.decode()
    assert f"{reverse('purchasing:bill_list')}?payment_blocked=true" in propose
    receivables = client.get(reverse("payments:aged_receivables")).content.decode()
    assert reverse("payments:dunning") in receivables and reverse("payments:credits") in receivables


def test_the_new_screens_speak_dutch(company):
    customer, *_rest = _customer_with_credit(company)
    client = _accountant(company, language="nl")
    for url, text in (
        (reverse("payments:dunning"), "Aanmaningen"),
        (reverse("payments:dunninglevel_list"), "Aanmaningsniveaus"),
        (reverse("payments:credits"), "Openstaand tegoed"),
        (reverse("payments:party_credit", kwargs={"pk": customer.pk}), "Tegoed van Klant Met Tegoed BV"),
        (
            reverse("payments:dunning_customer", kwargs={"pk": customer.pk}),
            "Aanmaningen aan Klant Met Tegoed BV",
        ),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert text in page.content.decode(), url
