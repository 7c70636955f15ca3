"""Demo data of the public platform (seed 004): a registry of companies, most of them e-mail only
and one connected (the desk's VXhome), consumers with accounts, a moderator, a legal advisor, and
platform complaints in every state, with score cards that have enough data to show.

Every complaint goes through the real functions (filing, screening, the company's mail and its
reply, the consumer's verdict, legal aid). Only the instants are moved afterwards: a demo made in
one minute would otherwise show every first reply after zero hours.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint
from gehoord.complaints.models import Complaint, Message, Publication, Visibility
from gehoord.organisations.models import ConsumerAccount, Organisation, PlatformMembership, PlatformRole
from gehoord.platform import companies, filing, registry, scores

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Behaviour:
    """How a company deals with its platform complaints: the demo's score cards follow from it."""

    complaints: int
    answers: float  # the share it answers at all
    reply_hours: tuple[int, int]  # how long its first answer takes, at least and at most
    resolves: float  # the share of answered complaints the consumer calls resolved


GOOD = Behaviour(complaints=14, answers=0.95, reply_hours=(2, 30), resolves=0.8)
AVERAGE = Behaviour(complaints=10, answers=0.7, reply_hours=(24, 200), resolves=0.5)
POOR = Behaviour(complaints=9, answers=0.3, reply_hours=(150, 600), resolves=0.2)
QUIET = Behaviour(complaints=2, answers=0.5, reply_hours=(24, 72), resolves=0.5)
NONE = Behaviour(complaints=0, answers=0, reply_hours=(0, 0), resolves=0)

# name, KvK/KBO number, website host, country, verified, behaviour
COMPANIES = [
    ("Fietsenwinkel De Spaak", "60123451", "despaak.example", "NL", True, GOOD),
    ("TelcoNet Mobiel", "60123452", "telconet.example", "NL", True, POOR),
    ("Zonnig Reizen", "60123453", "zonnigreizen.example", "NL", True, AVERAGE),
    ("Huis & Tuin Direct", "60123454", "huisentuin.example", "NL", True, AVERAGE),
    ("Energie Samen", "0403.170.701", "energiesamen.example", "BE", True, POOR),
    ("Modehuis Linde", "60123456", "linde.example", "NL", True, GOOD),
    ("Keukenkampioen", "60123457", "keukenkampioen.example", "NL", True, AVERAGE),
    ("Snelpakket Bezorging", "0404.123.456", "snelpakket.example", "BE", True, POOR),
    ("Boekhandel Het Blad", "60123459", "hetblad.example", "NL", True, QUIET),
    ("Autoservice Vermeulen", "60123460", "vermeulen.example", "NL", True, QUIET),
    ("Stroomlijn Internet", "0405.222.333", "stroomlijn.example", "BE", True, QUIET),
    ("Woonwinkel Noord", "60123462", "woonnoord.example", "NL", False, QUIET),
    ("Dierenspeciaalzaak Kwispel", "60123463", "kwispel.example", "NL", True, NONE),
    ("Verzekeraar Zekerheid", "60123464", "zekerheid.example", "NL", True, NONE),
    ("Reisbureau Verre Oorden", "0406.444.555", "verreoorden.example", "BE", True, NONE),
    ("Elektro Centrum", "60123466", "elektrocentrum.example", "NL", True, NONE),
    ("Drukkerij Inktvis", "60123467", "inktvis.example", "NL", False, NONE),
    ("Tuincentrum De Linde", "60123468", "tuincentrumlinde.example", "NL", True, NONE),
    ("Opticien Helder", "60123469", "helder.example", "NL", True, NONE),
    ("Sportschool Fit", "60123470", "sportfit.example", "NL", True, NONE),
    ("Matrassenland", "60123471", "matrassenland.example", "NL", True, NONE),
    ("Bakkerij Goudkorst", "0407.666.777", "goudkorst.example", "BE", True, NONE),
    ("Telefoonhoesjes.nl", "60123473", "hoesjes.example", "NL", False, NONE),
    ("Webwinkel Alles", "60123474", "alles.example", "NL", False, NONE),
    ("Parkeergarage Centrum", "60123475", "parkeren.example", "NL", True, NONE),
    ("Schoonmaakbedrijf Glans", "60123476", "glans.example", "NL", True, NONE),
    ("Loodgieter Snel", "0408.888.999", "loodgietersnel.example", "BE", True, NONE),
    ("Kinderopvang Zonnetje", "60123478", "zonnetje.example", "NL", True, NONE),
    ("Computerwinkel Bit", "60123479", "bit.example", "NL", True, NONE),
    ("Bloemenbezorging Roos", "60123480", "roos.example", "NL", False, NONE),
]

# name, e-mail, language, subscriber
ACCOUNTS = [
    ("Carol de Vries", "carol@example.nl", "nl", True),
    ("Daan Jansen", "daan@example.nl", "nl", False),
    ("Emma Williams", "emma@example.co.uk", "en", True),
]
ANONYMOUS = [("Fatima El Amrani", "fatima@example.nl", "nl"), ("Hanna Bakker", "hanna@example.nl", "nl")]

COMPLAINTS = [
    "Mijn bestelling is na drie weken nog steeds niet geleverd en de klantenservice belt niet terug.",
    "Het product was na twee weken kapot. Ik wil een nieuw exemplaar of mijn geld terug.",
    "Er is twee keer geïncasseerd voor hetzelfde abonnement. Bel me op 06 12345678 of mail jan.de.vries@example.nl.",
    "De monteur kwam niet op de afgesproken dag en er werd niet afgebeld.",
    "Ik heb mijn abonnement opgezegd, maar er wordt nog steeds afgeschreven van NL91 ABNA 0417 1643 00.",
    "The order arrived damaged and the return label does not work.",
]
REPLIES = [
    "Excuses voor het ongemak. We hebben een nieuw exemplaar verstuurd; u ontvangt het binnen drie werkdagen.",
    "We hebben het dubbel geïncasseerde bedrag teruggestort. Met vriendelijke groet, de klantenservice.",
    "Wij betreuren de gang van zaken. Een collega neemt contact met u op om een nieuwe afspraak te maken.",
    "Thank you for your message. We have refunded the order in full.",
]


def load(rng: random.Random, password: str, connected: Organisation) -> list[tuple[str, str, str]]:
    """Create the platform's demo next to the desk's; returns its logins (scope, username, role)."""
    User = get_user_model()
    moderator = User.objects.create_user(
        username="moderator@gehoord.example", email="moderator@gehoord.example", password=password,
        first_name="Mona", last_name="Moderator",
    )
    PlatformMembership.objects.create(user=moderator, role=PlatformRole.MODERATOR)
    advisor = User.objects.create_user(
        username="jurist@gehoord.example", email="jurist@gehoord.example", password=password,
        first_name="Lars", last_name="Jurist",
    )
    PlatformMembership.objects.create(user=advisor, role=PlatformRole.LEGAL_ADVISOR)
    logins = [
        ("platform", moderator.username, PlatformRole.MODERATOR),
        ("platform", advisor.username, PlatformRole.LEGAL_ADVISOR),
    ]
    consumers = []
    for name, email, language, subscriber in ACCOUNTS:
        user = User.objects.create_user(username=email, email=email, password=password, first_name=name)
        ConsumerAccount.objects.create(
            user=user, language=language, subscriber=subscriber, email_verified_at=timezone.now()
        )
        consumers.append(user)
        logins.append(("platform", email, "subscriber" if subscriber else "consumer"))

    founder = consumers[1]
    demo = _Demo(rng, Actor.moderator(moderator), consumers)
    for name, number, host, country, verified, behaviour in COMPANIES:
        company = registry.add(
            registry.CompanyDetails(
                name=name, complaint_email=f"klachten@{host}", website=f"https://www.{host}",
                registration_number=number, country=country, contact_person="Klantenservice",
            ),
            by=founder,
        )
        if verified:
            registry.verify(company)
        demo.complaints_about(company, behaviour)
    demo.complaints_about(connected, AVERAGE)
    demo.legal_aid()
    # Twice: the second pass smooths towards the platform average the first one prepared.
    for _pass in range(2):
        scores.refresh(Organisation.objects.in_registry().values_list("pk", flat=True))
    return logins


class _Demo:
    def __init__(self, rng: random.Random, moderator: Actor, consumers: list):
        self.rng = rng
        self.moderator = moderator
        self.consumers = consumers
        self.now = timezone.now()
        self.unresolved_of_subscriber: Complaint | None = None

    def complaints_about(self, company: Organisation, behaviour: Behaviour) -> None:
        for index in range(behaviour.complaints):
            # Spread over the last eleven months; the first is yesterday's, still waiting for screening.
            received_at = self.now - DAY * (1 if index == 0 else self.rng.randint(2, 330))
            complaint = self._file(company, received_at, public=self.rng.random() < 0.75)
            self._screen(complaint, index)
            if complaint.company_notified_at is None and not company.connected:
                companies.notify(complaint.pk)
            answered = self.rng.random() < behaviour.answers
            age_days = (self.now - received_at).days
            if answered and age_days > 2:
                self._answer(complaint, company, received_at, behaviour)
                if age_days > 10:
                    self._verdict(complaint, resolved=self.rng.random() < behaviour.resolves)
            elif not answered and age_days > 30 and self.rng.random() < 0.7:
                actions.perform("close_unanswered", Complaint.objects.get(pk=complaint.pk), by=Actor.consumer(complaint))

    def _file(self, company: Organisation, received_at: datetime.datetime, *, public: bool) -> Complaint:
        with_account = self.rng.random() < 0.6
        if with_account:
            user = self.rng.choice(self.consumers)
            name, email, language = user.first_name, user.email, user.consumer_account.language
        else:
            user = None
            name, email, language = self.rng.choice(ANONYMOUS)
        # A connected company's own form asks for one of its categories.
        category = company.categories.filter(active=True).values_list("slug", flat=True).first() or ""
        return filing.file_on_platform(
            company,
            NewComplaint(
                description=self.rng.choice(COMPLAINTS),
                category=category,
                contact_name=name,
                contact_email=email,
                contact_language=language,
                product="",
                desired_solution="Graag een oplossing binnen twee weken.",
                visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
            ),
            by=Actor.system(),
            consumer=user,
            received_at=received_at,
        )

    def _screen(self, complaint: Complaint, index: int) -> None:
        if complaint.publication != Publication.PENDING:
            return
        if (self.now - complaint.received_at).days < 3:
            return  # the moderators have not got to it yet
        if index == 3:
            actions.perform(
                "withhold", complaint, by=self.moderator,
                reason="De klacht noemt een medewerker bij naam en bevat een belediging.",
            )
        else:
            actions.perform("publish", complaint, by=self.moderator)

    def _answer(self, complaint: Complaint, company: Organisation, received_at, behaviour: Behaviour) -> None:
        complaint.refresh_from_db()
        replied_at = received_at + datetime.timedelta(hours=self.rng.randint(*behaviour.reply_hours))
        if company.connected:
            staff = company.memberships.filter(role="agent").select_related("user").first().user
            by = Actor.staff(staff, company)
            if complaint.status == "received":
                actions.acknowledge(complaint, by=by)
            message = actions.add_message(complaint, by=by, body=self.rng.choice(REPLIES))
        else:
            message = actions.add_message(
                complaint, by=Actor.company(company, via=company.complaint_email), body=self.rng.choice(REPLIES),
                sender=company.complaint_email,
            )
        if message.publication == Publication.PENDING:
            actions.perform("publish_reply", complaint, by=self.moderator, message_id=message.pk)
        Message.objects.filter(pk=message.pk).update(created_at=min(replied_at, self.now))
        Complaint.objects.filter(pk=complaint.pk).update(first_reply_at=min(replied_at, self.now))

    def _verdict(self, complaint: Complaint, *, resolved: bool) -> None:
        complaint.refresh_from_db()
        if "conclude" not in lifecycle.allowed_actions(complaint, Actor.consumer(complaint)):
            return  # a connected company's complaint is concluded once its desk has resolved it
        actions.perform(
            "conclude", complaint, by=Actor.consumer(complaint), resolved=resolved,
            satisfaction=self.rng.randint(4, 5) if resolved else self.rng.randint(1, 2),
            comment="Snel en netjes opgelost." if resolved else "Geen echte oplossing gekregen.",
        )
        if not resolved and complaint.consumer_id and complaint.consumer.consumer_account.subscriber:
            self.unresolved_of_subscriber = self.unresolved_of_subscriber or complaint

    def legal_aid(self) -> None:
        """One subscriber's unresolved complaint is with the legal-aid service."""
        complaint = self.unresolved_of_subscriber
        if complaint is not None:
            complaint.refresh_from_db()
            actions.perform(
                "hand_to_legal_aid", complaint, by=Actor.consumer(complaint),
                question="Het bedrijf weigert de schade te vergoeden. Wat zijn mijn rechten?",
            )
