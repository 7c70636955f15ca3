from django.contrib import admin

from gehoord.complaints.models import Complaint, Event


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor_label", "consumer_visible", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only for platform operators: every change goes through the complaint actions."""

    list_display = ["reference", "organisation", "status", "stage", "channel", "received_at"]
    list_filter = ["status", "stage", "channel", "organisation"]
    search_fields = ["reference", "public_id", "order_number"]
    list_select_related = ["organisation"]
    show_full_result_count = False
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
