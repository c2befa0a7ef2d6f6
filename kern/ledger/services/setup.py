"""Setting up the books: default chart, roles, journals, tax codes, fiscal years; master data edits.

A company gets its books when it is created (`core.company_created`, in the same transaction):
`install_books` writes the chart, the account roles, the journals, the tax codes and the current
fiscal year with its periods in a handful of bulk inserts. Every change of this master data sets
a new `Books.version`, which tells every process to reload its cached copy.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from kern.core import audit, context
from kern.core.db import atomic
from kern.core.events import Event
from kern.core.exceptions import NotFound, ValidationFailed
from kern.core.models import Company
from kern.core.services import validated
from kern.ledger.data.charts import CHARTS
from kern.ledger.data.charts import chart as chart_named
from kern.ledger.exceptions import LedgerCode, LedgerConflict, LedgerInvalid
from kern.ledger.models import (
    BALANCE_SHEET_TYPES,
    Account,
    AccountBalance,
    AccountRole,
    AccountType,
    Books,
    FiscalYear,
    Journal,
    JournalLine,
    Period,
    PeriodKind,
    TaxCode,
)

__all__ = [
    "ACCOUNT_ROLES",
    "create_account",
    "create_journal",
    "create_tax_code",
    "install_books",
    "on_company_created",
    "open_fiscal_year",
    "set_account_role",
    "update_account",
    "update_journal",
    "update_tax_code",
]

ACCOUNT_ROLES = (
    "receivable",
    "payable",
    "revenue",
    "revenue_services",
    "revenue_reduced",
    "revenue_zero",
    "revenue_eu",
    "revenue_export",
    "cogs",
    "inventory",
    "grni",
    "stock_adjustment",
    "price_difference",
    "vat_output_high",
    "vat_output_low",
    "vat_output_reverse",
    "vat_input",
    "vat_payable",
    "bank",
    "cash",
    "suspense",
    "customer_credit",
    "exchange_gain",
    "exchange_loss",
    "unrealised_fx",
    "retained_earnings",
    "current_year_earnings",
    "opening_balance",
    "rounding",
    "early_payment_discount_given",
    "early_payment_discount_received",
    "bank_charges",
    "salaries",
    "payroll_liabilities",
    "wage_tax",
    "expense",
)


def new_version() -> int:
    return secrets.randbits(62) + 1


def bump_version(company_id: int) -> None:
    """Tell every process that the cached ledger settings of the company are stale.

    The UPDATE also takes the books row lock, so a concurrent posting either sees the old
    settings and commits first, or waits and sees the new ones.
    """
    Books.objects.filter(company_id=company_id).update(version=new_version())


def _company_id(company: Any) -> int:
    return getattr(company, "pk", company)


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _year_rows(company: Company, year: int) -> tuple[FiscalYear, list[Period]]:
    start = dt.date(year, company.fiscal_year_start_month, 1)
    end = _months_later(start, 12) - dt.timedelta(days=1)
    fiscal_year = FiscalYear(company=company, year=year, start_date=start, end_date=end)
    periods = [Period(company=company, number=0, kind=PeriodKind.OPENING, start_date=start, end_date=start)]
    for n in range(12):
        first = _months_later(start, n)
        periods.append(
            Period(
                company=company,
                number=n + 1,
                kind=PeriodKind.REGULAR,
                start_date=first,
                end_date=_months_later(first, 1) - dt.timedelta(days=1),
            )
        )
    periods.append(Period(company=company, number=13, kind=PeriodKind.CLOSING, start_date=end, end_date=end))
    return fiscal_year, periods


def open_fiscal_year(company: Company, year: int, *, by: Any = None) -> FiscalYear:
    """Create fiscal year `year` (named by the calendar year it starts in) with its 14 periods.

    Period 0 holds opening entries, 1–12 are the months, 13 holds the year-end closing entry.
    """
    if not 1900 <= int(year) <= 2999:
        raise ValidationFailed.on("year", _("not a plausible year"))
    with atomic(), context.acting(by) if by is not None else _Nothing():
        if FiscalYear.objects.filter(company=company, year=year).exists():
            raise LedgerConflict(
                _("fiscal year %(year)s already exists") % {"year": year}, code=LedgerCode.NOT_ALLOWED
            )
        fiscal_year, periods = _year_rows(company, year)
        fiscal_year.save()
        for period in periods:
            period.fiscal_year = fiscal_year
        Period.objects.bulk_create(periods)
        audit.record_created(periods)
        bump_version(company.pk)
    return fiscal_year


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def install_books(company: Company, *, chart: str | None = None, year: int | None = None) -> Books:
    """Install the default chart, roles, journals, tax codes and the current fiscal year.

    The chart is `nl_rgs` for Dutch companies and `generic` otherwise, unless `chart` (or the
    company setting `ledger.chart`) says otherwise.
    """
    key = chart or (company.settings or {}).get("ledger", {}).get("chart")
    if not key:
        key = "nl_rgs" if str(company.country) == "NL" else "generic"
    if key not in CHARTS:
        raise ValidationFailed.on(
            "chart",
            _("unknown chart %(chart)r; known: %(known)s")
            % {"chart": key, "known": ", ".join(sorted(CHARTS))},
        )
    definition = chart_named(key, country=str(company.country))
    with atomic():
        if Books.objects.filter(company=company).exists():
            raise LedgerConflict(_("this company already has books"), code=LedgerCode.NOT_ALLOWED)
        books = Books.objects.create(company=company, chart=key, version=new_version())
        groups = [
            Account(company=company, code=d.code, name=d.name, type=d.type, subtype=d.subtype, is_group=True)
            for d in definition.accounts
            if d.is_group
        ]
        Account.objects.bulk_create(groups)
        group_ids = {a.code: a.pk for a in groups}
        leaves = [
            Account(
                company=company,
                code=d.code,
                name=d.name,
                type=d.type,
                subtype=d.subtype,
                parent_id=group_ids.get(d.parent),
                rgs_code=d.rgs,
            )
            for d in definition.accounts
            if not d.is_group
        ]
        Account.objects.bulk_create(leaves)
        ids = {**group_ids, **{a.code: a.pk for a in leaves}}
        roles = [
            AccountRole(company=company, role=role, account_id=ids[code])
            for role, code in definition.roles.items()
        ]
        AccountRole.objects.bulk_create(roles)
        journals = [
            Journal(
                company=company,
                code=j.code,
                name=j.name,
                kind=j.kind,
                default_account_id=ids.get(j.default_account),
            )
            for j in definition.journals
        ]
        Journal.objects.bulk_create(journals)
        taxes = [
            TaxCode(
                company=company,
                code=t.code,
                name=t.name,
                direction=t.direction,
                kind=t.kind,
                rate=t.rate,
                account_id=ids[definition.roles[t.account_role]] if t.account_role else None,
                deductible_account_id=ids[definition.roles[t.deductible_role]] if t.deductible_role else None,
                base_box=t.base_box,
                tax_box=t.tax_box,
                deductible_box=t.deductible_box,
            )
            for t in definition.taxes
        ]
        TaxCode.objects.bulk_create(taxes)
        fiscal_year, periods = _year_rows(company, year or company.fiscal_year_of(dt.date.today()))
        fiscal_year.save()
        for period in periods:
            period.fiscal_year = fiscal_year
        Period.objects.bulk_create(periods)
        audit.record(
            company,
            "install_books",
            {
                "chart": [None, key],
                "accounts": [None, len(groups) + len(leaves)],
                "journals": [None, len(journals)],
                "tax_codes": [None, len(taxes)],
                "fiscal_year": [None, fiscal_year.year],
            },
            model="ledger.books",
            object_id=books.pk,
            company_id=company.pk,
        )
    return books


def on_company_created(event: Event) -> None:
    """In-transaction subscriber of core.company_created: every new company gets its books."""
    company = Company.objects.get(pk=event.payload["company_id"])
    if not Books.objects.filter(company=company).exists():
        install_books(company)


# --------------------------------------------------------------------------------------------
# accounts


def _check_type(type_: str, subtype: str) -> None:
    from kern.ledger.models import AccountSubtype

    if type_ not in AccountType.values:
        raise ValidationFailed.on("type", _("unknown account type %(type)r") % {"type": type_})
    if subtype not in AccountSubtype.values:
        raise ValidationFailed.on("subtype", _("unknown account subtype %(subtype)r") % {"subtype": subtype})


def _parent(company: Any, parent: Any) -> Account | None:
    if parent in (None, ""):
        return None
    if isinstance(parent, Account):
        account = parent if parent.company_id == _company_id(company) else None
    else:
        account = Account.objects.filter(company_id=_company_id(company), code=str(parent)).first()
    if account is None:
        raise LedgerInvalid(
            "parent: " + _("there is no account %(code)r") % {"code": parent},
            code=LedgerCode.UNKNOWN_ACCOUNT,
            errors={"parent": [_("unknown account %(code)r") % {"code": parent}]},
        )
    if not account.is_group:
        raise ValidationFailed.on("parent", _("%(code)s is not a group account") % {"code": account.code})
    return account


def create_account(
    company: Any,
    *,
    code: str,
    name: str,
    type: str,
    subtype: str = "other",
    parent: Any = None,
    is_group: bool = False,
    rgs_code: str = "",
    currency: str | None = None,
    description: str = "",
    by: Any = None,
) -> Account:
    code = (code or "").strip()
    if not code:
        raise ValidationFailed.on("code", _("an account needs a code"))
    _check_type(type, subtype)
    with atomic(), context.acting(by) if by is not None else _Nothing():
        account = Account(
            company_id=_company_id(company),
            code=code,
            name=(name or "").strip(),
            type=type,
            subtype=subtype,
            parent=_parent(company, parent),
            is_group=is_group,
            rgs_code=(rgs_code or "").strip(),
            currency_id=(currency or "").upper() or None,
            description=description,
        )
        validated(account, exclude=["company"])
        if Account.objects.filter(company_id=account.company_id, code=code).exists():
            raise ValidationFailed.on("code", _("account %(code)s already exists") % {"code": code})
        account.save()
        bump_version(account.company_id)
    return account


_IMMUTABLE_WHEN_USED = ("type", "subtype", "is_group", "currency")


def update_account(account: Account, *, by: Any = None, **changes: Any) -> Account:
    allowed = {
        "code",
        "name",
        "type",
        "subtype",
        "parent",
        "is_group",
        "is_active",
        "rgs_code",
        "currency",
        "description",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed.on(unknown[0], _("cannot be changed here"))
    with atomic(), context.acting(by) if by is not None else _Nothing():
        used = (
            JournalLine.objects.filter(account=account).exists()
            or AccountBalance.objects.filter(account=account).exists()
        )
        for name in _IMMUTABLE_WHEN_USED:
            if name in changes and used:
                current = getattr(account, "currency_id" if name == "currency" else name)
                new = changes[name].upper() if name == "currency" and changes[name] else changes[name]
                if (current or None) != (new or None):
                    raise LedgerConflict(
                        f"{name}: "
                        + _("account %(code)s has postings; its %(field)s cannot change")
                        % {"code": account.code, "field": name},
                        code=LedgerCode.NOT_ALLOWED,
                    )
        if changes.get("is_group") and used:
            raise LedgerConflict(
                _("account %(code)s has postings") % {"code": account.code}, code=LedgerCode.NOT_ALLOWED
            )
        if "parent" in changes:
            account.parent = _parent(account.company_id, changes.pop("parent"))
            if account.parent_id == account.pk:
                raise ValidationFailed.on("parent", _("an account cannot be its own parent"))
        if "currency" in changes:
            account.currency_id = (changes.pop("currency") or "").upper() or None
        if "type" in changes or "subtype" in changes:
            _check_type(changes.get("type", account.type), changes.get("subtype", account.subtype))
        if changes.get("is_active") is False and AccountRole.objects.filter(account=account).exists():
            raise LedgerConflict(
                _("account %(code)s plays an account role; give the role to another account first")
                % {"code": account.code},
                code=LedgerCode.NOT_ALLOWED,
            )
        if "code" in changes:
            code = str(changes["code"]).strip()
            if (
                Account.objects.filter(company_id=account.company_id, code=code)
                .exclude(pk=account.pk)
                .exists()
            ):
                raise ValidationFailed.on("code", _("account %(code)s already exists") % {"code": code})
            changes["code"] = code
        for name, value in changes.items():
            setattr(account, name, value)
        validated(account, exclude=["company"])
        account.save()
        bump_version(account.company_id)
    return account


def set_account_role(company: Any, role: str, account: Account | str, *, by: Any = None) -> AccountRole:
    """Give `role` (receivable, revenue, vat_input …) to `account` (an Account or its code)."""
    if role not in ACCOUNT_ROLES:
        raise ValidationFailed.on("role", _("unknown role %(role)r") % {"role": role})
    company_id = _company_id(company)
    with atomic(), context.acting(by) if by is not None else _Nothing():
        if not isinstance(account, Account):
            found = Account.objects.filter(company_id=company_id, code=str(account)).first()
            if found is None:
                raise LedgerInvalid(
                    "account: " + _("there is no account %(code)r") % {"code": account},
                    code=LedgerCode.UNKNOWN_ACCOUNT,
                    errors={"account": [_("unknown account %(code)r") % {"code": account}]},
                )
            account = found
        if account.company_id != company_id or account.is_group or not account.is_active:
            raise ValidationFailed.on(
                "account",
                _("%(code)s cannot play a role (group, inactive or foreign)") % {"code": account.code},
            )
        if role in ("receivable", "payable") and account.subtype != role:
            raise ValidationFailed.on(
                "account", _("the %(role)s role needs an account of subtype %(role)s") % {"role": role}
            )
        row = AccountRole.objects.filter(company_id=company_id, role=role).first()
        if row is None:
            row = AccountRole.objects.create(company_id=company_id, role=role, account=account)
        elif row.account_id != account.pk:
            row.account = account
            row.save()
        bump_version(company_id)
    return row


# --------------------------------------------------------------------------------------------
# journals and tax codes


def create_journal(
    company: Any, *, code: str, name: str, kind: str, default_account: Any = None, by: Any = None
) -> Journal:
    from kern.ledger.models import JournalKind

    code = (code or "").strip().upper()
    if kind not in JournalKind.values:
        raise ValidationFailed.on("kind", _("unknown journal kind %(kind)r") % {"kind": kind})
    with atomic(), context.acting(by) if by is not None else _Nothing():
        account = None
        if default_account not in (None, ""):
            account = Account.objects.filter(
                company_id=_company_id(company), code=str(default_account)
            ).first()
            if account is None:
                raise LedgerInvalid(
                    "default_account: " + _("there is no account %(code)r") % {"code": default_account},
                    code=LedgerCode.UNKNOWN_ACCOUNT,
                    errors={"default_account": [_("unknown account %(code)r") % {"code": default_account}]},
                )
        journal = Journal(
            company_id=_company_id(company), code=code, name=name, kind=kind, default_account=account
        )
        validated(journal, exclude=["company"])
        try:
            journal.save()
        except IntegrityError:
            raise ValidationFailed.on("code", _("journal %(code)s already exists") % {"code": code}) from None
        bump_version(journal.company_id)
    return journal


def update_journal(journal: Journal, *, by: Any = None, **changes: Any) -> Journal:
    allowed = {"name", "is_active", "default_account"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed.on(unknown[0], _("cannot be changed (the code numbers the entries)"))
    with atomic(), context.acting(by) if by is not None else _Nothing():
        if "default_account" in changes:
            code = changes.pop("default_account")
            journal.default_account = (
                Account.objects.filter(company_id=journal.company_id, code=str(code)).first()
                if code
                else None
            )
            if code and journal.default_account is None:
                raise LedgerInvalid(
                    "default_account: " + _("there is no account %(code)r") % {"code": code},
                    code=LedgerCode.UNKNOWN_ACCOUNT,
                    errors={"default_account": [_("unknown account %(code)r") % {"code": code}]},
                )
        for name, value in changes.items():
            setattr(journal, name, value)
        validated(journal, exclude=["company"])
        journal.save()
        bump_version(journal.company_id)
    return journal


def _tax_account(company_id: int, code: Any, field: str) -> Account | None:
    if code in (None, ""):
        return None
    account = Account.objects.filter(company_id=company_id, code=str(code)).first()
    if account is None:
        raise LedgerInvalid(
            f"{field}: " + _("there is no account %(code)r") % {"code": code},
            code=LedgerCode.UNKNOWN_ACCOUNT,
            errors={field: [_("unknown account %(code)r") % {"code": code}]},
        )
    return account


def create_tax_code(company: Any, *, by: Any = None, **fields: Any) -> TaxCode:
    company_id = _company_id(company)
    with atomic(), context.acting(by) if by is not None else _Nothing():
        account = _tax_account(company_id, fields.pop("account", None), "account")
        deductible = _tax_account(company_id, fields.pop("deductible_account", None), "deductible_account")
        tax = TaxCode(company_id=company_id, account=account, deductible_account=deductible, **fields)
        validated(tax, exclude=["company"])
        if TaxCode.objects.filter(company_id=company_id, code=tax.code).exists():
            raise ValidationFailed.on("code", _("tax code %(code)s already exists") % {"code": tax.code})
        tax.save()
        bump_version(company_id)
    return tax


def update_tax_code(tax: TaxCode, *, by: Any = None, **changes: Any) -> TaxCode:
    if "code" in changes or "rate" in changes or "direction" in changes:
        used = JournalLine.objects.filter(tax_code=tax).exists()
        if used and any(
            changes.get(k, getattr(tax, k)) != getattr(tax, k) for k in ("code", "rate", "direction")
        ):
            raise LedgerConflict(
                _("tax code %(code)s has postings: create a new code for a new rate") % {"code": tax.code},
                code=LedgerCode.NOT_ALLOWED,
            )
    with atomic(), context.acting(by) if by is not None else _Nothing():
        if "account" in changes:
            tax.account = _tax_account(tax.company_id, changes.pop("account"), "account")
        if "deductible_account" in changes:
            tax.deductible_account = _tax_account(
                tax.company_id, changes.pop("deductible_account"), "deductible_account"
            )
        for name, value in changes.items():
            setattr(tax, name, value)
        validated(tax, exclude=["company"])
        tax.save()
        bump_version(tax.company_id)
    return tax


def get_books(company: Any) -> Books:
    books = Books.objects.filter(company_id=_company_id(company)).first()
    if books is None:
        raise NotFound(_("this company has no books"))
    return books


def is_balance_sheet_type(type_: str) -> bool:
    return type_ in BALANCE_SHEET_TYPES
