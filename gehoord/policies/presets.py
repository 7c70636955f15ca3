"""The complaint procedures of seeds 000-003 as shipped policies (SPEC 5, preset table).

Stated, not interpreted: each term is the one the seed gives, with its source in the rule's note;
where a seed is silent the preset says so. Reminders, pausing while the consumer is asked for
information and the retention period are Gehoord defaults, since no seed mentions them.
"""

from gehoord.policies.calendar import BusinessCalendar, Duration, Unit
from gehoord.policies.rules import (
    DEFAULT_RETENTION_DAYS,
    Anchor,
    DeadlineKind,
    DeadlineRule,
    EscalationHandler,
    EscalationStage,
    ExternalBody,
    PolicySpec,
)

NETHERLANDS = BusinessCalendar(timezone="Europe/Amsterdam", country="NL")
ENGLAND = BusinessCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
BELGIUM = BusinessCalendar(timezone="Europe/Brussels", country="BE")

DAY_REMINDER = Duration(1, Unit.working_days)
HOUR_REMINDER = Duration(4, Unit.hours)
SILENT_ON_REMINDERS = "The seed says nothing about reminders; the reminder is a Gehoord default."
GEHOORD_DEFAULTS = (
    "Pausing the clock while waiting for the consumer and the retention period of "
    f"{DEFAULT_RETENTION_DAYS} days are Gehoord defaults; the seed is silent on both."
)


def _days(amount: int) -> Duration:
    return Duration(amount, Unit.calendar_days)


def _working_days(amount: int) -> Duration:
    return Duration(amount, Unit.working_days)


VXHOME = PolicySpec(
    calendar=NETHERLANDS,
    rules=(
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=Duration(0, Unit.hours),
            note=(
                "Seed 000 §3: a confirmation of receipt is sent when the complaint comes in, with the "
                "date, the reference and a first estimate of the time needed. Sent automatically, so "
                "no reminder."
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.respond,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            demands_update=True,
            note=(
                "Seed 000 §3: a substantive reply within 14 calendar days of receipt; if that is not "
                "possible, an update on the status and an indication of the further handling time "
                f"within the same term. {SILENT_ON_REMINDERS}"
            ),
        ),
    ),
    stages=(EscalationStage(2, EscalationHandler.manager, "Leidinggevende of manager"),),
    external_bodies=(
        ExternalBody(
            name="WebwinkelKeur",
            url="https://www.webwinkelkeur.nl",
            description=(
                "Mediates free of charge in complaints that VXhome and the consumer cannot solve "
                "together. Membership: https://www.webwinkelkeur.nl/leden/; registering a dispute: "
                "https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil."
            ),
        ),
        ExternalBody(
            name="Geschillencommissie (aangesteld door WebwinkelKeur)",
            description=(
                "The independent disputes committee appointed by WebwinkelKeur, when mediation does "
                "not lead to a solution. Its ruling binds both parties; the consumer pays the "
                "committee's costs. The seed gives no address of its own."
            ),
        ),
    ),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=(
        "Seed 000 (VXhome). No resolution term: the seed sets only the 14-day reply term. Escalation "
        "to a manager (§5) has no stated term, so there are no escalation deadlines. "
        f"{GEHOORD_DEFAULTS}"
    ),
)

WEBSHOP_BOARD = PolicySpec(
    calendar=ENGLAND,
    rules=(
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=_working_days(3),
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 001: complaints are confirmed within 3 working days; the acknowledgement states "
                f"who handles the complaint and when an answer can be expected. {SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.assign,
            anchor=Anchor.received,
            duration=_days(7),
            reminder_before=DAY_REMINDER,
            reassign_to_manager=True,
            note=(
                "Seed 001: all information is passed to the Customer Service Manager within a week, "
                "who logs the complaint; complaints not resolved within a week are assigned by that "
                "manager to a suitable person. At this due instant an unresolved complaint goes to "
                f"the complaint manager. {SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.progress_update,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 001: if the complaint cannot be resolved within 2 weeks, a progress report "
                "within 2 weeks with an indication of when a full answer will be given. "
                f"{SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            note=f"Seed 001: 'ideally' a definitive solution within 2 weeks. {SILENT_ON_REMINDERS}",
        ),
        DeadlineRule(
            kind=DeadlineKind.escalation_resolve,
            anchor=Anchor.escalation_requested,
            duration=_days(7),
            stage=3,
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 001: the board must respond within a week of receiving the escalation. The seed "
                f"sets no separate term to acknowledge the escalation. {SILENT_ON_REMINDERS}"
            ),
        ),
    ),
    stages=(EscalationStage(3, EscalationHandler.board, "Raad van bestuur"),),
    external_bodies=(
        ExternalBody(
            name="Trading Standards",
            description=(
                "An external body the consumer may refer the complaint to if still not satisfied. "
                "The seed's text breaks off after the name, so it gives no address."
            ),
        ),
    ),
    auto_acknowledge=False,
    order_number_is_reference=True,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=(
        "Seed 001. A person acknowledges, so the acknowledgement can name the handler. The order "
        "number is the complaint's reference. An escalation goes straight to the board (raad van "
        "bestuur), stage 3; the seed has no manager stage in between. The board reviews the "
        f"correspondence, any investigation reports and the solution offered. {GEHOORD_DEFAULTS}"
    ),
)

WELZO = PolicySpec(
    calendar=ENGLAND,
    rules=(
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=Duration(48, Unit.hours),
            reminder_before=HOUR_REMINDER,
            note=(
                "Seed 002 §3.2, §4.3: try to acknowledge within 48 hours, confirming the complaint is "
                f"being investigated, with a reference number. {SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.acknowledged,
            duration=_working_days(10),
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 002 §4.1 step 3, §4.3: resolve within 10 working days of the date of "
                "acknowledgement. §4.4: the term may be extended; the customer is told the progress, "
                f"the reasons for the delay and the new deadline. {SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.escalation_acknowledge,
            anchor=Anchor.escalation_requested,
            duration=_working_days(10),
            stage=2,
            reminder_before=DAY_REMINDER,
            target=_working_days(5),
            note=(
                "Seed 002 §4.3: try to acknowledge the escalated complaint within 5-10 working days. "
                f"{SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.escalation_resolve,
            anchor=Anchor.escalation_acknowledged,
            duration=_working_days(10),
            stage=2,
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 002 §4.2 step 3, §4.3: a resolution within 10 working days of the date the "
                f"escalation was acknowledged. {SILENT_ON_REMINDERS}"
            ),
        ),
    ),
    stages=(EscalationStage(2, EscalationHandler.manager, "Manager van de betrokken afdeling"),),
    external_bodies=(
        ExternalBody(
            name="Onafhankelijk advies",
            description=(
                "Seed 002 §6.1: a customer who remains dissatisfied with the outcome or the handling "
                "may seek independent advice and support. The seed names no body."
            ),
        ),
    ),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=(
        "Seed 002 (Welzo). Acknowledged automatically on receipt, which meets the 48-hour term. "
        "Stage 2: the head of customer service forwards the escalation to the manager of the "
        "department concerned. The seed states no term for a first-line reply other than the "
        f"resolution. {GEHOORD_DEFAULTS}"
    ),
)

INVERTER = PolicySpec(
    calendar=NETHERLANDS,
    rules=(
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=_working_days(7),
            reminder_before=DAY_REMINDER,
            note=f"Seed 003: a complaint is confirmed within 7 working days of receipt. {SILENT_ON_REMINDERS}",
        ),
        DeadlineRule(
            kind=DeadlineKind.progress_update,
            anchor=Anchor.acknowledged,
            duration=_working_days(14),
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 003: an update on the progress within 14 working days of the first "
                f"confirmation. {SILENT_ON_REMINDERS}"
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=_working_days(30),
            reminder_before=DAY_REMINDER,
            note=(
                "Seed 003: aim to resolve within 30 working days of first receipt; if that cannot be "
                f"met, an explanation and a new timeline. {SILENT_ON_REMINDERS}"
            ),
        ),
    ),
    stages=(EscalationStage(2, EscalationHandler.manager, "Escalatie"),),
    external_bodies=(),
    auto_acknowledge=False,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=(
        "Seed 003 (solar inverters). Complaints come in by e-mail only (a matter of the "
        "organisation's channels, not of this policy). A person confirms receipt. A complaint that "
        "cannot be resolved gets a full written explanation of the decision. The consumer may "
        "escalate, but the seed says neither to whom (Gehoord routes it to the complaint manager) "
        "nor within what term, so there are no escalation deadlines. The seed names no external "
        f"body. {GEHOORD_DEFAULTS}"
    ),
)

# Seed 004: the public platform's procedure for an e-mail-only company, one that answers by reply.
PLATFORM = PolicySpec(
    calendar=BELGIUM,
    rules=(
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=Duration(0, Unit.hours),
            note="Seed 004: the platform confirms the complaint to the consumer when it is filed.",
        ),
        DeadlineRule(
            kind=DeadlineKind.respond,
            anchor=Anchor.received,
            duration=_days(30),
            reminder_before=Duration(7, Unit.calendar_days),
            note=(
                "Seed 004 sets no term for the company's answer; the score card counts a complaint left "
                "without any reply for 30 days as unanswered (SPEC 8), so the platform expects one within "
                "30 calendar days and reminds the company a week before. Gehoord default."
            ),
        ),
    ),
    stages=(),
    external_bodies=(),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=False,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=(
        "Seed 004 (the public complaint platform) for a company that answers by e-mail: the platform "
        "does not take part in solving the complaint, has no internal stages and judges nothing; a "
        "subscriber who gets no answer, or is not satisfied, hands the dossier to the legal-aid "
        "service. The retention period is a Gehoord default."
    ),
)

PRESETS: dict[str, PolicySpec] = {
    "vxhome": VXHOME,
    "webshop-board": WEBSHOP_BOARD,
    "welzo": WELZO,
    "inverter": INVERTER,
    "platform": PLATFORM,
}
