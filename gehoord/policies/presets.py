"""The complaint procedures of seeds 000-003 as shipped policies (SPEC 5, preset table).

Stated, not interpreted: each term is the one the seed gives (its source in a comment beside the
rule); where a seed is silent the preset says so. Reminders, pausing while the consumer is asked
for information and the retention period are Gehoord defaults, since no seed mentions them.

Every text here is read by staff or consumers, so it comes in Dutch and English (`LocalText`) and
says what the rule means for them, never which document it came from.
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
    LocalText,
    PolicySpec,
)

NETHERLANDS = BusinessCalendar(timezone="Europe/Amsterdam", country="NL")
ENGLAND = BusinessCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
BELGIUM = BusinessCalendar(timezone="Europe/Brussels", country="BE")

DAY_REMINDER = Duration(1, Unit.working_days)
HOUR_REMINDER = Duration(4, Unit.hours)


def _days(amount: int) -> Duration:
    return Duration(amount, Unit.calendar_days)


def _working_days(amount: int) -> Duration:
    return Duration(amount, Unit.working_days)


def _text(nl: str, en: str) -> LocalText:
    return LocalText(nl=nl, en=en)


REMINDER_DEFAULT = _text(
    "De herinnering aan de behandelaar is een standaardinstelling van Gehoord.",
    "The reminder to the handler is a Gehoord default.",
)
HANDLING_DEFAULTS = _text(
    "De termijnen staan stil zolang we op de consument wachten; afgesloten klachten worden na "
    f"{DEFAULT_RETENTION_DAYS} dagen geanonimiseerd. Beide zijn standaardinstellingen van Gehoord.",
    "Deadlines pause while we wait for the consumer; closed complaints are anonymised after "
    f"{DEFAULT_RETENTION_DAYS} days. Both are Gehoord defaults.",
)


def _with_reminder(nl: str, en: str) -> LocalText:
    return _text(f"{nl} {REMINDER_DEFAULT.nl}", f"{en} {REMINDER_DEFAULT.en}")


def _with_defaults(nl: str, en: str) -> LocalText:
    return _text(f"{nl} {HANDLING_DEFAULTS.nl}", f"{en} {HANDLING_DEFAULTS.en}")


VXHOME = PolicySpec(
    calendar=NETHERLANDS,
    rules=(
        # Seed 000 §3: confirmation of receipt with the date, the reference and a first estimate.
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=Duration(0, Unit.hours),
            note=_text(
                "Een ontvangstbevestiging met de datum, het kenmerk en een eerste inschatting van de "
                "behandeltijd gaat automatisch uit zodra de klacht binnenkomt, dus zonder herinnering.",
                "A confirmation of receipt with the date, the reference and a first estimate of the "
                "time needed goes out automatically when the complaint comes in, so there is no reminder.",
            ),
        ),
        # Seed 000 §3: a substantive reply within 14 calendar days, or an update with a new estimate.
        DeadlineRule(
            kind=DeadlineKind.respond,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            demands_update=True,
            note=_with_reminder(
                "Een inhoudelijk antwoord binnen 14 kalenderdagen na ontvangst; lukt dat niet, dan binnen "
                "dezelfde termijn een bericht over de stand van zaken en de verdere behandeltijd.",
                "A substantive reply within 14 calendar days of receipt; if that is not possible, an "
                "update on the status and the further handling time within the same term.",
            ),
        ),
    ),
    # Seed 000 §5.
    stages=(
        EscalationStage(2, EscalationHandler.manager, _text("Leidinggevende of manager", "Team leader or manager")),
    ),
    # Seed 000 §6.
    external_bodies=(
        ExternalBody(
            name=_text("WebwinkelKeur", "WebwinkelKeur"),
            url="https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil",
            description=_text(
                "Bemiddelt kosteloos bij klachten die VXhome en de consument samen niet oplossen. Een "
                "geschil meldt u aan via de website van WebwinkelKeur.",
                "Mediates free of charge in complaints that VXhome and the consumer cannot solve "
                "together. A dispute is registered on WebwinkelKeur's website.",
            ),
        ),
        ExternalBody(
            name=_text("De Geschillencommissie", "De Geschillencommissie (the Dutch disputes committee)"),
            url="https://www.degeschillencommissie.nl",
            description=_text(
                "De onafhankelijke geschillencommissie waar WebwinkelKeur naar verwijst als bemiddeling "
                "geen oplossing geeft. Haar uitspraak is bindend voor beide partijen; de consument "
                "betaalt de kosten van de commissie.",
                "The independent disputes committee WebwinkelKeur refers to when mediation does not "
                "lead to a solution. Its ruling binds both parties; the consumer pays the committee's "
                "costs.",
            ),
        ),
    ),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=_with_defaults(
        "Er is geen termijn voor de oplossing, alleen de antwoordtermijn van 14 dagen. Escalatie naar "
        "een leidinggevende heeft geen vaste termijn, dus er zijn geen escalatietermijnen.",
        "There is no resolution term, only the 14-day reply term. Escalation to a manager has no "
        "stated term, so there are no escalation deadlines.",
    ),
)

WEBSHOP_BOARD = PolicySpec(
    calendar=ENGLAND,
    rules=(
        # Seed 001: confirmed within 3 working days, naming the handler and when to expect an answer.
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=_working_days(3),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Klachten worden binnen 3 werkdagen bevestigd; de bevestiging noemt wie de klacht "
                "behandelt en wanneer een antwoord te verwachten is.",
                "Complaints are confirmed within 3 working days; the acknowledgement states who handles "
                "the complaint and when an answer can be expected.",
            ),
        ),
        # Seed 001: to the Customer Service Manager within a week, who assigns it if unresolved.
        DeadlineRule(
            kind=DeadlineKind.assign,
            anchor=Anchor.received,
            duration=_days(7),
            reminder_before=DAY_REMINDER,
            reassign_to_manager=True,
            note=_with_reminder(
                "Binnen een week gaat alle informatie naar de klachtenmanager; een klacht die dan nog "
                "niet is opgelost, gaat op dat moment naar de klachtenmanager, die haar toewijst.",
                "All information goes to the complaint manager within a week; a complaint not resolved "
                "by then goes to the complaint manager at that moment, who assigns it.",
            ),
        ),
        # Seed 001: a progress report within 2 weeks if it cannot be resolved within 2 weeks.
        DeadlineRule(
            kind=DeadlineKind.progress_update,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Kan de klacht niet binnen 2 weken worden opgelost, dan binnen 2 weken een voortgangsbericht "
                "met een indicatie van wanneer een volledig antwoord komt.",
                "If the complaint cannot be resolved within 2 weeks, a progress report within 2 weeks "
                "with an indication of when a full answer will be given.",
            ),
        ),
        # Seed 001: "ideally" a definitive solution within 2 weeks.
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=_days(14),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Bij voorkeur een definitieve oplossing binnen 2 weken.",
                "Ideally a definitive solution within 2 weeks.",
            ),
        ),
        # Seed 001: the board responds within a week of receiving the escalation.
        DeadlineRule(
            kind=DeadlineKind.escalation_resolve,
            anchor=Anchor.escalation_requested,
            duration=_days(7),
            stage=3,
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "De raad van bestuur antwoordt binnen een week na ontvangst van de escalatie; er is geen "
                "aparte termijn om de escalatie te bevestigen.",
                "The board responds within a week of receiving the escalation; there is no separate "
                "term to acknowledge the escalation.",
            ),
        ),
    ),
    stages=(EscalationStage(3, EscalationHandler.board, _text("Raad van bestuur", "Board of directors")),),
    # Seed 001: the text breaks off after the name, so there is no address.
    external_bodies=(
        ExternalBody(
            name=_text("Trading Standards", "Trading Standards"),
            url="https://www.gov.uk/consumer-protection-rights",
            description=_text(
                "De Britse toezichthouder voor consumentenzaken, waar de consument terechtkan als die "
                "nog niet tevreden is.",
                "The UK's consumer protection service, which the consumer may turn to if still not "
                "satisfied.",
            ),
        ),
    ),
    auto_acknowledge=False,
    order_number_is_reference=True,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=_with_defaults(
        "Een medewerker bevestigt de ontvangst, zodat de bevestiging de behandelaar kan noemen. Het "
        "ordernummer is het kenmerk van de klacht. Een escalatie gaat direct naar de raad van bestuur "
        "(fase 3), zonder fase voor een manager; de raad bekijkt de correspondentie, eventuele "
        "onderzoeksrapporten en de aangeboden oplossing.",
        "A person acknowledges, so the acknowledgement can name the handler. The order number is the "
        "complaint's reference. An escalation goes straight to the board (stage 3), with no manager "
        "stage in between; the board reviews the correspondence, any investigation reports and the "
        "solution offered.",
    ),
)

WELZO = PolicySpec(
    calendar=ENGLAND,
    rules=(
        # Seed 002 §3.2, §4.3.
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=Duration(48, Unit.hours),
            reminder_before=HOUR_REMINDER,
            note=_with_reminder(
                "Bevestig binnen 48 uur dat de klacht wordt onderzocht, met een kenmerk.",
                "Acknowledge within 48 hours that the complaint is being investigated, with a reference "
                "number.",
            ),
        ),
        # Seed 002 §4.1 step 3, §4.3, §4.4.
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.acknowledged,
            duration=_working_days(10),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Los de klacht op binnen 10 werkdagen na de bevestiging. De termijn mag worden verlengd; "
                "de klant hoort dan de voortgang, de reden van de vertraging en de nieuwe termijn.",
                "Resolve within 10 working days of the acknowledgement. The term may be extended; the "
                "customer is then told the progress, the reasons for the delay and the new deadline.",
            ),
        ),
        # Seed 002 §4.3: "5-10 working days".
        DeadlineRule(
            kind=DeadlineKind.escalation_acknowledge,
            anchor=Anchor.escalation_requested,
            duration=_working_days(10),
            stage=2,
            reminder_before=DAY_REMINDER,
            target=_working_days(5),
            note=_with_reminder(
                "Bevestig de escalatie bij voorkeur binnen 5 en uiterlijk binnen 10 werkdagen.",
                "Acknowledge the escalation within 5 working days if possible and within 10 at the latest.",
            ),
        ),
        # Seed 002 §4.2 step 3, §4.3.
        DeadlineRule(
            kind=DeadlineKind.escalation_resolve,
            anchor=Anchor.escalation_acknowledged,
            duration=_working_days(10),
            stage=2,
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Een oplossing binnen 10 werkdagen nadat de escalatie is bevestigd.",
                "A resolution within 10 working days of the date the escalation was acknowledged.",
            ),
        ),
    ),
    stages=(
        EscalationStage(
            2, EscalationHandler.manager,
            _text("Manager van de betrokken afdeling", "Manager of the department concerned"),
        ),
    ),
    # Seed 002 §6.1 names no body.
    external_bodies=(
        ExternalBody(
            name=_text("Onafhankelijk advies", "Independent advice"),
            url="https://www.citizensadvice.org.uk",
            description=_text(
                "Een klant die ontevreden blijft over de uitkomst of de behandeling, kan onafhankelijk "
                "advies en ondersteuning zoeken, bijvoorbeeld bij Citizens Advice.",
                "A customer who remains dissatisfied with the outcome or the handling may seek "
                "independent advice and support, for example from Citizens Advice.",
            ),
        ),
    ),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=_with_defaults(
        "De ontvangst wordt automatisch bevestigd, wat binnen de termijn van 48 uur valt. Fase 2: het "
        "hoofd klantenservice stuurt de escalatie door naar de manager van de betrokken afdeling. Er is "
        "geen aparte termijn voor een eerste antwoord naast de oplossing.",
        "Acknowledged automatically on receipt, which meets the 48-hour term. Stage 2: the head of "
        "customer service forwards the escalation to the manager of the department concerned. There is "
        "no term for a first reply other than the resolution.",
    ),
)

INVERTER = PolicySpec(
    calendar=NETHERLANDS,
    rules=(
        # Seed 003.
        DeadlineRule(
            kind=DeadlineKind.acknowledge,
            anchor=Anchor.received,
            duration=_working_days(7),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Een klacht wordt binnen 7 werkdagen na ontvangst bevestigd.",
                "A complaint is confirmed within 7 working days of receipt.",
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.progress_update,
            anchor=Anchor.acknowledged,
            duration=_working_days(14),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Een bericht over de voortgang binnen 14 werkdagen na de eerste bevestiging.",
                "An update on the progress within 14 working days of the first confirmation.",
            ),
        ),
        DeadlineRule(
            kind=DeadlineKind.resolve,
            anchor=Anchor.received,
            duration=_working_days(30),
            reminder_before=DAY_REMINDER,
            note=_with_reminder(
                "Streef naar een oplossing binnen 30 werkdagen na ontvangst; lukt dat niet, dan een "
                "uitleg en een nieuwe planning.",
                "Aim to resolve within 30 working days of receipt; if that cannot be met, an explanation "
                "and a new timeline.",
            ),
        ),
    ),
    stages=(EscalationStage(2, EscalationHandler.manager, _text("Escalatie", "Escalation")),),
    external_bodies=(),
    auto_acknowledge=False,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=True,
    retention_days=DEFAULT_RETENTION_DAYS,
    # Seed 003 says neither to whom an escalation goes nor within what term.
    notes=_with_defaults(
        "Een medewerker bevestigt de ontvangst. Een klacht die niet kan worden opgelost, krijgt een "
        "volledige schriftelijke uitleg van het besluit. De consument kan escaleren naar de "
        "klachtenmanager; daarvoor geldt geen vaste termijn, dus er zijn geen escalatietermijnen. Er is "
        "geen externe instantie genoemd.",
        "A person confirms receipt. A complaint that cannot be resolved gets a full written explanation "
        "of the decision. The consumer may escalate to the complaint manager; no term is set for that, "
        "so there are no escalation deadlines. No external body is named.",
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
            note=_text(
                "Het platform bevestigt de klacht aan de consument zodra die is ingediend.",
                "The platform confirms the complaint to the consumer when it is filed.",
            ),
        ),
        # Seed 004 sets no term; the score card counts 30 days without a reply as unanswered (SPEC 8).
        DeadlineRule(
            kind=DeadlineKind.respond,
            anchor=Anchor.received,
            duration=_days(30),
            reminder_before=Duration(7, Unit.calendar_days),
            note=_text(
                "Het platform verwacht een antwoord van het bedrijf binnen 30 kalenderdagen (daarna telt "
                "de klacht op de scorekaart als onbeantwoord) en herinnert het bedrijf een week vooraf.",
                "The platform expects the company's answer within 30 calendar days (after that the score "
                "card counts the complaint as unanswered) and reminds the company a week before.",
            ),
        ),
    ),
    stages=(),
    external_bodies=(),
    auto_acknowledge=True,
    order_number_is_reference=False,
    pause_while_awaiting_consumer=False,
    retention_days=DEFAULT_RETENTION_DAYS,
    notes=_text(
        "Voor een bedrijf dat per e-mail antwoordt: het platform lost de klacht niet zelf op, kent geen "
        "interne fasen en oordeelt niet; een abonnee die geen antwoord krijgt of niet tevreden is, geeft "
        f"het dossier aan de rechtshulp. Afgesloten klachten worden na {DEFAULT_RETENTION_DAYS} dagen "
        "geanonimiseerd.",
        "For a company that answers by e-mail: the platform does not take part in solving the complaint, "
        "has no internal stages and judges nothing; a subscriber who gets no answer, or is not "
        f"satisfied, hands the dossier to the legal-aid service. Closed complaints are anonymised after "
        f"{DEFAULT_RETENTION_DAYS} days.",
    ),
)

PRESETS: dict[str, PolicySpec] = {
    "vxhome": VXHOME,
    "webshop-board": WEBSHOP_BOARD,
    "welzo": WELZO,
    "inverter": INVERTER,
    "platform": PLATFORM,
}
