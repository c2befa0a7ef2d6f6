from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "kern.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
