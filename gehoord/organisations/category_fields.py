"""Validation of the values a complaint gives for its category's own fields (SPEC 3)."""

import datetime
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gehoord.errors import InvalidInput
from gehoord.organisations import patterns
from gehoord.organisations.models import CategoryField, FieldType

logger = logging.getLogger(__name__)

MAX_TEXT = 200
MAX_LONG_TEXT = 10_000
MAX_NUMBER_EXPONENT = 15  # numbers below 10^15 (no arithmetic here: it would overflow the context)
MAX_NUMBER_DIGITS = 30


def clean_field_values(
    fields: Iterable[CategoryField], values: Mapping[str, Any], uploaded_keys: Iterable[str] = ()
) -> dict[str, Any]:
    """Return the values keyed by field key, as JSON-safe plain values, or raise InvalidInput.

    File fields hold no value here: they are satisfied by an upload tagged with the field's key.
    Error keys are `fields.<key>` so every door can point at the right input.
    """
    fields = list(fields)
    known = {field.key for field in fields}
    errors: dict[str, str] = {}
    for key in values:
        if key not in known:
            errors[f"fields.{key}"] = _("This category has no field %(key)s.") % {"key": key}
    cleaned: dict[str, Any] = {}
    uploaded = set(uploaded_keys)
    for field in fields:
        if field.field_type == FieldType.FILE:
            if field.required and field.key not in uploaded:
                errors[f"fields.{field.key}"] = _("%(label)s: a file is required.") % {"label": field.label}
            continue
        raw = values.get(field.key)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if field.required:
                errors[f"fields.{field.key}"] = _("%(label)s is required.") % {"label": field.label}
            continue
        try:
            cleaned[field.key] = _clean_one(field, raw)
        except ValueError as problem:
            errors[f"fields.{field.key}"] = f"{field.label}: {problem}"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _clean_one(field: CategoryField, raw: Any) -> Any:
    if field.field_type == FieldType.NUMBER:
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not number.is_finite():
            raise ValueError(_("must be a number"))
        # int() of an input like 1e999999999 would take minutes and gigabytes: bound it first.
        if number.adjusted() >= MAX_NUMBER_EXPONENT or len(number.as_tuple().digits) > MAX_NUMBER_DIGITS:
            raise ValueError(_("must be a number below 10^15 with at most 30 digits"))
        return int(number) if number == number.to_integral_value() else str(number)
    if field.field_type == FieldType.DATE:
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError(_("must be a date as YYYY-MM-DD")) from None
    text = str(raw).strip()
    if field.field_type == FieldType.CHOICE:
        if text not in field.choices:
            raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(field.choices)})
        return text
    limit = MAX_LONG_TEXT if field.field_type == FieldType.LONG_TEXT else MAX_TEXT
    if len(text) > limit:
        raise ValueError(_("must be at most %(limit)d characters") % {"limit": limit})
    if field.pattern:
        try:
            matched = patterns.full_match(field.pattern, text)
        except patterns.PatternTimeout:
            logger.warning("The pattern of field %s (%s) took too long to check; simplify it", field.pk, field.pattern)
            raise ValueError(
                _("could not be checked: the format set for this field is faulty. Please tell the organisation.")
            ) from None
        if not matched:
            raise ValueError(_("does not have the expected format"))
    return text
