"""Demo data, ledger part: an opening balance and a year of realistic bookkeeping (idempotent).

The demo company starts the current year with a balance sheet (bank, stock, fixtures, a loan,
open invoices of two customers and one supplier) and then, month by month up to today, books
sales invoices (21 % and 9 %, one to a Belgian business, one in pounds), purchase invoices
(rent, cars, software, office supplies, goods from a German supplier as an intra-EU acquisition),
customer receipts and supplier payments, salaries, depreciation and the quarterly VAT return and
its payment. Everything goes through post_entries, so reports, the VAT return and the audit file
have content. Later apps add their own documents.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from kern.core.money import quantize
from kern.ledger.models import EntryKind, FiscalYear, JournalEntry
from kern.ledger.selectors import compute_taxes, vat_return
from kern.ledger.services import EntrySpec, LineSpec, SourceRef, post_entries

D = Decimal
DEMO_SOURCE = "ledger.demo"


def _party(company: Any, name: str, **fields: Any) -> Any:
    from kern.parties import services as parties
    from kern.parties.models import Party

    party = Party.objects.for_company(company).filter(name=name).first()
    if party is None:
        address = fields.pop("address")
        party = parties.create_party(company, name=name, **fields)
        parties.add_address(party, **address)
    return party


def _sale(
    company: Any, customer: Any, on: dt.date, net: Decimal, code: str, number: str, account: str = "8000"
) -> EntrySpec:
    taxes = compute_taxes(company, [(net, code)])
    return EntrySpec(
        company=company,
        journal="sale",
        on=on,
        lines=[
            LineSpec(
                role="receivable",
                debit=taxes.gross_total,
                party_id=customer.pk,
                due_date=on + dt.timedelta(days=30),
            ),
            LineSpec(account=account, credit=taxes.net_total, tax_code=code),
            *taxes.line_specs(),
        ],
        source=SourceRef(DEMO_SOURCE, 1, number),
        memo=f"Verkoopfactuur {number}",
    )


def _purchase(
    company: Any, vendor: Any, on: dt.date, net: Decimal, code: str, account: str, text: str, number: str
) -> EntrySpec:
    taxes = compute_taxes(company, [(net, code)])
    return EntrySpec(
        company=company,
        journal="purchase",
        on=on,
        lines=[
            LineSpec(account=account, debit=taxes.net_total, tax_code=code, description=text),
            *taxes.line_specs(),
            LineSpec(
                role="payable",
                credit=taxes.gross_total,
                party_id=vendor.pk,
                due_date=on + dt.timedelta(days=30),
            ),
        ],
        source=SourceRef(DEMO_SOURCE, 1, number),
        memo=f"Inkoopfactuur {number} {text}",
    )


def _bank(company: Any, on: dt.date, lines: list[LineSpec], memo: str) -> EntrySpec:
    amount = sum((ln.credit - ln.debit for ln in lines), D(0))
    bank = LineSpec(role="bank", debit=amount if amount > 0 else D(0), credit=-amount if amount < 0 else D(0))
    return EntrySpec(company=company, journal="bank", on=on, lines=[bank, *lines], memo=memo)


def load_ledger(ctx: dict[str, Any], progress: Any = None) -> None:
    from kern.core.demo import demo_company
    from kern.parties.models import Party

    company = ctx.get("company") or demo_company()
    if company is None:
        return
    if JournalEntry.objects.filter(company=company, source_type=DEMO_SOURCE).exists():
        return
    today = dt.date.today()
    year = company.fiscal_year_of(today)
    fiscal_year = FiscalYear.objects.filter(company=company, year=year).first()
    if fiscal_year is None:
        return
    start = fiscal_year.start_date
    rng = random.Random(4040)
    customers = list(
        Party.objects.for_company(company).filter(is_customer=True, is_prospect=False).order_by("number")[:12]
    )
    vendors = list(Party.objects.for_company(company).filter(is_vendor=True).order_by("number")[:6])
    if len(customers) < 3 or len(vendors) < 2:
        return
    belgian = _party(
        company,
        "Brasserie Leuven BV",
        is_customer=True,
        vat_id="BE0403170701",
        address={"street": "Grote Markt 12", "postcode": "3000", "city": "Leuven", "country": "BE"},
    )
    german = _party(
        company,
        "Müller Maschinenbau GmbH",
        is_vendor=True,
        vat_id="DE136695976",
        address={"street": "Industriestraße 7", "postcode": "40210", "city": "Düsseldorf", "country": "DE"},
    )
    british = Party.objects.for_company(company).filter(currency_id="GBP").first()

    specs: list[EntrySpec] = []
    # Opening balance: what the company brought into the year.
    specs.append(
        EntrySpec(
            company=company,
            journal="general",
            on=start,
            kind=EntryKind.OPENING,
            memo=f"Beginbalans {year}",
            source=SourceRef(DEMO_SOURCE, 0, f"OB-{year}"),
            lines=[
                LineSpec(account="1100", debit=D("62500.00"), description="Banksaldo"),
                LineSpec(account="3000", debit=D("15000.00"), description="Voorraad"),
                LineSpec(account="0100", debit=D("20000.00"), description="Inventaris"),
                LineSpec(account="0110", credit=D("4000.00"), description="Afschrijvingen inventaris"),
                LineSpec(
                    role="receivable",
                    debit=D("3630.00"),
                    party_id=customers[0].pk,
                    description=f"Factuur {year - 1}-0412",
                    due_date=start + dt.timedelta(days=14),
                ),
                LineSpec(
                    role="receivable",
                    debit=D("2420.00"),
                    party_id=customers[1].pk,
                    description=f"Factuur {year - 1}-0415",
                    due_date=start + dt.timedelta(days=20),
                ),
                LineSpec(
                    role="payable",
                    credit=D("3630.00"),
                    party_id=vendors[0].pk,
                    description=f"Inkoopfactuur {year - 1}-88",
                    due_date=start + dt.timedelta(days=10),
                ),
                LineSpec(account="1540", credit=D("1900.00"), description=f"Btw Q4 {year - 1}"),
                LineSpec(account="0700", credit=D("25000.00"), description="Lening bank"),
                LineSpec(account="0500", credit=D("50000.00"), description="Geplaatst kapitaal"),
                LineSpec(account="0510", credit=D("19020.00"), description="Overige reserves"),
            ],
        )
    )
    specs.append(
        _bank(
            company,
            start + dt.timedelta(days=12),
            [
                LineSpec(
                    role="receivable", credit=D("3630.00"), party_id=customers[0].pk, description="Ontvangst"
                )
            ],
            "Ontvangst openstaande factuur",
        )
    )
    specs.append(
        _bank(
            company,
            start + dt.timedelta(days=9),
            [LineSpec(role="payable", debit=D("3630.00"), party_id=vendors[0].pk, description="Betaling")],
            "Betaling openstaande inkoopfactuur",
        )
    )
    specs.append(
        _bank(
            company,
            start + dt.timedelta(days=25),
            [LineSpec(account="1540", debit=D("1900.00"))],
            "Betaling btw",
        )
    )
    invoice = 0
    bill = 0
    month_start = start
    while month_start <= today:
        month_end = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        last_day = min(month_end, today)
        days = (last_day - month_start).days + 1
        for n in range(3):
            invoice += 1
            on = month_start + dt.timedelta(days=min(days - 1, 3 + n * 8))
            customer = customers[(invoice + n) % len(customers)]
            net = D(rng.randrange(800, 6000)) + D(rng.randrange(0, 100)) / 100
            code, account = ("V9", "8010") if n == 2 else ("V21", "8000")
            spec = _sale(company, customer, on, net, code, f"V{year}-{invoice:04d}", account)
            specs.append(spec)
            paid = on + dt.timedelta(days=21)
            if paid <= today:
                gross = spec.lines[0].debit
                specs.append(
                    _bank(
                        company,
                        paid,
                        [LineSpec(role="receivable", credit=gross, party_id=customer.pk)],
                        f"Ontvangst {spec.source.number}",
                    )
                )
        if month_start.month % 3 == 0:
            invoice += 1
            specs.append(
                _sale(
                    company,
                    belgian,
                    month_start + dt.timedelta(days=min(days - 1, 14)),
                    D("4200.00"),
                    "VICP",
                    f"V{year}-{invoice:04d}",
                    "8030",
                )
            )
        if british is not None and month_start.month == 5:
            invoice += 1
            specs.append(
                EntrySpec(
                    company=company,
                    journal="sale",
                    on=month_start + dt.timedelta(days=min(days - 1, 10)),
                    lines=[
                        LineSpec(
                            role="receivable",
                            party_id=british.pk,
                            currency="GBP",
                            amount_currency=D("2500.00"),
                        ),
                        LineSpec(
                            account="8040", currency="GBP", amount_currency=D("-2500.00"), tax_code="VEXP"
                        ),
                    ],
                    source=SourceRef(DEMO_SOURCE, 1, f"V{year}-{invoice:04d}"),
                    memo=f"Verkoopfactuur V{year}-{invoice:04d} (GBP)",
                )
            )
        for account, text, net, vendor in (
            ("4100", "Huur kantoor", D("2150.00"), vendors[1 % len(vendors)]),
            ("4200", "Leasing auto", D("685.00"), vendors[2 % len(vendors)]),
            (
                "4310",
                "Softwareabonnementen",
                D("249.00") + D(rng.randrange(0, 50)),
                vendors[3 % len(vendors)],
            ),
            ("4300", "Kantoorartikelen", D(rng.randrange(60, 400)) + D("0.95"), vendors[4 % len(vendors)]),
        ):
            bill += 1
            on = month_start + dt.timedelta(days=min(days - 1, 1 + bill % 5))
            spec = _purchase(company, vendor, on, net, "I21", account, text, f"I{year}-{bill:04d}")
            specs.append(spec)
            paid = on + dt.timedelta(days=14)
            if paid <= today:
                gross = spec.lines[-1].credit
                specs.append(
                    _bank(
                        company,
                        paid,
                        [LineSpec(role="payable", debit=gross, party_id=vendor.pk)],
                        f"Betaling {spec.source.number}",
                    )
                )
        if month_start.month % 2 == 1:
            bill += 1
            specs.append(
                _purchase(
                    company,
                    german,
                    month_start + dt.timedelta(days=min(days - 1, 6)),
                    D("7800.00"),
                    "IICP",
                    "3000",
                    "Onderdelen",
                    f"I{year}-{bill:04d}",
                )
            )
            specs.append(
                EntrySpec(
                    company=company,
                    journal="stock",
                    on=month_start + dt.timedelta(days=min(days - 1, 20)),
                    lines=[
                        LineSpec(role="cogs", debit=D("6900.00")),
                        LineSpec(role="inventory", credit=D("6900.00")),
                    ],
                    memo="Kostprijs verkopen",
                )
            )
        payday = month_start + dt.timedelta(days=min(days - 1, 24))
        specs.append(
            EntrySpec(
                company=company,
                journal="payroll",
                on=payday,
                lines=[
                    LineSpec(account="4000", debit=D("14500.00"), description="Brutolonen"),
                    LineSpec(account="4010", debit=D("3190.00"), description="Werkgeverslasten"),
                    LineSpec(account="1550", credit=D("7480.00"), description="Loonheffing"),
                    LineSpec(account="1800", credit=D("10210.00"), description="Nettolonen"),
                ],
                memo=f"Salarissen {month_start:%m-%Y}",
            )
        )
        specs.append(
            _bank(company, payday, [LineSpec(account="1800", debit=D("10210.00"))], "Uitbetaling nettolonen")
        )
        if month_end <= today:
            specs.append(
                EntrySpec(
                    company=company,
                    journal="general",
                    on=month_end,
                    lines=[
                        LineSpec(account="4500", debit=D("333.33")),
                        LineSpec(account="0110", credit=D("333.33")),
                    ],
                    memo=f"Afschrijving inventaris {month_start:%m-%Y}",
                )
            )
            specs.append(
                _bank(company, month_end, [LineSpec(account="4610", debit=D("27.50"))], "Bankkosten")
            )
        month_start = month_end + dt.timedelta(days=1)
    posted = post_entries(specs)
    # Quarterly VAT returns: settle each finished quarter on the VAT account and pay it.
    settle: list[EntrySpec] = []
    for quarter in range(4):
        q_start = dt.date(year, 3 * quarter + 1, 1) if fiscal_year.start_date.month == 1 else None
        if q_start is None:
            break
        q_end = (dt.date(year, 3 * quarter + 3, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )
        filed = q_end + dt.timedelta(days=20)
        if filed > today:
            break
        settle.append(_vat_settlement(company, q_start, q_end, filed))
    if settle:
        post_entries(settle)
    if progress:
        progress(len(posted), len(posted))


def _vat_settlement(company: Any, q_start: dt.date, q_end: dt.date, filed: dt.date) -> EntrySpec:
    """File the quarter's VAT return: clear the VAT accounts by its boxes and pay the balance."""
    vat = vat_return(company, date_from=q_start, date_to=q_end)
    owed_high = vat.box("1a").vat or D(0)
    owed_low = vat.box("1b").vat or D(0)
    owed_reverse = sum((vat.box(b).vat or D(0) for b in ("2a", "4a", "4b")), D(0))
    deductible = vat.box("5b").vat or D(0)
    lines = [
        LineSpec(account="1500", debit=owed_high),
        LineSpec(account="1510", debit=owed_low),
        LineSpec(account="1520", debit=owed_reverse),
        LineSpec(account="1530", credit=deductible),
    ]
    lines = [ln for ln in lines if ln.debit or ln.credit]
    return _bank(
        company,
        filed,
        lines,
        f"Btw-aangifte {q_start:%m}-{q_end:%m-%Y}: te betalen {quantize(vat.to_pay, 'EUR')}",
    )
