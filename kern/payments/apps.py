from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "kern.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.payments.services.dunning import on_company_created

        register_scheme("payments.payment", "PAY-{year}-{seq:05d}")
        register_scheme("payments.run", "RUN-{year}-{seq:04d}")
        register_scheme("payments.dunning", "DUN-{year}-{seq:05d}")
        subscribe("core.company_created", on_company_created)
