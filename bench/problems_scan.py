"""How long one look for recurring problems takes at scale (issue 14), on a database of your own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_problems_scale .venv/bin/gehoord migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_problems_scale .venv/bin/python bench/problems_scan.py 50000

Fills one organisation with N generated complaints over 200 days (with their vectors, drawn from the
tests' pool of texts, and 15 planted paraphrases of one fault), then times `problems.scan` (CPU of
this process and wall clock; the database's own CPU is not counted) and the queries it ran.
"""

import os
import resource
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gehoord.settings")
django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from gehoord.insights import embeddings, problems  # noqa: E402
from gehoord.insights.models import ProblemAlert  # noqa: E402
from gehoord.insights.tests import generated  # noqa: E402
from gehoord.organisations.models import Category, CategoryField, FieldType, Organisation  # noqa: E402
from gehoord.policies.models import PolicyVersion  # noqa: E402
from gehoord.policies.presets import PRESETS  # noqa: E402


def organisation(size: int) -> Organisation:
    slug = f"scale-{size}"
    found = Organisation.objects.filter(slug=slug).first()
    if found:
        return found
    org = Organisation.objects.create(name=slug, slug=slug, connected=True)
    PolicyVersion.publish(org, PRESETS["inverter"], preset="inverter")
    product = Category.objects.create(organisation=org, slug="product", name="Product")
    Category.objects.create(organisation=org, slug="service", name="Service")
    CategoryField.objects.create(category=product, key="inverter_model", label="Model", field_type=FieldType.CHOICE,
                                 choices=list(generated.MODELS))
    CategoryField.objects.create(category=product, key="serial_number", label="Serial number",
                                 field_type=FieldType.SERIAL)
    started = time.time()
    for start in range(0, size, 5_000):
        generated.spread(org, min(5_000, size - start), seed=start)
    generated.planted(org, seed=1)
    print(f"generated {size} complaints in {time.time() - started:.0f} s")
    return org


def main(size: int) -> None:
    org = organisation(size)
    embeddings.encode(["warm up"])  # the encoder's load is the worker's, once per process
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.time()
        result = problems.scan(org)
        cpu, wall = time.process_time() - cpu, time.time() - wall
    print(f"{size} complaints: scan {wall:.2f} s wall, {cpu:.2f} s CPU in this process, {len(queries)} queries; "
          f"tested {result.tested} {dict(result.tested_by_kind)}, fired {result.fired}; "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for alert in ProblemAlert.objects.filter(organisation=org):
        print(f"  {alert.kind} {alert.label[:60]!r}: {alert.count} against {alert.expected:.2f} expected")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
