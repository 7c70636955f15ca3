"""Data migrations of the complaints app, run for real: back to the state before, rows as they were
then, forward again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import carol_complaint, make_organisation
from gehoord.complaints.models import Complaint


def migrate(to: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(to)


@pytest.mark.django_db(transaction=True)
def test_unsafe_order_numbers_and_references_are_made_safe_and_kept_unique():
    shop = make_organisation("shop", preset="webshop-board")
    first = carol_complaint(shop, order_number="BO-1")
    second = carol_complaint(shop, order_number="BO-2")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app: going back may unapply others
    migrate([("complaints", "0006_typed_events")])
    try:
        with connection.cursor() as cursor:
            # As intake stored them before: as typed, a "/" and a line break included.
            cursor.execute(
                "UPDATE complaints_complaint SET order_number = %s, reference = %s WHERE id = %s",
                ["repro/1", "repro/1", first.pk],
            )
            cursor.execute(
                "UPDATE complaints_complaint SET order_number = %s, reference = %s WHERE id = %s",
                ["REPRO-1\r\n", "REPRO-1\r\n", second.pk],
            )
    finally:
        migrate(latest)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order_number, first.reference) == ("REPRO-1", "REPRO-1")
    assert (second.order_number, second.reference) == ("REPRO-1", "REPRO-1-2")
    assert Complaint.objects.count() == 2
