"""Complaint references (SPEC 2): short, readable, unguessable, and unique even when many file at once.

The concurrency tests need several connections writing at once. SQLite's in-memory test database
(shared cache) answers a second writer with "database table is locked" instead of queueing it
(the busy timeout does not apply to shared-cache locks), so those tests run on PostgreSQL only.
"""

import itertools
import re
import threading

import pytest
from django.db import connection

from conftest import carol_complaint, make_organisation
from gehoord.complaints import references
from gehoord.complaints.models import Complaint, Event
from gehoord.errors import DuplicateOrderNumber

AMBIGUOUS = set("0O1IL") | {"U"}

# --- the format ------------------------------------------------------------------------------


def test_a_reference_is_kl_the_year_and_six_unambiguous_characters():
    drawn = [references.new_reference(2026) for _ in range(2000)]

    assert all(re.fullmatch(r"KL-26-[A-Z2-9]{6}", reference) for reference in drawn)
    used = set("".join(reference[6:] for reference in drawn))
    assert used <= set(references.ALPHABET)
    assert not used & AMBIGUOUS
    # 12,000 random characters use the whole alphabet (missing one has a chance of about 1e-175).
    assert used == set(references.ALPHABET)


def test_the_alphabet_has_thirty_distinct_characters_without_lookalikes():
    assert len(references.ALPHABET) == len(set(references.ALPHABET)) == 30
    assert not set(references.ALPHABET) & AMBIGUOUS


@pytest.mark.parametrize("year, prefix", [(2026, "KL-26-"), (2100, "KL-00-"), (2009, "KL-09-")])
def test_the_year_is_two_digits(year, prefix):
    assert references.new_reference(year).startswith(prefix)


@pytest.mark.parametrize(
    "text, looks_like_one",
    [
        ("KL-26-7QF3MX", True),
        ("kl-26-7qf3mx", True),
        ("  KL-26-7QF3MX\n", True),
        ("KL-26-7QF3M0", False),  # zero
        ("KL-26-7QF3MO", False),  # letter O
        ("KL-26-7QF3M1", False),
        ("KL-26-7QF3MI", False),
        ("KL-26-7QF3ML", False),
        ("KL-26-7QF3MU", False),
        ("KL-26-7QF3M", False),
        ("KL-26-7QF3MXX", False),
        ("KL-2026-7QF3MX", False),
        ("XX-26-7QF3MX", False),
        ("Re: [KL-26-7QF3MX]", False),
        ("100234", False),
        ("", False),
    ],
)
def test_looks_like_reference(text, looks_like_one):
    assert references.looks_like_reference(text) is looks_like_one


@pytest.mark.parametrize(
    "earlier, reference", [(0, "100234"), (1, "100234-2"), (2, "100234-3")]
)
def test_an_order_reference_is_numbered_from_the_second_complaint_on(earlier, reference):
    assert references.order_reference("100234", earlier) == reference


# --- collisions ------------------------------------------------------------------------------


def test_a_colliding_reference_is_drawn_again(acme, monkeypatch):
    first = carol_complaint(acme)
    second = carol_complaint(acme, contact_email="daan@example.nl")
    draws = iter([first.reference, second.reference, first.reference, "KL-26-NEW234"])
    monkeypatch.setattr(references, "new_reference", lambda year: next(draws))

    third = carol_complaint(acme, contact_email="eva@example.nl")

    assert third.reference == third.public_id == "KL-26-NEW234"
    assert Complaint.objects.count() == 3
    assert next(draws, "all used") == "all used"


def test_when_every_draw_collides_the_filing_fails_and_stores_nothing(acme, monkeypatch):
    first = carol_complaint(acme)
    monkeypatch.setattr(references, "new_reference", lambda year: first.reference)

    with pytest.raises(RuntimeError, match="free reference"):
        carol_complaint(acme, contact_email="daan@example.nl")

    assert list(Complaint.objects.all()) == [first]
    assert set(Event.objects.values_list("complaint_id", flat=True)) == {first.pk}


# --- many writers at once --------------------------------------------------------------------


def run_at_once(threads: int, work) -> list[BaseException]:
    """Start `work(n)` in `threads` threads at the same moment; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def run(n):
        try:
            start.wait()
            work(n)
        except BaseException as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a writer hung"
    return errors


def concurrent_writers(test):
    """Marks a test that needs several connections writing at once (PostgreSQL; see the module docstring)."""
    test = pytest.mark.django_db(transaction=True)(test)
    test = pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's shared-cache in-memory test database refuses concurrent writers instead of queueing them",
    )(test)
    return pytest.mark.postgres_only(test)


@concurrent_writers
def test_sixteen_writers_filing_at_once_get_unique_references(acme):
    def file_ten(n):
        for i in range(10):
            carol_complaint(acme, contact_email=f"consument{n}.{i}@example.nl")

    errors = run_at_once(16, file_ten)

    assert errors == []
    complaints = Complaint.objects.filter(organisation=acme)
    assert complaints.count() == 160
    stored = list(complaints.values_list("reference", "public_id"))
    assert len({reference for reference, _ in stored}) == 160
    assert len({public_id for _, public_id in stored}) == 160
    assert all(references.looks_like_reference(reference) for reference, _ in stored)
    assert all(complaint.events.filter(kind="acknowledged").count() == 1 for complaint in complaints)


@concurrent_writers
def test_concurrent_writers_drawing_the_same_codes_retry_until_each_has_its_own(acme, monkeypatch):
    """The first nine draws cycle through three codes: six of them must collide and be drawn again."""
    pool = ["KL-26-AAAAAA", "KL-26-BBBBBB", "KL-26-CCCCCC"]
    pool_draws = itertools.islice(itertools.cycle(pool), 9)
    drawn = []
    lock = threading.Lock()
    real_new_reference = references.new_reference

    def tiny_pool_first(year):
        with lock:
            code = next(pool_draws, None) or real_new_reference(year)
            drawn.append(code)
            return code

    monkeypatch.setattr(references, "new_reference", tiny_pool_first)

    def file_three(n):
        for i in range(3):
            carol_complaint(acme, contact_email=f"consument{n}.{i}@example.nl")

    errors = run_at_once(8, file_three)

    assert errors == []
    stored = list(Complaint.objects.values_list("reference", flat=True))
    assert len(stored) == len(set(stored)) == 24
    assert set(pool) <= set(stored)
    assert len(drawn) == 24 + 6


@concurrent_writers
def test_of_several_writers_filing_the_same_order_number_exactly_one_wins():
    shop = make_organisation("shop", preset="webshop-board")
    filed = []

    def file_order(n):
        filed.append(carol_complaint(shop, order_number="100234", contact_email=f"consument{n}@example.nl"))

    errors = run_at_once(8, file_order)

    assert len(filed) == 1
    assert filed[0].reference == "100234"
    assert len(errors) == 7
    assert all(isinstance(error, DuplicateOrderNumber) for error in errors), errors
    assert {error.details["existing_reference"] for error in errors} == {"100234"}
    assert list(Complaint.objects.values_list("reference", flat=True)) == ["100234"]
