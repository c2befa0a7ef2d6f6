from django.contrib import admin

from kern.parties.models import Party


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    """Read-mostly: parties are edited through the app, which runs the services' checks."""

    list_display = ["number", "name", "is_customer", "is_vendor", "vat_id", "company"]
    list_filter = ["is_customer", "is_vendor", "company"]
    search_fields = ["name", "number", "vat_id", "email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
