from django.contrib import admin

from gehoord.organisations.models import ApiToken, Category, CategoryField, Invitation, Membership, Organisation, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "registration_number", "complaint_email", "country"]
    search_fields = ["name", "slug", "registration_number", "complaint_email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class CategoryFieldInline(admin.TabularInline):
    model = CategoryField
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "slug", "route_to_team", "route_to_user", "active"]
    list_filter = ["organisation"]
    inlines = [CategoryFieldInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are shown once when made: `gehoord create-token ORG_SLUG`


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["organisation"]
    readonly_fields = ["digest", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False  # the link is mailed once when made: company admins invite from the desk's settings
