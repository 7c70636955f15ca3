"""The platform's moderation pages (included by gehoord/urls.py at their own root)."""

from django.urls import path

from gehoord.desk import insight_views, registry_views, report_views, screening_views

app_name = "moderation"
urlpatterns: list = [
    # Screening what is published (desk/screening_views.py).
    path("", screening_views.home, name="home"),
    path("screening/", screening_views.screening, name="screening"),
    path("screening/klacht/<str:public_id>/", screening_views.screen_complaint, name="screen_complaint"),
    path("screening/bericht/<int:message_id>/", screening_views.screen_reply, name="screen_reply"),
    path("screening/afzender/<int:message_id>/", screening_views.confirm_sender, name="confirm_sender"),
    # One complaint's decision with a reason, its public text; companies' reports (desk/report_views.py).
    path("klacht/<str:public_id>/", report_views.complaint, name="complaint"),
    path("klacht/<str:public_id>/publiceren/", report_views.publish, name="complaint_publish"),
    path("klacht/<str:public_id>/tegenhouden/", report_views.withhold, name="complaint_withhold"),
    path("klacht/<str:public_id>/bewerken/", report_views.edit, name="complaint_edit"),
    path("meldingen/", report_views.report_list, name="reports"),
    path("meldingen/<int:report_id>/", report_views.decide, name="report_decide"),
    # The company registry.
    path("bedrijven/", registry_views.companies, name="registry"),
    path("bedrijven/<slug:slug>/", registry_views.company, name="registry_company"),
    path("bedrijven/<slug:slug>/samenvoegen/", registry_views.merge, name="registry_merge"),
    # A company's report on its platform complaints (desk/insight_views.py).
    path("bedrijven/<slug:slug>/rapport/", insight_views.company_report, name="registry_report"),
]
