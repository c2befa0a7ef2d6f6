from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "kern.crm"
    label = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from kern.core import events as core_events
        from kern.core.imports import register_importer
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_benchmark, register_demo_step
        from kern.crm import bench, events, services, tasks
        from kern.crm.demo import load_crm
        from kern.crm.importers import LEAD_IMPORTER

        register_scheme("crm.lead", "L{year}-{seq:05d}")
        register_scheme("crm.opportunity", "OPP-{year}-{seq:05d}")
        core_events.subscribe("core.company_created", services.on_company_created)
        core_events.subscribe(events.ACTIVITY_REMINDER_DUE, services.deliver_reminder, after_commit=True)
        core_events.subscribe(events.ACTIVITY_SCHEDULED, tasks.schedule_reminder, after_commit=True)
        register_importer(LEAD_IMPORTER)
        register_demo_step("crm", load_crm, order=90)
        register_benchmark("customer360", bench.run)
        from kern.crm.views import register_ui

        register_ui()
