from django.contrib import admin

from gehoord.policies.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "number", "preset", "created_at", "change_note"]
    list_filter = ["organisation"]

    def has_change_permission(self, request, obj=None):
        return False  # versions are never edited; a change publishes a new version
