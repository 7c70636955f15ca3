"""The shapes of the JSON API. Schemas validate and describe; they never save or send."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, WrapValidator, field_validator
from pydantic_core import PydanticCustomError
from pydantic_core import ValidationError as PydanticValidationError

from gehoord.policies.rules import DeadlineKind


def unstorable(value) -> bool:
    """Text no database can hold: a NUL character (PostgreSQL refuses it) or a lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)
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


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable error code")
    message: str
    errors: dict[str, str] = Field(default_factory=dict, description="Field name → what is wrong with it")


class UploadIn(Strict):
    filename: str = Field(max_length=255)
    content_base64: str = Field(description="The file's bytes, base64-encoded")
    field: str = Field("", description="Key of the category's file field this upload answers, if any")


class ComplaintIn(Strict):
    description: str
    contact_name: str
    contact_email: str = ""
    contact_phone: str = ""
    contact_language: Literal["nl", "en"] = "nl"
    category: str = Field("", description="Category slug; required when the organisation has categories")
    fields: dict[str, FieldValue] = Field(default_factory=dict, description="The category's own fields")
    order_number: str = ""
    product: str = ""
    purchase_date: datetime.date | None = None
    desired_solution: str = ""
    visibility: Literal["private", "public"] = "private"
    channel: Literal["api", "phone", "letter", "web", "email"] = Field(
        "api", description="How the complaint reached the organisation; staff intake uses phone or letter"
    )
    attachments: list[UploadIn] = Field(default_factory=list, max_length=10)


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
    actions_taken: str = Field(description="What was done to investigate")
    conclusions: str
    changes: str = Field("", description="Action taken or process changes made because of the complaint")
    decision: str


class LetterOut(LetterIn):
    stage: int
    written_at: datetime.datetime


class FeedbackIn(Strict):
    resolved: bool
    satisfaction: int | None = Field(None, ge=1, le=5)
    comment: str = ""


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


class MessageIn(Strict):
    body: str = ""
    internal: bool = Field(False, description="An internal note, never shown to the consumer")
    on_behalf_of_consumer: bool = Field(
        False, description="Relay a message the consumer gave the organisation (e.g. through its own site)"
    )
    attachments: list[UploadIn] = Field(default_factory=list, max_length=10)


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


class ActionIn(Strict):
    """Parameters of an action; each action takes the ones listed in its description."""

    on_behalf_of_consumer: bool = Field(
        False, description="Run a consumer action (accept, reject, escalate, close, withdraw, info_received) as relayed by the organisation"
    )
    handler: str | None = Field(None, description="assign: the handler's username")
    category: str | None = Field(None, description="set_category: the category's slug")
    question: str | None = Field(None, description="ask_info: what the consumer is asked")
    answer: str | None = Field(None, description="info_received: the consumer's answer")
    kinds: list[str] | None = Field(None, description="propose_resolution: repair, replacement, refund, compensation, apology, explanation, no_action")
    text: str | None = Field(None, description="propose_resolution: the proposal")
    refund_amount: Decimal | None = Field(None, description="propose_resolution: with refund")
    compensation_amount: Decimal | None = Field(None, description="propose_resolution: with compensation")
    comment: str | None = Field(None, description="accept, reject: the consumer's comment")
    decision: Literal["upheld", "partially_upheld", "not_upheld"] | None = Field(None, description="decide")
    outcome: Literal["partially_upheld", "not_upheld"] | None = Field(None, description="close (when not resolved)")
    letter: LetterIn | None = Field(None, description="decide, close: the outcome letter")
    feedback: FeedbackIn | None = Field(None, description="close by the consumer")
    body: str | None = Field(None, description="refer: the external body")
    kind: DeadlineKind | None = Field(
        None, description="extend_deadline: the kind of the current stage's pending deadline"
    )
    due_at: datetime.datetime | None = Field(
        None, description="extend_deadline: the new due instant, with its time zone (later than the current one)"
    )
    reason: str | None = Field(None, description="escalate, withdraw, reject_as_spam; extend_deadline: told to the consumer")


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
    name: str
    description: str
    fields: list[FieldOut]
