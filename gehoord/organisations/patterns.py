"""The patterns of category fields (SPEC 3): which ones a company admin may save, and a match
that always ends.

A regular expression can backtrack catastrophically: `(a+)+$` against forty a's and a "!" takes
longer than the universe has existed with Python's `re`. Two guards: a pattern that repeats a
variable repetition or an alternation is refused when it is saved (`pattern_problem`), and every
match runs with a time limit (`full_match`), so a pattern stored before this check, or one it
misses, costs a worker at most MATCH_SECONDS.
"""

import re
import re._constants as sre  # the parse tree of the standard library's own compiler (stable in 3.11-3.13)
import re._parser

import regex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PATTERN_LENGTH = 200
# Far above what a sane pattern needs for the longest value (10,000 characters), far below a stall.
MATCH_SECONDS = 0.25

_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


class PatternTimeout(Exception):
    """Checking a value against a pattern took longer than MATCH_SECONDS."""


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` may not be saved, naming the rule it breaks; None when it may."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return _("At most %(limit)d characters.") % {"limit": MAX_PATTERN_LENGTH}
    try:
        re.compile(pattern)
        regex.compile(pattern)
        tree = re._parser.parse(pattern)
    except (re.error, regex.error) as problem:
        return _("This is not a valid regular expression: %(problem)s.") % {"problem": problem}
    found = _backtracking(tree, repeated=False)
    if found == "nested":
        return _(
            "A repeated group may not hold a repetition of varying length, as in (a+)+, (a*)* or (.*a){3}: "
            "checking a value against it can take hours. Repeat a fixed count inside the group, e.g. (\\d{3}-)+."
        )
    if found == "alternation":
        return _(
            "A repeated group may not hold alternatives, as in (a|aa)+: checking a value against it can take "
            "hours. Use a character class, e.g. [ab]+, or write the alternatives out without repeating them."
        )
    return None


def is_safe(pattern: str) -> bool:
    return pattern_problem(pattern) is None


def validate_pattern(pattern: str) -> None:
    """The model field's validator, so that every form of a CategoryField (the Django admin too) checks it."""
    problem = pattern_problem(pattern)
    if problem:
        raise ValidationError(problem, code="unsafe_pattern")


def full_match(pattern: str, text: str) -> bool:
    """Whether all of `text` matches `pattern`; PatternTimeout after MATCH_SECONDS instead of stalling."""
    try:
        return regex.fullmatch(pattern, text, timeout=MATCH_SECONDS) is not None
    except TimeoutError:
        raise PatternTimeout(pattern) from None


def _backtracking(items, *, repeated: bool) -> str | None:
    """"nested" or "alternation" when a part that can match in several ways sits inside a repetition
    (`repeated`: inside a repeat of more than once), else None."""
    for op, argument in items:
        if op in _REPEATS:
            low, high, body = argument
            if repeated and low != high:
                return "nested"
            found = _backtracking(body, repeated=repeated or high > 1)
        elif op is sre.BRANCH:
            if repeated:
                return "alternation"
            found = _first(_backtracking(branch, repeated=False) for branch in argument[1])
        elif op is sre.SUBPATTERN:
            found = _backtracking(argument[-1], repeated=repeated)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _backtracking(argument[1], repeated=repeated)
        elif op is sre.ATOMIC_GROUP:
            found = _backtracking(argument, repeated=repeated)
        elif op is sre.GROUPREF_EXISTS:
            _group, yes, no = argument
            found = _first(_backtracking(part, repeated=repeated) for part in (yes, no) if part is not None)
        else:
            found = None
        if found:
            return found
    return None


def _first(results) -> str | None:
    return next((result for result in results if result), None)
