"""The desk's settings pages, for company admins (SPEC 1, 3, 5, 10); the reply templates also for
complaint managers (issue 15).

Adapters: each view parses a form, calls one function of `gehoord.organisations.settings` or
`gehoord.policies.editing`, and renders. Errors those raise go back onto the field they name, and
nothing is changed. Everyone else (other roles, other organisations) gets a 404 from `staff_view`.
"""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gehoord.desk import settings_forms as forms
from gehoord.desk.access import staff_view
from gehoord.errors import InvalidInput, NotFound
from gehoord.mail import outbound
from gehoord.organisations import invitations, placeholders
from gehoord.organisations import settings as org_settings
from gehoord.organisations.models import Role
from gehoord.policies import editing
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS

admin_view = staff_view(roles=frozenset({Role.ADMIN}))
# Reply templates are the complaint managers' to keep (and the company admin's, who keeps the rest).
templates_view = staff_view(roles=frozenset({Role.MANAGER, Role.ADMIN}))
get_or_post = require_http_methods(["GET", "POST"])


# Which tab of the settings navigation a page belongs to, by its template.
SECTIONS = {
    "categories": "categories",
    "category": "categories",
    "field": "categories",
    "teams": "teams",
    "team": "teams",
    "staff": "staff",
    "staff_member": "staff",
    "tokens": "tokens",
    "reply_templates": "reply_templates",
    "reply_template": "reply_templates",
    "policy": "policy",
    "policy_edit": "policy",
    "policy_version": "policy",
    "privacy/access_log": "privacy",
    "privacy/export": "privacy",
}


def _page(request, template: str, status: int = 200, **context):
    section = SECTIONS.get(template.removesuffix(".html"), "index")
    context = {"organisation": request.organisation, "nav": "settings", "section": section, **context}
    return render(request, f"desk/settings/{template}", context, status=status)


def _change(form, change):
    """Run `change(cleaned_data)` when the form is valid. An InvalidInput it raises goes onto the
    fields it names. Returns (done, what `change` returned)."""
    if not form.is_valid():
        return False, None
    try:
        return True, change(form.cleaned_data)
    except InvalidInput as error:
        for field, problem in error.errors.items():
            form.add_error(field if field in form.fields else None, problem)
        return False, None


def _posted(request):
    """The submitted data of a POST (even when empty, e.g. every checkbox cleared), else None."""
    return request.POST if request.method == "POST" else None


def _found(getter, *args):
    try:
        return getter(*args)
    except NotFound:
        raise Http404 from None


def _url(name: str, organisation, *args) -> str:
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


# --- Index ---------------------------------------------------------------------------------


@require_GET
@admin_view
def index(request, organisation):
    return _page(
        request,
        "index.html",
        categories=organisation.categories.count(),
        teams=organisation.teams.count(),
        staff=org_settings.staff_of(organisation).count(),
        tokens=organisation.api_tokens.active().count(),
        policy=PolicyVersion.objects.current(organisation),
    )


# --- Categories and fields -----------------------------------------------------------------


@require_GET
@admin_view
def categories(request, organisation):
    listed = organisation.categories.select_related("route_to_team", "route_to_user").annotate(field_count=Count("fields"))
    return _page(request, "categories.html", categories=listed)


@get_or_post
@admin_view
def category_new(request, organisation):
    form = forms.CategoryForm(_posted(request), organisation=organisation)
    if request.method == "POST":
        done, category = _change(form, lambda values: org_settings.save_category(organisation, **values))
        if done:
            messages.success(request, _("Category %(name)s added.") % {"name": category.local_name})
            return redirect(_url("settings_category", organisation, category.pk))
    return _page(request, "category.html", form=form, category=None)


@get_or_post
@admin_view
def category(request, organisation, category_id: int):
    category = _found(org_settings.category_of, organisation, category_id)
    initial = {
        "name": category.name,
        "name_en": category.name_en,
        "slug": category.slug,
        "description": category.description,
        "position": category.position,
        "active": category.active,
        "route_to_team": category.route_to_team,
        "route_to_user": category.route_to_user,
    }
    form = forms.CategoryForm(_posted(request), initial=initial, organisation=organisation)
    if request.method == "POST":
        done, _saved = _change(
            form, lambda values: org_settings.save_category(organisation, **values, category=category)
        )
        if done:
            messages.success(request, _("Category %(name)s saved.") % {"name": category.local_name})
            return redirect(_url("settings_category", organisation, category.pk))
    return _page(request, "category.html", form=form, category=category, fields=category.fields.all())


@get_or_post
@admin_view
def field_new(request, organisation, category_id: int):
    category = _found(org_settings.category_of, organisation, category_id)
    next_position = (category.fields.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    form = forms.FieldForm(_posted(request), initial={"position": next_position})
    if request.method == "POST":
        done, field = _change(form, lambda values: org_settings.save_field(category, **values))
        if done:
            messages.success(request, _("Field %(label)s added.") % {"label": field.label})
            return redirect(_url("settings_category", organisation, category.pk))
    return _page(request, "field.html", form=form, category=category, field=None)


@get_or_post
@admin_view
def field(request, organisation, category_id: int, field_id: int):
    category = _found(org_settings.category_of, organisation, category_id)
    field = _found(org_settings.field_of, category, field_id)
    initial = {
        name: getattr(field, name)
        for name in ("label", "key", "field_type", "required", "help_text", "choices", "pattern", "position")
    }
    form = forms.FieldForm(_posted(request), initial=initial)
    if request.method == "POST":
        done, _saved = _change(form, lambda values: org_settings.save_field(category, **values, field=field))
        if done:
            messages.success(request, _("Field %(label)s saved.") % {"label": field.label})
            return redirect(_url("settings_category", organisation, category.pk))
    return _page(request, "field.html", form=form, category=category, field=field)


@require_POST
@admin_view
def field_remove(request, organisation, category_id: int, field_id: int):
    category = _found(org_settings.category_of, organisation, category_id)
    field = _found(org_settings.field_of, category, field_id)
    org_settings.remove_field(category, field)
    messages.success(request, _("Field %(label)s removed.") % {"label": field.label})
    return redirect(_url("settings_category", organisation, category.pk))


# --- Teams ---------------------------------------------------------------------------------


@get_or_post
@admin_view
def teams(request, organisation):
    form = forms.TeamForm(_posted(request), organisation=organisation)
    if request.method == "POST":
        done, team = _change(form, lambda values: org_settings.save_team(organisation, **values))
        if done:
            messages.success(request, _("Team %(name)s added.") % {"name": team.name})
            return redirect(_url("settings_teams", organisation))
    listed = organisation.teams.prefetch_related("members")
    return _page(request, "teams.html", form=form, teams=listed)


@get_or_post
@admin_view
def team(request, organisation, team_id: int):
    team = _found(org_settings.team_of, organisation, team_id)
    initial = {"name": team.name, "members": list(team.members.all())}
    form = forms.TeamForm(_posted(request), initial=initial, organisation=organisation)
    if request.method == "POST":
        done, _saved = _change(form, lambda values: org_settings.save_team(organisation, **values, team=team))
        if done:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect(_url("settings_teams", organisation))
    return _page(request, "team.html", form=form, team=team)


# --- Staff ---------------------------------------------------------------------------------


def _staff_page(request, organisation, invite_form=None):
    return _page(
        request,
        "staff.html",
        members=[
            (member, [Role(role).label for role in roles]) for member, roles in org_settings.staff_with_roles(organisation)
        ],
        invitations=[
            (invitation, [Role(role).label for role in invitation.roles])
            for invitation in invitations.pending_invitations(organisation)
        ],
        invite_form=invite_form or forms.InviteForm(),
    )


@require_GET
@admin_view
def staff(request, organisation):
    return _staff_page(request, organisation)


@require_POST
@admin_view
def staff_invite(request, organisation):
    form = forms.InviteForm(request.POST)

    def invite(values):
        # The invitation and its mail in one transaction: there is never one without the other.
        with transaction.atomic():
            invitation, token = invitations.invite(organisation, **values, by=request.user)
            link = settings.GEHOORD_BASE_URL + reverse("desk:invitation", args=[organisation.slug, token])
            outbound.send_staff_invitation(invitation, link)
        return invitation

    done, invitation = _change(form, invite)
    if done:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect(_url("settings_staff", organisation))
    return _staff_page(request, organisation, invite_form=form)


@require_POST
@admin_view
def invitation_revoke(request, organisation, invitation_id: int):
    invitation = _found(invitations.revoke_invitation, organisation, invitation_id)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect(_url("settings_staff", organisation))


def _member_page(request, organisation, member, form, remove_errors=()):
    return _page(
        request,
        "staff_member.html",
        member=member,
        form=form,
        remove_errors=list(remove_errors),
        teams=organisation.teams.filter(members=member),
    )


@get_or_post
@admin_view
def staff_member(request, organisation, user_id: int):
    member = _found(org_settings.staff_member_of, organisation, user_id)
    form = forms.RolesForm(_posted(request), initial={"roles": sorted(org_settings.roles_of(organisation, member))})
    if request.method == "POST":
        done, roles = _change(form, lambda values: org_settings.set_roles(organisation, member, values["roles"]))
        if done:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": forms.person_label(member)})
            if member == request.user and Role.ADMIN not in roles:
                # No longer a company admin: these pages are closed now.
                return redirect("desk:home")
            return redirect(_url("settings_staff", organisation))
    return _member_page(request, organisation, member, form)


@require_POST
@admin_view
def staff_remove(request, organisation, user_id: int):
    member = _found(org_settings.staff_member_of, organisation, user_id)
    try:
        org_settings.remove_staff_member(organisation, member)
    except InvalidInput as error:
        form = forms.RolesForm(initial={"roles": sorted(org_settings.roles_of(organisation, member))})
        return _member_page(request, organisation, member, form, remove_errors=error.errors.values())
    messages.success(request, _("%(name)s is no longer on the staff.") % {"name": forms.person_label(member)})
    if member == request.user:
        return redirect("desk:home")
    return redirect(_url("settings_staff", organisation))


# --- Reply templates -----------------------------------------------------------------------


@require_GET
@templates_view
def reply_templates(request, organisation):
    return _page(
        request,
        "reply_templates.html",
        templates=org_settings.reply_templates_of(organisation),
        placeholders=placeholder_names(),
    )


@get_or_post
@templates_view
def reply_template_new(request, organisation):
    form = forms.ReplyTemplateForm(_posted(request))
    if request.method == "POST":
        done, template = _change(form, lambda values: org_settings.save_reply_template(organisation, **values))
        if done:
            messages.success(request, _("Reply template %(name)s added.") % {"name": template.name})
            return redirect(_url("settings_reply_templates", organisation))
    return _page(request, "reply_template.html", form=form, reply_template=None, placeholders=placeholder_names())


@get_or_post
@templates_view
def reply_template(request, organisation, template_id: int):
    template = _found(org_settings.reply_template_of, organisation, template_id)
    initial = {"name": template.name, "text_nl": template.text_nl, "text_en": template.text_en}
    form = forms.ReplyTemplateForm(_posted(request), initial=initial)
    if request.method == "POST":
        done, _saved = _change(
            form, lambda values: org_settings.save_reply_template(organisation, **values, template=template)
        )
        if done:
            messages.success(request, _("Reply template %(name)s saved.") % {"name": template.name})
            return redirect(_url("settings_reply_templates", organisation))
    return _page(request, "reply_template.html", form=form, reply_template=template, placeholders=placeholder_names())


@require_POST
@templates_view
def reply_template_remove(request, organisation, template_id: int):
    template = _found(org_settings.remove_reply_template, organisation, template_id)
    messages.success(request, _("Reply template %(name)s removed.") % {"name": template.name})
    return redirect(_url("settings_reply_templates", organisation))


def placeholder_names() -> list[tuple[str, str, str]]:
    """Each placeholder's Dutch and English spelling, and what it stands for."""
    meaning = {
        placeholders.NAME: _("the consumer's name"),
        placeholders.REFERENCE: _("the complaint's reference"),
        placeholders.EXPECTED_DATE: _("the date the consumer can expect an answer"),
        placeholders.HANDLER: _("who handles the complaint"),
    }
    spellings: dict[str, list[str]] = {}
    for spelling, key in placeholders.KEYS.items():
        spellings.setdefault(key, []).append(f"{{{spelling}}}")
    return [(names[0], names[1], meaning[key]) for key, names in spellings.items()]


# --- API tokens ----------------------------------------------------------------------------


@never_cache
@get_or_post
@admin_view
def tokens(request, organisation):
    form = forms.TokenForm(_posted(request))
    issued = None
    if request.method == "POST":
        done, issued = _change(form, lambda values: org_settings.issue_token(organisation, **values, by=request.user))
        if done:
            # The plaintext exists only in this response: it is not stored, so it is shown here
            # once, and never after a redirect or on a later visit.
            form = forms.TokenForm()
    return _page(
        request,
        "tokens.html",
        form=form,
        tokens=org_settings.tokens_of(organisation),
        new_token=issued[0] if issued else None,
        plaintext=issued[1] if issued else None,
    )


@require_POST
@admin_view
def token_revoke(request, organisation, token_id: int):
    token = _found(org_settings.revoke_token, organisation, token_id)
    messages.success(request, _("Token %(prefix)s… (%(name)s) is revoked.") % {"prefix": token.prefix, "name": token.name})
    return redirect(_url("settings_tokens", organisation))


# --- Policy --------------------------------------------------------------------------------


def _versions(organisation):
    return (
        PolicyVersion.objects.filter(organisation=organisation)
        .select_related("created_by")
        .annotate(complaint_count=Count("complaints"))
        .order_by("-number")
    )


@require_GET
@admin_view
def policy(request, organisation):
    current = PolicyVersion.objects.current(organisation)
    return _page(
        request,
        "policy.html",
        version=current,
        policy=editing.describe(current.spec),
        preview=editing.preview(current.spec, timezone.now()),
        versions=_versions(organisation),
        presets=sorted(PRESETS),
    )


@require_GET
@admin_view
def policy_version(request, organisation, number: int):
    version = PolicyVersion.objects.filter(organisation=organisation, number=number).first()
    if version is None:
        raise Http404
    return _page(
        request, "policy_version.html", version=version, policy=editing.describe(version.spec)
    )


@get_or_post
@admin_view
def policy_edit(request, organisation):
    if request.method == "GET":
        preset = request.GET.get("preset", "")
        if preset in PRESETS:
            values = editing.editor_values(PRESETS[preset])
            values.main["preset"] = preset
            spec = PRESETS[preset]
        else:
            spec = PolicyVersion.objects.current(organisation).spec
            values = editing.editor_values(spec)
        editor = forms.PolicyEditor(values=values)
    else:
        action = request.POST.get("action", "preview")
        if action in forms.PolicyEditor.ADD_ROW_ACTIONS:
            editor = forms.PolicyEditor.with_more_rows(request.POST, action)
            return _policy_edit_page(request, editor, spec=None)
        editor = forms.PolicyEditor(request.POST)
        spec = editor.spec()
        if spec is not None and action == "publish":
            cleaned = editor.main.cleaned_data
            try:
                version = editing.publish_edit(
                    organisation, spec, by=request.user, note=cleaned["change_note"], preset=cleaned["preset"]
                )
            except InvalidInput as error:
                editor.add_errors(error.errors)
            else:
                messages.success(
                    request,
                    _("Version %(number)d of the policy is in force for complaints received from now on.")
                    % {"number": version.number},
                )
                return redirect(_url("settings_policy", organisation))
    return _policy_edit_page(request, editor, spec)


def _policy_edit_page(request, editor, spec):
    return _page(
        request,
        "policy_edit.html",
        editor=editor,
        errors=editor.error_summary() if editor.main.is_bound else [],
        preview=editing.preview(spec, timezone.now()) if spec is not None else None,
        zone=spec.calendar.timezone if spec is not None else "",
        current=PolicyVersion.objects.current(request.organisation),
        presets=sorted(PRESETS),
    )


@require_POST
@admin_view
def policy_preview(request, organisation):
    """The preview block alone, for htmx to swap in while the form is being edited."""
    editor = forms.PolicyEditor(request.POST)
    spec = editor.spec()
    return _page(
        request,
        "_policy_preview.html",
        errors=editor.error_summary() if spec is None else [],
        preview=editing.preview(spec, timezone.now()) if spec is not None else None,
        zone=spec.calendar.timezone if spec is not None else "",
    )
