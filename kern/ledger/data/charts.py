"""The default charts of accounts, account roles, journals and tax codes installed for a company.

`nl_rgs`: a Dutch chart in the classic rubrieken (0 vaste activa en eigen vermogen, 1 liquide
middelen/vorderingen/schulden, 2 tussenrekeningen, 3 voorraden, 4 kosten, 7 kostprijs, 8 omzet,
9 financiële baten en lasten), every postable account mapped to its RGS 3.x reference code
(level 4, the bookable level) so the XAF 4.0 audit file carries it.
`generic`: a small English chart for companies outside the Netherlands.

Account names are data (the company's own chart), not interface text, so they are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["CHARTS", "EU_COUNTRIES", "VAT_RATES", "AccountDef", "Chart", "JournalDef", "TaxDef", "chart"]

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

# Standard and reduced VAT rates for the generic chart (the Dutch chart has its own codes).
VAT_RATES: dict[str, tuple[Decimal, Decimal]] = {
    "NL": (Decimal("21"), Decimal("9")),
    "BE": (Decimal("21"), Decimal("6")),
    "DE": (Decimal("19"), Decimal("7")),
    "FR": (Decimal("20"), Decimal("5.5")),
    "LU": (Decimal("17"), Decimal("8")),
    "AT": (Decimal("20"), Decimal("10")),
    "ES": (Decimal("21"), Decimal("10")),
    "IT": (Decimal("22"), Decimal("10")),
    "IE": (Decimal("23"), Decimal("13.5")),
    "GB": (Decimal("20"), Decimal("5")),
}


@dataclass(frozen=True)
class AccountDef:
    code: str
    name: str
    type: str
    subtype: str = "other"
    parent: str = ""
    is_group: bool = False
    rgs: str = ""


@dataclass(frozen=True)
class JournalDef:
    code: str
    name: str
    kind: str
    default_account: str = ""


@dataclass(frozen=True)
class TaxDef:
    code: str
    name: str
    direction: str
    kind: str
    rate: Decimal
    account_role: str = ""
    deductible_role: str = ""
    base_box: str = ""
    tax_box: str = ""
    deductible_box: str = ""


@dataclass(frozen=True)
class Chart:
    key: str
    label: str
    accounts: tuple[AccountDef, ...]
    roles: dict[str, str]
    journals: tuple[JournalDef, ...]
    taxes: tuple[TaxDef, ...]


A, L, E, INC, X = "asset", "liability", "equity", "income", "expense"

_NL_ACCOUNTS = (
    AccountDef("00", "Vaste activa", A, "fixed_asset", is_group=True),
    AccountDef("0100", "Inventaris aanschafwaarde", A, "fixed_asset", "00", rgs="BMvaBeiVvp"),
    AccountDef("0110", "Inventaris cumulatieve afschrijvingen", A, "fixed_asset", "00", rgs="BMvaBeiCae"),
    AccountDef("0200", "Vervoermiddelen aanschafwaarde", A, "fixed_asset", "00", rgs="BMvaTevVvp"),
    AccountDef(
        "0210", "Vervoermiddelen cumulatieve afschrijvingen", A, "fixed_asset", "00", rgs="BMvaTevCae"
    ),
    AccountDef("05", "Eigen vermogen", E, "equity", is_group=True),
    AccountDef("0500", "Geplaatst kapitaal", E, "equity", "05", rgs="BEivGokGea"),
    AccountDef("0510", "Overige reserves", E, "retained_earnings", "05", rgs="BEivOvrOrs"),
    AccountDef("0520", "Onverdeeld resultaat boekjaar", E, "retained_earnings", "05", rgs="BEivOreOvw"),
    AccountDef("07", "Langlopende schulden", L, "long_term_liability", is_group=True),
    AccountDef("0700", "Lening o/g kredietinstelling", L, "long_term_liability", "07", rgs="BLasSakHvl"),
    AccountDef("10", "Liquide middelen", A, "bank", is_group=True),
    AccountDef("1000", "Kas", A, "cash", "10", rgs="BLimKasKas"),
    AccountDef("1100", "Bank", A, "bank", "10", rgs="BLimBanRba"),
    AccountDef("1190", "Kruisposten", A, "current_asset", "10", rgs="BLimKruSto"),
    AccountDef("13", "Vorderingen", A, "receivable", is_group=True),
    AccountDef("1300", "Debiteuren", A, "receivable", "13", rgs="BVorDebHad"),
    AccountDef("1310", "Voorziening dubieuze debiteuren", A, "current_asset", "13", rgs="BVorDebVdd"),
    AccountDef("1400", "Vooruitbetaalde kosten", A, "current_asset", "13", rgs="BVorOvaVof"),
    AccountDef("15", "Belastingen", L, "vat", is_group=True),
    AccountDef("1500", "Te betalen btw hoog tarief", L, "vat", "15", rgs="BSchBepBtw"),
    AccountDef("1510", "Te betalen btw laag tarief", L, "vat", "15", rgs="BSchBepBtw"),
    AccountDef("1520", "Te betalen btw verlegd en verwerving", L, "vat", "15", rgs="BSchBepBtw"),
    AccountDef("1530", "Voorbelasting", A, "vat", "15", rgs="BVorVbkTvo"),
    AccountDef("1540", "Af te dragen btw (aangifte)", L, "vat", "15", rgs="BSchBepBtw"),
    AccountDef("1550", "Te betalen loonheffing", L, "current_liability", "15", rgs="BSchBepLhe"),
    AccountDef("1560", "Te betalen vennootschapsbelasting", L, "current_liability", "15", rgs="BSchBepVpb"),
    AccountDef("16", "Kortlopende schulden", L, "current_liability", is_group=True),
    AccountDef("1600", "Crediteuren", L, "payable", "16", rgs="BSchCreHac"),
    AccountDef("1610", "Nog te ontvangen facturen", L, "current_liability", "16", rgs="BSchOpaNto"),
    AccountDef("1700", "Vooruitontvangen bedragen", L, "current_liability", "16", rgs="BSchOpaVor"),
    AccountDef("1800", "Te betalen nettolonen", L, "current_liability", "16", rgs="BSchSalNet"),
    AccountDef("1890", "Overige schulden", L, "current_liability", "16", rgs="BSchOvsOvs"),
    AccountDef("20", "Tussenrekeningen", L, "current_liability", is_group=True),
    AccountDef("2000", "Vraagposten", L, "current_liability", "20", rgs="BSchTusTov"),
    AccountDef("2010", "Tussenrekening beginbalans", E, "equity", "20", rgs="BEivOvrOrs"),
    AccountDef("30", "Voorraden", A, "inventory", is_group=True),
    AccountDef("3000", "Voorraad handelsgoederen", A, "inventory", "30", rgs="BVrdHanVoo"),
    AccountDef("40", "Bedrijfskosten", X, "expense", is_group=True),
    AccountDef("4000", "Lonen en salarissen", X, "expense", "40", rgs="WPerLesLoo"),
    AccountDef("4010", "Sociale lasten", X, "expense", "40", rgs="WPerSolPsv"),
    AccountDef("4100", "Huisvestingskosten", X, "expense", "40", rgs="WBedAlkOal"),
    AccountDef("4200", "Autokosten", X, "expense", "40", rgs="WBedAutOak"),
    AccountDef("4300", "Kantoorkosten", X, "expense", "40", rgs="WBedKanKoa"),
    AccountDef("4310", "Software en abonnementen", X, "expense", "40", rgs="WBedKanSof"),
    AccountDef("4400", "Verkoopkosten", X, "expense", "40", rgs="WBedAlkOal"),
    AccountDef("4500", "Afschrijving inventaris", X, "depreciation", "40", rgs="WAfsAmvBei"),
    AccountDef("4510", "Afschrijving vervoermiddelen", X, "depreciation", "40", rgs="WAfsAmvTev"),
    AccountDef("4600", "Algemene kosten", X, "expense", "40", rgs="WBedAlkOal"),
    AccountDef("4610", "Bankkosten", X, "expense", "40", rgs="WBedAlkOal"),
    AccountDef("4700", "Afrondingsverschillen", X, "expense", "40", rgs="WBedAlkOal"),
    AccountDef("70", "Kostprijs van de omzet", X, "cost_of_sales", is_group=True),
    AccountDef("7000", "Inkoopwaarde van de omzet", X, "cost_of_sales", "70", rgs="WKprInhInh"),
    AccountDef("7010", "Prijsverschillen", X, "cost_of_sales", "70", rgs="WKprInhPrv"),
    AccountDef("7020", "Voorraadverschillen", X, "cost_of_sales", "70", rgs="WKprInhVrv"),
    AccountDef("80", "Netto-omzet", INC, "revenue", is_group=True),
    AccountDef("8000", "Omzet hoog tarief", INC, "revenue", "80", rgs="WOmzNopOlh"),
    AccountDef("8010", "Omzet laag tarief", INC, "revenue", "80", rgs="WOmzNopOll"),
    AccountDef("8020", "Omzet 0% en verlegd", INC, "revenue", "80", rgs="WOmzNopOlv"),
    AccountDef("8030", "Omzet leveringen binnen de EU", INC, "revenue", "80", rgs="WOmzNopOli"),
    AccountDef("8040", "Omzet export buiten de EU", INC, "revenue", "80", rgs="WOmzNopOlu"),
    AccountDef("8100", "Omzet diensten", INC, "revenue", "80", rgs="WOmzNodOdh"),
    AccountDef("8900", "Gegeven betalingskortingen", INC, "revenue", "80", rgs="WOmzNopNon"),
    AccountDef("90", "Financiële baten en lasten", X, "financial", is_group=True),
    AccountDef("9000", "Rentebaten", INC, "financial", "90", rgs="WFbeRlmRgi"),
    AccountDef("9100", "Rentelasten", X, "financial", "90", rgs="WFbeRlsRgi"),
    AccountDef("9200", "Koerswinsten", INC, "financial", "90", rgs="WFbeRlmRgu"),
    AccountDef("9210", "Koersverliezen", X, "financial", "90", rgs="WFbeRlsRgu"),
    AccountDef("9220", "Ongerealiseerde koersverschillen", X, "financial", "90", rgs="WFbeRlsRgu"),
    AccountDef("9300", "Ontvangen betalingskortingen", INC, "financial", "90", rgs="WFbeRlmRgi"),
)

_NL_ROLES = {
    "receivable": "1300",
    "payable": "1600",
    "revenue": "8000",
    "revenue_services": "8100",
    "revenue_reduced": "8010",
    "revenue_zero": "8020",
    "revenue_eu": "8030",
    "revenue_export": "8040",
    "cogs": "7000",
    "inventory": "3000",
    "grni": "1610",
    "stock_adjustment": "7020",
    "price_difference": "7010",
    "vat_output_high": "1500",
    "vat_output_low": "1510",
    "vat_output_reverse": "1520",
    "vat_input": "1530",
    "vat_payable": "1540",
    "bank": "1100",
    "cash": "1000",
    "suspense": "2000",
    "customer_credit": "1700",
    "exchange_gain": "9200",
    "exchange_loss": "9210",
    "unrealised_fx": "9220",
    "retained_earnings": "0510",
    "current_year_earnings": "0520",
    "opening_balance": "2010",
    "rounding": "4700",
    "early_payment_discount_given": "8900",
    "early_payment_discount_received": "9300",
    "bank_charges": "4610",
    "salaries": "4000",
    "payroll_liabilities": "1800",
    "wage_tax": "1550",
    "expense": "4600",
}

_NL_JOURNALS = (
    JournalDef("VK", "Verkoopboek", "sale"),
    JournalDef("IK", "Inkoopboek", "purchase"),
    JournalDef("BNK", "Bank", "bank", "1100"),
    JournalDef("KAS", "Kas", "cash", "1000"),
    JournalDef("MEM", "Memoriaal", "general"),
    JournalDef("VRD", "Voorraad", "stock"),
    JournalDef("LON", "Lonen", "payroll"),
)

D21, D9, D0 = Decimal("21"), Decimal("9"), Decimal("0")

_NL_TAXES = (
    TaxDef("V21", "Btw hoog 21%", "sale", "standard", D21, "vat_output_high", base_box="1a", tax_box="1a"),
    TaxDef("V9", "Btw laag 9%", "sale", "reduced", D9, "vat_output_low", base_box="1b", tax_box="1b"),
    TaxDef("V0", "Btw 0%", "sale", "zero", D0, base_box="1e"),
    TaxDef("VVR", "Btw verlegd naar afnemer", "sale", "reverse_charge", D0, base_box="1e"),
    TaxDef("VEX", "Vrijgesteld van btw", "sale", "exempt", D0),
    TaxDef("VICP", "Intracommunautaire levering goederen", "sale", "intra_eu_goods", D0, base_box="3b"),
    TaxDef("VICD", "Intracommunautaire diensten", "sale", "intra_eu_services", D0, base_box="3b"),
    TaxDef("VEXP", "Uitvoer buiten de EU", "sale", "export", D0, base_box="3a"),
    TaxDef("VDBU", "Diensten buiten de EU (niet in NL belast)", "sale", "export", D0),
    TaxDef("I21", "Voorbelasting 21%", "purchase", "standard", D21, "vat_input", tax_box="5b"),
    TaxDef("I9", "Voorbelasting 9%", "purchase", "reduced", D9, "vat_input", tax_box="5b"),
    TaxDef("I0", "Inkoop 0%", "purchase", "zero", D0),
    TaxDef("IEX", "Inkoop vrijgesteld", "purchase", "exempt", D0),
    TaxDef(
        "IVR",
        "Btw verlegd binnenland 21%",
        "purchase",
        "reverse_charge",
        D21,
        "vat_output_reverse",
        "vat_input",
        base_box="2a",
        tax_box="2a",
        deductible_box="5b",
    ),
    TaxDef(
        "IICP",
        "Verwerving goederen uit de EU 21%",
        "purchase",
        "intra_eu_goods",
        D21,
        "vat_output_reverse",
        "vat_input",
        base_box="4b",
        tax_box="4b",
        deductible_box="5b",
    ),
    TaxDef(
        "IICD",
        "Diensten uit de EU 21%",
        "purchase",
        "intra_eu_services",
        D21,
        "vat_output_reverse",
        "vat_input",
        base_box="4b",
        tax_box="4b",
        deductible_box="5b",
    ),
    TaxDef(
        "IIMP",
        "Invoer goederen buiten de EU 21% (art. 23)",
        "purchase",
        "import",
        D21,
        "vat_output_reverse",
        "vat_input",
        base_box="4a",
        tax_box="4a",
        deductible_box="5b",
    ),
    TaxDef(
        "IIMD",
        "Diensten van buiten de EU 21%",
        "purchase",
        "import",
        D21,
        "vat_output_reverse",
        "vat_input",
        base_box="4a",
        tax_box="4a",
        deductible_box="5b",
    ),
)

_GENERIC_ACCOUNTS = (
    AccountDef("1", "Assets", A, "current_asset", is_group=True),
    AccountDef("1010", "Cash", A, "cash", "1"),
    AccountDef("1020", "Bank", A, "bank", "1"),
    AccountDef("1100", "Accounts receivable", A, "receivable", "1"),
    AccountDef("1200", "Inventory", A, "inventory", "1"),
    AccountDef("1300", "VAT receivable", A, "vat", "1"),
    AccountDef("1400", "Prepaid expenses", A, "current_asset", "1"),
    AccountDef("1500", "Fixed assets", A, "fixed_asset", "1"),
    AccountDef("1510", "Accumulated depreciation", A, "fixed_asset", "1"),
    AccountDef("2", "Liabilities", L, "current_liability", is_group=True),
    AccountDef("2010", "Accounts payable", L, "payable", "2"),
    AccountDef("2020", "Goods received not invoiced", L, "current_liability", "2"),
    AccountDef("2100", "VAT payable (standard)", L, "vat", "2"),
    AccountDef("2110", "VAT payable (reduced)", L, "vat", "2"),
    AccountDef("2120", "VAT payable (reverse charge)", L, "vat", "2"),
    AccountDef("2130", "VAT settlement", L, "vat", "2"),
    AccountDef("2200", "Customer prepayments", L, "current_liability", "2"),
    AccountDef("2300", "Accrued liabilities", L, "current_liability", "2"),
    AccountDef("2400", "Payroll liabilities", L, "current_liability", "2"),
    AccountDef("2500", "Loans", L, "long_term_liability", "2"),
    AccountDef("2900", "Suspense", L, "current_liability", "2"),
    AccountDef("3", "Equity", E, "equity", is_group=True),
    AccountDef("3010", "Share capital", E, "equity", "3"),
    AccountDef("3020", "Retained earnings", E, "retained_earnings", "3"),
    AccountDef("3030", "Current year earnings", E, "retained_earnings", "3"),
    AccountDef("3040", "Opening balance equity", E, "equity", "3"),
    AccountDef("4", "Revenue", INC, "revenue", is_group=True),
    AccountDef("4010", "Sales of goods", INC, "revenue", "4"),
    AccountDef("4020", "Sales of services", INC, "revenue", "4"),
    AccountDef("4030", "Sales discounts", INC, "revenue", "4"),
    AccountDef("4090", "Other income", INC, "other_income", "4"),
    AccountDef("5", "Cost of sales", X, "cost_of_sales", is_group=True),
    AccountDef("5010", "Cost of goods sold", X, "cost_of_sales", "5"),
    AccountDef("5020", "Purchase price differences", X, "cost_of_sales", "5"),
    AccountDef("5030", "Stock adjustments", X, "cost_of_sales", "5"),
    AccountDef("6", "Operating expenses", X, "expense", is_group=True),
    AccountDef("6010", "Salaries", X, "expense", "6"),
    AccountDef("6020", "Rent", X, "expense", "6"),
    AccountDef("6030", "Office expenses", X, "expense", "6"),
    AccountDef("6040", "Depreciation", X, "depreciation", "6"),
    AccountDef("6050", "Bank charges", X, "expense", "6"),
    AccountDef("6090", "General expenses", X, "expense", "6"),
    AccountDef("6095", "Rounding differences", X, "expense", "6"),
    AccountDef("7", "Financial income and expense", X, "financial", is_group=True),
    AccountDef("7010", "Exchange gains", INC, "financial", "7"),
    AccountDef("7020", "Exchange losses", X, "financial", "7"),
    AccountDef("7030", "Unrealised exchange differences", X, "financial", "7"),
    AccountDef("7040", "Discounts received", INC, "financial", "7"),
    AccountDef("7050", "Interest", X, "financial", "7"),
)

_GENERIC_ROLES = {
    "receivable": "1100",
    "payable": "2010",
    "revenue": "4010",
    "revenue_services": "4020",
    "revenue_reduced": "4010",
    "revenue_zero": "4010",
    "revenue_eu": "4010",
    "revenue_export": "4010",
    "cogs": "5010",
    "inventory": "1200",
    "grni": "2020",
    "stock_adjustment": "5030",
    "price_difference": "5020",
    "vat_output_high": "2100",
    "vat_output_low": "2110",
    "vat_output_reverse": "2120",
    "vat_input": "1300",
    "vat_payable": "2130",
    "bank": "1020",
    "cash": "1010",
    "suspense": "2900",
    "customer_credit": "2200",
    "exchange_gain": "7010",
    "exchange_loss": "7020",
    "unrealised_fx": "7030",
    "retained_earnings": "3020",
    "current_year_earnings": "3030",
    "opening_balance": "3040",
    "rounding": "6095",
    "early_payment_discount_given": "4030",
    "early_payment_discount_received": "7040",
    "bank_charges": "6050",
    "salaries": "6010",
    "payroll_liabilities": "2400",
    "wage_tax": "2400",
    "expense": "6090",
}

_GENERIC_JOURNALS = (
    JournalDef("SALES", "Sales", "sale"),
    JournalDef("PURCH", "Purchases", "purchase"),
    JournalDef("BANK", "Bank", "bank", "1020"),
    JournalDef("CASH", "Cash", "cash", "1010"),
    JournalDef("MISC", "General", "general"),
    JournalDef("STOCK", "Stock", "stock"),
    JournalDef("PAY", "Payroll", "payroll"),
)


def _generic_taxes(country: str) -> tuple[TaxDef, ...]:
    standard, reduced = VAT_RATES.get(country, (D0, D0))
    return (
        TaxDef("S", f"VAT {standard}%", "sale", "standard", standard, "vat_output_high"),
        TaxDef("S-RED", f"VAT {reduced}%", "sale", "reduced", reduced, "vat_output_low"),
        TaxDef("S-0", "VAT 0%", "sale", "zero", D0),
        TaxDef("S-EX", "VAT exempt", "sale", "exempt", D0),
        TaxDef("S-EU", "Intra-EU supply", "sale", "intra_eu_goods", D0),
        TaxDef("S-EUS", "Intra-EU services", "sale", "intra_eu_services", D0),
        TaxDef("S-EXP", "Export", "sale", "export", D0),
        TaxDef("P", f"Input VAT {standard}%", "purchase", "standard", standard, "vat_input"),
        TaxDef("P-RED", f"Input VAT {reduced}%", "purchase", "reduced", reduced, "vat_input"),
        TaxDef("P-0", "Purchases 0%", "purchase", "zero", D0),
        TaxDef("P-EX", "Purchases exempt", "purchase", "exempt", D0),
        TaxDef(
            "P-RC",
            "Reverse charge",
            "purchase",
            "reverse_charge",
            standard,
            "vat_output_reverse",
            "vat_input",
        ),
        TaxDef(
            "P-EU",
            "Intra-EU acquisition",
            "purchase",
            "intra_eu_goods",
            standard,
            "vat_output_reverse",
            "vat_input",
        ),
        TaxDef(
            "P-EUS",
            "Intra-EU services",
            "purchase",
            "intra_eu_services",
            standard,
            "vat_output_reverse",
            "vat_input",
        ),
        TaxDef("P-IMP", "Import", "purchase", "import", standard, "vat_output_reverse", "vat_input"),
    )


CHARTS = {
    "nl_rgs": Chart("nl_rgs", "Nederland (RGS)", _NL_ACCOUNTS, _NL_ROLES, _NL_JOURNALS, _NL_TAXES),
    "generic": Chart("generic", "Generic", _GENERIC_ACCOUNTS, _GENERIC_ROLES, _GENERIC_JOURNALS, ()),
}


def chart(key: str, *, country: str = "NL") -> Chart:
    base = CHARTS[key]
    if key == "generic":
        return Chart(base.key, base.label, base.accounts, base.roles, base.journals, _generic_taxes(country))
    return base
