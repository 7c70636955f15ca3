"""Category-field patterns: what may be saved, and a match that always ends (organisations/patterns.py)."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gehoord.organisations import patterns
from gehoord.organisations.models import CategoryField, FieldType

ORDINARY = [r"SN-\d{4}", r"[A-Z]{2}\d{6}", r"T-?\d{4,8}", r"[A-Z0-9-]{6,20}", r"(\d{3}-)+\d{2}", r"(?:NL|BE)\d{9}"]
CATASTROPHIC = [r"(a+)+$", r"(a*)*", r"(a|a)+", r"(a|aa)+$", r"(.*a){12}", r"((ab)?c)+", r"(?=(\w+)+x)"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("pattern", ORDINARY)
def test_ordinary_patterns_may_be_saved(pattern):
    assert patterns.pattern_problem(pattern) is None


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_patterns_that_backtrack_catastrophically_are_refused_naming_the_rule(pattern):
    assert patterns.pattern_problem(pattern).startswith("A repeated group may not hold")


def test_an_overlong_pattern_is_refused():
    assert patterns.pattern_problem("x" * 201) == "At most 200 characters."


def test_a_match_ends_within_its_time_limit_whatever_the_pattern():
    started = time.monotonic()
    with pytest.raises(patterns.PatternTimeout):
        patterns.full_match(r"(a|a)+$", "a" * 39 + "!")
    assert time.monotonic() - started < 2


def test_the_whole_value_must_match():
    assert patterns.full_match(r"SN-\d{4}", "SN-1234")
    assert not patterns.full_match(r"SN-\d{4}", "SN-12345")
    assert not patterns.full_match(r"SN-\d{4}", "xSN-1234")


@pytest.mark.django_db
def test_every_form_of_the_model_checks_the_pattern_the_django_admin_too(acme):
    field = CategoryField(
        category=acme.categories.get(slug="product"), key="ticket", label="Ticket", field_type=FieldType.SERIAL,
        pattern=r"(a+)+$",
    )
    with pytest.raises(ValidationError) as refused:
        field.full_clean()
    assert list(refused.value.message_dict) == ["pattern"]
