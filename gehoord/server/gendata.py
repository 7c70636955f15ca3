"""Realistic benchmark data, fast: `gehoord gendata --complaints N [--organisations M]`.

Ten organisations of uneven size (one of each seed's policy and some more), their staff, categories
and policies are made with the ORM; the complaints and everything that hangs off them — deadlines
(met, missed, open, paused, cancelled), timeline events, messages, attachment metadata,
resolutions, outcome letters and the outbox — are written in bulk: with COPY (psycopg's
`cursor.copy()`) on PostgreSQL, into tables whose secondary indexes are built again only once the
rows are in, with `bulk_create` on SQLite.

Every complaint is a small story played out in memory by the same rules the actions follow
(receipt, acknowledgement, assignment, questions, answers, proposals, escalation, closing, what
the sweep does when a deadline passes), so the rows agree with each other: a missed deadline has
its `deadline_missed` event, an acknowledged complaint its acknowledgement mail, `next_check_at`
and `next_deadline_at` are what `plan_next_check` and `refresh_next_deadline` would say, and no
deadline is due for the sweep at the instant the data was made. The same seed and instant give
the same data.

The run is recorded in a small table of its own (`gehoord_gendata`, outside the models: it is
bookkeeping of this tool, not of the product), so that asking again for the same size reuses the
data instead of making it again. This is a benchmark tool: it refuses to add to a database that
holds other complaints unless told to empty it first (`replace=True`).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import functools
import gc
import hashlib
import itertools
import json
import multiprocessing
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.utils import timezone

from gehoord.complaints import events
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import (
    Attachment,
    Complaint,
    Event,
    Message,
    Outcome,
    OutcomeLetter,
    Resolution,
    Stage,
    Status,
)
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Category, CategoryField, Membership, Organisation, Role, Team
from gehoord.platform import scores
from gehoord.policies.calendar import Unit
from gehoord.policies.models import Deadline, PolicyVersion
from gehoord.policies.presets import PRESETS
from gehoord.policies.rules import Anchor, DeadlineKind, schedule


UTC = datetime.UTC
MARKER_TABLE = "gehoord_gendata"
INDEX_TABLE = "gehoord_gendata_indexes"  # the indexes dropped for the load, until they are built again
# Every generated staff account has this password: bench data only, never a real installation.
STAFF_PASSWORD = "gehoord-bench-pass"
HISTORY_DAYS = 730
RECENT_DAYS = 45
CHUNK = 5_000  # complaints per COPY batch (and per commit)
MAIL_DOMAIN = "gehoord.localhost"


class GendataError(Exception):
    pass


# --- The organisations --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationProfile:
    slug: str
    name: str
    preset: str
    country: str
    time_zone: str
    language: str
    currency: str
    weight: float
    order_prefix: str
    products: tuple[str, ...]


NL, GB = ("NL", "Europe/Amsterdam"), ("GB", "Europe/London")

PROFILES = (
    OrganisationProfile("huiscomfort", "HuisComfort Wonen B.V.", "vxhome", *NL, "nl", "EUR", 30, "HC",
                        ("Boxspring Oslo 160x200", "Eettafel Lund eiken", "Bank Milano 3-zits", "Kast Bergen wit")),
    OrganisationProfile("northbridge", "Northbridge Outdoor Ltd", "webshop-board", *GB, "en", "GBP", 18, "NB",
                        ("Trail tent 3P", "Down sleeping bag", "Camping stove Duo", "Hiking boots Ridge")),
    OrganisationProfile("welbeing", "Welbeing Health Ltd", "welzo", *GB, "en", "GBP", 13, "WB",
                        ("Vitamin D test kit", "Online GP consultation", "Blood pressure monitor", "Allergy test")),
    OrganisationProfile("zonnekracht", "Zonnekracht Energie B.V.", "inverter", *NL, "nl", "EUR", 10, "ZK",
                        ("ZK-3600 omvormer", "ZK-5000 omvormer", "ZK Hybrid 6K", "Monitoringkastje ZK-Link")),
    OrganisationProfile("despaak", "Fietsenwinkel De Spaak", "vxhome", *NL, "nl", "EUR", 8, "SP",
                        ("E-bike Stadsrijder", "Kinderfiets 20 inch", "Fietsslot Ringo", "Accu 500Wh")),
    OrganisationProfile("kingsley", "Kingsley Home Appliances plc", "welzo", *GB, "en", "GBP", 6, "KA",
                        ("Washing machine K800", "Dishwasher Silent 45", "Fridge-freezer 70/30", "Cordless vacuum V9")),
    OrganisationProfile("lagelanden", "Telecom Lage Landen", "inverter", *NL, "nl", "EUR", 5, "TL",
                        ("Glasvezel 1 Gbit", "Mobiel abonnement 20 GB", "Modem FritzBox", "Tv-pakket Plus")),
    OrganisationProfile("parcelpoint", "Parcelpoint UK Ltd", "webshop-board", *GB, "en", "GBP", 4, "PP",
                        ("Next-day parcel", "International parcel", "Returns label", "Locker delivery")),
    OrganisationProfile("groenekeuken", "De Groene Keuken", "vxhome", *NL, "nl", "EUR", 3.5, "GK",
                        ("Maaltijdbox Familie", "Groentepakket", "Kookworkshop", "Abonnement Weekmenu")),
    OrganisationProfile("brightwater", "Brightwater Utilities Ltd", "welzo", *GB, "en", "GBP", 2.5, "BW",
                        ("Water meter", "Annual bill", "Leak repair", "Direct debit")),
)

CATEGORIES = {
    "nl": (("product", "Product"), ("levering", "Levering"), ("dienstverlening", "Dienstverlening"),
           ("factuur", "Factuur en betaling"), ("garantie", "Garantie en reparatie"), ("communicatie", "Communicatie")),
    "en": (("delivery", "Delivery"), ("faulty-item", "Faulty item"), ("refund", "Refund"),
           ("billing", "Billing and payment"), ("customer-service", "Customer service"), ("other", "Other")),
}


def profiles(count: int) -> list[OrganisationProfile]:
    """The first `count` organisations; past ten, more of the same kinds with smaller shares."""
    chosen = list(PROFILES[:count])
    for extra in range(len(PROFILES), count):
        base = PROFILES[extra % len(PROFILES)]
        chosen.append(
            OrganisationProfile(
                f"{base.slug}-{extra // len(PROFILES) + 1}", f"{base.name} ({extra // len(PROFILES) + 1})",
                base.preset, base.country, base.time_zone, base.language, base.currency,
                max(1.0, base.weight / 4), f"{base.order_prefix}{extra // len(PROFILES) + 1}", base.products,
            )
        )
    return chosen


# --- Texts ---------------------------------------------------------------------------------------

FIRST_NAMES = {
    "nl": ("Anouk", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Iris", "Jeroen", "Kees", "Lotte",
           "Mohamed", "Noor", "Olaf", "Priya", "Ruben", "Sanne", "Thijs", "Yasmina", "Willem", "Zeynep"),
    "en": ("Alice", "Ben", "Charlotte", "David", "Emily", "Fiona", "George", "Harriet", "Isaac", "Jack", "Kate",
           "Liam", "Maya", "Nathan", "Olivia", "Priya", "Rhys", "Sophie", "Tom", "Uma", "William", "Zara"),
}
LAST_NAMES = {
    "nl": ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
           "Vos", "Peters", "Hendriks", "van Dijk", "El Amrani", "Yilmaz", "van den Berg", "Kramer", "Dekker"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
           "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Clarke"),
}
MAIL_HOSTS = {"nl": ("ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.com", "outlook.com", "xs4all.nl"),
              "en": ("gmail.com", "btinternet.com", "outlook.com", "yahoo.co.uk", "sky.com", "icloud.com")}

DESCRIPTION = {
    "nl": {
        "open": (
            "Op {date} heb ik bij u de {product} besteld (ordernummer {order}).",
            "Ik schrijf u omdat ik erg ontevreden ben over de {product} die ik vorige maand kocht.",
            "Helaas moet ik een klacht indienen over mijn bestelling {order}.",
            "Sinds een paar weken heb ik problemen met de {product}.",
            "Ik ben al jaren klant bij u, maar wat er nu gebeurd is vind ik echt niet in orde.",
        ),
        "problem": (
            "Bij de levering bleek de verpakking beschadigd en zat er een flinke kras in het product.",
            "De bezorger heeft het pakket bij de verkeerde buren afgeleverd en het is nooit bij mij aangekomen.",
            "Na twee weken gebruik werkt het apparaat niet meer; het gaat niet meer aan en de lampjes knipperen.",
            "Op de factuur staat een bedrag dat hoger is dan wat ik in de webshop heb betaald.",
            "De levering was drie keer uitgesteld zonder dat iemand mij daarover heeft ingelicht.",
            "Er ontbraken onderdelen in de doos, waardoor ik het product niet in elkaar kan zetten.",
            "Het product wijkt duidelijk af van de beschrijving en de foto's op uw website.",
            "Ik heb twee keer gebeld met de klantenservice en beide keren werd beloofd dat ik zou worden teruggebeld, maar dat is niet gebeurd.",
            "Mijn terugbetaling van de retourzending heb ik na vier weken nog steeds niet ontvangen.",
            "De monteur kwam niet op de afgesproken dag en ik had daarvoor speciaal een dag vrij genomen.",
            "Er is twee keer een bedrag van mijn rekening afgeschreven voor dezelfde bestelling.",
            "De storing komt elke dag terug, vooral in de ochtend, en de foutcode verdwijnt pas na een herstart.",
        ),
        "detail": (
            "Ik heb foto's van de schade gemaakt en die stuur ik mee.",
            "Het serienummer staat op de achterkant en ik kan het doorgeven als dat nodig is.",
            "Ik heb de chat op uw website geprobeerd, maar daar kreeg ik alleen standaardantwoorden.",
            "Het gaat om een cadeau voor mijn dochter, dus het is extra vervelend.",
            "Volgens de track-and-trace is het pakket bezorgd, maar er is niets aangekomen.",
            "Ik heb de gebruiksaanwijzing precies gevolgd, dus aan de installatie kan het niet liggen.",
            "Mijn buurvrouw heeft hetzelfde probleem gehad met een exemplaar uit dezelfde serie.",
            "De kosten voor het terugsturen wil ik niet zelf betalen, omdat de fout niet bij mij ligt.",
        ),
        "wish": (
            "Ik wil graag dat het product kosteloos wordt vervangen.",
            "Ik verwacht dat u het volledige aankoopbedrag terugbetaalt.",
            "Graag hoor ik binnen twee weken hoe u dit gaat oplossen.",
            "Ik zou een vergoeding voor de extra kosten redelijk vinden.",
            "Ik wil dat de monteur zo snel mogelijk langskomt om het te repareren.",
        ),
        "close": ("Met vriendelijke groet,", "Groet,", "Alvast bedankt voor uw reactie.", "Ik hoop op een snelle oplossing."),
    },
    "en": {
        "open": (
            "On {date} I ordered the {product} from your website (order number {order}).",
            "I am writing because I am very unhappy with the {product} I bought last month.",
            "Unfortunately I have to make a complaint about my order {order}.",
            "For the past few weeks I have been having problems with the {product}.",
            "I have been a customer for years, but what happened this time is not acceptable.",
        ),
        "problem": (
            "When it arrived the box was damaged and there is a deep scratch on the item itself.",
            "The courier left the parcel with the wrong neighbour and it never reached me.",
            "After two weeks of use it stopped working; it will not switch on and the lights keep flashing.",
            "The invoice shows an amount that is higher than what I paid at checkout.",
            "The delivery was postponed three times without anyone letting me know.",
            "Parts were missing from the box, so I cannot assemble the product.",
            "The item is clearly different from the description and the photos on your website.",
            "I have called customer service twice and both times I was promised a call back that never came.",
            "Four weeks after returning the item I still have not received my refund.",
            "The engineer did not turn up on the agreed day, and I had taken the day off work for it.",
            "I have been charged twice for the same order.",
            "The fault comes back every day, mostly in the morning, and the error code only clears after a restart.",
        ),
        "detail": (
            "I have taken photos of the damage and attached them.",
            "The serial number is on the back and I can send it if you need it.",
            "I tried the chat on your website but only got standard replies.",
            "It was a present for my daughter, which makes this even more disappointing.",
            "According to the tracking the parcel was delivered, but nothing arrived.",
            "I followed the instructions exactly, so the installation is not the problem.",
            "My neighbour had the same problem with one from the same batch.",
            "I do not want to pay the return postage myself, as the fault is not mine.",
        ),
        "wish": (
            "I would like the item to be replaced free of charge.",
            "I expect a full refund of the purchase price.",
            "Please let me know within two weeks how you will resolve this.",
            "I think compensation for the extra costs would be fair.",
            "I would like an engineer to come and repair it as soon as possible.",
        ),
        "close": ("Kind regards,", "Best wishes,", "Thank you in advance for your reply.", "I hope this can be sorted out quickly."),
    },
}

STAFF_TEXT = {
    "nl": (
        "Beste {name},\n\nDank voor uw bericht. Wij hebben uw klacht met de afdeling logistiek besproken en zoeken uit wat er precies is misgegaan. U hoort binnen enkele dagen van ons.\n\nMet vriendelijke groet,\n{agent}",
        "Beste {name},\n\nExcuses voor het ongemak. Wij sturen u kosteloos een nieuw exemplaar toe; het oude product mag u houden of bij het afleveren meegeven aan de bezorger.\n\nMet vriendelijke groet,\n{agent}",
        "Beste {name},\n\nWe hebben de betaling nagekeken en zien inderdaad een dubbele afschrijving. Het bedrag wordt binnen vijf werkdagen teruggestort op uw rekening.\n\nMet vriendelijke groet,\n{agent}",
        "Beste {name},\n\nDe monteur kan op dinsdag tussen 8.00 en 12.00 uur bij u langskomen. Laat u ons weten of dat schikt?\n\nMet vriendelijke groet,\n{agent}",
    ),
    "en": (
        "Dear {name},\n\nThank you for your message. We have raised your complaint with our warehouse team and are looking into what went wrong. We will be back in touch within a few days.\n\nKind regards,\n{agent}",
        "Dear {name},\n\nWe are sorry for the trouble. We will send you a replacement free of charge; you can keep the old item or hand it to the courier on delivery.\n\nKind regards,\n{agent}",
        "Dear {name},\n\nWe have checked the payment and can see that you were indeed charged twice. The amount will be refunded to your account within five working days.\n\nKind regards,\n{agent}",
        "Dear {name},\n\nOur engineer can visit on Tuesday between 8am and 12pm. Could you let us know whether that suits you?\n\nKind regards,\n{agent}",
    ),
}
QUESTION_TEXT = {
    "nl": (
        "Kunt u ons een foto sturen van het typeplaatje en van de schade?",
        "Wilt u het ordernummer en het rekeningnummer doorgeven waarop de betaling is gedaan?",
        "Kunt u aangeven op welke dagen de storing optreedt en welke foutcode u ziet?",
    ),
    "en": (
        "Could you send us a photo of the rating plate and of the damage?",
        "Could you give us the order number and the account the payment was made from?",
        "Could you tell us on which days the fault occurs and which error code you see?",
    ),
}
CONSUMER_TEXT = {
    "nl": (
        "Hierbij de gevraagde foto's. Het typeplaatje zit aan de onderkant.",
        "Het ordernummer heb ik hierboven vermeld; de betaling is gedaan met iDEAL vanaf mijn eigen rekening.",
        "Dank voor uw snelle reactie. Dinsdagochtend komt mij goed uit.",
        "Ik heb nog steeds niets ontvangen, terwijl u had beloofd dat het deze week geregeld zou zijn. Wanneer kan ik iets verwachten?",
        "De storing trad vanochtend weer op, om ongeveer 7.30 uur, met foutcode E-04.",
    ),
    "en": (
        "Please find the photos attached. The rating plate is on the underside.",
        "The order number is above; I paid by card from my own account.",
        "Thank you for the quick reply. Tuesday morning suits me well.",
        "I still have not received anything, although you promised it would be sorted this week. When can I expect it?",
        "The fault happened again this morning at about 7.30am, with error code E-04.",
    ),
}
NOTE_TEXT = {
    "nl": ("Klant heeft gebeld, teruggebeld en uitgelegd dat de vervanging is besteld.",
           "Navraag gedaan bij de vervoerder; zij onderzoeken de bezorging.",
           "Vergelijkbare klacht als vorige week; mogelijk een productiefout in deze serie."),
    "en": ("Customer called; called back and explained the replacement is on order.",
           "Asked the carrier to investigate the delivery.",
           "Similar to a complaint last week; possibly a fault in this batch."),
}
RESOLUTION_TEXT = {
    "nl": ("Wij bieden u een nieuw exemplaar aan en vergoeden de verzendkosten.",
           "Wij betalen het aankoopbedrag terug en excuseren ons voor de gang van zaken.",
           "Onze monteur repareert het apparaat kosteloos onder de garantie."),
    "en": ("We offer you a replacement and will cover the postage.",
           "We will refund the purchase price, with our apologies for what happened.",
           "Our engineer will repair the appliance free of charge under the warranty."),
}
LETTER_TEXT = {
    "nl": ("Wij hebben de bestelgegevens, de correspondentie en de gegevens van de vervoerder bekeken.",
           "Het product is volgens de gegevens van de vervoerder op het juiste adres afgeleverd.",
           "Wij hebben de vervoerder gevraagd voortaan een foto bij aflevering te maken.",
           "Wij kunnen uw klacht daarom niet gegrond verklaren."),
    "en": ("We reviewed the order details, the correspondence and the carrier's records.",
           "According to the carrier's records the item was delivered to the correct address.",
           "We have asked the carrier to take a photo on delivery from now on.",
           "We are therefore unable to uphold your complaint."),
}
MAIL_SUBJECTS = {
    "acknowledgement": {"nl": "Wij hebben uw klacht ontvangen", "en": "We have received your complaint"},
    "staff_message": {"nl": "Nieuw bericht over uw klacht", "en": "A new message about your complaint"},
    "information_request": {"nl": "Wij hebben meer informatie nodig", "en": "We need more information"},
    "resolution_proposal": {"nl": "Ons voorstel voor een oplossing", "en": "Our proposal to resolve your complaint"},
    "escalation_received": {"nl": "Uw klacht is doorgezet", "en": "Your complaint has been escalated"},
    "outcome": {"nl": "De uitkomst van uw klacht", "en": "The outcome of your complaint"},
    "closing": {"nl": "Uw klacht is afgesloten", "en": "Your complaint has been closed"},
    "progress_update": {"nl": "Stand van zaken van uw klacht", "en": "An update on your complaint"},
    "deadline_missed": {"nl": "Termijn verstreken", "en": "Deadline missed"},
    "deadline_reminder": {"nl": "Herinnering: termijn loopt af", "en": "Reminder: a deadline is coming up"},
}
MAIL_BODY = {
    "nl": "Beste {name},\n\n{line}\n\nUw referentie is {reference}. Antwoord gerust op deze e-mail; uw reactie komt dan direct bij uw klacht terecht.\n\nU kunt de voortgang van uw klacht volgen op onze website met uw referentie en uw e-mailadres.\n\nMet vriendelijke groet,\n{organisation}\n",
    "en": "Dear {name},\n\n{line}\n\nYour reference is {reference}. You can reply to this e-mail; your answer will be added to your complaint straight away.\n\nYou can follow your complaint on our website with your reference and your e-mail address.\n\nKind regards,\n{organisation}\n",
}
MAIL_LINES = {
    "nl": "Wij hebben uw bericht over {product} ontvangen en nemen het in behandeling volgens onze klachtenprocedure.",
    "en": "We have received your message about the {product} and are handling it under our complaints procedure.",
}
ATTACHMENTS = (("foto_schade.jpg", "image/jpeg", "jpg"), ("IMG_20240312_0931.jpg", "image/jpeg", "jpg"),
               ("factuur.pdf", "application/pdf", "pdf"), ("screenshot.png", "image/png", "png"),
               ("video_storing.mp4", "video/mp4", "mp4"), ("bon.pdf", "application/pdf", "pdf"))

# The share of each status among recent complaints and among older ones.
RECENT_MIX = {
    Status.RECEIVED: 12, Status.ACKNOWLEDGED: 14, Status.INVESTIGATING: 22, Status.AWAITING_CONSUMER: 9,
    Status.RESOLUTION_PROPOSED: 8, Status.ESCALATED: 5, Status.RESOLVED: 8, Status.CLOSED: 16,
    Status.WITHDRAWN: 3, Status.REJECTED: 2, Status.REFERRED: 1,
}
OLD_MIX = {
    Status.RECEIVED: 0.2, Status.ACKNOWLEDGED: 0.3, Status.INVESTIGATING: 1.5, Status.AWAITING_CONSUMER: 1.5,
    Status.RESOLUTION_PROPOSED: 0.5, Status.ESCALATED: 0.6, Status.RESOLVED: 3.5, Status.CLOSED: 78,
    Status.WITHDRAWN: 5, Status.REJECTED: 3, Status.REFERRED: 5.9,
}
CHANNELS = (("web", 45), ("email", 30), ("phone", 9), ("letter", 3), ("api", 13))
SATISFACTION = ((1, 1), (2, 1), (3, 2), (4, 4), (5, 4))


class _Weighted:
    """`rng.choices(items, weights)[0]`, drawing the same item from the same random number, without
    adding up the weights again at every call: a few times faster, several times per complaint."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_SPACE = len(CODE_ALPHABET) ** 6


def public_id(index: int, year: int) -> str:
    """A unique KL-YY-XXXXXX for the index-th generated complaint (a bijection onto the code space)."""
    number = (index * 7_919 + 104_729) % CODE_SPACE
    code = []
    for _ in range(6):
        number, digit = divmod(number, 30)
        code.append(CODE_ALPHABET[digit])
    return f"KL-{year % 100:02d}-{''.join(code)}"


# --- Bulk writing --------------------------------------------------------------------------------


class RawJson(str):
    """JSON already serialised: COPY takes it as text, bulk_create gets it parsed back."""


EMPTY_JSON = RawJson("{}")


def _json_value(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is str and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


def _json_object(data: dict) -> RawJson:
    """json.dumps for the small flat objects of timeline events, several times faster."""
    if not data:
        return EMPTY_JSON
    return RawJson("{" + ",".join(f'"{key}":{_json_value(value)}' for key, value in data.items()) + "}")


class Table:
    """Rows of one model as tuples in a fixed column order; the model's other columns get their defaults.

    A column added to a model later gets its default here too, and one without a default makes
    the load fail loudly instead of writing a half row.
    """

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]):
        self.model = model
        self.columns = columns
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(concrete)
        if unknown:
            raise GendataError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.fields = [concrete[name] for name in columns]
        # An unlisted primary key is the database's to assign, a generated column the database's to compute.
        rest = [f for f in model._meta.concrete_fields
                if f.attname not in columns and not f.primary_key and not f.generated]
        self.all_columns = columns + tuple(f.attname for f in rest)
        self.defaults = tuple(_default(f) for f in rest)
        self.json_positions = [i for i, name in enumerate(self.all_columns) if isinstance(
            concrete[name], models.JSONField)]
        self.rows: list[tuple] = []

    def add(self, *values) -> None:
        self.rows.append(values)

    @property
    def sql_name(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def copy_sql(self) -> str:
        columns = ", ".join(connection.ops.quote_name(_column(self.model, name)) for name in self.all_columns)
        return f"COPY {self.sql_name} ({columns}) FROM STDIN"

    def instances(self) -> Iterator[models.Model]:
        for row in self.rows:
            values = list(row + self.defaults)
            for position in self.json_positions:
                if isinstance(values[position], RawJson):
                    values[position] = json.loads(values[position])
            yield self.model(**dict(zip(self.all_columns, values, strict=True)))


def _column(model: type[models.Model], attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f.column
    raise GendataError(f"{model.__name__}.{attname}")


def _default(f: models.Field):
    if f.has_default():
        value = f.get_default()
    elif getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
        raise GendataError(f"{f.model.__name__}.{f.name} has a database default; give it a value in gendata")
    elif f.null:
        value = None
    elif f.empty_strings_allowed and not f.null:
        value = ""
    else:
        raise GendataError(f"{f.model.__name__}.{f.name} needs a value: add it to gendata's columns")
    if isinstance(f, models.JSONField) and value is not None:
        return RawJson(json.dumps(value))
    return value


def _tables() -> dict[str, Table]:
    return {
        "complaint": Table(Complaint, (
            "id", "organisation_id", "public_id", "reference", "channel", "category_id", "description",
            "field_values", "order_number", "product", "purchase_date", "desired_solution", "contact_name",
            "contact_email", "contact_phone", "contact_language", "policy_id", "visibility", "stage", "status",
            "team_id", "handler_id", "outcome", "referred_to", "rejection_reason", "received_at", "acknowledged_at",
            "escalation_requested_at", "resolved_at", "closed_at", "updated_at", "next_deadline_at",
            "feedback_resolved", "feedback_satisfaction", "feedback_comment", "feedback_at",
        )),
        "message": Table(Message, ("id", "complaint_id", "kind", "channel", "author_id", "author_name", "body", "created_at")),
        "attachment": Table(Attachment, (
            "id", "complaint_id", "message_id", "field_key", "file", "original_name", "content_type", "size",
            "sha256", "uploaded_at",
        )),
        "deadline": Table(Deadline, (
            "id", "complaint_id", "kind", "stage", "rule_data", "anchored_at", "due_at", "target_at", "remind_at",
            "original_due_at", "extension_reason", "paused_at", "met_at", "missed_at", "cancelled_at",
            "reminded_at", "update_sent_at", "reassigned_at", "next_check_at",
        )),
        "event": Table(Event, (
            "id", "complaint_id", "kind", "created_at", "actor_kind", "actor_id", "actor_label", "consumer_visible", "data",
        )),
        "resolution": Table(Resolution, (
            "id", "complaint_id", "stage", "kinds", "refund_amount", "compensation_amount", "text", "proposed_by_id",
            "proposed_at", "response", "response_comment", "responded_at",
        )),
        "letter": Table(OutcomeLetter, (
            "id", "complaint_id", "stage", "actions_taken", "conclusions", "changes", "decision", "written_by_id",
            "written_at",
        )),
        "mail": Table(OutboundMail, (
            "id", "complaint_id", "kind", "to_address", "language", "subject", "body_text", "message_id", "automatic",
            "state", "attempts", "last_error", "created_at", "claimed_at", "sent_at",
        )),
    }


# Parents first: on PostgreSQL the foreign keys are checked at each chunk's commit.
TABLE_ORDER = ("complaint", "message", "attachment", "deadline", "event", "resolution", "letter", "mail")


# --- The world the complaints live in -------------------------------------------------------------


@dataclass
class Staff:
    id: int
    label: str
    email: str


@dataclass
class OrgWorld:
    profile: OrganisationProfile
    organisation_id: int
    policy_id: int
    spec: object
    categories: list[tuple[int, str, bool]]  # id, slug, has a serial-number field
    agents: list[Staff]
    managers: list[Staff]
    board: list[Staff]
    teams: list[int]

    @property
    def escalation_stage(self) -> int:
        return min(stage.number for stage in self.spec.stages)


def _build_world(org_profiles: list[OrganisationProfile], complaints: int, rng: random.Random) -> list[OrgWorld]:
    User = get_user_model()
    password = make_password(STAFF_PASSWORD)
    total_weight = sum(p.weight for p in org_profiles)
    worlds = []
    for profile in org_profiles:
        organisation = Organisation.objects.create(
            name=profile.name, slug=profile.slug, complaint_email=f"klachten@{profile.slug}.example",
            registration_number=f"{rng.randrange(10_000_000, 99_999_999)}", website=f"https://www.{profile.slug}.example",
            country=profile.country, time_zone=profile.time_zone, language=profile.language, currency=profile.currency,
            contact_person="Klachtenfunctionaris" if profile.language == "nl" else "Complaints officer",
        )
        policy = PolicyVersion.publish(organisation, PRESETS[profile.preset], preset=profile.preset)
        share = complaints * profile.weight / total_weight
        n_agents = max(2, min(60, int(share / 4_000) + 2))
        people = []
        for role, count in ((Role.AGENT, n_agents), (Role.MANAGER, 2), (Role.BOARD, 1), (Role.ADMIN, 1)):
            for number in range(1, count + 1):
                first = rng.choice(FIRST_NAMES[profile.language])
                last = rng.choice(LAST_NAMES[profile.language])
                people.append((f"{profile.slug}-{role}-{number}", first, last, role))
        users = User.objects.bulk_create(
            [User(username=u, first_name=f, last_name=l, email=f"{u}@{profile.slug}.example", password=password)
             for u, f, l, _ in people]
        )
        if users and users[0].pk is None:  # backends that return no ids from bulk inserts
            users = list(User.objects.filter(username__in=[p[0] for p in people]).order_by("id"))
        by_name = {user.username: user for user in users}
        Membership.objects.bulk_create(
            [Membership(user=by_name[u], organisation=organisation, role=role) for u, _, _, role in people]
        )
        staff = {role: [] for role in Role.values}
        for username, first, last, role in people:
            staff[role].append(Staff(by_name[username].pk, f"{first} {last}", f"{username}@{profile.slug}.example"))
        team = Team.objects.create(organisation=organisation, name="Serviceteam" if profile.language == "nl" else "Service team")
        team.members.set([by_name[p[0]] for p in people if p[3] == Role.AGENT][:5])
        categories = []
        for position, (slug, name) in enumerate(CATEGORIES[profile.language][: 4 + len(worlds) % 3]):
            category = Category.objects.create(organisation=organisation, slug=slug, name=name, position=position)
            serial = slug in ("product", "faulty-item", "garantie")
            if serial:
                CategoryField.objects.create(
                    category=category, key="serial_number", field_type="serial", required=False,
                    label="Serienummer" if profile.language == "nl" else "Serial number",
                )
            categories.append((category.pk, slug, serial))
        worlds.append(OrgWorld(
            profile=profile, organisation_id=organisation.pk, policy_id=policy.pk, spec=policy.spec,
            categories=categories, agents=staff[Role.AGENT], managers=staff[Role.MANAGER], board=staff[Role.BOARD],
            teams=[team.pk],
        ))
    return worlds


# --- One complaint's story -------------------------------------------------------------------------


class _Ids:
    def __init__(self, start: dict[str, int]):
        self.next = dict(start)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class _Scheduler:
    """`rules.schedule`, cached per rule and local day for the day-counted rules (the slow ones)."""

    def __init__(self):
        self.cache: dict = {}
        self.rule_json: dict = {}

    def rule_data(self, rule) -> RawJson:
        key = id(rule)
        if key not in self.rule_json:
            self.rule_json[key] = (rule, RawJson(json.dumps(rule.to_dict())))
        return self.rule_json[key][1]

    def plan(self, calendar, rule, at: datetime.datetime):
        if rule.duration.unit in (Unit.calendar_days, Unit.working_days) and (
            rule.reminder_before is None or rule.reminder_before.unit in (Unit.calendar_days, Unit.working_days)
        ):
            key = (id(rule), at.astimezone(calendar.zone).date())
            planned = self.cache.get(key)
            if planned is None:
                planned = self.cache[key] = schedule(calendar, rule, at)
            remind_at = max(at, planned.remind_at) if planned.remind_at else None
            return planned.due_at, planned.target_at, remind_at
        planned = schedule(calendar, rule, at)
        return planned.due_at, planned.target_at, planned.remind_at


class _Deadline:
    __slots__ = ("id", "kind", "stage", "rule", "rule_data", "anchored_at", "due_at", "target_at", "remind_at",
                 "paused_at", "met_at", "missed_at", "cancelled_at", "reminded_at", "update_sent_at", "reassigned_at")

    def __init__(self, id, rule, rule_data, anchored_at, due_at, target_at, remind_at):
        self.id = id
        self.kind = rule.kind.value
        self.stage = rule.stage
        self.rule = rule
        self.rule_data = rule_data
        self.anchored_at = anchored_at
        self.due_at = due_at
        self.target_at = target_at
        self.remind_at = remind_at
        self.paused_at = self.met_at = self.missed_at = self.cancelled_at = None
        self.reminded_at = self.update_sent_at = self.reassigned_at = None

    @property
    def pending(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def next_check_at(self):
        # As Deadline.plan_next_check.
        candidates = []
        if self.cancelled_at is None and self.paused_at is None:
            if self.met_at is None and self.missed_at is None and self.remind_at and self.reminded_at is None:
                candidates.append(self.remind_at)
            if self.missed_at is None and self.met_at is None:
                candidates.append(self.due_at)
            if self.rule.reassign_to_manager and self.reassigned_at is None:
                candidates.append(self.due_at)
        return min(candidates) if candidates else None


SWEEP_DELAY = datetime.timedelta(seconds=40)  # the sweep runs every minute
TWO_SECONDS = datetime.timedelta(seconds=2)


class _Story:
    """Plays one complaint from receipt to its final status, writing rows into the tables."""

    def __init__(self, gen: "_Generator", world: OrgWorld, index: int, received_at: datetime.datetime, status: str):
        self.gen = gen
        self.rng = gen.rng
        self.tables = gen.tables
        self.world = world
        self.spec = world.spec
        self.calendar = world.spec.calendar
        self.status = status
        self.id = gen.ids.take("complaint")
        self.received_at = received_at
        self.t = received_at
        self.limit = gen.now - datetime.timedelta(minutes=2)
        age = (self.limit - received_at).total_seconds()
        # Stories of recent complaints are told faster, so that they fit before now.
        self.pace = max(0.02, min(1.0, age / (40 * 86_400)))
        self.deadlines: list[_Deadline] = []
        self.stage = 1
        self.handler: Staff | None = None
        self.acknowledged_at = self.escalation_requested_at = self.resolved_at = self.closed_at = None
        self.outcome = ""
        self.referred_to = ""
        self.rejection_reason = ""
        self.feedback = (None, None, "", None)
        self.updated_at = received_at
        self.message_count = 0
        self._fill_contact(index)

    # Time ---------------------------------------------------------------------------------------

    def advance(self, hours_low: float, hours_high: float) -> datetime.datetime:
        step = datetime.timedelta(hours=self.rng.uniform(hours_low, hours_high) * self.pace)
        self.t = min(self.t + step, self.limit)
        self.updated_at = self.t
        return self.t

    # Content ------------------------------------------------------------------------------------

    def _fill_contact(self, index: int) -> None:
        rng = self.rng
        profile = self.world.profile
        self.language = profile.language if rng.random() < 0.88 else ("en" if profile.language == "nl" else "nl")
        first = rng.choice(FIRST_NAMES[self.language])
        last = rng.choice(LAST_NAMES[self.language])
        self.contact_name = f"{first} {last}"
        host = rng.choice(MAIL_HOSTS[self.language])
        local = f"{first}.{last}".lower().replace(" ", "")
        self.channel = self.gen.channels.pick(rng)
        self.contact_email = f"{local}{index % 997}@{host}" if (self.channel not in ("phone", "letter") or rng.random() < 0.7) else ""
        self.contact_phone = f"06{rng.randrange(10_000_000, 99_999_999)}" if (not self.contact_email or rng.random() < 0.4) else ""
        self.product = rng.choice(profile.products)
        self.order_number = f"{profile.order_prefix}-{1_000_000 + index}"
        if profile.preset != "webshop-board" and rng.random() < 0.3:
            self.order_number = ""
        year = self.received_at.year
        self.public_id = public_id(index, year)
        self.reference = self.order_number if self.spec.order_number_is_reference else self.public_id
        self.category_id, slug, serial = rng.choice(self.world.categories)
        self.field_values = (RawJson(f'{{"serial_number": "SN-{rng.randrange(1000, 9999)}-{index % 10_000:04d}"}}')
                             if serial and rng.random() < 0.8 else EMPTY_JSON)
        self.description = self._description()
        self.purchase_date = (self.received_at - datetime.timedelta(days=rng.randrange(2, 120))).date() if rng.random() < 0.6 else None
        self.desired_solution = rng.choice(DESCRIPTION[self.language]["wish"]) if rng.random() < 0.5 else ""

    def _description(self) -> str:
        rng = self.rng
        texts = DESCRIPTION[self.language]
        day = self.received_at - datetime.timedelta(days=rng.randrange(3, 40))
        date = f"{day.day:02d}-{day.month:02d}-{day.year}"
        order = self.order_number or ("onbekend" if self.language == "nl" else "unknown")
        opening = rng.choice(texts["open"]).format(date=date, product=self.product, order=order)
        problems = rng.sample(texts["problem"], rng.randint(1, 3))
        details = rng.sample(texts["detail"], rng.randint(0, 3))
        paragraphs = [" ".join([opening, *problems]), " ".join(details), rng.choice(texts["wish"])]
        if rng.random() < 0.7:
            paragraphs.append(f"{rng.choice(texts['close'])}\n{self.contact_name}")
        return "\n\n".join(p for p in paragraphs if p)

    # Rows ---------------------------------------------------------------------------------------

    def event(self, kind: str, at, actor: Staff | None = None, actor_kind: str = "staff", **data) -> None:
        """One timeline row, in the shape its kind declares (complaints/events.py), as timeline.record writes it."""
        kind = EventKind(kind)
        if actor_kind == "staff" and actor is None:
            actor_kind = "system"
        label = actor.label if actor else ("Gehoord" if actor_kind == "system" else self.contact_name)
        if actor_kind == "api":
            label = "API: webshop"
        self.tables["event"].add(
            self.gen.ids.take("event"), self.id, kind.value, at, actor_kind, actor.id if actor else None, label,
            events.TYPES[kind].consumer_visible, _json_object(events.payload(kind, data)),
        )

    def message(self, kind: str, at, body: str, author: Staff | None = None) -> int:
        message_id = self.gen.ids.take("message")
        channel = self.channel if kind == "consumer" else "web"
        self.tables["message"].add(
            message_id, self.id, kind, channel, author.id if author else None,
            author.label if author else self.contact_name, body, at,
        )
        self.message_count += 1
        if kind == "consumer" and self.rng.random() < 0.15:
            self.attachment(at, message_id)
        return message_id

    def attachment(self, at, message_id: int | None = None) -> None:
        name, content_type, _ext = self.rng.choice(ATTACHMENTS)
        digest = hashlib.sha256(f"{self.id}:{self.gen.ids.next['attachment']}".encode()).hexdigest()
        self.tables["attachment"].add(
            self.gen.ids.take("attachment"), self.id, message_id, "", f"complaints/{self.public_id}/{digest[:32]}",
            name, content_type, self.rng.randrange(40_000, 4_000_000), digest, at,
        )

    def mail(self, kind: str, at, to: str = "", language: str = "", automatic: bool = True) -> None:
        to = to or self.contact_email
        if not to:
            return
        language = language or self.language
        mail_id = self.gen.ids.take("mail")
        subject = f"[{self.reference}] {MAIL_SUBJECTS[kind][language]}"
        head, tail = self.gen.mail_parts(self.world, language, self.product)
        body = f"{head}{self.contact_name},\n\n{tail[0]}{self.reference}{tail[1]}"
        if at < self.gen.sent_before:
            state, attempts, claimed_at, sent_at = "sent", 1, at, at + TWO_SECONDS
        else:
            state, attempts, claimed_at, sent_at = "queued", 0, None, None
        self.tables["mail"].add(
            mail_id, self.id, kind, to, language, subject, body,
            f"{self.public_id}.{mail_id:x}{self.rng.getrandbits(24):06x}@{MAIL_DOMAIN}", automatic,
            state, attempts, "", at, claimed_at, sent_at,
        )

    def staff_for_stage(self) -> Staff:
        if self.stage == 1:
            return self.handler or self.rng.choice(self.world.agents)
        handled_by = next((str(s.handled_by) for s in self.spec.stages if s.number == self.stage), "manager")
        return self.rng.choice(self.world.board if handled_by == "board" else self.world.managers)

    # Deadlines (as policies.deadlines and the sweep) ------------------------------------------------

    def start_deadlines(self, anchor: Anchor, at, stage: int = 1) -> None:
        for rule in self.spec.rules:
            if rule.anchor != anchor or rule.stage != stage:
                continue
            due_at, target_at, remind_at = self.gen.scheduler.plan(self.calendar, rule, at)
            self.deadlines.append(_Deadline(
                self.gen.ids.take("deadline"), rule, self.gen.scheduler.rule_data(rule), at, due_at, target_at, remind_at,
            ))

    def settle(self, until) -> None:
        """What the sweep did to the deadlines before `until` (as sweep._handle, in time order)."""
        ended = self.closed_at or self.resolved_at
        for d in self.deadlines:
            if d.cancelled_at is not None or d.paused_at is not None:
                continue
            if d.met_at is None:
                if (d.remind_at and d.reminded_at is None and d.missed_at is None and d.remind_at < d.due_at
                        and d.remind_at < until):
                    d.reminded_at = d.remind_at + SWEEP_DELAY
                    self.event("deadline_reminder_sent", d.reminded_at, actor_kind="system",
                               deadline_kind=d.kind, due_at=d.due_at)
                    for person in self.responsible():
                        self.mail("deadline_reminder", d.reminded_at, to=person.email, language=self.world.profile.language)
                if d.missed_at is None and d.due_at < until:
                    at = d.due_at + SWEEP_DELAY
                    if d.rule.demands_update:
                        d.met_at = d.update_sent_at = at
                        self.event("progress_update_sent", at, actor_kind="system", deadline_kind=d.kind,
                                   new_estimate=at + datetime.timedelta(days=14))
                        self.mail("progress_update", at)
                    else:
                        d.missed_at = at
                        self.event("deadline_missed", at, actor_kind="system", deadline_kind=d.kind,
                                   stage=d.stage, due_at=d.due_at)
                        for person in self.responsible():
                            self.mail("deadline_missed", at, to=person.email, language=self.world.profile.language)
            # Reassignment looks at the complaint, not at whether this deadline was met (seed 001).
            if d.rule.reassign_to_manager and d.reassigned_at is None and d.due_at < until:
                d.reassigned_at = d.due_at + SWEEP_DELAY
                still_open = ended is None or d.due_at < ended
                if still_open and (self.handler is None or self.handler not in self.world.managers):
                    self.handler = self.world.managers[0]
                    self.event("assigned", d.reassigned_at, actor_kind="system", handler=self.handler.label,
                               handler_id=self.handler.id)
                    self.meet(("assign",), 1, d.reassigned_at, settle=False)

    def responsible(self) -> list[Staff]:
        return [self.handler] if self.handler else self.world.managers

    def meet(self, kinds, stage, at, settle: bool = True) -> None:
        if settle:
            self.settle(at)
        for d in self.deadlines:
            if d.pending and d.kind in kinds and (stage is None or d.stage == stage):
                d.met_at = at
                d.paused_at = None

    def cancel_pending(self, at) -> None:
        self.settle(at)
        for d in self.deadlines:
            if d.pending:
                d.cancelled_at = at

    def pause(self, at) -> None:
        self.settle(at)
        for d in self.deadlines:
            if d.pending and d.paused_at is None:
                d.paused_at = at

    def resume(self, at) -> None:
        for d in self.deadlines:
            if d.pending and d.paused_at is not None:
                shift = at - d.paused_at
                d.due_at += shift
                if d.remind_at and d.reminded_at is None:
                    d.remind_at += shift
                d.paused_at = None

    # Actions ------------------------------------------------------------------------------------

    def receive(self) -> None:
        actor_kind = "api" if self.channel == "api" else ("staff" if self.channel in ("phone", "letter") else "consumer")
        actor = self.rng.choice(self.world.agents) if actor_kind == "staff" else None
        attachments = 0
        if self.rng.random() < 0.22:
            attachments = self.rng.randint(1, 3)
            for _ in range(attachments):
                self.attachment(self.received_at)
        self.event("received", self.received_at, actor, actor_kind, channel=self.channel, attachments=attachments)
        self.start_deadlines(Anchor.received, self.received_at)

    def acknowledge(self) -> None:
        auto = self.spec.auto_acknowledge and self.stage == 1
        at = self.received_at if auto else self.advance(2, 60)
        actor = None if auto else self.staff_for_stage()
        escalated = self.stage > 1
        if escalated:
            self.meet(("escalation_acknowledge",), self.stage, at)
            self.start_deadlines(Anchor.escalation_acknowledged, at, self.stage)
        else:
            self.acknowledged_at = at
            self.meet(("acknowledge",), 1, at)
            self.start_deadlines(Anchor.acknowledged, at)
        expected = min((d.due_at for d in self.deadlines if d.pending and d.stage == self.stage
                        and d.kind in ("respond", "resolve", "escalation_resolve")), default=None)
        self.event("escalation_acknowledged" if escalated else "acknowledged", at, actor,
                   reference=self.reference, received_at=self.escalation_requested_at or self.received_at,
                   handler=self.handler.label if self.handler else "", stage=self.stage,
                   expected_answer_by=expected)
        self.mail("acknowledgement", at)

    def assign(self) -> None:
        at = self.advance(1, 30)
        self.settle(at)
        previous = self.handler
        self.handler = self.rng.choice(self.world.agents) if self.stage == 1 else self.staff_for_stage()
        manager = self.world.managers[0]
        self.event("assigned", at, manager, handler=self.handler.label, handler_id=self.handler.id,
                   previous_handler_id=previous.id if previous else None)
        self.meet(("assign",), 1, at)

    def start(self) -> None:
        self.event("investigation_started", self.advance(1, 24), self.staff_for_stage())

    def staff_message(self) -> None:
        at = self.advance(4, 72)
        author = self.staff_for_stage()
        body = self.rng.choice(STAFF_TEXT[self.language]).format(name=self.contact_name, agent=author.label)
        message_id = self.message("staff", at, body, author)
        self.event("message_added", at, author, message_id=message_id)
        self.meet(("respond", "progress_update"), 1, at)
        self.mail("staff_message", at, automatic=False)

    def consumer_message(self) -> None:
        at = self.advance(6, 96)
        self.settle(at)
        message_id = self.message("consumer", at, self.rng.choice(CONSUMER_TEXT[self.language]))
        self.event("message_added", at, None, "consumer", message_id=message_id)

    def note(self) -> None:
        at = self.advance(1, 48)
        author = self.staff_for_stage()
        message_id = self.message("note", at, self.rng.choice(NOTE_TEXT[self.language]), author)
        self.event("note_added", at, author, message_id=message_id)

    def ask_info(self) -> None:
        at = self.advance(2, 48)
        author = self.staff_for_stage()
        message_id = self.message("staff", at, self.rng.choice(QUESTION_TEXT[self.language]), author)
        self.pause(at)
        self.event("information_requested", at, author, message_id=message_id)
        self.mail("information_request", at)

    def info_received(self) -> None:
        at = self.advance(12, 120)
        message_id = self.message("consumer", at, self.rng.choice(CONSUMER_TEXT[self.language]))
        self.resume(at)
        self.event("information_received", at, None, "consumer", message_id=message_id)

    def propose(self) -> int:
        at = self.advance(12, 96)
        author = self.staff_for_stage()
        resolution_id = self.gen.ids.take("resolution")
        kind = self.rng.choice(("replacement", "refund", "repair", "apology", "compensation"))
        amount = Decimal(self.rng.randrange(1_500, 90_000)) / 100
        self.tables["resolution"].add(
            resolution_id, self.id, self.stage, RawJson(f'["{kind}"]'), amount if kind == "refund" else None,
            amount if kind == "compensation" else None, self.rng.choice(RESOLUTION_TEXT[self.language]), author.id, at,
            "", "", None,
        )
        self.meet(("respond", "progress_update"), 1, at)
        self.event("resolution_proposed", at, author, resolution_id=resolution_id)
        self.mail("resolution_proposal", at)
        self.proposal = (resolution_id, at)
        return resolution_id

    def respond_to_proposal(self, accepted: bool) -> None:
        at = self.advance(4, 96)
        resolution_id, _ = self.proposal
        # The resolution row was added last-but-maybe-not: find it from the end.
        rows = self.tables["resolution"].rows
        for position in range(len(rows) - 1, -1, -1):
            if rows[position][0] == resolution_id:
                row = list(rows[position])
                row[9] = "accepted" if accepted else "rejected"
                row[11] = at
                rows[position] = tuple(row)
                break
        if accepted:
            self.outcome = Outcome.ACCEPTED
            self.resolved_at = at
            self.meet(("resolve", "escalation_resolve"), self.stage, at)
            self.cancel_pending(at)
            self.event("resolution_accepted", at, None, "consumer", resolution_id=resolution_id)
        else:
            self.event("resolution_rejected", at, None, "consumer", resolution_id=resolution_id)

    def letter(self, at, author: Staff) -> int:
        letter_id = self.gen.ids.take("letter")
        actions, conclusions, changes, decision = LETTER_TEXT[self.language]
        self.tables["letter"].add(letter_id, self.id, self.stage, actions, conclusions, changes, decision, author.id, at)
        return letter_id

    def close(self, by_consumer: bool, outcome: str = "") -> None:
        at = self.advance(2, 120)
        author = self.staff_for_stage()
        letter_id = None
        if outcome:
            self.outcome = outcome
            letter_id = self.letter(at, author)
        if by_consumer:
            satisfaction = self.gen.satisfaction.pick(self.rng)
            comment = "" if self.rng.random() < 0.6 else ("Netjes opgelost, dank." if self.language == "nl" else "Sorted, thank you.")
            self.feedback = (satisfaction >= 3, satisfaction, comment, at)
        self.closed_at = at
        self.meet(("resolve", "escalation_resolve"), self.stage, at)
        self.cancel_pending(at)
        self.event("closed", at, None if by_consumer else author, "consumer" if by_consumer else "staff",
                   outcome=self.outcome, letter_id=letter_id, feedback_resolved=self.feedback[0])
        if letter_id:
            self.mail("outcome", at)
        elif not by_consumer:
            self.mail("closing", at)

    def escalate(self) -> None:
        at = self.advance(12, 200)
        from_stage = self.stage
        self.stage = self.world.escalation_stage
        self.escalation_requested_at = at
        self.handler = None
        self.outcome = ""
        self.closed_at = None
        self.cancel_pending(at)
        self.start_deadlines(Anchor.escalation_requested, at, self.stage)
        self.event("escalated", at, None, "consumer", from_stage=from_stage, to_stage=self.stage,
                   reason="Niet eens met de afhandeling" if self.language == "nl" else "I disagree with the outcome")
        self.mail("escalation_received", at)

    def decide(self) -> None:
        at = self.advance(24, 200)
        author = self.staff_for_stage()
        decision = self.rng.choice((Outcome.UPHELD, Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD))
        letter_id = self.letter(at, author) if decision != Outcome.UPHELD else None
        self.outcome = decision
        self.closed_at = at
        self.meet(("resolve", "escalation_resolve"), self.stage, at)
        self.cancel_pending(at)
        self.event("decided", at, author, decision=decision, stage=self.stage, letter_id=letter_id)
        self.mail("outcome", at)

    def refer(self) -> None:
        at = self.advance(24, 400)
        body = self.spec.external_bodies[0].name.nl if self.spec.external_bodies else "Geschillencommissie"
        self.referred_to = body
        self.stage = Stage.EXTERNAL
        self.event("referred", at, None, "consumer", body=body)

    def withdraw(self) -> None:
        at = self.advance(2, 150)
        self.closed_at = at
        self.meet(("resolve", "escalation_resolve"), self.stage, at)
        self.cancel_pending(at)
        self.event("withdrawn", at, None, "consumer", reason="")

    def reject_as_spam(self) -> None:
        at = self.advance(1, 24)
        author = self.staff_for_stage()
        self.rejection_reason = "Geen klacht: reclame" if self.language == "nl" else "Not a complaint: advertising"
        self.closed_at = at
        self.meet(("resolve", "escalation_resolve"), self.stage, at)
        self.cancel_pending(at)
        self.event("rejected_as_spam", at, author, reason=self.rejection_reason)

    # The plot -----------------------------------------------------------------------------------

    def work(self, exchanges: int) -> None:
        """Investigation: messages back and forth, sometimes a question, sometimes a note."""
        rng = self.rng
        if rng.random() < 0.3:
            self.start()
        for _ in range(exchanges):
            roll = rng.random()
            if roll < 0.45:
                self.staff_message()
            elif roll < 0.75:
                self.consumer_message()
            elif roll < 0.9:
                self.note()
            else:
                self.ask_info()
                self.info_received()

    def play(self) -> None:
        rng = self.rng
        status = self.status
        if status == Status.RECEIVED and self.spec.auto_acknowledge:
            status = self.status = Status.ACKNOWLEDGED
        self.receive()
        if status == Status.RECEIVED:
            return self.finish()
        if status == Status.REJECTED and rng.random() < 0.5:
            self.reject_as_spam()
            return self.finish()
        self.acknowledge()
        if rng.random() < (0.5 if status == Status.ACKNOWLEDGED else 0.75):
            self.assign()
        exchanges = rng.choice((1, 1, 2, 2, 3, 3, 4))
        escalated_before = status in (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.RESOLUTION_PROPOSED) and rng.random() < 0.08
        if status == Status.ACKNOWLEDGED and not escalated_before:
            return self.finish()
        if status == Status.REJECTED:
            self.reject_as_spam()
            return self.finish()
        if status == Status.WITHDRAWN:
            if rng.random() < 0.5:
                self.work(exchanges)
            self.withdraw()
            return self.finish()
        if escalated_before:
            self.work(exchanges)
            self.propose()
            self.respond_to_proposal(False)
            self.escalate()
            self.acknowledge()
            if status == Status.INVESTIGATING:
                self.work(1)
            elif status == Status.RESOLUTION_PROPOSED:
                self.propose()
            return self.finish()
        if status == Status.AWAITING_CONSUMER:
            self.work(max(0, exchanges - 1))
            self.ask_info()
            return self.finish()
        self.work(exchanges)
        if status == Status.INVESTIGATING:
            return self.finish()
        if status == Status.ESCALATED:
            if rng.random() < 0.5:
                self.propose()
                self.respond_to_proposal(False)
            else:
                self.close(False, rng.choice((Outcome.NOT_UPHELD, Outcome.PARTIALLY_UPHELD)))
            self.escalate()
            return self.finish()
        roll = rng.random()
        if status == Status.RESOLUTION_PROPOSED:
            self.propose()
            return self.finish()
        if status == Status.RESOLVED:
            self.propose()
            self.respond_to_proposal(True)
            return self.finish()
        if status == Status.REFERRED:
            self.close(False, Outcome.NOT_UPHELD)
            if rng.random() < 0.4 and self.spec.stages:
                self.escalate()
                self.acknowledge()
                self.decide()
            self.refer()
            return self.finish()
        # Closed: resolved and closed, closed with a letter, or decided after an escalation.
        if roll < 0.4:
            self.propose()
            self.respond_to_proposal(True)
            self.close(by_consumer=rng.random() < 0.4)
        elif roll < 0.88:
            self.close(False, rng.choice((Outcome.NOT_UPHELD, Outcome.PARTIALLY_UPHELD)))
        else:
            self.close(False, Outcome.NOT_UPHELD)
            self.escalate()
            if self.spec.rule_for(DeadlineKind.escalation_acknowledge, self.stage) or rng.random() < 0.5:
                self.acknowledge()
            self.work(rng.choice((0, 1)))
            self.decide()
        return self.finish()

    def finish(self) -> None:
        # Up to the instant the data is made (and a second past it): at that instant nothing is
        # due for the sweep, which the "nothing due" benchmark relies on.
        self.settle(self.gen.now + datetime.timedelta(seconds=1))
        next_deadline = None
        for d in self.deadlines:
            self.tables["deadline"].add(
                d.id, self.id, d.kind, d.stage, d.rule_data, d.anchored_at, d.due_at, d.target_at, d.remind_at,
                None, "", d.paused_at, d.met_at, d.missed_at, d.cancelled_at, d.reminded_at, d.update_sent_at,
                d.reassigned_at, d.next_check_at(),
            )
            if d.pending and d.paused_at is None and (next_deadline is None or d.due_at < next_deadline):
                next_deadline = d.due_at
        feedback_resolved, satisfaction, comment, feedback_at = self.feedback
        handler = self.handler.id if self.handler else None
        team = self.world.teams[0] if handler is None and self.rng.random() < 0.3 else None
        self.tables["complaint"].add(
            self.id, self.world.organisation_id, self.public_id, self.reference, self.channel, self.category_id,
            self.description, self.field_values, self.order_number, self.product, self.purchase_date,
            self.desired_solution, self.contact_name, self.contact_email, self.contact_phone, self.language,
            self.world.policy_id, "public" if self.rng.random() < 0.05 else "private", self.stage, self.status, team,
            handler, self.outcome, self.referred_to, self.rejection_reason, self.received_at, self.acknowledged_at,
            self.escalation_requested_at, self.resolved_at, self.closed_at, self.updated_at, next_deadline,
            feedback_resolved, satisfaction, comment, feedback_at,
        )
        self.gen.counts[self.status] = self.gen.counts.get(self.status, 0) + 1


class _Generator:
    def __init__(
        self, worlds: list[OrgWorld], complaints: int, seed, now: datetime.datetime, ids: _Ids,
        indexes: range | None = None,
    ):
        self.total = complaints
        self.indexes = indexes if indexes is not None else range(complaints)
        self.rng = random.Random(seed)
        self.now = now
        self.ids = ids
        self.tables = _tables()
        self.scheduler = _Scheduler()
        self.counts: dict[str, int] = {}
        self.channels = _Weighted(CHANNELS)
        self.satisfaction = _Weighted(SATISFACTION)
        self.organisations = _Weighted((w, w.profile.weight) for w in worlds)
        self.recent = _Weighted(RECENT_MIX.items())
        self.old = _Weighted(OLD_MIX.items())
        self._mail_parts: dict = {}
        self.sent_before = now - datetime.timedelta(minutes=12)

    def mail_parts(self, world: OrgWorld, language: str, product: str) -> tuple[str, tuple[str, str]]:
        """The fixed pieces of a mail body around the recipient's name and the reference."""
        key = (world.organisation_id, language, product)
        parts = self._mail_parts.get(key)
        if parts is None:
            marker_name, marker_ref = "\x00NAME\x00", "\x00REF\x00"
            text = MAIL_BODY[language].format(
                name=marker_name, reference=marker_ref, organisation=world.profile.name,
                line=MAIL_LINES[language].format(product=product),
            )
            head, rest = text.split(marker_name + ",\n\n")
            before_ref, after_ref = rest.split(marker_ref)
            parts = self._mail_parts[key] = (head, (before_ref, after_ref))
        return parts

    def received_at(self, index: int) -> datetime.datetime:
        # Volume grows over the two years: the cumulative share of time goes as x^(2/3).
        x = (index + self.rng.random()) / self.total
        fraction = x ** (2 / 3)
        at = self.now - datetime.timedelta(days=HISTORY_DAYS * (1 - fraction)) - datetime.timedelta(minutes=5)
        return at.replace(microsecond=0)

    def chunks(self, size: int = CHUNK) -> Iterator[dict[str, Table]]:
        recent_since = self.now - datetime.timedelta(days=RECENT_DAYS)
        last = self.indexes[-1]
        for count, index in enumerate(self.indexes, 1):
            received_at = self.received_at(index)
            world = self.organisations.pick(self.rng)
            status = (self.recent if received_at >= recent_since else self.old).pick(self.rng)
            _Story(self, world, index, received_at, status).play()
            if count % size == 0 or index == last:
                yield self.tables
                self.tables = _tables()


# --- Loading ---------------------------------------------------------------------------------------


@dataclass
class GendataResult:
    complaints: int
    organisations: int
    seed: int
    generated_at: datetime.datetime
    seconds: float
    reused: bool
    rows: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    organisation_slugs: list[str] = field(default_factory=list)


def _ensure_marker_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (complaints integer NOT NULL, organisations integer NOT NULL, "
            "seed integer NOT NULL, generated_at varchar(40) NOT NULL, last_complaint_id bigint NOT NULL, "
            "seconds double precision NOT NULL, summary text NOT NULL)"
        )


def recorded() -> dict | None:
    """The last gendata run recorded in this database, or None."""
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT complaints, organisations, seed, generated_at, last_complaint_id, seconds, summary FROM {MARKER_TABLE}"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    complaints, organisations, seed, generated_at, last_id, seconds, summary = row
    return {
        "complaints": complaints, "organisations": organisations, "seed": seed,
        "generated_at": datetime.datetime.fromisoformat(generated_at), "last_complaint_id": last_id,
        "seconds": seconds, **json.loads(summary),
    }


def generate(
    complaints: int,
    organisations: int = 10,
    *,
    seed: int = 1,
    now: datetime.datetime | None = None,
    replace: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    companies: int = 0,
    platform_complaints: int = 0,
) -> GendataResult:
    """Fill the default database with `complaints` complaints over `organisations` organisations,
    or reuse what an earlier run with the same numbers left there.

    `jobs` processes generate and COPY side by side (PostgreSQL only; default 2 from 50,000
    complaints on): the same seed and the same number of jobs give the same data. With `companies`,
    the public platform too: that many registry entries and `platform_complaints` complaints over them
    (`generate_platform`).
    """
    if complaints < 1 or organisations < 1:
        raise GendataError("Give at least one complaint and one organisation")
    say = progress or (lambda message: None)
    if connection.vendor == "postgresql":
        _build_indexes(jobs=1)  # those an interrupted run dropped
    earlier = recorded()
    if earlier and not replace:
        same = (earlier["complaints"], earlier["organisations"], earlier["seed"]) == (complaints, organisations, seed)
        same = same and earlier.get("platform", {"companies": 0, "complaints": 0}) == {
            "companies": companies, "complaints": platform_complaints,
        }
        still_there = Complaint.objects.filter(pk__lte=earlier["last_complaint_id"]).count()
        if same and still_there == complaints:
            say(f"Reusing {complaints} complaints generated at {earlier['generated_at']:%Y-%m-%d %H:%M} UTC.")
            return GendataResult(
                complaints, organisations, seed, earlier["generated_at"], 0.0, True,
                rows=earlier.get("rows", {}), statuses=earlier.get("statuses", {}),
                organisation_slugs=earlier.get("organisation_slugs", []),
            )
        raise GendataError(
            f"This database holds generated data of another size ({earlier['complaints']} complaints, "
            f"{earlier['organisations']} organisations, seed {earlier['seed']}); use --replace to empty it first."
        )
    if not replace and (Complaint.objects.exists() or Organisation.objects.exists()):
        raise GendataError(
            "This database already holds organisations or complaints that gendata did not make; "
            "use an empty database, or --replace to empty this one first."
        )
    if replace:
        say("Emptying the database (flush)…")
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in an open transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if MARKER_TABLE in connection.introspection.table_names():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {MARKER_TABLE}")

    postgres = connection.vendor == "postgresql"
    if jobs is None:
        jobs = 2 if postgres and complaints >= 50_000 else 1
    if jobs > 1 and (not postgres or connection.in_atomic_block):
        jobs = 1  # workers need their own connections, which cannot see an open transaction's rows
    if jobs > 1 and threading.active_count() > 1:
        # Forking a process that runs other threads can copy a lock one of them holds, and the
        # child then waits for ever: only a single-threaded process (the command) forks.
        jobs = 1
    started = time.monotonic()
    now = (now or timezone.now()).astimezone(UTC).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    chosen = profiles(organisations)
    with transaction.atomic():
        worlds = _build_world(chosen, complaints, rng)
    bases = {name: _next_id(table.model) for name, table in _tables().items()}
    say(f"Generating {complaints} complaints ({jobs} job{'s' if jobs > 1 else ''})…")
    if postgres:
        _drop_indexes()
    if jobs == 1:
        outcome = _run_slice(worlds, complaints, seed, now, bases, range(complaints), say, started)
        outcomes = [outcome]
    else:
        outcomes = _run_parallel(worlds, complaints, seed, now, bases, jobs, say, started)
    if postgres:
        say(f"Building the indexes… ({time.monotonic() - started:.0f} s)")
        _build_indexes(jobs)
    rows = {name: sum(o["rows"][name] for o in outcomes) for name in TABLE_ORDER}
    statuses: dict[str, int] = {}
    for o in outcomes:
        for status, count in o["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    last_complaint_id = max(o["last_ids"]["complaint"] for o in outcomes)
    _reset_sequences([table.model for table in _tables().values()])
    if postgres:
        say(f"Analysing the tables… ({time.monotonic() - started:.0f} s)")
        # VACUUM sets the visibility map, so that counts by (organisation, status) are index-only
        # scans as on a database autovacuum has looked after (not possible inside a transaction,
        # e.g. in a test).
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        _each(_execute, [f"{vacuum if name == 'complaint' else 'ANALYZE'} {table.sql_name}"
                         for name, table in _tables().items()], jobs)
    if companies:
        say(f"Generating the platform: {companies} companies, {platform_complaints} complaints…")
        rows.update(generate_platform(companies, platform_complaints, seed=seed, now=now, say=say))
        if postgres:
            _each(_execute, ["ANALYZE organisations_organisation", "ANALYZE complaints_complaint",
                             "ANALYZE complaints_message"], jobs)
    seconds = time.monotonic() - started
    result = GendataResult(
        complaints, organisations, seed, now, seconds, False, rows=rows, statuses=dict(sorted(statuses.items())),
        organisation_slugs=[p.slug for p in chosen],
    )
    _ensure_marker_table()
    summary = {"rows": rows, "statuses": result.statuses, "organisation_slugs": result.organisation_slugs, "jobs": jobs,
               "platform": {"companies": companies, "complaints": platform_complaints}}
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [complaints, organisations, seed, now.isoformat(), last_complaint_id, seconds, json.dumps(summary)],
        )
    return result


# Ids per complaint that a job may use at most, per table: each job writes its own id range, so
# the jobs never collide (the gaps between ranges are harmless).
IDS_PER_COMPLAINT = {"complaint": 1, "message": 40, "attachment": 40, "deadline": 20, "event": 100,
                     "resolution": 10, "letter": 10, "mail": 100}


def _run_slice(worlds, complaints, seed, now, bases, indexes: range, say, started) -> dict:
    """Generate and write the complaints of `indexes` on this process's connection."""
    ids = _Ids(bases)
    generator = _Generator(worlds, complaints, seed, now, ids, indexes)
    write = _copy_chunk if connection.vendor == "postgresql" else _bulk_create_chunk
    rows = {name: 0 for name in TABLE_ORDER}
    with _without_cycle_collection():
        for tables in generator.chunks():
            write(tables)
            for name in TABLE_ORDER:
                rows[name] += len(tables[name].rows)
            if rows["complaint"] % 50_000 == 0 or rows["complaint"] == len(indexes):
                say(f"  {rows['complaint']} complaints ({time.monotonic() - started:.0f} s)")
    return {"rows": rows, "statuses": generator.counts, "last_ids": {k: v - 1 for k, v in ids.next.items()}}


@contextlib.contextmanager
def _without_cycle_collection():
    """The stories make no reference cycles, and their rows are a chunk's hundred thousand tuples
    that Python's cycle collector would otherwise walk again and again: half the generating time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_PARALLEL_STATE: dict = {}


def _run_parallel(worlds, complaints, seed, now, bases, jobs, say, started) -> list[dict]:
    share = -(-complaints // jobs)
    slices = []
    for job in range(jobs):
        indexes = range(job * share, min(complaints, (job + 1) * share))
        job_bases = {name: bases[name] + job * share * IDS_PER_COMPLAINT[name] for name in bases}
        slices.append((job, indexes, job_bases))
    _PARALLEL_STATE.update(worlds=worlds, complaints=complaints, seed=seed, now=now, started=started)
    outcomes = _fork_map(_parallel_job, slices, jobs)
    say(f"  {complaints} complaints ({time.monotonic() - started:.0f} s)")
    return outcomes


def _parallel_job(job_slice) -> dict:
    job, indexes, job_bases = job_slice
    state = _PARALLEL_STATE
    quiet = (lambda message: None) if job else (lambda message: print(message, flush=True))
    return _run_slice(state["worlds"], state["complaints"], f"{state['seed']}-{job}", state["now"], job_bases,
                      indexes, quiet, state["started"])


def _fork_map(function, items: list, jobs: int) -> list:
    """`[function(item) for item in items]` on `jobs` forked processes, each with its own connection."""
    connections.close_all()  # a forked child must not share the parent's socket
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(functools.partial(_closing_connections, function), items, chunksize=1)


def _closing_connections(function, item):
    try:
        return function(item)
    finally:
        connections.close_all()


def _each(function, items: list, jobs: int) -> None:
    """`function(item)` for every item, on `jobs` forked processes side by side when more than one."""
    if jobs > 1 and len(items) > 1:
        _fork_map(function, items, jobs)
    else:
        for item in items:
            function(item)


def _execute(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _drop_indexes() -> None:
    """Drop the bulk tables' indexes, all but the primary keys (and any a foreign key relies on).

    COPY then only appends, and each index is built once afterwards from the sorted rows
    (`_build_indexes`): a fraction of the work of updating every index row by row, and no index
    pages written out and read back again and again once the indexes outgrow shared_buffers.
    The statements that build them again wait in a table of their own until each index is back,
    so that the next run completes an interrupted one.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT index.indrelid::regclass::text, index.indexrelid::regclass::text,
                   pg_get_indexdef(index.indexrelid), owner.conname, pg_get_constraintdef(owner.oid)
            FROM pg_index index
            LEFT JOIN pg_constraint owner ON owner.conindid = index.indexrelid AND owner.conrelid = index.indrelid
            WHERE index.indrelid = ANY(%s::regclass[]) AND NOT index.indisprimary
              AND NOT EXISTS (SELECT FROM pg_constraint reference
                              WHERE reference.contype = 'f' AND reference.conindid = index.indexrelid)
            """,
            [[table.sql_name for table in _tables().values()]],
        )
        found = cursor.fetchall()
        cursor.execute(f"CREATE TABLE {INDEX_TABLE} (table_name text NOT NULL, statement text NOT NULL)")
        for table, index, definition, constraint, constraint_definition in found:
            if constraint:  # a unique constraint: its index goes with it
                name = connection.ops.quote_name(constraint)
                drop = f"ALTER TABLE {table} DROP CONSTRAINT {name}"
                definition = f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_definition}"
            else:
                drop = f"DROP INDEX {index}"
            cursor.execute(f"INSERT INTO {INDEX_TABLE} VALUES (%s, %s)", [table, definition])
            cursor.execute(drop)


def _build_indexes(jobs: int) -> None:
    """Build the indexes `_drop_indexes` dropped, on `jobs` connections side by side: the plain
    indexes first, then the unique constraints (adding one locks its table, so that it would wait
    for the other builds on that table)."""
    if INDEX_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        # The longest builds first, so that the jobs end together: full-text (GIN) indexes, then
        # the largest tables' indexes.
        cursor.execute(
            f"SELECT statement FROM {INDEX_TABLE} "
            "ORDER BY statement LIKE '% USING gin %' DESC, pg_total_relation_size(table_name::regclass) DESC"
        )
        statements = [statement for (statement,) in cursor.fetchall()]
    constraints = [statement for statement in statements if statement.startswith("ALTER TABLE")]
    _each(_build_index, [statement for statement in statements if statement not in constraints], jobs)
    _each(_build_index, constraints, jobs)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {INDEX_TABLE}")


def _build_index(statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
        cursor.execute(f"DELETE FROM {INDEX_TABLE} WHERE statement = %s", [statement])


def _next_id(model: type[models.Model]) -> int:
    highest = model.objects.aggregate(highest=models.Max("pk"))["highest"]
    return (highest or 0) + 1


def _reset_sequences(model_list) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _copy_chunk(tables: dict[str, Table]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        raw.execute("SET LOCAL synchronous_commit = off")
        _binary_json(raw)
        # The rows are consistent by construction; checking every foreign key row by row (the
        # triggers pg_restore --disable-triggers turns off the same way) would double the load
        # time. It needs a superuser; without one the checks simply run.
        # (On an error the transaction's rollback undoes the SET as well.)
        replica = _try(raw, "SET session_replication_role = replica")
        for name in TABLE_ORDER:
            table = tables[name]
            if not table.rows:
                continue
            defaults = table.defaults
            # Binary COPY: half the client's work of text COPY, and less parsing for the server.
            types = _column_types(raw, table)  # before the COPY starts: it holds the connection
            with raw.copy(table.copy_sql() + " (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in table.rows:
                    copy.write_row(row + defaults)
        if replica:
            raw.execute("SET session_replication_role = DEFAULT")


_COLUMN_TYPES: dict[str, list[int]] = {}


def _column_types(cursor, table: Table) -> list[int]:
    """The type oids of the table's columns, in COPY order (binary COPY must name them)."""
    key = table.copy_sql()
    if key not in _COLUMN_TYPES:
        columns = ", ".join(connection.ops.quote_name(_column(table.model, name)) for name in table.all_columns)
        cursor.execute(f"SELECT {columns} FROM {table.sql_name} LIMIT 0")
        _COLUMN_TYPES[key] = [column.type_code for column in cursor.description]
    return _COLUMN_TYPES[key]


def _binary_json(cursor) -> None:
    """Let binary COPY take RawJson (already serialised) for jsonb columns, on this cursor only."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class RawJsonbDumper(Dumper):
        format = Format.BINARY
        oid = cursor.adapters.types["jsonb"].oid

        def dump(self, obj):
            return b"\x01" + obj.encode()  # jsonb's binary form: a version byte, then the text

    cursor.adapters.register_dumper(RawJson, RawJsonbDumper)


def _try(cursor, statement: str) -> bool:
    try:
        with transaction.atomic():  # a savepoint: a refused SET must not break the chunk's transaction
            cursor.execute(statement)
    except Exception:
        return False
    return True


def _bulk_create_chunk(tables: dict[str, Table]) -> None:
    with transaction.atomic():
        for name in TABLE_ORDER:
            table = tables[name]
            if table.rows:
                table.model.objects.bulk_create(list(table.instances()), batch_size=500)


def organisation_sizes() -> list[tuple[str, int]]:
    """(slug, complaints) of every organisation, largest first."""
    return list(
        Organisation.objects.annotate(size=models.Count("complaints")).order_by("-size", "slug").values_list("slug", "size")
    )


# --- The public platform (seed 004) ----------------------------------------------------------------

PLATFORM_HISTORY_DAYS = 548  # 18 months
PLATFORM_CHUNK = 10_000
PLATFORM_PRODUCTS = ("wasmachine", "laptop", "abonnement", "vliegticket", "bank", "fiets", "telefoon", "energiecontract",
                     "pakketbezorging", "matras", "koelkast", "internetverbinding")
PLATFORM_DESCRIPTIONS = (
    "Mijn {product} is na drie weken kapot gegaan en de klantenservice reageert niet op mijn mails.",
    "Ik heb twee keer betaald voor mijn {product}, maar krijg mijn geld niet terug.",
    "De {product} is nooit geleverd, terwijl de status al twee weken 'onderweg' is.",
    "Bij het opzeggen van mijn {product} worden nog steeds kosten afgeschreven.",
    "My {product} arrived damaged and nobody answers my emails or the phone.",
)
PLATFORM_REPLIES = (
    "Beste klant, excuses voor het ongemak. Wij hebben het bedrag vandaag teruggestort.",
    "Beste klant, wij sturen kosteloos een nieuw exemplaar op. Met vriendelijke groet, de klantenservice.",
    "Dear customer, we are sorry for the delay and have arranged a replacement.",
    "Beste klant, wij hebben uw klacht doorgestuurd naar de afdeling facturatie; u hoort binnen vijf dagen van ons.",
)


def _company_weights(companies: int, rng: random.Random) -> list[float]:
    """Uneven, as in life: a few companies get most complaints (a Zipf-like tail over a shuffled order)."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(companies)]
    rng.shuffle(weights)
    return list(itertools.accumulate(weights))


def generate_platform(companies: int, complaints: int, *, seed: int, now: datetime.datetime,
                      say: Callable[[str], None]) -> dict[str, int]:
    """The public platform: `companies` registry entries (e-mail only, one in five verified) with the
    platform's policy, and `complaints` platform complaints over the last 18 months — public and
    private, published, pending or withheld, answered by the company or not, closed resolved, not
    resolved or unanswered — then every company's score card computed as the worker would."""
    rng = random.Random(f"platform-{seed}")
    spec_data = PRESETS["platform"].to_dict()
    first_company = _next_id(Organisation)
    with transaction.atomic():
        for start in range(0, companies, PLATFORM_CHUNK):
            Organisation.objects.bulk_create(
                [
                    Organisation(
                        id=first_company + index, name=f"Bedrijf {index:06d} B.V.", slug=f"bedrijf-{index:06d}",
                        complaint_email=f"klachten@bedrijf-{index:06d}.example", website=f"https://bedrijf-{index:06d}.example",
                        country="BE" if index % 7 == 0 else "NL", language="nl", connected=False,
                        verified=index % 5 == 0,
                    )
                    for index in range(start, min(companies, start + PLATFORM_CHUNK))
                ]
            )
        _reset_sequences([Organisation])
        first_policy = _next_id(PolicyVersion)
        for start in range(0, companies, PLATFORM_CHUNK):
            PolicyVersion.objects.bulk_create(
                [
                    PolicyVersion(id=first_policy + index, organisation_id=first_company + index, number=1,
                                  preset="platform", spec_data=spec_data)
                    for index in range(start, min(companies, start + PLATFORM_CHUNK))
                ]
            )
        _reset_sequences([PolicyVersion])
    say(f"  {companies} companies")

    cumulative = _company_weights(companies, rng)
    total_weight = cumulative[-1]
    unanswered_after = datetime.timedelta(days=30)
    counts = {"platform_complaint": 0, "platform_message": 0}
    for start in range(0, complaints, PLATFORM_CHUNK):
        batch, replies = [], []
        for index in range(start, min(complaints, start + PLATFORM_CHUNK)):
            company = bisect.bisect_left(cumulative, rng.random() * total_weight)
            # Volume grows over the 18 months, as on the tenants' side.
            received_at = (now - datetime.timedelta(days=PLATFORM_HISTORY_DAYS * (1 - rng.random() ** 0.6),
                                                   minutes=5)).replace(microsecond=0)
            age = now - received_at
            public = rng.random() < 0.6
            if not public:
                publication = "private"
            elif age < datetime.timedelta(hours=6):
                publication = "pending"
            else:
                publication = "withheld" if rng.random() < 0.04 else "published"
            language = "en" if rng.random() < 0.15 else "nl"
            first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
            product = rng.choice(PLATFORM_PRODUCTS)
            reply_after = datetime.timedelta(hours=rng.lognormvariate(3.2, 1.3))
            replied = rng.random() < 0.75 and reply_after < age
            fields = {"status": "received", "outcome": "", "closed_at": None, "feedback_resolved": None,
                      "feedback_satisfaction": None, "feedback_at": None, "first_reply_at": None}
            if replied:
                fields.update(status="investigating", first_reply_at=received_at + reply_after)
                if age - reply_after > datetime.timedelta(days=7) and rng.random() < 0.6:
                    verdict_at = received_at + reply_after + datetime.timedelta(days=rng.uniform(1, 7))
                    resolved = rng.random() < 0.62
                    fields.update(status="closed", closed_at=verdict_at, feedback_resolved=resolved, feedback_at=verdict_at,
                                  feedback_satisfaction=rng.choice((4, 5)) if resolved else rng.choice((1, 2, 3)),
                                  outcome="accepted" if resolved else "not_upheld")
            elif age > unanswered_after and rng.random() < 0.4:
                closed_at = received_at + unanswered_after + datetime.timedelta(days=rng.uniform(0, 10))
                if closed_at < now:
                    fields.update(status="closed", closed_at=closed_at, outcome="unanswered", feedback_resolved=False,
                                  feedback_at=closed_at, feedback_satisfaction=1)
            code = public_id(index, received_at.year).replace("KL-", "PL-", 1)
            batch.append(
                Complaint(
                    organisation_id=first_company + company, public_id=code, reference=code, channel="web",
                    description=rng.choice(PLATFORM_DESCRIPTIONS).format(product=product),
                    product=product.capitalize(), contact_name=f"{first} {last}",
                    contact_email=f"{first.lower()}.{index}@{rng.choice(MAIL_HOSTS[language])}",
                    contact_language=language, policy_id=first_policy + company, visibility="public" if public else "private",
                    platform=True, publication=publication, received_at=received_at,
                    company_notified_at=received_at + datetime.timedelta(minutes=2), acknowledged_at=None, **fields,
                )
            )
            if replied:
                replies.append((len(batch) - 1, Message(
                    kind="company", channel="email", body=rng.choice(PLATFORM_REPLIES), created_at=fields["first_reply_at"],
                    author_name="Klantenservice", sender_email=f"klachten@bedrijf-{company:06d}.example",
                    publication="published" if publication == "published" else "private",
                )))
        with transaction.atomic():
            created = Complaint.objects.bulk_create(batch)
            for position, message in replies:
                message.complaint_id = created[position].pk
            Message.objects.bulk_create([message for _position, message in replies])
        counts["platform_complaint"] += len(batch)
        counts["platform_message"] += len(replies)
        say(f"  {counts['platform_complaint']} platform complaints")
    say("Computing the score cards…")
    scores.refresh(range(first_company, first_company + companies), now=now)
    return counts
