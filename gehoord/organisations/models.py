import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gehoord.organisations import registry_keys
from gehoord.organisations.patterns import MAX_PATTERN_LENGTH, validate_pattern


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Language(models.TextChoices):
    DUTCH = "nl", "Nederlands"
    ENGLISH = "en", "English"


class OrganisationQuerySet(models.QuerySet):
    def in_registry(self) -> "OrganisationQuerySet":
        """The companies the public platform lists: every entry not merged into another."""
        return self.filter(merged_into__isnull=True)

    def connected(self) -> "OrganisationQuerySet":
        return self.filter(connected=True)


class Organisation(models.Model):
    """A company in the registry (SPEC 8). A *connected* company is a tenant: its staff work its
    complaints in the desk under its own policy. An *e-mail-only* company has only its entry: its
    complaints are mailed to its complaint address and it answers by reply. Claiming its entry
    makes it connected; its complaints and history stay where they are."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    registration_number = models.CharField(
        _("registration number"), max_length=40, blank=True, help_text=_("KvK or KBO number")
    )
    complaint_email = models.EmailField(_("complaint e-mail address"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.DUTCH)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    created_at = models.DateTimeField(auto_now_add=True)
    connected = models.BooleanField(
        _("connected"), default=False, help_text=_("Its staff handle its complaints in the desk.")
    )
    # A moderator or the company itself confirmed the entry; one a consumer added is not, until then.
    verified = models.BooleanField(_("verified"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("added by"),
    )
    # A duplicate entry a moderator merged: its complaints moved to the entry it names.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name=_("merged into")
    )
    # The registry's search keys (organisations/registry_keys.py), kept by save() from the fields above.
    search_name = models.CharField(max_length=200, db_default="", editable=False)
    search_registry_id = models.CharField(max_length=40, db_default="", editable=False)
    search_host = models.CharField(max_length=253, db_default="", editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["registration_number"], name="organisation_registration"),
            models.Index(fields=["website"], name="organisation_website"),
            models.Index(fields=["search_registry_id"], name="organisation_search_id"),
            models.Index(fields=["search_host"], name="organisation_search_host"),
            # On PostgreSQL search_name is in the "C" collation, so this index serves "starts with" and
            # name order; a trigram index serves "contains" (migration 0006).
            models.Index(fields=["search_name"], name="organisation_search_name"),
        ]

    def __str__(self) -> str:
        return self.name

    _SEARCH_KEYS = {
        "name": "search_name", "registration_number": "search_registry_id", "website": "search_host",
    }

    def fill_search_keys(self) -> None:
        """Set the search keys from the fields they come from (save does; call it before bulk_create)."""
        self.search_name = registry_keys.fold_name(self.name)
        self.search_registry_id = registry_keys.registry_key(self.registration_number)
        self.search_host = registry_keys.web_host(self.website)

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A save of some fields also saves the search keys they feed.
            kwargs["update_fields"] = {*update_fields, *(self._SEARCH_KEYS[f] for f in update_fields if f in self._SEARCH_KEYS)}
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    AGENT = "agent", _("agent")
    MANAGER = "manager", _("complaint manager")
    BOARD = "board", _("board member")
    ADMIN = "admin", _("company admin")


class MembershipQuerySet(models.QuerySet):
    def of(self, user) -> "MembershipQuerySet":
        return self.filter(user=user)


class Membership(models.Model):
    """One role of one user at one organisation; a person may hold several roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_role_once_per_org"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class Team(models.Model):
    """A group of staff that categories can route complaints to (e.g. service team, technical team)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(_("slug"), max_length=60)
    # A name per language; a reader sees their own, else the other one (`local_name`).
    name = models.CharField(_("name in Dutch"), max_length=100, blank=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    route_to_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("route to team")
    )
    route_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("route to person"),
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="category_slug_unique_per_org")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language, else the one it has."""
        if (translation.get_language() or "").startswith("en"):
            return self.name_en or self.name
        return self.name or self.name_en


class FieldType(models.TextChoices):
    TEXT = "text", _("text")
    LONG_TEXT = "long_text", _("long text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")
    SERIAL = "serial", _("serial or order number")
    FILE = "file", _("file")


class CategoryField(models.Model):
    """A field that a complaint of this category asks for, on top of the common ones."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=100)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    pattern = models.CharField(
        _("pattern"),
        max_length=MAX_PATTERN_LENGTH,
        blank=True,
        help_text=_("A regular expression the value must match"),
        validators=[validate_pattern],
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="field_key_unique_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.label}"


class ReplyTemplate(models.Model):
    """A text staff insert into a message, a request for information or a proposal ("macro"), in
    Dutch and in English, with placeholders (organisations/placeholders.py) filled per complaint."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reply_templates")
    name = models.CharField(_("name"), max_length=100)
    text_nl = models.TextField(_("text in Dutch"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="reply_template_name_unique_per_org")
        ]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name

    def text_in(self, language: str) -> str:
        """The text in `language`, or in the other language when this one is left empty."""
        texts = {Language.DUTCH: self.text_nl, Language.ENGLISH: self.text_en}
        return texts.get(language) or self.text_nl or self.text_en


TOKEN_PREFIX = "ghd_"


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, plaintext: str) -> "ApiToken | None":
        if not plaintext.startswith(TOKEN_PREFIX):
            return None
        # The digest is unique: one row or none, no ordering to compile.
        found = self.active().select_related("organisation").filter(digest=token_digest(plaintext)).order_by()[:1]
        return next(iter(found), None)


class ApiToken(models.Model):
    """A bearer token of one organisation. Only its SHA-256 is stored; the token is shown once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters, to tell tokens apart in lists and to revoke one by it.
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved here from the API app.
        db_table = "api_apitoken"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, organisation: Organisation, name: str, created_by=None) -> tuple["ApiToken", str]:
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organisation=organisation,
            name=name,
            prefix=plaintext[: len(TOKEN_PREFIX) + 8],
            digest=token_digest(plaintext),
            created_by=created_by,
        )
        return token, plaintext

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None) -> "InvitationQuerySet":
        """Neither accepted nor revoked, and not yet expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An invitation to join an organisation's staff with some roles, sent to one e-mail address.

    Only the SHA-256 of its token is stored: the token travels once, in the link of the mail, and
    the link works once, until `expires_at`.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    roles = models.JSONField(_("roles"), default=list)
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "email"], name="invitation_org_email")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class PlatformRole(models.TextChoices):
    """Roles at the platform itself (SPEC 1), not at one organisation."""

    MODERATOR = "moderator", _("moderator")
    LEGAL_ADVISOR = "legal_advisor", _("legal advisor")


class PlatformMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_roles")
    role = models.CharField(_("role"), max_length=20, choices=PlatformRole)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="platform_role_once")]
        verbose_name = _("platform role")
        verbose_name_plural = _("platform roles")


class ConsumerAccount(models.Model):
    """A consumer's account on the platform: their complaints at any company, in their language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consumer_account")
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.DUTCH)
    # Subscribers of the consumer organisation may hand a dossier to its legal-aid service.
    subscriber = models.BooleanField(_("subscriber"), default=False)
    email_verified_at = models.DateTimeField(_("e-mail address verified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consumer account")
        verbose_name_plural = _("consumer accounts")
