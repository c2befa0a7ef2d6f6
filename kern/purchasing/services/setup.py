"""A company's purchasing set-up: its policy (match tolerances), who may approve how much, the
vendors' prices and the identifiers by which e-invoices name their senders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from kern.catalog.models import Product
from kern.core.db import atomic, savepoint
from kern.core.models import Company
from kern.core.roles import ROLES
from kern.core.services import validated
from kern.parties.models import Party
from kern.purchasing.models import ApprovalLimit, PurchasingPolicy, VendorIdentifier, VendorPrice
from kern.purchasing.services._common import (
    acting,
    check_currency,
    date_value,
    decimal,
    invalid,
    price,
    quantity,
    row_of,
    text,
)

__all__ = [
    "DEFAULT_APPROVAL_LIMITS",
    "install_defaults",
    "on_company_created",
    "policy_of",
    "remember_vendor_identifier",
    "remove_approval_limit",
    "remove_vendor_price",
    "set_approval_limit",
    "set_vendor_price",
    "update_policy",
    "update_vendor_price",
]

# Buyers approve their own orders up to this amount; above it a controller (or administrator) does.
DEFAULT_APPROVAL_LIMITS: dict[str, Decimal | None] = {
    "buyer": Decimal("10000.00"),
    "controller": None,
    "administrator": None,
}


def install_defaults(company: Company) -> PurchasingPolicy:
    """The policy row and the default approval limits (idempotent; two statements when new)."""
    policy = PurchasingPolicy.objects.filter(company=company).first()
    if policy is not None:
        return policy
    with atomic():
        policy = PurchasingPolicy.objects.create(company=company)
        limits = [
            ApprovalLimit(company=company, role=role, max_amount=amount)
            for role, amount in DEFAULT_APPROVAL_LIMITS.items()
        ]
        ApprovalLimit.objects.bulk_create(limits)
        from kern.core import audit

        audit.record_created(limits)
    return policy


def on_company_created(event: Any) -> None:
    company = Company.objects.get(pk=event.payload["company_id"])
    install_defaults(company)


def policy_of(company: Company) -> PurchasingPolicy:
    return PurchasingPolicy.objects.filter(company=company).first() or install_defaults(company)


def update_policy(company: Company, *, by: Any = None, **fields: Any) -> PurchasingPolicy:
    policy = policy_of(company)
    allowed = {
        "price_tolerance_percent",
        "quantity_tolerance_percent",
        "amount_tolerance",
        "rfq_validity_days",
        "quality_hold",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    for name, value in fields.items():
        if name == "quality_hold":
            policy.quality_hold = bool(value)
        elif name == "rfq_validity_days":
            policy.rfq_validity_days = int(decimal(value, name))
        else:
            setattr(policy, name, decimal(value, name))
    validated(policy)
    with atomic(), acting(by):
        policy.save()
    return policy


def set_approval_limit(
    company: Company, *, role: str, max_amount: Any = None, by: Any = None
) -> ApprovalLimit:
    """Let `role` approve orders up to `max_amount` (None: any amount)."""
    if role not in ROLES:
        raise invalid("role", _("unknown role %(role)r") % {"role": role})
    amount = None if max_amount in (None, "") else decimal(max_amount, "max_amount")
    with atomic(), acting(by):
        limit = ApprovalLimit.objects.filter(company=company, role=role).first()
        if limit is None:
            limit = ApprovalLimit(company=company, role=role)
        limit.max_amount = amount
        validated(limit, exclude=["company"])
        limit.save()
    return limit


def remove_approval_limit(limit: ApprovalLimit, *, by: Any = None) -> None:
    with atomic(), acting(by):
        limit.delete()


VENDOR_PRICE_FIELDS = {
    "vendor",
    "product",
    "vendor_sku",
    "vendor_product_name",
    "currency",
    "min_quantity",
    "unit_price",
    "lead_time_days",
    "valid_from",
    "valid_to",
    "is_active",
}


def _vendor_price_values(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - VENDOR_PRICE_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    out: dict[str, Any] = {}
    if "vendor" in fields:
        vendor = row_of(Party, company, fields["vendor"], "vendor")
        if vendor is None or not vendor.is_vendor:
            raise invalid("vendor", _("choose a party that is a vendor"))
        out["vendor"] = vendor
    if "product" in fields:
        product = row_of(Product, company, fields["product"], "product")
        if product is None:
            raise invalid("product", _("a product is required"))
        if not product.can_be_purchased:
            raise invalid("product", _("%(sku)s cannot be purchased") % {"sku": product.sku})
        out["product"] = product
    if "currency" in fields:
        out["currency_id"] = check_currency(fields["currency"] or company.base_currency_id)
    if "min_quantity" in fields:
        out["min_quantity"] = quantity(fields["min_quantity"] or 0, "min_quantity", positive=False)
    if "unit_price" in fields:
        out["unit_price"] = price(fields["unit_price"])
    if "lead_time_days" in fields:
        days = decimal(fields["lead_time_days"] or 0, "lead_time_days")
        if days != days.to_integral_value() or days > 3650:
            raise invalid("lead_time_days", _("whole days, at most 3650"))
        out["lead_time_days"] = int(days)
    for name in ("valid_from", "valid_to"):
        if name in fields:
            out[name] = date_value(fields[name], name)
    for name, size in (("vendor_sku", 60), ("vendor_product_name", 200)):
        if name in fields:
            out[name] = text(fields[name], name, size)
    if "is_active" in fields:
        out["is_active"] = bool(fields["is_active"])
    return out


def _check_overlap(row: VendorPrice) -> None:
    """One price per vendor, product, currency and quantity break for any day."""
    clash = VendorPrice.objects.filter(
        company_id=row.company_id,
        vendor_id=row.vendor_id,
        product_id=row.product_id,
        currency_id=row.currency_id,
        min_quantity=row.min_quantity,
        is_active=True,
    ).exclude(pk=row.pk)
    if row.valid_to is not None:
        clash = clash.exclude(valid_from__gt=row.valid_to)
    if row.valid_from is not None:
        clash = clash.exclude(valid_to__lt=row.valid_from)
    if row.is_active and clash.exists():
        raise invalid(
            "min_quantity",
            _("%(vendor)s already has a price for %(sku)s from %(quantity)s in %(currency)s in that period")
            % {
                "vendor": row.vendor,
                "sku": row.product.sku,
                "quantity": row.min_quantity,
                "currency": row.currency_id,
            },
        )


def set_vendor_price(company: Company, *, by: Any = None, **fields: Any) -> VendorPrice:
    """Record what a vendor charges for a product from a minimum quantity, and its lead time."""
    for required in ("vendor", "product", "unit_price"):
        if fields.get(required) in (None, ""):
            raise invalid(required, _("this field is required"))
    fields.setdefault("currency", company.base_currency_id)
    values = _vendor_price_values(company, fields)
    row = VendorPrice(company=company, **values)
    validated(row, exclude=["company"])
    _check_overlap(row)
    with atomic(), acting(by):
        row.save()
    return row


def update_vendor_price(row: VendorPrice, *, by: Any = None, **fields: Any) -> VendorPrice:
    values = _vendor_price_values(row.company, fields)
    for name, value in values.items():
        setattr(row, name, value)
    validated(row, exclude=["company"])
    _check_overlap(row)
    with atomic(), acting(by):
        row.save()
    return row


def remove_vendor_price(row: VendorPrice, *, by: Any = None) -> None:
    with atomic(), acting(by):
        row.delete()


def remember_vendor_identifier(
    vendor: Party, *, scheme: str, identifier: str, needs_review: bool = False, by: Any = None
) -> VendorIdentifier | None:
    """Remember that e-invoices naming `scheme:identifier` come from `vendor` (first one wins)."""
    scheme, identifier = (scheme or "").strip()[:10], (identifier or "").strip()[:120]
    if not identifier:
        return None
    existing = VendorIdentifier.objects.filter(
        company_id=vendor.company_id, scheme=scheme, identifier=identifier
    ).first()
    if existing is not None:
        return existing
    try:
        with savepoint(), acting(by):
            return VendorIdentifier.objects.create(
                company_id=vendor.company_id,
                vendor=vendor,
                scheme=scheme,
                identifier=identifier,
                needs_review=needs_review,
            )
    except IntegrityError:  # someone recorded it at the same moment
        return VendorIdentifier.objects.filter(
            company_id=vendor.company_id, scheme=scheme, identifier=identifier
        ).first()
