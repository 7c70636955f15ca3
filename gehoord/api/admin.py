from django.contrib import admin

from gehoord.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are shown once when made: `gehoord create-token ORG_SLUG`
