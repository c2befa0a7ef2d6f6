from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "kern.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from kern.core.imports import register_importer
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_demo_step
        from kern.parties.demo import load_parties
        from kern.parties.importers import CONTACT_IMPORTER, PARTY_IMPORTER

        register_scheme("parties.party", "R{seq:05d}", yearly=False)
        register_importer(PARTY_IMPORTER)
        register_importer(CONTACT_IMPORTER)
        register_demo_step("parties", load_parties, order=20)
        from kern.parties.views import register_ui

        register_ui()
