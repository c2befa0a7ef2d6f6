"""The payments pages answer for an accountant, with the company's rows only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kern.payments.services import receive_payment
from tests.builders import a_customer, a_user, a_web_client, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db


def test_lists_and_details_render(company, other_company):
    customer = a_customer(company)
    item = an_open_item(company, customer, "121.00", on=D(2, 1), number="INV-PAGES-1")
    payment = receive_payment(company, party=customer, amount=Decimal("121.00"), on=D(2, 2))
    foreign = an_open_item(other_company, a_customer(other_company), "5.00", on=D(2, 1))
    client = a_web_client(a_user(company, "accountant"))

    for name in (
        "openitem",
        "payment",
        "bankstatement",
        "statementline",
        "paymentrun",
        "dunningletter",
        "bankjournal",
    ):
        response = client.get(reverse(f"payments:{name}_list"))
        assert response.status_code == 200, name
    page = client.get(reverse("payments:openitem_detail", kwargs={"pk": item.pk}))
    assert page.status_code == 200 and b"INV-PAGES-1" in page.content
    assert client.get(reverse("payments:payment_detail", kwargs={"pk": payment.pk})).status_code == 200
    assert client.get(reverse("payments:openitem_detail", kwargs={"pk": foreign.pk})).status_code == 404


# --- the screens beyond the generic pages -------------------------------------------------------

IBAN = "NL91ABNA0417164300"


def _upload(client, data: bytes, name: str = "statement.xml", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("payments:statement_import"),
        {"file": SimpleUploadedFile(name, data), **fields},
    )


def test_statement_upload_books_matches_and_refuses_a_second_import(company):
    from kern.payments.models import BankStatement, StatementLine
    from kern.payments.services import create_bank_journal
    from tests.payments.camt import a_camt053, a_line
    from tests.payments.helpers import refreshed

    create_bank_journal(company, name="Bank", iban=IBAN)
    customer = a_customer(company)
    item = an_open_item(company, customer, "121.00", on=D(2, 1), number="INV-UP-1")
    data = a_camt053(
        IBAN,
        D(3, 1),
        a_line("121.00", D(3, 1), remittance="INV-UP-1", counterparty_name=customer.name),
        a_line("-7.50", D(3, 1), remittance="Kosten betalingsverkeer"),
        reference="STMT-UP-1",
    )
    client = a_web_client(a_user(company, "accountant"))
    assert client.get(reverse("payments:statement_import")).status_code == 200

    page = _upload(client, data)
    assert page.status_code == 200
    assert b"STMT-UP-1" in page.content and b"Left to reconcile: 1" in page.content
    assert refreshed(item).residual == 0
    assert list(
        StatementLine.objects.filter(company=company).values_list("status", flat=True).order_by("sequence")
    ) == [
        "reconciled",
        "unmatched",
    ]

    again = _upload(client, data)
    assert again.status_code == 422 and b"imported before" in again.content
    assert BankStatement.objects.filter(company=company).count() == 1

    garbage = _upload(client, b"<html>not a statement</html>", "x.xml")
    assert garbage.status_code == 422 and b"camt.053" in garbage.content
    empty_csv = _upload(client, b"Datum;Bedrag\n", "x.csv", mapping="bad mapping")
    assert empty_csv.status_code == 422
    assert BankStatement.objects.filter(company=company).count() == 1


def _imported_line(company, amount: str, **fields):
    from kern.payments.models import BankJournal, StatementLine
    from kern.payments.services import create_bank_journal, import_bank_statement
    from tests.payments.camt import a_camt053, a_line

    if not BankJournal.objects.filter(company=company, iban=IBAN).exists():
        create_bank_journal(company, name="Bank", iban=IBAN)
    ref = fields.pop("reference", f"STMT-{amount}")
    import_bank_statement(company, a_camt053(IBAN, D(3, 2), a_line(amount, D(3, 2), **fields), reference=ref))
    return StatementLine.objects.get(company=company, statement__reference=ref)


def test_reconcile_a_line_by_hand_then_unmatch_and_match_again(company, other_company):
    from kern.payments.models import Payment
    from tests.payments.helpers import refreshed

    customer = a_customer(company)
    first = an_open_item(company, customer, "60.00", on=D(2, 1), number="INV-R-1")
    second = an_open_item(company, customer, "40.00", on=D(2, 2), number="INV-R-2")
    line = _imported_line(company, "80.00", remittance="two invoices", counterparty_name="Someone")
    assert line.status == "unmatched"
    client = a_web_client(a_user(company, "accountant"))
    url = reverse("payments:reconcile_line", kwargs={"pk": line.pk})

    page = client.get(url, {"party": customer.pk})
    assert page.status_code == 200 and b"INV-R-1" in page.content and b"INV-R-2" in page.content
    detail = client.get(reverse("payments:statementline_detail", kwargs={"pk": line.pk}))
    assert url.encode() in detail.content

    refused = client.post(url, {"do": "allocate", "party": "", "item": [first.pk]})
    assert refused.status_code == 422 and refreshed(line).status == "unmatched"
    bad_amount = client.post(
        url, {"do": "allocate", "party": customer.pk, "item": [second.pk], f"amount_{second.pk}": "x"}
    )
    assert bad_amount.status_code == 422 and not Payment.objects.filter(company=company).exists()
    too_much = client.post(
        url, {"do": "allocate", "party": customer.pk, "item": [first.pk], f"amount_{first.pk}": "90.00"}
    )
    assert too_much.status_code == 422 and not Payment.objects.filter(company=company).exists()

    done = client.post(
        url,
        {
            "do": "allocate",
            "party": customer.pk,
            "item": [first.pk, second.pk],
            f"amount_{second.pk}": "20.00",
        },
    )
    assert done.status_code == 302
    line = refreshed(line)
    assert line.status == "reconciled" and line.payment.amount == Decimal("80.00")
    assert refreshed(first).residual == 0 and refreshed(second).residual == Decimal("20.00")

    assert client.post(url, {"do": "unmatch"}).status_code == 302
    payment = Payment.objects.get(company=company)
    assert refreshed(line).status == "unmatched" and refreshed(line).payment is None
    assert payment.is_reconciled is False and payment.status == "posted"
    page = client.get(url)
    assert payment.number.encode() in page.content  # offered as a booked payment of this amount
    assert client.post(url, {"do": "payment", "payment": payment.pk}).status_code == 302
    assert refreshed(line).payment == payment and refreshed(payment).is_reconciled

    foreign = _imported_line(other_company, "5.00")
    assert client.get(reverse("payments:reconcile_line", kwargs={"pk": foreign.pk})).status_code == 404


def test_book_a_line_to_an_account_or_ignore_it(company):
    from kern.ledger.models import JournalEntry
    from tests.payments.helpers import refreshed

    charges = _imported_line(company, "-7.50", remittance="Kosten", reference="S-1")
    other = _imported_line(company, "-3.00", remittance="Own transfer", reference="S-2")
    client = a_web_client(a_user(company, "accountant"))
    url = reverse("payments:reconcile_line", kwargs={"pk": charges.pk})
    unknown = client.post(url, {"do": "book", "account": "9999x"})
    assert unknown.status_code == 422 and refreshed(charges).status == "unmatched"
    assert (
        client.post(url, {"do": "book", "account": "4610", "description": "Bank charges"}).status_code == 302
    )
    charges = refreshed(charges)
    assert charges.status == "reconciled" and charges.entry is not None
    assert client.post(url, {"do": "unmatch"}).status_code == 302
    assert refreshed(charges).status == "unmatched"
    assert JournalEntry.objects.filter(company=company, status="reversed").count() == 1

    other_url = reverse("payments:reconcile_line", kwargs={"pk": other.pk})
    assert client.post(other_url, {"do": "ignore"}).status_code == 302
    assert refreshed(other).status == "ignored"
    again = client.post(other_url, {"do": "ignore"})
    assert again.status_code == 409 and refreshed(other).status == "ignored"


def test_register_a_payment_with_allocations(company):
    from kern.payments.models import Payment
    from tests.payments.helpers import refreshed

    customer = a_customer(company)
    item = an_open_item(company, customer, "100.00", on=D(2, 1), number="INV-REG-1")
    client = a_web_client(a_user(company, "accountant"))
    url = reverse("payments:register_payment")
    page = client.get(url, {"party": customer.pk})
    assert page.status_code == 200 and b"INV-REG-1" in page.content
    form = {"direction": "incoming", "party": customer.pk, "date": D(3, 1).isoformat(), "amount": "150.00"}

    bad = client.post(url, {**form, "item": [item.pk], f"amount_{item.pk}": "1e999999"})
    assert bad.status_code == 422 and not Payment.objects.exists()
    over = client.post(url, {**form, "item": [item.pk], f"amount_{item.pk}": "120.00"})
    assert (
        over.status_code == 422
        and not Payment.objects.exists()
        and refreshed(item).residual == Decimal("100.00")
    )
    missing = client.post(url, {**form, "amount": ""})
    assert missing.status_code == 422 and not Payment.objects.exists()

    done = client.post(url, {**form, "item": [item.pk], f"amount_{item.pk}": "60.00"})
    payment = Payment.objects.get(company=company)
    assert done.status_code == 302 and done["Location"] == reverse(
        "payments:payment_detail", kwargs={"pk": payment.pk}
    )
    assert refreshed(item).residual == Decimal("40.00") and payment.unallocated == Decimal("90.00")


def test_propose_a_payment_run_and_download_its_sepa_file(company):
    from kern.parties import services as party_services
    from kern.payments.models import PaymentRun
    from kern.payments.services import approve_payment_run, create_bank_journal, export_payment_run
    from tests.builders import a_vendor

    create_bank_journal(company, name="Bank", iban=IBAN)
    vendor = a_vendor(company, "Leverancier BV")
    party_services.add_bank_account(vendor, iban="NL20INGB0001234567")
    an_open_item(company, vendor, "99.00", kind="payable", on=D(3, 1), due_days=0)
    client = a_web_client(a_user(company, "accountant"))
    url = reverse("payments:propose_run")
    page = client.get(url, {"execution_date": D(3, 2).isoformat()})
    assert page.status_code == 200 and b"Leverancier BV" in page.content and b"99.00" in page.content

    none = client.post(url, {"execution_date": D(3, 2).isoformat()})
    assert none.status_code == 422 and b"Tick at least one vendor" in none.content
    assert not PaymentRun.objects.exists()
    made = client.post(url, {"execution_date": D(3, 2).isoformat(), "vendor": [vendor.pk]})
    run = PaymentRun.objects.get(company=company)
    assert made.status_code == 302 and run.total == Decimal("99.00")

    download = reverse("payments:run_pain001", kwargs={"pk": run.pk})
    assert client.get(download).status_code == 302  # not exported yet
    approve_payment_run(run, by=a_user(company, "controller"))
    export_payment_run(run)
    detail = client.get(reverse("payments:paymentrun_detail", kwargs={"pk": run.pk}))
    assert download.encode() in detail.content
    xml = client.get(download)
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert run.number.encode() in xml.content and b"NL20INGB0001234567" in xml.content


def test_ageing_pages_drill_down_to_the_party_statement(company, other_company):
    customer = a_customer(company, "Klant Ageing BV")
    vendor = a_customer(company, "Vendor Ageing BV", is_vendor=True)
    an_open_item(company, customer, "100.00", on=D(1, 2), due_days=10, number="INV-AGE-1")
    an_open_item(company, vendor, "30.00", kind="payable", on=D(1, 2), number="BILL-AGE-1")
    stranger = a_customer(other_company, "Stranger BV")
    an_open_item(other_company, stranger, "5.00", on=D(1, 2))
    client = a_web_client(a_user(company, "accountant"))

    receivables = client.get(reverse("payments:aged_receivables"), {"on": D(3, 1).isoformat()})
    assert receivables.status_code == 200
    assert b"Klant Ageing BV" in receivables.content and b"Stranger BV" not in receivables.content
    statement_url = reverse("payments:party_statement", kwargs={"pk": customer.pk})
    assert statement_url.encode() in receivables.content
    assert client.get(reverse("payments:aged_receivables"), {"on": "not-a-date"}).status_code == 400
    payables = client.get(reverse("payments:aged_payables"), {"on": D(3, 1).isoformat()})
    assert b"Vendor Ageing BV" in payables.content and b"Klant Ageing BV" not in payables.content

    statement = client.get(statement_url, {"start": D(1, 1).isoformat(), "end": D(3, 1).isoformat()})
    assert statement.status_code == 200 and b"INV-AGE-1" in statement.content
    assert client.get(statement_url, {"start": "x"}).status_code == 400
    assert client.get(reverse("payments:party_statement", kwargs={"pk": stranger.pk})).status_code == 404
    pdf = client.get(statement_url, {"format": "pdf"})
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )

    party_page = client.get(
        reverse("parties:party_detail", kwargs={"pk": customer.pk}), {"tab": "open_items"}
    )
    assert party_page.status_code == 200 and b"INV-AGE-1" in party_page.content


def test_the_screens_speak_dutch(company):
    client = a_web_client(a_user(company, "accountant"), language="nl")
    for name, text in (
        ("payments:statement_import", "Bankafschrift importeren"),
        ("payments:register_payment", "Betaling registreren"),
        ("payments:propose_run", "Betaalrun voorstellen"),
        ("payments:aged_receivables", "Ouderdomsanalyse debiteuren"),
        ("payments:aged_payables", "Ouderdomsanalyse crediteuren"),
    ):
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert text in page.content.decode(), name


def test_a_sales_rep_may_not_book_payments(company):
    client = a_web_client(a_user(company, "sales_rep"))
    assert client.get(reverse("payments:register_payment")).status_code == 403
    assert client.get(reverse("payments:statement_import")).status_code == 403
