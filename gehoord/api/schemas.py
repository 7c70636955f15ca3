"""The shapes of the JSON API. Schemas validate and describe; they never save or send."""

import datetime
import re
import sys
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WrapValidator, field_validator
from pydantic_core import PydanticCustomError
from pydantic_core import ValidationError as PydanticValidationError

from gehoord.complaints.actions import MAX_TEXT
from gehoord.complaints.intake import MAX_DESCRIPTION
from gehoord.complaints.models import Resolution
from gehoord.policies.rules import DeadlineKind


# A NUL character (PostgreSQL refuses it) or a lone surrogate (not UTF-8); one scan, not a Python loop per character.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value) -> bool:
    """Text no database can hold: a NUL character (PostgreSQL refuses it) or a lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(unstorable(item) for item in value)
    return False


class Clean(Schema):
    """Input a database can store; otherwise the client gets a 422 instead of a 500 from the database."""

    @field_validator("*", mode="after")
    @classmethod
    def refuse_unstorable_text(cls, value):
        # Nested schemas are Clean themselves and have been checked, naming their own fields.
        if unstorable(value):
            raise PydanticCustomError("unstorable_text", "NUL characters and lone surrogates are not allowed.")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # The document says what refuse_unstorable_text refuses (a lone surrogate cannot be sent as UTF-8).
        schema = handler.resolve_ref_schema(handler(core_schema))
        for field in schema.get("properties", {}).values():
            _without_nul(field)
        return schema


NO_NUL = "^[^\x00]*$"


def _without_nul(schema: dict) -> None:
    """Mark each text in a field's schema as free of NUL (a required text's pattern gets the rule too)."""
    for branch in schema.get("anyOf", []):
        _without_nul(branch)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _without_nul(schema[key])
    if schema.get("type") != "string" or "enum" in schema or "const" in schema or "format" in schema:
        return
    if schema.get("pattern") == NOT_BLANK:
        schema["pattern"] = f"^[^\x00]*{NOT_BLANK[:-1]}\x00][^\x00]*$"
    schema.setdefault("pattern", NO_NUL)


class Strict(Clean):
    # An unknown field is a mistake the client wants to hear about, not something to drop silently.
    model_config = ConfigDict(extra="forbid")


def _one_problem_per_value(value, handler):
    # Without this a union reports one error per member ("fields.x.str", "fields.x.int", ...)
    # instead of one error keyed by the field itself.
    try:
        return handler(value)
    except PydanticValidationError:
        raise PydanticCustomError("field_value", "Give a text, a number or null.") from None


FieldValue = Annotated[str | int | float | None, WrapValidator(_one_problem_per_value)]

# The domain strips what Python calls white space (str.strip) before it checks that a text is given;
# the schema says the same: a required text holds at least one other character.
_WHITE_SPACE = "".join(char for char in map(chr, range(sys.maxunicode + 1)) if char.isspace())
NOT_BLANK = f"[^{_WHITE_SPACE}]"


def text(limit: int = MAX_TEXT, **field):
    """An optional text of at most `limit` characters."""
    return Field("", max_length=limit, **field)


def _given(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "This field is required.")
    return value


def required_text(limit: int = MAX_TEXT):
    """The type of a text that must be given, with more than white space, of at most `limit` characters."""
    return Annotated[str, Field(max_length=limit, json_schema_extra={"pattern": NOT_BLANK}), AfterValidator(_given)]


RequiredText = required_text()
RequiredLine = required_text(200)
RequiredReason = required_text(2000)
Description = required_text(MAX_DESCRIPTION)


def _amount(value, handler):
    # A whole number or a decimal text: a JSON fraction (12.5) is a binary float, never exactly cents.
    try:
        return handler(value)
    except PydanticValidationError:
        raise PydanticCustomError("amount", "Give a whole number, or a text such as \"12.50\" (at most two decimals).") from None


Amount = Annotated[
    Annotated[int, Field(ge=0, lt=100_000_000)] | Annotated[str, Field(pattern=r"^[0-9]{1,8}(\.[0-9]{1,2})?$")],
    WrapValidator(_amount),
]

EARLIEST = datetime.datetime(2, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9998, 12, 31, tzinfo=datetime.UTC)


def _instant(value) -> datetime.datetime:
    # Not pydantic's own parsing: it reads a number (or a text such as "0.5") as a Unix time.
    try:
        instant = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("instant", "Give an ISO 8601 date and time, e.g. 2025-03-01T09:00:00+01:00.") from None
    if instant.tzinfo is None:
        raise PydanticCustomError("instant_without_offset", "Give the time zone too, e.g. Z or +01:00.")
    # Outside these years an instant cannot be shifted to UTC; no complaint is received there anyway.
    return min(max(instant, EARLIEST), LATEST)


Instant = Annotated[datetime.datetime, BeforeValidator(_instant)]


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable error code")
    message: str
    errors: dict[str, str] = Field(default_factory=dict, description="Field name → what is wrong with it")


class UploadIn(Strict):
    filename: str = Field(max_length=255)
    content_base64: str = Field(
        description="The file's bytes, base64-encoded",
        pattern=r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    )
    field: str = Field("", description="Key of the category's file field this upload answers, if any")


class ComplaintIn(Strict):
    description: Description
    contact_name: RequiredLine
    contact_email: str = text(254, description="Required, except for a phone or letter complaint with a phone number")
    contact_phone: str = text(40)
    contact_language: Literal["nl", "en"] = "nl"
    category: str = Field("", description="Category slug; required when the organisation has categories")
    fields: dict[str, FieldValue] = Field(default_factory=dict, description="The category's own fields")
    order_number: str = text(64, description="Required where the order number is the complaint's reference")
    product: str = text(200)
    purchase_date: datetime.date | None = None
    desired_solution: str = text()
    visibility: Literal["private", "public"] = "private"
    channel: Literal["api", "phone", "letter", "web", "email"] = Field(
        "api", description="How the complaint reached the organisation; staff intake uses phone or letter"
    )
    attachments: list[UploadIn] = Field(default_factory=list, max_length=10)

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                # An address to follow the complaint; one taken by phone or letter may give a phone number instead.
                {
                    "if": {"required": ["channel"], "properties": {"channel": {"enum": ["phone", "letter"]}}},
                    "then": {"anyOf": [
                        {"required": ["contact_email"], "properties": {"contact_email": {"pattern": NOT_BLANK}}},
                        {"required": ["contact_phone"], "properties": {"contact_phone": {"pattern": NOT_BLANK}}},
                    ]},
                    "else": {"required": ["contact_email"], "properties": {"contact_email": {"pattern": NOT_BLANK}}},
                },
                # An address, where one is given, is an e-mail address.
                {
                    "if": {"properties": {"contact_email": {"pattern": NOT_BLANK}}},
                    "then": {"properties": {"contact_email": {"format": "email"}}},
                },
            ]
        }
    )


class ComplaintSummary(Schema):
    reference: str
    internal_id: str
    status: str
    stage: int
    channel: str
    category: str | None
    handler: str | None
    contact_name: str
    order_number: str
    received_at: datetime.datetime
    updated_at: datetime.datetime
    next_deadline_at: datetime.datetime | None = Field(None, description="The nearest running deadline")


class ComplaintList(Schema):
    items: list[ComplaintSummary]
    count: int | None = Field(
        description="How many complaints match; null with q: a text search is not counted, as counting every "
        "match of a common word costs far more than finding the page (see has_more)"
    )
    has_more: bool = Field(description="Whether there are complaints after this page")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    field: str


class ResolutionOut(Schema):
    kinds: list[str]
    text: str
    refund_amount: Decimal | None
    compensation_amount: Decimal | None
    proposed_at: datetime.datetime
    response: str
    responded_at: datetime.datetime | None


class LetterIn(Strict):
    actions_taken: RequiredText = Field(description="What was done to investigate")
    conclusions: RequiredText
    changes: str = text(description="Action taken or process changes made because of the complaint")
    decision: RequiredText


class LetterOut(LetterIn):
    stage: int
    written_at: datetime.datetime


class FeedbackIn(Strict):
    resolved: bool
    satisfaction: int | None = Field(None, ge=1, le=5)
    comment: str = text()


class ComplaintDetail(ComplaintSummary):
    description: str
    fields: dict
    product: str
    purchase_date: datetime.date | None
    desired_solution: str
    contact_email: str
    contact_phone: str
    contact_language: str
    visibility: str
    outcome: str
    referred_to: str
    acknowledged_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    feedback: FeedbackIn | None
    attachments: list[AttachmentOut]
    resolutions: list[ResolutionOut]
    outcome_letters: list[LetterOut]
    allowed_actions: list[str] = Field(description="Actions this token may run now")


class EventOut(Schema):
    kind: str = Field(description="One of the event kinds; the payload keys of each are fixed")
    label: str = Field(description="What the timeline calls it, in the language asked for (Accept-Language)")
    at: datetime.datetime
    actor: str
    actor_kind: str
    consumer_visible: bool
    data: dict = Field(description="The kind's payload; instants in UTC, ISO 8601")
    message: str | None = Field(None, description="The text, for events about a message or note")


class ComplaintWithTimeline(ComplaintDetail):
    timeline: list[EventOut] | None = Field(
        None, description="The timeline, oldest first, as GET …/timeline answers it: only with include=timeline"
    )


class MessageIn(Strict):
    body: str = text(description="The message; required unless files are attached")
    internal: bool = Field(False, description="An internal note, never shown to the consumer")
    on_behalf_of_consumer: bool = Field(
        False, description="Relay a message the consumer gave the organisation (e.g. through its own site)"
    )
    attachments: list[UploadIn] = Field(default_factory=list, max_length=10)

    model_config = ConfigDict(
        json_schema_extra={
            # Without files the body is the message, and a message says something.
            "if": {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
            "else": {"required": ["body"], "properties": {"body": {"pattern": NOT_BLANK}}},
        }
    )


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


# The body of each lifecycle action: exactly the parameters the action declares (complaints/lifecycle.py),
# plus `on_behalf_of_consumer` where the consumer may run it.


class NoParameters(Strict):
    pass


class ConsumerRelay(Strict):
    on_behalf_of_consumer: bool = Field(
        False, description="Run the action as the consumer, relayed by the organisation (e.g. from its own site)"
    )


class AssignIn(Strict):
    handler: str = Field(description="The username of a staff member of the organisation")


class SetCategoryIn(Strict):
    category: RequiredLine = Field(description="The slug of one of the organisation's active categories")


class AskInfoIn(Strict):
    question: RequiredText = Field(description="What the consumer is asked")


class InfoReceivedIn(ConsumerRelay):
    answer: str = text(description="The consumer's answer; required when relayed for the consumer")

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["on_behalf_of_consumer"], "properties": {"on_behalf_of_consumer": {"const": True}}},
            "then": {"required": ["answer"], "properties": {"answer": {"pattern": NOT_BLANK}}},
        }
    )


class ProposeResolutionIn(Strict):
    kinds: list[Literal[tuple(Resolution.Kind.values)]] = Field(min_length=1, description="What is offered")
    text: RequiredText = Field(description="The proposal, as the consumer reads it")
    refund_amount: Amount = Field(None, description="Required with a refund")
    compensation_amount: Amount = Field(None, description="Required with compensation")

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"kinds": {"contains": {"const": kind}}}},
                    "then": {"required": [amount]},
                }
                for kind, amount in (
                    ("refund", "refund_amount"),
                    ("compensation", "compensation_amount"),
                )
            ]
        }
    )


class ConsumerCommentIn(ConsumerRelay):
    comment: str = text(description="The consumer's comment")


class ReasonIn(ConsumerRelay):
    reason: str = text()


class DecideIn(Strict):
    decision: Literal["upheld", "partially_upheld", "not_upheld"]
    letter: LetterIn = Field(None, description="The outcome letter; required unless the complaint is upheld")

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"decision": {"const": "upheld"}}},
            "else": {"required": ["letter"]},
        }
    )


class CloseIn(ConsumerRelay):
    outcome: Literal["partially_upheld", "not_upheld"] = Field(
        "not_upheld", description="For a complaint that was not resolved"
    )
    letter: LetterIn = Field(None, description="The outcome letter; required unless the complaint is resolved")
    feedback: FeedbackIn = Field(None, description="The consumer's feedback, when the consumer closes it")


class ReferIn(ConsumerRelay):
    body: RequiredLine = Field(description="The external body")


class ExtendDeadlineIn(Strict):
    kind: DeadlineKind = Field(description="The kind of the current stage's pending deadline")
    due_at: Instant = Field(description="The new due instant, with its time zone (later than the current one)")
    reason: RequiredReason = Field(description="Told to the consumer")


class RejectAsSpamIn(Strict):
    reason: RequiredReason


ACTION_BODIES: dict[str, type[Strict]] = {
    "assign": AssignIn,
    "set_category": SetCategoryIn,
    "acknowledge": NoParameters,
    "start": NoParameters,
    "ask_info": AskInfoIn,
    "info_received": InfoReceivedIn,
    "propose_resolution": ProposeResolutionIn,
    "accept": ConsumerCommentIn,
    "reject": ConsumerCommentIn,
    "escalate": ReasonIn,
    "decide": DecideIn,
    "close": CloseIn,
    "refer": ReferIn,
    "extend_deadline": ExtendDeadlineIn,
    "withdraw": ReasonIn,
    "reject_as_spam": RejectAsSpamIn,
}


class FieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    choices: list[str]
    pattern: str
    help_text: str


class CategoryOut(Schema):
    slug: str
    name: str = Field(description="The name in the language of the request (Accept-Language; English by default)")
    names: dict[str, str] = Field(description="The name per language (nl, en); empty where none is given")
    description: str
    fields: list[FieldOut]
