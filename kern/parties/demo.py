"""Demo data: 60 Dutch and European customers, 20 vendors, payment terms and tags."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from stdnum import vatin

from kern.parties import services
from kern.parties.models import Party, PaymentTerm

FIRST = [
    "Bakkerij",
    "Installatiebedrijf",
    "Drukkerij",
    "Architectenbureau",
    "Transportbedrijf",
    "Hoveniersbedrijf",
    "Advocatenkantoor",
    "Tandartspraktijk",
    "Koffiebranderij",
    "Fietsenmaker",
    "Schildersbedrijf",
    "Brouwerij",
    "Reclamebureau",
    "Adviesbureau",
    "Groothandel",
    "Kinderopvang",
    "Restaurant",
    "Hotel",
    "Autobedrijf",
    "Bouwbedrijf",
]
LAST = [
    "De Vries",
    "Jansen",
    "Van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De Boer",
    "Mulder",
    "De Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Van Leeuwen",
    "Dekker",
    "Brouwer",
    "De Wit",
    "Dijkstra",
    "Smits",
    "Van Dijk",
    "Kok",
    "Verhoeven",
    "Willems",
    "Van der Linden",
]
CITIES = [
    ("Amsterdam", "1012"),
    ("Rotterdam", "3011"),
    ("Utrecht", "3511"),
    ("Den Haag", "2511"),
    ("Eindhoven", "5611"),
    ("Groningen", "9711"),
    ("Tilburg", "5038"),
    ("Almere", "1315"),
    ("Breda", "4811"),
    ("Nijmegen", "6511"),
    ("Haarlem", "2011"),
    ("Arnhem", "6811"),
    ("Zwolle", "8011"),
    ("Leiden", "2311"),
    ("Maastricht", "6211"),
]
STREETS = [
    "Hoofdstraat",
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Molenweg",
    "Industrieweg",
    "Marktplein",
    "Nieuweweg",
    "Schoolstraat",
    "Julianalaan",
    "Beatrixlaan",
    "Havenstraat",
]
FOREIGN = [
    ("Müller Bürotechnik GmbH", "DE", "Berlin", "10115", "Friedrichstraße 12"),
    ("Janssens & Co BV", "BE", "Antwerpen", "2000", "Meir 45"),
    ("Dupont Solutions SARL", "FR", "Lille", "59000", "Rue Nationale 8"),
    ("Nordic Design AB", "SE", "Stockholm", "11122", "Drottninggatan 20"),
    ("Oxford Supplies Ltd", "GB", "Oxford", "OX1 1AA", "High Street 3"),
    ("Alpine Components AG", "CH", "Zürich", "8001", "Bahnhofstrasse 5"),
]
VENDORS = [
    "Office Depot Nederland",
    "Koffie Import Holland",
    "Staalhandel Twente",
    "Houtindustrie Veluwe",
    "Verpakkingen Direct",
    "Elektro Groothandel Noord",
    "Papierfabriek Gelderland",
    "Textiel Tilburg",
    "Logistiek Partners",
    "IT Hardware Benelux",
    "Meubelfabriek Brabant",
    "Glas & Design",
    "Kunststof Techniek",
    "Schoonmaak Totaal",
    "Energie Direct Zakelijk",
    "Drukwerk Online",
    "Gereedschap Centrale",
    "Bureaustoelen Europa",
    "Verlichting Expert",
    "Kantoorvakhandel Zuid",
]
BANKS = [
    ("ABNA", "ABNANL2A"),
    ("INGB", "INGBNL2A"),
    ("RABO", "RABONL2U"),
    ("SNSB", "SNSBNL2A"),
    ("TRIO", "TRIONL2U"),
]


def _vat(rng: random.Random, country: str = "NL") -> str:
    for _ in range(10000):
        if country == "NL":
            candidate = f"NL{rng.randrange(100000000, 999999999)}B01"
        elif country == "DE":
            candidate = f"DE{rng.randrange(100000000, 999999999)}"
        elif country == "BE":
            candidate = f"BE0{rng.randrange(100000000, 999999999)}"
        else:
            return ""
        if vatin.is_valid(candidate):
            return candidate
    return ""


def _iban(rng: random.Random) -> tuple[str, str]:
    bank, bic = rng.choice(BANKS)
    return str(IBAN.generate("NL", bank_code=bank, account_code=f"{rng.randrange(10**9):010d}")), bic


def load_parties(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    rng = random.Random(2026)  # deterministic demo data
    terms = {}
    for name, net, disc_days, disc in [
        ("Net 14", 14, 0, "0"),
        ("Net 30", 30, 0, "0"),
        ("2/10 net 30", 30, 10, "2"),
        ("Net 60", 60, 0, "0"),
    ]:
        term = PaymentTerm.objects.for_company(company).filter(name=name).first()
        terms[name] = term or services.create_payment_term(
            company, name=name, net_days=net, discount_days=disc_days, discount_percent=Decimal(disc)
        )
    ctx["payment_terms"] = terms
    if Party.objects.for_company(company).filter(is_customer=True).count() >= 50:
        return
    tags = ["Retail", "Wholesale", "Horeca", "Overheid", "Zorg"]
    total = 60 + len(FOREIGN) + len(VENDORS)
    step = 0
    for i in range(60):
        step += 1
        last = LAST[i % len(LAST)]
        name = f"{FIRST[i % len(FIRST)]} {last}" + (" B.V." if i % 3 == 0 else "")
        city, pc = CITIES[i % len(CITIES)]
        iban, bic = _iban(rng)
        party = services.create_party(
            company,
            name=name,
            is_customer=True,
            is_prospect=i >= 55,
            vat_id=_vat(rng) if i % 4 != 3 else "",
            kvk_number=f"{rng.randrange(10000000, 99999999)}",
            email=f"info@{last.lower().replace(' ', '')}{i}.nl",
            phone=f"+31 {rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
            payment_term=terms["2/10 net 30" if i % 7 == 0 else "Net 30"],
            credit_limit=Decimal(rng.choice([0, 5000, 10000, 25000, 50000])),
            tags=[tags[i % len(tags)]],
            language="nl" if i % 6 else "en",
        )
        services.add_address(
            party,
            street=f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
            postcode=f"{pc} {chr(65 + i % 26)}{chr(65 + (i * 7) % 26)}",
            city=city,
            country="NL",
        )
        if i % 5 == 0:
            services.add_address(
                party,
                kind="shipping",
                street=f"Industrieweg {rng.randrange(1, 90)}",
                postcode=f"{pc} ZZ",
                city=city,
                country="NL",
            )
        services.add_bank_account(party, iban=iban, bic=bic, holder_name=name)
        services.add_contact(
            party,
            first_name=rng.choice(["Anna", "Sanne", "Pieter", "Daan", "Emma", "Lucas", "Julia"]),
            last_name=last,
            email=f"{last.split()[-1].lower()}{i}@example.nl",
            job_title="Inkoop",
            is_primary=True,
        )
        if progress:
            progress(step, total)
    for name, country, city, pc, street in FOREIGN:
        step += 1
        party = services.create_party(
            company,
            name=name,
            is_customer=True,
            vat_id=_vat(rng, country),
            language="en",
            currency="EUR"
            if country in {"DE", "BE", "FR"}
            else {"SE": "SEK", "GB": "GBP", "CH": "CHF"}[country],
            payment_term=terms["Net 30"],
            credit_limit=Decimal("20000"),
            tags=["Export"],
        )
        services.add_address(party, street=street, postcode=pc, city=city, country=country)
        if progress:
            progress(step, total)
    for i, name in enumerate(VENDORS):
        step += 1
        iban, bic = _iban(rng)
        city, pc = CITIES[(i * 3) % len(CITIES)]
        party = services.create_party(
            company,
            name=f"{name} B.V.",
            is_vendor=True,
            vat_id=_vat(rng),
            kvk_number=f"{rng.randrange(10**7, 10**8)}",
            email=f"verkoop@{name.lower().replace(' ', '').replace('&', '')}.nl",
            payment_term=terms["Net 30"],
        )
        services.add_address(
            party,
            street=f"{rng.choice(STREETS)} {rng.randrange(1, 300)}",
            postcode=f"{pc} AB",
            city=city,
            country="NL",
        )
        services.add_bank_account(party, iban=iban, bic=bic, holder_name=f"{name} B.V.")
        if progress:
            progress(step, total)
