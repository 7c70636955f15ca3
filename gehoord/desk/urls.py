from django.urls import include, path, register_converter

from gehoord.desk import invitation_views, problem_views, register_views, triage_views, views, work_views


class AnyReference:
    """Whatever reference is stored: "/" and line breaks included (order numbers stored before intake
    refused them), so no stored complaint makes a link of the desk fail."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyReference, "reference")

app_name = "desk"
urlpatterns: list = [
    path("", views.home, name="home"),
    path("<slug:org>/", views.queue, name="queue"),
    path("<slug:org>/intake/", views.intake, name="intake"),
    path("<slug:org>/bulk/", work_views.bulk_action, name="bulk"),
    path("<slug:org>/register/", register_views.register_page, name="register"),
    path("<slug:org>/register/export.<str:fmt>", register_views.register_export, name="register_export"),
    path("<slug:org>/views/", register_views.saved_view_create, name="saved_view_create"),
    path("<slug:org>/views/<int:pk>/rename/", register_views.saved_view_rename, name="saved_view_rename"),
    path("<slug:org>/views/<int:pk>/delete/", register_views.saved_view_delete, name="saved_view_delete"),
    path("<slug:org>/invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    # The complaint page last: a reference may hold a "/", so it would also match the pages below it.
    path("<slug:org>/k/<reference:reference>/action/<str:action>/", views.action, name="action"),
    path("<slug:org>/k/<reference:reference>/message/", views.message, name="message"),
    path("<slug:org>/k/<reference:reference>/attachment/<int:pk>/", views.attachment, name="attachment"),
    path("<slug:org>/k/<reference:reference>/dossier/<str:fmt>/", views.dossier_download, name="dossier"),
    path(
        "<slug:org>/k/<reference:reference>/reply-template/<int:pk>/",
        work_views.reply_template_text,
        name="reply_template_text",
    ),
    path("<slug:org>/k/<reference:reference>/", views.complaint, name="complaint"),
    path("<slug:org>/settings/", include("gehoord.desk.settings_urls")),
    path("<slug:org>/reports/problems/", problem_views.problems_page, name="problems"),
    path("<slug:org>/reports/", include("gehoord.desk.insight_urls")),
    path("<slug:org>/notifications/", include("gehoord.desk.notification_urls")),
    path("<slug:org>/triage/", triage_views.triage, name="triage"),
    path("<slug:org>/triage/<int:pk>/", triage_views.triage_mail, name="triage_mail"),
    path("<slug:org>/triage/<int:pk>/attach/", triage_views.triage_attach, name="triage_attach"),
    path("<slug:org>/triage/<int:pk>/open/", triage_views.triage_open, name="triage_open"),
    path("<slug:org>/triage/<int:pk>/dismiss/", triage_views.triage_dismiss, name="triage_dismiss"),
]
