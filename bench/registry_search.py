#!/usr/bin/env python
"""How fast the company registry's search is at 100k companies, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench .venv/bin/python bench/registry_search.py

Migrates the database, fills it up to 100k registry entries (names built from Dutch words,
a website and a KvK number each; once, then reused), and times the first page of results and
its count (what /bedrijven/ runs) for names, name fragments, registry numbers and websites.
Prints the median and p95 per query in milliseconds.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402

from gehoord.organisations.models import Organisation  # noqa: E402
from gehoord.platform import registry  # noqa: E402

SIZE = 100_000
RUNS = 50
WORDS = ("bakkerij", "fietsen", "garage", "bloemen", "wonen", "keuken", "auto", "reizen", "energie", "mode",
         "schoenen", "tuin", "computer", "telecom", "verzekering", "makelaardij", "installatie", "kapsalon")
PLACES = ("amsterdam", "utrecht", "gent", "antwerpen", "rotterdam", "leiden", "brugge", "zwolle", "delft", "hasselt")
FORMS = ("BV", "B.V.", "NV", "VOF", "BVBA", "", "")


def fill() -> None:
    existing = Organisation.objects.count()
    rng = random.Random(12)
    batch = []
    for number in range(existing, SIZE):
        name = f"{rng.choice(WORDS).capitalize()} {rng.choice(PLACES).capitalize()} {number} {rng.choice(FORMS)}".strip()
        website = f"https://www.{rng.choice(WORDS)}-{number}.example"
        kvk = f"{10_000_000 + number}"
        entry = Organisation(
            name=name, slug=f"bench-{number}", registration_number=kvk, website=website,
            complaint_email=f"klachten@{number}.example", verified=rng.random() < 0.7,
        )
        entry.fill_search_keys()
        batch.append(entry)
        if len(batch) == 5000:
            Organisation.objects.bulk_create(batch)
            batch = []
    Organisation.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisations_organisation")


def timed(query: str) -> list[float]:
    durations = []
    for _ in range(RUNS):
        started = time.perf_counter()
        page = Paginator(registry.search(query), 20).get_page(1)
        list(page)
        page.paginator.count
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL.")
    call_command("migrate", verbosity=0)
    fill()
    print(f"{Organisation.objects.in_registry().count()} registry entries")
    queries = ["bakkerij", "bakkerij gent 4711", "gent 4711", "4711", "kap", "ba", "10042424", "NL 1004.2424",
               "www.garage-77777.example", "https://tuin-5.example/contact", "niets zoals dit"]
    print(f"{'query':32} {'hits':>7} {'median ms':>10} {'p95 ms':>8}")
    for query in queries:
        durations = sorted(timed(query))
        hits = registry.search(query).count()
        p95 = durations[int(len(durations) * 0.95) - 1]
        print(f"{query:32} {hits:7} {statistics.median(durations):10.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
