from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "kern.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_demo_step, register_export, register_file_import
        from kern.payments.management.cli import export_pain001, import_bank_csv, import_camt053
        from kern.payments.services.dunning import on_company_created

        register_scheme("payments.payment", "PAY-{year}-{seq:05d}")
        register_scheme("payments.run", "RUN-{year}-{seq:04d}")
        register_scheme("payments.dunning", "DUN-{year}-{seq:05d}")
        subscribe("core.company_created", on_company_created)
        register_export("pain001", export_pain001)
        register_file_import("camt053", import_camt053)
        register_file_import("bank-csv", import_bank_csv)
        register_demo_step("payments", _demo, order=70)
        from kern.payments.views import register_ui

        register_ui()


def _demo(ctx, progress) -> None:
    from kern.payments.demo import load_payments

    load_payments(ctx, progress)
