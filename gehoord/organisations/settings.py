"""What a company admin changes about their organisation (SPEC 1, 3, 10): categories and their
fields, routing, teams, staff and roles, API tokens; and the reply templates, which complaint
managers keep too (issue 15). New staff join by invitation (invitations.py).

One function per change. Each checks every value first and raises `InvalidInput` keyed by the
field at fault, then writes in one transaction, so bad input changes nothing. The desk's settings
pages (and any later door) call these functions; they never write these models themselves.
Objects are always taken within the organisation: another organisation's category, team, user or
token is `NotFound`, exactly like one that does not exist.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gehoord.organisations.models import ApiToken
from gehoord.errors import InvalidInput, NotFound
from gehoord.organisations import placeholders
from gehoord.organisations.models import (
    Category,
    CategoryField,
    FieldType,
    Membership,
    Organisation,
    ReplyTemplate,
    Role,
    Team,
)
from gehoord.organisations.patterns import pattern_problem

MAX_TEMPLATE_TEXT = 10_000
# A pattern only makes sense for the field types whose value is checked as text.
PATTERN_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.SERIAL})
MAX_CHOICE = 200


# --- Queries -------------------------------------------------------------------------------


def staff_of(organisation: Organisation) -> QuerySet:
    """The users who hold at least one role at the organisation."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def roles_of(organisation: Organisation, user) -> frozenset[str]:
    return frozenset(Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True))


def staff_with_roles(organisation: Organisation) -> list[tuple[object, list[str]]]:
    """Each staff member with their roles, in the order of `Role`."""
    order = {role: index for index, role in enumerate(Role.values)}
    roles: dict[int, list[str]] = {}
    for user_id, role in Membership.objects.filter(organisation=organisation).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(role)
    return [(user, sorted(roles.get(user.pk, []), key=order.get)) for user in staff_of(organisation)]


def category_of(organisation: Organisation, category_id: int) -> Category:
    category = organisation.categories.select_related("route_to_team", "route_to_user").filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."))
    return category


def field_of(category: Category, field_id: int) -> CategoryField:
    field = category.fields.filter(pk=field_id).first()
    if field is None:
        raise NotFound(_("No such field."))
    return field


def team_of(organisation: Organisation, team_id: int) -> Team:
    team = organisation.teams.filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("No such team."))
    return team


def staff_member_of(organisation: Organisation, user_id: int):
    user = staff_of(organisation).filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such staff member."))
    return user


def tokens_of(organisation: Organisation) -> QuerySet:
    return organisation.api_tokens.select_related("created_by").order_by("-created_at", "-pk")


# --- Categories and their fields -----------------------------------------------------------


def save_category(
    organisation: Organisation,
    *,
    name: str,
    slug: str,
    name_en: str = "",
    description: str = "",
    active: bool = True,
    position: int = 0,
    route_to_team: Team | None = None,
    route_to_user=None,
    category: Category | None = None,
) -> Category:
    """Create a category (no `category`) or change one; routing goes to a team and/or a person
    of the organisation, and a new complaint of the category starts with them."""
    if category is not None and category.organisation_id != organisation.pk:
        raise NotFound(_("No such category."))
    name, name_en, slug, description = name.strip(), name_en.strip(), slug.strip(), description.strip()
    errors: dict[str, str] = {}
    # One name is enough (a reader of the other language sees it too); both may be given.
    _check_text(errors, "name", name or name_en, 100, _("Give the category a name."))
    _check_text(errors, "name_en", name_en or name, 100, "")
    if _check_slug(errors, "slug", slug, 60):
        clash = organisation.categories.filter(slug=slug)
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            errors["slug"] = _("Another category already uses the slug %(slug)s.") % {"slug": slug}
    if position < 0:
        errors["position"] = _("The position cannot be negative.")
    if route_to_team is not None and route_to_team.organisation_id != organisation.pk:
        errors["route_to_team"] = _("Choose one of this organisation's teams.")
    if route_to_user is not None and not staff_of(organisation).filter(pk=route_to_user.pk).exists():
        errors["route_to_user"] = _("Choose a staff member of this organisation.")
    if errors:
        raise InvalidInput(errors)
    category = category or Category(organisation=organisation)
    category.name, category.name_en, category.slug, category.description = name, name_en, slug, description
    category.active, category.position = active, position
    category.route_to_team, category.route_to_user = route_to_team, route_to_user
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        # Another admin took the slug between the check and the save.
        raise InvalidInput({"slug": _("Another category already uses the slug %(slug)s.") % {"slug": slug}}) from None
    return category


def save_field(
    category: Category,
    *,
    key: str,
    label: str,
    field_type: str,
    help_text: str = "",
    required: bool = False,
    choices: Iterable[str] = (),
    pattern: str = "",
    position: int = 0,
    field: CategoryField | None = None,
) -> CategoryField:
    """Add a field to a category's form (no `field`) or change one. Values complaints already
    gave are kept under the field's key."""
    if field is not None and field.category_id != category.pk:
        raise NotFound(_("No such field."))
    key, label, help_text, pattern = key.strip(), label.strip(), help_text.strip(), pattern.strip()
    choices = [choice.strip() for choice in choices if choice.strip()]
    errors: dict[str, str] = {}
    if _check_slug(errors, "key", key, 60):
        clash = category.fields.filter(key=key)
        if field is not None:
            clash = clash.exclude(pk=field.pk)
        if clash.exists():
            errors["key"] = _("This category already has a field with the key %(key)s.") % {"key": key}
    _check_text(errors, "label", label, 100, _("Give the field a label."))
    if len(help_text) > 300:
        errors["help_text"] = _("At most %(limit)d characters.") % {"limit": 300}
    if field_type not in FieldType.values:
        errors["field_type"] = _("Choose one of the field types.")
    if field_type == FieldType.CHOICE:
        duplicates = sorted({choice for choice in choices if choices.count(choice) > 1})
        if not choices:
            errors["choices"] = _("A choice field needs at least one choice, one per line.")
        elif duplicates:
            errors["choices"] = _("Each choice once: %(choices)s appears more than once.") % {
                "choices": ", ".join(duplicates)
            }
        elif any(len(choice) > MAX_CHOICE for choice in choices):
            errors["choices"] = _("A choice is at most %(limit)d characters.") % {"limit": MAX_CHOICE}
    elif choices:
        errors["choices"] = _("Only a field of the type choice has choices; clear them or change the type.")
    if pattern:
        if field_type not in PATTERN_TYPES:
            errors["pattern"] = _("Only text and serial or order number fields can have a pattern.")
        elif problem := pattern_problem(pattern):
            errors["pattern"] = problem
    if position < 0:
        errors["position"] = _("The position cannot be negative.")
    if errors:
        raise InvalidInput(errors)
    field = field or CategoryField(category=category)
    field.key, field.label, field.help_text, field.field_type = key, label, help_text, field_type
    field.required, field.choices, field.pattern, field.position = required, choices, pattern, position
    try:
        with transaction.atomic():
            field.save()
    except IntegrityError:
        raise InvalidInput({"key": _("This category already has a field with the key %(key)s.") % {"key": key}}) from None
    return field


def remove_field(category: Category, field: CategoryField) -> None:
    """Take a field off the category's form; complaints keep the values they gave for it."""
    if field.category_id != category.pk:
        raise NotFound(_("No such field."))
    with transaction.atomic():
        field.delete()


# --- Teams ---------------------------------------------------------------------------------


def save_team(organisation: Organisation, *, name: str, members: Iterable = (), team: Team | None = None) -> Team:
    if team is not None and team.organisation_id != organisation.pk:
        raise NotFound(_("No such team."))
    name = name.strip()
    members = list(members)
    errors: dict[str, str] = {}
    if _check_text(errors, "name", name, 100, _("Give the team a name.")):
        clash = organisation.teams.filter(name=name)
        if team is not None:
            clash = clash.exclude(pk=team.pk)
        if clash.exists():
            errors["name"] = _("There is already a team called %(name)s.") % {"name": name}
    staff_ids = set(staff_of(organisation).values_list("pk", flat=True))
    if any(member.pk not in staff_ids for member in members):
        errors["members"] = _("A team's members must be staff of this organisation.")
    if errors:
        raise InvalidInput(errors)
    team = team or Team(organisation=organisation)
    team.name = name
    try:
        with transaction.atomic():
            team.save()
            team.members.set(members)
    except IntegrityError:
        raise InvalidInput({"name": _("There is already a team called %(name)s.") % {"name": name}}) from None
    return team


# --- Staff and roles -----------------------------------------------------------------------


def set_roles(organisation: Organisation, user, roles: Iterable[str]) -> frozenset[str]:
    """Make `roles` the user's roles at the organisation. The last company admin keeps theirs."""
    roles = _checked_roles(roles)
    if not roles:
        raise InvalidInput({"roles": _("Choose at least one role; to take someone off the staff, remove them.")})
    with transaction.atomic():
        _lock(organisation)
        current = roles_of(organisation, user)
        if not current:
            raise NotFound(_("No such staff member."))
        if Role.ADMIN in current and Role.ADMIN not in roles:
            _keep_an_admin(organisation, user, "roles")
        Membership.objects.filter(organisation=organisation, user=user).exclude(role__in=roles).delete()
        _grant(organisation, user, roles - current)
    return roles


def remove_staff_member(organisation: Organisation, user) -> None:
    """Take every role at the organisation from the user, take them out of its teams and off its
    categories' routing. Their complaints keep them as handler until reassigned."""
    with transaction.atomic():
        _lock(organisation)
        current = roles_of(organisation, user)
        if not current:
            raise NotFound(_("No such staff member."))
        if Role.ADMIN in current:
            _keep_an_admin(organisation, user, "__all__")
        Membership.objects.filter(organisation=organisation, user=user).delete()
        for team in organisation.teams.filter(members=user):
            team.members.remove(user)
        organisation.categories.filter(route_to_user=user).update(route_to_user=None)


def _checked_roles(roles: Iterable[str]) -> frozenset[str]:
    roles = frozenset(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise InvalidInput({"roles": _("Unknown role %(role)s.") % {"role": ", ".join(sorted(unknown))}})
    return roles


def _grant(organisation: Organisation, user, roles: Iterable[str]) -> None:
    Membership.objects.bulk_create([Membership(organisation=organisation, user=user, role=role) for role in roles])


def _lock(organisation: Organisation) -> None:
    # Role changes of one organisation take turns, so two admins demoting each other at the same
    # moment cannot leave it without an admin.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _keep_an_admin(organisation: Organisation, user, field: str) -> None:
    others = Membership.objects.filter(organisation=organisation, role=Role.ADMIN).exclude(user=user)
    if not others.exists():
        raise InvalidInput(
            {
                field: _(
                    "%(name)s is the last company admin of %(organisation)s. Make someone else a company "
                    "admin first."
                )
                % {"name": user.get_full_name() or user.get_username(), "organisation": organisation.name}
            }
        )


# --- API tokens ----------------------------------------------------------------------------


def issue_token(organisation: Organisation, *, name: str, by=None) -> tuple[ApiToken, str]:
    """A new bearer token for the organisation's API; the plaintext is returned once and never stored."""
    name = name.strip()
    errors: dict[str, str] = {}
    _check_text(errors, "name", name, 100, _("Give the token a name, e.g. the system that will use it."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        return ApiToken.issue(organisation, name, created_by=by)


def revoke_token(organisation: Organisation, token_id: int) -> ApiToken:
    """Revoke one of the organisation's tokens at once; revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = organisation.api_tokens.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise NotFound(_("No such API token."))
        if token.revoked_at is None:
            token.revoke()
    return token


# --- Reply templates ----------------------------------------------------------------------


def reply_templates_of(organisation: Organisation) -> QuerySet:
    return organisation.reply_templates.order_by("name", "id")


def reply_template_of(organisation: Organisation, template_id: int) -> ReplyTemplate:
    template = organisation.reply_templates.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No such reply template."))
    return template


def save_reply_template(
    organisation: Organisation, *, name: str, text_nl: str = "", text_en: str = "", template: ReplyTemplate | None = None
) -> ReplyTemplate:
    """Create a reply template (no `template`) or change one. It needs a name and a text in at least
    one language; a placeholder that is not one of the known ones is refused, naming it."""
    if template is not None and template.organisation_id != organisation.pk:
        raise NotFound(_("No such reply template."))
    name, text_nl, text_en = name.strip(), text_nl.strip(), text_en.strip()
    errors: dict[str, str] = {}
    if _check_text(errors, "name", name, 100, _("Give the template a name.")):
        clash = organisation.reply_templates.filter(name=name)
        if template is not None:
            clash = clash.exclude(pk=template.pk)
        if clash.exists():
            errors["name"] = _("There is already a template called %(name)s.") % {"name": name}
    if not text_nl and not text_en:
        errors["text_nl"] = _("Write the text in Dutch, in English or in both.")
    for field, text in (("text_nl", text_nl), ("text_en", text_en)):
        if len(text) > MAX_TEMPLATE_TEXT:
            errors[field] = _("At most %(limit)d characters.") % {"limit": MAX_TEMPLATE_TEXT}
        elif unknown := placeholders.unknown(text):
            errors[field] = _("Unknown placeholder %(unknown)s. Use %(known)s.") % {
                "unknown": ", ".join(unknown),
                "known": ", ".join(f"{{{key}}}" for key in placeholders.KEYS),
            }
    if errors:
        raise InvalidInput(errors)
    template = template or ReplyTemplate(organisation=organisation)
    template.name, template.text_nl, template.text_en = name, text_nl, text_en
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise InvalidInput({"name": _("There is already a template called %(name)s.") % {"name": name}}) from None
    return template


def remove_reply_template(organisation: Organisation, template_id: int) -> ReplyTemplate:
    with transaction.atomic():
        template = reply_template_of(organisation, template_id)
        template.delete()
    return template


# --- Checks --------------------------------------------------------------------------------


def _check_text(errors: dict[str, str], field: str, value: str, limit: int, missing: str) -> bool:
    if not value:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    else:
        return True
    return False


def _check_slug(errors: dict[str, str], field: str, value: str, limit: int) -> bool:
    if not value:
        errors[field] = _("This field is required.")
        return False
    try:
        validate_slug(value)
    except ValidationError:
        errors[field] = _("Use only letters, digits, hyphens and underscores (no spaces).")
        return False
    if len(value) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
        return False
    return True
