from django.contrib import admin

from gehoord.platform.models import PlatformSettings


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    """The score card's weights, period, minimum and smoothing, and the platform's terms: one row,
    which the operators edit here (the sweep's next score run uses the new values)."""

    list_display = ["resolution_weight", "response_weight", "speed_weight", "period_months", "minimum_complaints"]

    def has_add_permission(self, request):
        return not PlatformSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
