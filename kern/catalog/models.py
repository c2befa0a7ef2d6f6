"""Products, units of measure, categories and price lists."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import Audited, CompanyOwned

__all__ = [
    "CostingMethod",
    "OptionGroup",
    "OptionRule",
    "OptionRuleKind",
    "OptionSelection",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductCategory",
    "ProductOption",
    "ProductType",
    "TaxCategory",
    "TrackingMode",
    "Uom",
    "UomCategory",
]


class UomCategory(Audited):
    """Units convert only within a category (Unit, Weight, Time…)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit category")
        verbose_name_plural = _("unit categories")

    def __str__(self) -> str:
        return self.name


class Uom(Audited):
    """A unit; `factor` = how many reference units of its category one of it is (dozen: 12)."""

    category = models.ForeignKey(UomCategory, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    factor = models.DecimalField(_("factor"), max_digits=20, decimal_places=10, default=Decimal("1"))
    rounding = models.DecimalField(_("rounding"), max_digits=12, decimal_places=6, default=Decimal("0.001"))
    unece_code = models.CharField(
        _("UN/ECE code"), max_length=3, blank=True, help_text=_("Used in e-invoices")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__name", "factor"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [models.CheckConstraint(condition=Q(factor__gt=0), name="uom_factor_positive")]

    def __str__(self) -> str:
        return self.code


class CostingMethod(models.TextChoices):
    FIFO = "fifo", _("FIFO")
    AVERAGE = "average", _("Moving average")


class ProductCategory(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    costing_method = models.CharField(
        _("costing method"), max_length=10, choices=CostingMethod.choices, default=CostingMethod.AVERAGE
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        constraints = [
            models.UniqueConstraint(fields=["company", "parent", "name"], name="productcategory_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProductType(models.TextChoices):
    STOCKED = "stocked", _("Stocked")
    CONSUMABLE = "consumable", _("Consumable")
    SERVICE = "service", _("Service")


class TaxCategory(models.TextChoices):
    """What the product is for VAT; the ledger maps it with the customer's situation to a tax code."""

    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("Zero rate")
    EXEMPT = "exempt", _("Exempt")


class TrackingMode(models.TextChoices):
    NONE = "none", _("No tracking")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By serial number")


class Product(CompanyOwned):
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(
        _("type"), max_length=12, choices=ProductType.choices, default=ProductType.STOCKED
    )
    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, verbose_name=_("unit"), related_name="+")
    sale_price = models.DecimalField(
        _("sale price"),
        max_digits=20,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    cost = models.DecimalField(
        _("cost"), max_digits=20, decimal_places=4, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    tax_category = models.CharField(
        _("tax category"), max_length=10, choices=TaxCategory.choices, default=TaxCategory.STANDARD
    )
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    tracking = models.CharField(
        _("tracking"), max_length=8, choices=TrackingMode.choices, default=TrackingMode.NONE
    )
    can_be_sold = models.BooleanField(_("can be sold"), default=True)
    can_be_purchased = models.BooleanField(_("can be purchased"), default=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Kept by the option-group services: a document prices a line without asking for option
    # groups unless the product has some.
    is_configurable = models.BooleanField(_("configurable"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="product_unique_sku"),
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="product_sale_price_nonnegative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["company", "name"], name="product_name_idx"),
            models.Index(fields=["company", "barcode"], name="product_barcode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_stocked(self) -> bool:
        return self.type == ProductType.STOCKED


class PriceList(CompanyOwned):
    """Prices for a customer, a group of customers (a party tag) or everyone, in one currency.

    The most specific list that is valid on the date wins: a customer's own list, then the
    group's, then the general one; ties go to the lower `priority` number.
    """

    name = models.CharField(_("name"), max_length=100)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", verbose_name=_("currency")
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        verbose_name=_("customer"),
    )
    party_tag = models.ForeignKey(
        "parties.PartyTag", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("customer group")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="pricelist_unique_name"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(party__isnull=True) | Q(party_tag__isnull=True), name="pricelist_one_audience"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(CompanyOwned):
    """A price from `min_quantity` up: a fixed unit price, or a discount on the product's sale price."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_list_items")
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=20, decimal_places=4, default=Decimal("0")
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=4, null=True, blank=True)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="pricelistitem_unique_break"
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0), name="pricelistitem_min_qty_nonnegative"
            ),
            models.CheckConstraint(
                condition=(Q(unit_price__isnull=False, discount_percent__isnull=True, unit_price__gte=0))
                | (
                    Q(
                        unit_price__isnull=True,
                        discount_percent__isnull=False,
                        discount_percent__gte=0,
                        discount_percent__lte=100,
                    )
                ),
                name="pricelistitem_price_or_discount",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.unit_price}" if self.unit_price is not None else f"-{self.discount_percent}%"
        return f"{self.product_id} ≥{self.min_quantity}: {what}"


# --- Product configuration (CPQ options) ----------------------------------------------------------


class OptionSelection(models.TextChoices):
    SINGLE = "single", _("Choose one")
    MULTIPLE = "multiple", _("Choose any")


class OptionGroup(CompanyOwned):
    """A question asked when a configurable product is sold ("Frame colour", "Extras").

    A product with option groups is configurable: every quote or order line of it carries the
    chosen options, whose price and cost deltas are added to the product's price and cost.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_groups", verbose_name=_("product")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    selection = models.CharField(
        _("selection"), max_length=10, choices=OptionSelection.choices, default=OptionSelection.SINGLE
    )
    is_required = models.BooleanField(
        _("required"), default=True, help_text=_("At least one option of this group must be chosen.")
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)

    class Meta:
        ordering = ["product", "sequence", "id"]
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="optiongroup_unique_code"),
            models.CheckConstraint(
                condition=Q(selection__in=["single", "multiple"]), name="optiongroup_selection_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductOption(CompanyOwned):
    """One answer of an option group, with what it adds to (or takes off) the price and the cost."""

    group = models.ForeignKey(
        OptionGroup, on_delete=models.CASCADE, related_name="options", verbose_name=_("option group")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    price_delta = models.DecimalField(_("price delta"), max_digits=20, decimal_places=4, default=Decimal("0"))
    cost_delta = models.DecimalField(_("cost delta"), max_digits=20, decimal_places=4, default=Decimal("0"))
    is_default = models.BooleanField(_("chosen by default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)

    class Meta:
        ordering = ["group", "sequence", "id"]
        verbose_name = _("product option")
        verbose_name_plural = _("product options")
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="productoption_unique_code")]

    def __str__(self) -> str:
        return self.name


class OptionRuleKind(models.TextChoices):
    REQUIRES = "requires", _("requires")
    EXCLUDES = "excludes", _("excludes")


class OptionRule(CompanyOwned):
    """When `option` is chosen, `target` must be chosen too (requires) or must not be (excludes)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_rules", verbose_name=_("product")
    )
    option = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, related_name="rules", verbose_name=_("when chosen")
    )
    kind = models.CharField(_("rule"), max_length=10, choices=OptionRuleKind.choices)
    target = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, related_name="targeted_by", verbose_name=_("option")
    )

    class Meta:
        ordering = ["product", "id"]
        verbose_name = _("option rule")
        verbose_name_plural = _("option rules")
        constraints = [
            models.UniqueConstraint(fields=["option", "kind", "target"], name="optionrule_unique"),
            models.CheckConstraint(condition=~Q(option=models.F("target")), name="optionrule_not_self"),
            models.CheckConstraint(
                condition=Q(kind__in=["requires", "excludes"]), name="optionrule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} {self.kind} {self.target}"
