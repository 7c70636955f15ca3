"""Generated complaints for the recurring-problem tests: a random spread over the last half year,
and planted clusters. Written in bulk (as the data generator does) with their sentence vectors,
so a test of hundreds of complaints stays fast; each distinct text is embedded once per session."""

import datetime
import itertools
import random

import numpy as np
from django.utils import timezone

from gehoord.complaints.models import Channel, Complaint
from gehoord.insights import embeddings
from gehoord.insights.models import ComplaintEmbedding
from gehoord.policies.models import PolicyVersion
from gehoord.server.gendata import DESCRIPTION

PRODUCTS = (
    "Wasmachine WM-700", "Koelkast KF-210", "Stofzuiger V8", "Magnetron MG-20", "Vaatwasser DW-45",
    "Droger TD-80", "Airfryer AF-5", "Koffiemachine CM-3", "Waterkoker WK-1", "Strijkijzer SI-9",
)
MODELS = ("SW-3600 TL", "SW-5000 TL", "SW-8000 3P", "SW Hybrid 6K")

# One fault, told by fifteen people in their own words, in Dutch and in English.
PLANTED_TEXTS = (
    "Sinds de laatste firmware-update valt mijn omvormer elke middag uit en piept hij drie keer.",
    "Na de update van de software schakelt de omvormer rond het middaguur uit, met drie pieptonen.",
    "De omvormer stopt iedere dag rond twaalf uur sinds de nieuwe firmware en geeft een piepsignaal.",
    "Mijn omvormer slaat sinds de update dagelijks af in de middag en piept dan drie keer achter elkaar.",
    "Sinds de firmware is bijgewerkt gaat de omvormer 's middags uit; het apparaat piept en het display wordt zwart.",
    "Elke middag valt de omvormer weg sinds de software-update, hij piept en herstart niet vanzelf.",
    "De omvormer werkt niet meer goed na de firmware-update: rond de middag schakelt hij uit met een pieptoon.",
    "Sinds de update piept de omvormer en schakelt hij uit zodra de zon 's middags op zijn sterkst is.",
    "Since the last firmware update my inverter shuts down every afternoon and beeps three times.",
    "After the software update the inverter switches off around midday with three beeps.",
    "The inverter stops every day around noon since the new firmware and gives a beeping sound.",
    "My inverter has been cutting out every afternoon since the update, beeping three times in a row.",
    "Since the firmware was updated the inverter turns off in the afternoon; it beeps and the display goes blank.",
    "Every afternoon the inverter drops out since the software update; it beeps and does not restart by itself.",
    "The inverter no longer works properly after the firmware update: around midday it shuts down with a beep.",
)

_vectors: dict[str, np.ndarray] = {}
_numbers = itertools.count(1)


def vectors_of(texts: list[str]) -> list[np.ndarray]:
    """The texts' vectors, each distinct text embedded once per test session."""
    new = sorted({text for text in texts if text not in _vectors})
    for text, vector in zip(new, embeddings.encode(new), strict=True):
        _vectors[text] = vector
    return [_vectors[text] for text in texts]


def random_description(rng: random.Random, product: str, language: str) -> str:
    """A description as the data generator writes them: an opening, one or two problems, a detail, a wish."""
    texts = DESCRIPTION[language]
    opening = rng.choice(texts["open"]).format(date="03-10-2026", product=product, order="onbekend")
    problems = rng.sample(texts["problem"], rng.randint(1, 2))
    details = rng.sample(texts["detail"], rng.randint(0, 1))
    return " ".join([opening, *problems, *details, rng.choice(texts["wish"])])


POOL_SIZE = 100
_pool: list[tuple[str, str, str]] = []


def text_pool() -> list[tuple[str, str, str]]:
    """(product, language, description): the random texts the spreads draw from, so a test session
    embeds POOL_SIZE texts however many complaints it generates."""
    if not _pool:
        rng = random.Random(0)
        for index in range(POOL_SIZE):
            product, language = PRODUCTS[index % len(PRODUCTS)], ("nl", "en")[index % 2]
            _pool.append((product, language, random_description(rng, product, language)))
    return _pool


def spread(organisation, count: int, *, seed: int, days: int = 200, now=None) -> list[Complaint]:
    """`count` complaints at random instants of the last `days`, with random products, categories,
    models, serial numbers and texts: no group rises in them but by chance."""
    rng = random.Random(seed)
    now = now or timezone.now()
    categories = list(organisation.categories.all())
    rows = []
    pool = text_pool()
    for _index in range(count):
        product, language, description = rng.choice(pool)
        rows.append(
            dict(
                received_at=now - datetime.timedelta(seconds=rng.uniform(60, days * 86400)),
                product=product,
                category=rng.choice(categories) if categories else None,
                field_values={
                    "inverter_model": rng.choice(MODELS),
                    "serial_number": f"SN-{rng.randrange(1000, 9999)}-{rng.randrange(0, 9999):04d}",
                },
                description=description,
                contact_language=language,
            )
        )
    return insert(organisation, rows)


def planted(organisation, *, seed: int, days: int = 12, now=None, count: int = 15, **shared) -> list[Complaint]:
    """The planted complaints (fifteen unless `count` says fewer) within the last `days`, sharing
    `shared` (e.g. product=..., field_values=...); their texts are the paraphrases of one fault."""
    rng = random.Random(seed)
    now = now or timezone.now()
    categories = list(organisation.categories.all())
    rows = []
    for index, text in enumerate(PLANTED_TEXTS[:count]):
        row = dict(
            received_at=now - datetime.timedelta(seconds=rng.uniform(60, days * 86400)),
            product=rng.choice(PRODUCTS),
            category=rng.choice(categories) if categories else None,
            field_values={"serial_number": f"SN-{rng.randrange(1000, 9999)}-{rng.randrange(0, 9999):04d}"},
            description=text,
            contact_language="nl" if index < 8 else "en",
        )
        row.update({key: value(index) if callable(value) else value for key, value in shared.items()})
        rows.append(row)
    return insert(organisation, rows)


def insert(organisation, rows: list[dict], *, embed: bool = True) -> list[Complaint]:
    policy = PolicyVersion.objects.current(organisation)
    complaints = []
    for row in rows:
        public_id = f"G{next(_numbers):011d}"
        complaints.append(
            Complaint(
                organisation=organisation, public_id=public_id, reference=public_id, channel=Channel.WEB,
                contact_name="Generated Consumer", contact_email="generated@example.nl", policy=policy, **row,
            )
        )
    created = Complaint.objects.bulk_create(complaints)
    if embed:
        vectors = vectors_of([complaint.description for complaint in created])
        ComplaintEmbedding.objects.bulk_create(
            ComplaintEmbedding(complaint=complaint, encoder=embeddings.ENCODER, vector=embeddings.to_bytes(vector))
            for complaint, vector in zip(created, vectors, strict=True)
        )
    return created
