"""The settings pages of one organisation, included by desk/urls.py under `<slug:org>/settings/`."""

from django.urls import path

from gehoord.desk import privacy_views
from gehoord.desk import settings_views as views

urlpatterns = [
    path("", views.index, name="settings"),
    path("categories/", views.categories, name="settings_categories"),
    path("categories/new/", views.category_new, name="settings_category_new"),
    path("categories/<int:category_id>/", views.category, name="settings_category"),
    path("categories/<int:category_id>/fields/new/", views.field_new, name="settings_field_new"),
    path("categories/<int:category_id>/fields/<int:field_id>/", views.field, name="settings_field"),
    path(
        "categories/<int:category_id>/fields/<int:field_id>/remove/",
        views.field_remove,
        name="settings_field_remove",
    ),
    path("teams/", views.teams, name="settings_teams"),
    path("teams/<int:team_id>/", views.team, name="settings_team"),
    path("staff/", views.staff, name="settings_staff"),
    path("staff/invite/", views.staff_invite, name="settings_staff_invite"),
    path(
        "staff/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="settings_invitation_revoke"
    ),
    path("staff/<int:user_id>/", views.staff_member, name="settings_staff_member"),
    path("staff/<int:user_id>/remove/", views.staff_remove, name="settings_staff_remove"),
    path("reply-templates/", views.reply_templates, name="settings_reply_templates"),
    path("reply-templates/new/", views.reply_template_new, name="settings_reply_template_new"),
    path("reply-templates/<int:template_id>/", views.reply_template, name="settings_reply_template"),
    path(
        "reply-templates/<int:template_id>/remove/", views.reply_template_remove, name="settings_reply_template_remove"
    ),
    path("tokens/", views.tokens, name="settings_tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="settings_token_revoke"),
    path("policy/", views.policy, name="settings_policy"),
    path("policy/edit/", views.policy_edit, name="settings_policy_edit"),
    path("policy/preview/", views.policy_preview, name="settings_policy_preview"),
    path("policy/versions/<int:number>/", views.policy_version, name="settings_policy_version"),
    path("toegang/", privacy_views.log, name="settings_access_log"),
    path("gegevens/", privacy_views.person_export, name="settings_person_export"),
]
