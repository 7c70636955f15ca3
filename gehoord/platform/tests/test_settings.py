"""The platform's settings row: what its operators may set in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from gehoord.platform.models import PlatformSettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "values",
    [
        {"resolution_weight": 0, "response_weight": 0, "speed_weight": 0},
        {"speed_full_hours": 720, "speed_zero_hours": 720},
        {"resolution_weight": 101},
        {"period_months": 0},
    ],
)
def test_settings_that_make_no_score_are_refused(values):
    with pytest.raises(ValidationError):
        PlatformSettings(**values).full_clean()


def test_the_operators_edit_the_one_row_in_the_admin_and_the_defaults_are_the_specs(client):
    admin = get_user_model().objects.create_superuser(username="root", password="x-pass-2026-long")
    client.force_login(admin)
    row = PlatformSettings.current()
    assert (row.resolution_weight, row.response_weight, row.speed_weight, row.period_months) == (50, 35, 15, 12)
    assert client.get("/admin/platform/platformsettings/add/").status_code == 403  # one row only
    page = client.get(f"/admin/platform/platformsettings/{row.pk}/change/")
    assert page.status_code == 200
