"""The installation's view of inbound mail, including mail for no known organisation (which no
desk shows) and processing that failed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gehoord.inbound import pipeline
from gehoord.mail.models import InboundMail


class WithoutOrganisation(admin.SimpleListFilter):
    title = _("organisation")
    parameter_name = "without_organisation"

    def lookups(self, request, model_admin):
        return [("1", _("no known organisation"))]

    def queryset(self, request, queryset):
        return queryset.filter(organisation__isnull=True) if self.value() == "1" else queryset


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "state", "result", "organisation", "complaint", "source")
    list_filter = ("state", "result", "source", "noise", WithoutOrganisation, "malformed")
    search_fields = ("message_id", "from_address", "subject")
    date_hierarchy = "received_at"
    list_select_related = ("organisation", "complaint")
    exclude = ("raw",)
    readonly_fields = [field.name for field in InboundMail._meta.fields if field.name != "raw"] + ["raw_text"]
    actions = ["process_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    @admin.display(description=_("raw message"))
    def raw_text(self, mail):
        raw = InboundMail.objects.filter(pk=mail.pk).values_list("raw", flat=True).first() or b""
        return bytes(raw)[:200_000].decode("utf-8", "replace")

    @admin.action(description=_("Process again (failed or not yet processed)"))
    def process_again(self, request, queryset):
        states = [pipeline.process(pk) for pk in queryset.values_list("pk", flat=True)]
        self.message_user(request, ", ".join(states) or "-", messages.INFO)

    def has_add_permission(self, request):
        return False
