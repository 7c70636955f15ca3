"""A small fixed month of Acme's complaints (Europe/Amsterdam, November 2026), the reports' figures
of which are worked out by hand in the tests (test_daily_figures.py, test_report_pages.py).

- A: web, delivery, "Boxspring"; received T0 (acknowledged at once: the vxhome preset), assigned
  to Alice, a refund of 50.00 proposed a day later, accepted after two days, closed by Carol an
  hour later (resolved, 4 out of 5).
- B: e-mail, no category, "Lamp"; received T0 + 1 h, closed not upheld by Alice after five days,
  escalated (reopened) by Carol the day after: open at stage 2, nobody's.
- C: phone, delivery, no product; received T0 + 2 h, withdrawn by Carol a day later.
- D: web, delivery, "Boxspring"; received on 1 October, assigned to Alice, closed partially
  upheld on 5 November (a late event for an October complaint).
"""

import datetime
from decimal import Decimal

from gehoord.complaints import actions
from gehoord.complaints.actions import FeedbackInput, LetterInput
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from conftest import carol_complaint

T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # Monday 10:00 in Amsterdam
OCTOBER = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
LETTER = LetterInput(actions_taken="Gekeken.", conclusions="Geen fout gevonden.", decision="Afgewezen.")
DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)


def _at(time_machine, instant):
    time_machine.move_to(instant, tick=False)


def _fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def build(time_machine, acme, alice) -> dict[str, Complaint]:
    """The four complaints, each step at its own instant; returns them by letter (fresh from the database)."""
    as_alice = Actor.staff(alice, acme)
    _at(time_machine, OCTOBER)
    d = carol_complaint(acme, product="Boxspring")
    actions.assign(d, by=as_alice, handler=alice)
    _at(time_machine, T0)
    a = carol_complaint(acme, product="Boxspring")
    actions.assign(a, by=as_alice, handler=alice)
    _at(time_machine, T0 + HOUR)
    b = carol_complaint(acme, product="Lamp", category="", channel="email")
    _at(time_machine, T0 + 2 * HOUR)
    c = carol_complaint(acme, channel="phone")
    _at(time_machine, T0 + DAY)
    actions.propose_resolution(_fresh(a), by=as_alice, kinds=["refund"], text="We betalen 50 euro terug.", refund_amount=Decimal("50.00"))
    _at(time_machine, T0 + DAY + 2 * HOUR)
    actions.withdraw(_fresh(c), by=Actor.consumer(_fresh(c)))
    _at(time_machine, T0 + 2 * DAY)
    actions.accept(_fresh(a), by=Actor.consumer(_fresh(a)))
    _at(time_machine, T0 + 2 * DAY + HOUR)
    actions.close(_fresh(a), by=Actor.consumer(_fresh(a)), feedback=FeedbackInput(resolved=True, satisfaction=4))
    _at(time_machine, T0 + 3 * DAY)
    actions.close(_fresh(d), by=as_alice, outcome="partially_upheld", letter=LETTER)
    _at(time_machine, T0 + 5 * DAY + HOUR)
    actions.close(_fresh(b), by=as_alice, outcome="not_upheld", letter=LETTER)
    _at(time_machine, T0 + 6 * DAY + HOUR)
    actions.escalate(_fresh(b), by=Actor.consumer(_fresh(b)), reason="Niet eens.")
    return {letter: _fresh(complaint) for letter, complaint in zip("abcd", (a, b, c, d))}
