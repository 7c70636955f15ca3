"""Forms of the staff desk. They parse and validate what was typed into the values an action takes;
they never save or send: the view hands `arguments()` to the one action in complaints/actions.py.

Each action form knows how to place the action's own `InvalidInput` errors on its fields, so a
refused value is shown next to the input that holds it, with everything typed kept.
"""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gehoord.complaints import actions, bulk, selection
from gehoord.complaints.forms import ComplaintFormBase, DomainErrorsForm, MultipleFileField, as_upload
from gehoord.complaints.models import Channel, Outcome, Resolution, Stage, Status
from gehoord.desk import queries
from gehoord.organisations.models import Language, Role
from gehoord.platform.models import Report
from gehoord.platform.reports import MAX_DETAILS
from gehoord.policies.models import DEADLINE_KIND_LABELS

TEXT_LIMIT = actions.MAX_TEXT
REASON_LIMIT = 2000


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed (datetime-local), read in the organisation's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def __init__(self, *args, zone: ZoneInfo | None = None, **kwargs):
        kwargs.setdefault("input_formats", self.input_formats)
        super().__init__(*args, **kwargs)
        self.zone = zone

    def to_python(self, value):
        # Django reads a typed time in the current time zone (and refuses one that a DST change
        # skips or repeats); make that the organisation's, whatever the request's is.
        with timezone.override(self.zone or timezone.get_current_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value) and self.zone:
            value = timezone.localtime(value, self.zone)
        return super().prepare_value(value)


def _text(label, *, required=True, limit=TEXT_LIMIT, rows=4, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label, *, required=True, limit=200, help_text=""):
    return forms.CharField(label=label, required=required, max_length=limit, help_text=help_text)


# --- the queue ---------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The query string of the queue. A value that is not one of the choices is named and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Reference, description, name, e-mail, phone, order number or product."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)
    handler = forms.ChoiceField(label=_("Handler"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any")),
            (selection.OVERDUE, _("Overdue")),
            (selection.SOON, _("Due within 2 days")),
        ],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("Nearest deadline first")), (selection.BY_RECEIVED, _("Newest first"))],
    )
    mine = forms.BooleanField(label=_("Only my complaints"), required=False)

    def __init__(self, *args, categories=(), staff=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Open")),
            (selection.ALL, _("All")),
            *Status.choices,
        ]
        self.fields["stage"].choices = [("", _("Any")), *Stage.choices]
        self.fields["category"].choices = [("", _("Any")), *[(c.slug, c.local_name) for c in categories]]
        self.fields["handler"].choices = [
            ("", _("Anyone")),
            (selection.UNASSIGNED, _("Nobody yet")),
            *[(str(user.pk), user.get_full_name() or user.get_username()) for user in staff],
        ]
        self.fields["channel"].choices = [("", _("Any")), *Channel.choices]

    def chosen(self, user) -> selection.Selection:
        """The valid part of the query string as the queue's selection (invalid values are left out)."""
        self.is_valid()
        data = self.cleaned_data
        handler = data.get("handler") or None
        if handler and handler != selection.UNASSIGNED:
            handler = int(handler)
        if data.get("mine"):
            handler = user.pk
        return selection.Selection(
            status=data.get("status") or selection.OPEN,
            stage=data.get("stage"),
            category=data.get("category") or "",
            handler=handler,
            channel=data.get("channel") or "",
            due=data.get("due") or "",
            q=data.get("q") or "",
            order=data.get("order") or selection.BY_DEADLINE,
        )


# --- lifecycle actions -------------------------------------------------------------------------


class ActionForm(DomainErrorsForm):
    """The parameters of one action of the lifecycle's registry, for one complaint and one member of staff."""

    action: str = ""
    title = ""
    submit = ""
    done = ""
    danger = False

    def __init__(self, *args, complaint, actor, **kwargs):
        kwargs.setdefault("prefix", self.action)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.actor = actor

    # The text box a reply template can be inserted into, if the action has one.
    reply_field = ""

    def arguments(self) -> dict:
        """The keyword arguments of the action: by default each field's cleaned value under its name."""
        return {name: self.cleaned_data[name] for name in self.fields}

    @property
    def reply_box(self):
        return self[self.reply_field] if self.reply_field else None



class AcknowledgeForm(ActionForm):
    action = "acknowledge"
    title = _("Acknowledge")
    submit = _("Send the acknowledgement")
    done = _("The acknowledgement was sent.")


class StartForm(ActionForm):
    action = "start"
    title = _("Start the investigation")
    submit = _("Start the investigation")
    done = _("The investigation has started.")


class AssignForm(ActionForm):
    action = "assign"
    title = _("Assign")
    submit = _("Assign")
    done = _("The complaint was assigned.")

    handler = forms.ChoiceField(label=_("Handler"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if Role.MANAGER in self.actor.roles:
            self.staff = {user.pk: user for user in queries.staff_of(self.complaint.organisation)}
        else:
            # Only a complaint manager assigns others; anyone handling the stage may take it on.
            self.staff = {self.actor.user.pk: self.actor.user}
            self.submit = _("Take this complaint")
        self.fields["handler"].choices = [
            (str(pk), user.get_full_name() or user.get_username()) for pk, user in self.staff.items()
        ]
        if self.complaint.handler_id in self.staff:
            self.fields["handler"].initial = str(self.complaint.handler_id)

    def arguments(self) -> dict:
        return {"handler": self.staff[int(self.cleaned_data["handler"])]}


class SetCategoryForm(ActionForm):
    action = "set_category"
    title = _("Set the category")
    submit = _("Set the category")
    done = _("The category was set.")

    category = forms.ChoiceField(
        label=_("Category"),
        help_text=_("Its routing applies; the fields it requires and the complaint lacks are asked of the consumer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.slug, c.local_name) for c in queries.categories_of(self.complaint.organisation) if c.pk != self.complaint.category_id]
        self.fields["category"].choices = [("", _("Choose…")), *choices]


class AskInfoForm(ActionForm):
    action = "ask_info"
    title = _("Ask for information")
    submit = _("Send the question")
    done = _("The question was sent to the consumer.")
    reply_field = "question"

    question = _text(_("Question to the consumer"), help_text=_("The consumer receives this by e-mail."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the category requires and the complaint lacks, asked in the consumer's language.
        if missing := actions.missing_fields(self.complaint):
            self.fields["question"].initial = actions.missing_fields_question(self.complaint, missing)


class InfoReceivedForm(ActionForm):
    action = "info_received"
    title = _("Record the consumer's answer")
    submit = _("Record the answer")
    done = _("The answer was recorded and the investigation continues.")

    answer = _text(
        _("What the consumer told us"),
        required=False,
        help_text=_("For an answer by phone or letter; kept as an internal note."),
    )


class ProposeResolutionForm(ActionForm):
    action = "propose_resolution"
    title = _("Propose a resolution")
    submit = _("Send the proposal")
    done = _("The proposal was sent to the consumer.")
    reply_field = "text"

    kinds = forms.MultipleChoiceField(
        label=_("Types"), choices=Resolution.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    refund_amount = forms.DecimalField(
        label=_("Refund amount"), required=False, min_value=0, max_digits=10, decimal_places=2,
        help_text=_("Needed for a refund."),
    )
    compensation_amount = forms.DecimalField(
        label=_("Credit or compensation amount"), required=False, min_value=0, max_digits=10, decimal_places=2,
        help_text=_("Needed for credit or compensation."),
    )
    text = _text(_("The proposal, as the consumer will read it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = self.complaint.organisation.currency
        self.fields["refund_amount"].label = _("Refund amount (%(currency)s)") % {"currency": currency}
        self.fields["compensation_amount"].label = _("Credit or compensation amount (%(currency)s)") % {
            "currency": currency
        }

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kinds": data["kinds"],
            "text": data["text"],
            "refund_amount": data["refund_amount"],
            "compensation_amount": data["compensation_amount"],
        }


class EscalateForm(ActionForm):
    action = "escalate"
    title = _("Escalate")
    submit = _("Escalate to the next stage")
    done = _("The complaint was escalated.")

    reason = _text(_("Reason"), required=False, limit=TEXT_LIMIT, rows=3)


class LetterFields(forms.Form):
    """The outcome letter of seeds 001 and 003."""

    actions_taken = _text(_("Actions taken to investigate"), required=False)
    conclusions = _text(_("Conclusions"), required=False)
    changes = _text(_("Actions taken or process changes"), required=False)
    letter_decision = _text(_("Decision, as the letter states it"), required=False)

    letter_error_aliases = {
        "letter.actions_taken": "actions_taken",
        "letter.conclusions": "conclusions",
        "letter.changes": "changes",
        "letter.decision": "letter_decision",
        "letter": "actions_taken",
    }

    def letter(self) -> actions.LetterInput:
        data = self.cleaned_data
        return actions.LetterInput(
            actions_taken=data["actions_taken"],
            conclusions=data["conclusions"],
            decision=data["letter_decision"],
            changes=data["changes"],
        )

    def letter_written(self) -> bool:
        names = ("actions_taken", "conclusions", "changes", "letter_decision")
        return any(self.cleaned_data.get(name) for name in names)


class DecideForm(ActionForm, LetterFields):
    action = "decide"
    title = _("Decide")
    submit = _("Send the decision")
    done = _("The decision was sent and the complaint is closed.")
    error_aliases = LetterFields.letter_error_aliases

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(o.value, o.label) for o in (Outcome.UPHELD, Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD)],
        help_text=_("Unless the complaint is upheld, the outcome letter below is required."),
    )
    field_order = ["decision", "actions_taken", "conclusions", "changes", "letter_decision"]

    def arguments(self) -> dict:
        decision = self.cleaned_data["decision"]
        written = self.letter_written() or decision != Outcome.UPHELD
        return {"decision": decision, "letter": self.letter() if written else None}


class CloseForm(ActionForm, LetterFields):
    action = "close"
    title = _("Close")
    submit = _("Close the complaint")
    done = _("The complaint was closed.")
    error_aliases = LetterFields.letter_error_aliases

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in (Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD)],
        help_text=_("A complaint that is not resolved is closed with an outcome letter."),
    )
    field_order = ["outcome", "actions_taken", "conclusions", "changes", "letter_decision"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_letter = self.complaint.status != Status.RESOLVED
        if self.with_letter:
            self.title = _("Close with an outcome letter")
        else:
            # The consumer accepted the resolution: nothing more to write.
            for name in self.field_order:
                del self.fields[name]

    def arguments(self) -> dict:
        if not self.with_letter:
            return {}
        return {"outcome": self.cleaned_data["outcome"], "letter": self.letter()}


class ReferForm(ActionForm):
    action = "refer"
    title = _("Refer to an external body")
    submit = _("Refer")
    done = _("The complaint was referred.")
    error_aliases = {"body": "other"}

    body = forms.ChoiceField(label=_("External body"), required=False)
    other = _line(_("Another body"), required=False, help_text=_("Only when the body is not in the list."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = [str(body.name) for body in self.complaint.policy.spec.external_bodies]
        if bodies:
            self.fields["body"].choices = [("", _("Choose…")), *[(name, name) for name in bodies]]
            self.error_aliases = {"body": "body"}
        else:
            del self.fields["body"]
            self.fields["other"].label = _("Referred to")
            self.fields["other"].required = True
            self.fields["other"].help_text = ""

    def clean(self):
        data = super().clean()
        if "body" in self.fields and not data.get("body") and not data.get("other"):
            self.add_error("body", _("Choose the body, or name another one."))
        return data

    def arguments(self) -> dict:
        return {"body": self.cleaned_data.get("other") or self.cleaned_data.get("body")}


class ExtendDeadlineForm(ActionForm):
    action = "extend_deadline"
    title = _("Extend a deadline")
    submit = _("Extend the deadline")
    done = _("The deadline was extended and the consumer told why.")
    error_aliases = {"kind": "deadline"}

    deadline = forms.ChoiceField(label=_("Deadline"))
    due_at = LocalDateTimeField(label=_("New due date and time"))
    reason = _text(_("Reason, as the consumer will read it"), limit=REASON_LIMIT, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = ZoneInfo(self.complaint.organisation.time_zone)
        self.fields["due_at"].zone = zone
        self.fields["due_at"].help_text = _("In the organisation's time zone, %(zone)s.") % {"zone": zone.key}
        # The action moves the current stage's pending deadline of the chosen kind.
        pending = [
            deadline
            for deadline in self.complaint.deadlines.all()
            if deadline.stage == self.complaint.stage and deadline.met_at is None and deadline.cancelled_at is None
        ]
        self.fields["deadline"].choices = [
            (
                deadline.kind,
                _("%(kind)s, due %(due)s")
                % {
                    "kind": DEADLINE_KIND_LABELS.get(deadline.kind, deadline.kind),
                    "due": timezone.localtime(deadline.due_at, zone).strftime("%Y-%m-%d %H:%M"),
                },
            )
            for deadline in pending
        ]

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["deadline"], "due_at": data["due_at"], "reason": data["reason"]}


class WithdrawForm(ActionForm):
    action = "withdraw"
    title = _("Withdraw")
    submit = _("Withdraw the complaint")
    done = _("The complaint was withdrawn.")
    danger = True

    reason = _text(_("Reason"), required=False, rows=2)


class RejectAsSpamForm(ActionForm):
    action = "reject_as_spam"
    title = _("Mark as spam")
    submit = _("Reject as spam or abuse")
    done = _("The complaint was rejected as spam.")
    danger = True

    reason = _text(_("Reason"), limit=REASON_LIMIT, rows=2)


class ReportComplaintForm(ActionForm):
    """A connected company reports its published platform complaint to the moderators (platform/reports.py)."""

    action = "report"
    title = _("Report to the moderators")
    submit = _("Report the complaint")
    done = _("The complaint was reported to the moderators; you are told their decision by e-mail.")

    reason = forms.ChoiceField(label=_("Why do you report this complaint?"), choices=Report.Reason.choices)
    details = _text(_("Explain (for the moderators)"), required=False, limit=MAX_DETAILS, rows=3)


# The staff forms of the lifecycle actions, in the order the complaint page offers them. The
# consumer's own actions (accept, reject) have no desk form.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcknowledgeForm,
        AssignForm,
        SetCategoryForm,
        StartForm,
        AskInfoForm,
        InfoReceivedForm,
        ProposeResolutionForm,
        DecideForm,
        CloseForm,
        EscalateForm,
        ExtendDeadlineForm,
        ReferForm,
        WithdrawForm,
        RejectAsSpamForm,
        ReportComplaintForm,
    )
}


# --- messages and notes ------------------------------------------------------------------------


class MessageForm(DomainErrorsForm):
    """A message to the consumer, or (internal) a note only staff see."""

    body = _text(_("Message"), required=False, rows=5)
    attachments = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, internal: bool = False, **kwargs):
        self.internal = internal
        kwargs.setdefault("prefix", "note" if internal else "message")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if internal:
            self.fields["body"].label = _("Note")
            self.fields["body"].help_text = _("Only staff see notes.")
        else:
            self.fields["body"].help_text = _("The consumer receives this by e-mail.")

    @property
    def title(self):
        return _("Add a note") if self.internal else _("Message the consumer")

    @property
    def reply_box(self):
        """Where a reply template goes: the message to the consumer (a note is not a reply)."""
        return None if self.internal else self["body"]

    @property
    def submit(self):
        return _("Save the note") if self.internal else _("Send the message")

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            self.add_error("body", _("Write something or add a file."))
        return data

    def arguments(self) -> dict:
        return {
            "body": self.cleaned_data["body"],
            "internal": self.internal,
            "uploads": [as_upload(uploaded) for uploaded in self.cleaned_data["attachments"]],
        }

    def field_name_for(self, key: str) -> str | None:
        return super().field_name_for("attachments" if key.startswith("attachments") else key)


# --- bulk actions on the queue -----------------------------------------------------------------


class ReferencesField(forms.MultipleChoiceField):
    """The references ticked in the queue: any text, as a reference may be an order number; the
    bulk action itself looks each one up within the organisation."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value) -> bool:
        return True


class BulkActionForm(forms.Form):
    """One action for the complaints ticked on a page of the queue (complaints/bulk.py runs it)."""

    complaint = ReferencesField(label=_("Complaints"), error_messages={"required": _("Choose at least one complaint.")})
    action = forms.ChoiceField(label=_("Action for the chosen complaints"), choices=list(bulk.LABELS.items()))
    handler = forms.ChoiceField(label=_("Handler"), required=False, help_text=_("For “Assign”."))
    text = forms.CharField(
        label=_("Note or reason"),
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The note to add, or why the complaints are spam."),
    )
    # The queue's query string, to go back to the same filters and page.
    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, staff=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.staff = {user.pk: user for user in staff}
        self.fields["handler"].choices = [
            ("", "—"),
            *[(str(pk), user.get_full_name() or user.get_username()) for pk, user in self.staff.items()],
        ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == bulk.ASSIGN and not data.get("handler"):
            self.add_error("handler", _("Choose whom to assign the complaints to."))
        if action in (bulk.NOTE, bulk.REJECT_AS_SPAM) and not (data.get("text") or "").strip():
            self.add_error(
                "text", _("Write the note.") if action == bulk.NOTE else _("Say why the complaints are spam.")
            )
        return data

    def arguments(self) -> dict:
        data = self.cleaned_data
        handler = self.staff[int(data["handler"])] if data["action"] == bulk.ASSIGN else None
        return {"references": data["complaint"], "action": data["action"], "handler": handler, "text": data["text"]}

    def back_query(self) -> str:
        """The queue's query string as posted, parsed and written again (never a raw value in a URL)."""
        return QueryDict(self.data.get("back", "")).urlencode()


# --- phone and letter intake -------------------------------------------------------------------


class IntakeForm(ComplaintFormBase):
    """A complaint taken by phone or letter (complaints/forms.py has the fields and checks): staff say
    how it came, and a phone number will do where the consumer gave no e-mail address."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.LETTER, Channel.LETTER.label)],
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
    )
    attachments = MultipleFileField(
        label=_("Files"), required=False, help_text=_("Photos, videos or PDFs, e.g. a scanned letter.")
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"), required=False, help_text=_("Optional when a phone number is given.")
    )
    contact_language = forms.ChoiceField(label=_("Language of the consumer"), choices=Language.choices)

    field_order = ["channel"]

    def __init__(self, organisation, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(organisation, *args, **kwargs)
        self.fields["contact_language"].initial = organisation.language

    def clean(self):
        data = super().clean()
        if not data.get("contact_email") and not (data.get("contact_phone") or "").strip():
            if "contact_email" not in self.errors:
                self.add_error("contact_phone", _("Give a phone number or an e-mail address."))
        return data


class NewAccountForm(DomainErrorsForm):
    """The account an invitee makes on accepting: the invited address is its login, they choose the rest."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        values = super().clean()
        if values.get("password") and values.get("password_again") not in (None, values["password"]):
            self.add_error("password_again", _("The two passwords differ."))
        return values

    def arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("first_name", "last_name", "password")}
