"""Demo data: the four seed organisations with their policies, staff, categories and complaints, and
the public platform beside them (platform_demo).

Complaints are filed and moved through their states with the real actions, so the demo shows
what the platform itself produces (timelines, deadlines, mails), not hand-made rows.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gehoord.organisations.models import ApiToken
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Channel, Complaint, Status
from gehoord.organisations.models import Category, CategoryField, FieldType, Membership, Organisation, Role, Team
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS
from gehoord.server import platform_demo

DEMO_PASSWORD = "gehoord-demo"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    country: str
    time_zone: str
    language: str
    currency: str
    categories: list[tuple[str, str, str, str]]  # slug, Dutch name, English name, team
    products: list[str]


ORGANISATIONS = [
    DemoOrganisation(
        "vxhome", "VXhome", "NL", "Europe/Amsterdam", "nl", "EUR",
        [("product", "Product", "Product", ""), ("levering", "Levering", "Delivery", ""),
         ("dienst", "Dienstverlening", "Service", ""), ("communicatie", "Communicatie", "Communication", "")],
        ["Boxspring Oslo 160x200", "Eettafel Lund eiken", "Bureaustoel Ergo Pro", "Hanglamp Nordic"],
    ),
    DemoOrganisation(
        "webshop-board", "Brightside Outdoor Ltd", "GB", "Europe/London", "en", "GBP",
        [("delivery", "Levering", "Delivery", ""), ("faulty-item", "Defect artikel", "Faulty item", ""),
         ("refund", "Terugbetaling", "Refund", "")],
        ["Trail tent 3P", "Down sleeping bag", "Camping stove Duo", "Hiking boots Ridge"],
    ),
    DemoOrganisation(
        "welzo", "Welzo Limited", "GB", "Europe/London", "en", "GBP",
        [("service", "Dienstverlening", "Service", ""), ("billing", "Facturering en betaling", "Billing and payment", ""),
         ("product-defect", "Productdefect", "Product defect", ""), ("communication", "Communicatie", "Communication", ""),
         ("customer-service", "Klantenservice", "Customer service", ""), ("other", "Overig", "Other", "")],
        ["Vitamin D test kit", "Online GP consultation", "Blood pressure monitor", "Allergy test"],
    ),
    DemoOrganisation(
        "inverter", "SolarWave Europe", "NL", "Europe/Amsterdam", "nl", "EUR",
        [("service", "Service", "Service", "Serviceteam"), ("product", "Product", "Product", "Technisch team")],
        ["SW-3600 TL", "SW-5000 TL", "SW-8000 3P", "SW Hybrid 6K"],
    ),
]

STAFF = [
    # username suffix, first name, last name, roles
    ("alice", "Alice", "Agent", [Role.AGENT]),
    ("manon", "Manon", "Manager", [Role.MANAGER]),
    ("bert", "Bert", "Board", [Role.BOARD]),
    ("ada", "Ada", "Admin", [Role.ADMIN]),
]

CONSUMERS = [
    ("Carol de Vries", "carol@example.nl", "nl"),
    ("Daan Jansen", "daan@example.nl", "nl"),
    ("Emma Williams", "emma@example.co.uk", "en"),
    ("Fatima El Amrani", "fatima@example.nl", "nl"),
    ("George Smith", "george@example.co.uk", "en"),
    ("Hanna Bakker", "hanna@example.nl", "nl"),
]

DESCRIPTIONS = {
    "nl": [
        "Het product kwam beschadigd aan: de verpakking was ingedeukt en er zit een scheur in de zijkant.",
        "Mijn bestelling is al twee weken te laat en ik krijg geen antwoord op mijn e-mails.",
        "Na drie weken gebruik werkt het apparaat niet meer. Het display blijft zwart.",
        "Ik heb een verkeerde factuur ontvangen: er staat een bedrag op dat ik niet heb besteld.",
    ],
    "en": [
        "The item arrived damaged: the box was crushed and one of the poles is bent.",
        "My order is two weeks late and nobody answers my e-mails.",
        "After three weeks the device stopped working. The display stays blank.",
        "I was charged twice for the same order and have not received a refund.",
    ],
}

# The state each sample complaint is brought to, by the actions that lead there.
SCENARIOS = [
    "received", "acknowledged", "investigating", "awaiting_consumer", "resolution_proposed",
    "resolved", "closed_resolved", "closed_not_upheld", "escalated", "decided", "withdrawn", "spam", "referred",
]


def load(stdout=None) -> dict:
    """Create the demo; returns the logins and the plaintext API tokens."""
    rng = random.Random(2026)
    User = get_user_model()
    logins, tokens = [], {}
    with transaction.atomic():
        for demo in ORGANISATIONS:
            organisation = Organisation.objects.create(
                name=demo.name,
                slug=demo.slug,
                complaint_email=f"klachten@{demo.slug}.example",
                contact_person="Manon Manager",
                country=demo.country,
                time_zone=demo.time_zone,
                language=demo.language,
                currency=demo.currency,
                website=f"https://{demo.slug}.example",
                connected=True,
            )
            PolicyVersion.publish(organisation, PRESETS[demo.slug], preset=demo.slug, change_note="Demo preset")
            staff = {}
            for suffix, first, last, roles in STAFF:
                user = User.objects.create_user(
                    username=f"{suffix}@{demo.slug}",
                    email=f"{suffix}@{demo.slug}.example",
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                )
                for role in roles:
                    Membership.objects.create(user=user, organisation=organisation, role=role)
                staff[suffix] = user
                logins.append((demo.slug, user.username, ", ".join(roles)))
            _categories(organisation, demo, staff)
            _complaints(organisation, demo, staff, rng)
            _token, plaintext = ApiToken.issue(organisation, "demo")
            tokens[demo.slug] = plaintext
        # The public platform beside the desk: VXhome is its connected company.
        logins += platform_demo.load(rng, DEMO_PASSWORD, connected=Organisation.objects.get(slug="vxhome"))
    return {"logins": logins, "tokens": tokens, "password": DEMO_PASSWORD}


def _categories(organisation: Organisation, demo: DemoOrganisation, staff: dict) -> None:
    teams = {}
    for position, (slug, name, name_en, team_name) in enumerate(demo.categories):
        team = None
        if team_name:
            team = teams.get(team_name) or Team.objects.create(organisation=organisation, name=team_name)
            team.members.add(staff["alice"])
            teams[team_name] = team
        category = Category.objects.create(
            organisation=organisation, slug=slug, name=name, name_en=name_en, position=position, route_to_team=team
        )
        if demo.slug == "inverter":
            _inverter_fields(category)


def _inverter_fields(category: Category) -> None:
    """Seed 003: what a service and a product complaint must state (SPEC 3)."""
    serial = dict(pattern=r"[A-Z0-9-]{6,20}", help_text="Op het typeplaatje, bijv. SW36-2201-0042")
    if category.slug == "service":
        CategoryField.objects.create(
            category=category, key="ticket_number", label="Ticketnummer", field_type=FieldType.SERIAL,
            required=True, pattern=r"T-?\d{4,8}", help_text="Bijv. T-104233", position=0,
        )
        CategoryField.objects.create(
            category=category, key="serial_number", label="Serienummer", field_type=FieldType.SERIAL,
            required=True, position=1, **serial,
        )
    else:
        CategoryField.objects.create(
            category=category, key="inverter_model", label="Model omvormer", field_type=FieldType.CHOICE,
            required=True, choices=["SW-3600 TL", "SW-5000 TL", "SW-8000 3P", "SW Hybrid 6K"], position=0,
        )
        CategoryField.objects.create(
            category=category, key="serial_number", label="Serienummer (indien beschikbaar)",
            field_type=FieldType.SERIAL, required=False, position=1, **serial,
        )


def _complaints(organisation: Organisation, demo: DemoOrganisation, staff: dict, rng: random.Random) -> None:
    categories = list(organisation.categories.all())
    now = timezone.now()
    for index, scenario in enumerate(SCENARIOS):
        name, email, language = CONSUMERS[(index + len(demo.slug)) % len(CONSUMERS)]
        category = categories[index % len(categories)]
        field_values = {}
        if category.slug == "service" and demo.slug == "inverter":
            field_values = {"ticket_number": f"T-{104200 + index}", "serial_number": f"SW36-2201-{index:04d}"}
        elif category.slug == "product" and demo.slug == "inverter":
            field_values = {"inverter_model": demo.products[index % 4], "serial_number": f"SW50-2304-{index:04d}"}
        complaint = file_complaint(
            organisation,
            NewComplaint(
                description=rng.choice(DESCRIPTIONS[language]),
                contact_name=name,
                contact_email=email,
                contact_language=language,
                category=category.slug,
                field_values=field_values,
                order_number=f"{demo.slug[:2].upper()}{100200 + index}",
                product=demo.products[index % len(demo.products)],
                purchase_date=(now - datetime.timedelta(days=30 + index)).date(),
                desired_solution="Graag een vervangend exemplaar." if language == "nl" else "Please send a replacement.",
            ),
            channel=[Channel.WEB, Channel.EMAIL, Channel.PHONE, Channel.API][index % 4],
            by=Actor.system(),
            received_at=now - datetime.timedelta(days=len(SCENARIOS) - index, hours=index),
        )
        _play(complaint, scenario, organisation, staff)


def _play(complaint: Complaint, scenario: str, organisation: Organisation, staff: dict) -> None:
    agent = Actor.staff(staff["alice"], organisation)
    manager = Actor.staff(staff["manon"], organisation)
    consumer = Actor.consumer(complaint)
    if scenario == "received":
        return
    if complaint.status == Status.RECEIVED:
        complaint = actions.acknowledge(complaint, by=agent)
    complaint = actions.assign(complaint, by=manager, handler=staff["alice"])
    if scenario == "acknowledged":
        return
    if scenario == "spam":
        actions.reject_as_spam(complaint, by=agent, reason="Reclame, geen klacht.")
        return
    if scenario == "withdrawn":
        actions.withdraw(complaint, by=consumer, reason="Toch zelf opgelost.")
        return
    complaint = actions.start(complaint, by=agent)
    if scenario == "investigating":
        return
    if scenario == "awaiting_consumer":
        actions.ask_info(complaint, by=agent, question="Kunt u een foto van de schade sturen?")
        return
    if scenario == "closed_not_upheld":
        actions.close(
            complaint,
            by=agent,
            letter=actions.LetterInput(
                actions_taken="We hebben de bestelling en de bezorgstatus nagekeken.",
                conclusions="Het pakket is volgens de vervoerder correct afgeleverd.",
                decision="Wij kunnen geen vergoeding bieden.",
            ),
        )
        return
    complaint = actions.propose_resolution(
        complaint, by=agent, kinds=["replacement", "apology"], text="We sturen kosteloos een nieuw exemplaar."
    )
    if scenario == "resolution_proposed":
        return
    if scenario in ("resolved", "closed_resolved"):
        complaint = actions.accept(complaint, by=consumer)
        if scenario == "closed_resolved":
            actions.close(complaint, by=consumer, feedback=actions.FeedbackInput(resolved=True, satisfaction=4))
        return
    complaint = actions.reject(complaint, by=consumer, comment="Ik wil mijn geld terug.")
    complaint = actions.escalate(complaint, by=consumer, reason="Niet tevreden met het voorstel.")
    if scenario == "escalated":
        return
    stage_staff = Actor.staff(staff["bert"] if complaint.stage == 3 else staff["manon"], organisation)
    complaint = actions.acknowledge(complaint, by=stage_staff)
    complaint = actions.decide(
        complaint,
        by=stage_staff,
        decision="not_upheld",
        letter=actions.LetterInput(
            actions_taken="Alle correspondentie en het onderzoek van de klantenservice zijn opnieuw bekeken.",
            conclusions="De klantenservice heeft het beleid correct gevolgd.",
            changes="De verpakking van dit product wordt verbeterd.",
            decision="Het voorstel van de klantenservice blijft staan.",
        ),
    )
    if scenario == "referred":
        actions.refer(complaint, by=consumer, body=_first_external_body(complaint))


def _first_external_body(complaint: Complaint) -> str:
    bodies = complaint.policy.spec.external_bodies
    return bodies[0].name.in_language(complaint.contact_language) if bodies else "Independent advice"
