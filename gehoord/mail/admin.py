"""The installation's view of outgoing mail and failing addresses (inbound mail: the inbound app's admin)."""

from django.contrib import admin

from gehoord.mail.models import FailingAddress, OutboundMail


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to_address", "state", "attempts", "complaint", "last_error")
    list_filter = ("state", "kind", "automatic")
    search_fields = ("to_address", "message_id", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("complaint",)
    readonly_fields = [field.name for field in OutboundMail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Delete a row to send to the address again."""

    list_display = ("address", "status", "reason", "first_failed_at", "last_failed_at")
    search_fields = ("address",)
    readonly_fields = ("address", "reason", "status", "first_failed_at", "last_failed_at", "inbound", "outbound")

    def has_add_permission(self, request):
        return False
