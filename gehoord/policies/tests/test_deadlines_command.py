"""`gehoord deadlines`: every due instant of a preset for given anchors, as JSON in the calendar's
UTC offset, to the second. The tables are the hand-worked ones of test_presets.py (the sample
complaint of Monday 21 December 2026, 10:00 local, over Christmas and New Year).
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def deadlines(*arguments: str) -> dict[str, str]:
    out = StringIO()
    call_command("deadlines", *arguments, stdout=out)
    return json.loads(out.getvalue())


def test_welzo_from_receipt():
    # Acknowledged automatically at receipt: 48 hours to acknowledge, 10 working days to resolve
    # (Tue 22 to Thu 24 Dec, Tue 29 to Thu 31 Dec, Mon 4 to Thu 7 Jan).
    assert deadlines("--policy", "welzo", "--received", "2026-12-21T10:00:00+00:00") == {
        "acknowledge": "2026-12-23T10:00:00+00:00",
        "resolve": "2027-01-07T23:59:59+00:00",
    }


def test_welzo_with_its_escalation():
    assert deadlines(
        "--policy", "welzo",
        "--received", "2026-12-21T10:00:00+00:00",
        "--escalated", "2027-01-08T11:00:00+00:00",
        "--escalation-acknowledged", "2027-01-12T09:30:00+00:00",
    ) == {
        "acknowledge": "2026-12-23T10:00:00+00:00",
        "resolve": "2027-01-07T23:59:59+00:00",
        "escalation_acknowledge": "2027-01-22T23:59:59+00:00",
        "escalation_resolve": "2027-01-26T23:59:59+00:00",
    }


def test_the_output_is_ordered_by_due_instant():
    out = StringIO()
    call_command(
        "deadlines", "--policy", "welzo", "--received", "2026-12-21T10:00:00+00:00",
        "--escalated", "2027-01-08T11:00:00+00:00", stdout=out,
    )

    assert list(json.loads(out.getvalue())) == ["acknowledge", "resolve", "escalation_acknowledge"]


def test_vxhome_speaks_amsterdam_time_whatever_offset_it_is_given():
    # 09:00Z is 10:00 in Amsterdam; the acknowledgement is due at receipt, the answer in 14
    # calendar days.
    assert deadlines("--policy", "vxhome", "--received", "2026-12-21T09:00:00Z") == {
        "acknowledge": "2026-12-21T10:00:00+01:00",
        "respond": "2027-01-04T23:59:59+01:00",
    }


def test_webshop_board_with_the_board_escalation():
    assert deadlines(
        "--policy", "webshop-board",
        "--received", "2026-12-21T10:00:00+00:00",
        "--acknowledged", "2026-12-23T15:00:00+00:00",
        "--escalated", "2027-01-05T14:00:00+00:00",
    ) == {
        "acknowledge": "2026-12-24T23:59:59+00:00",
        "assign": "2026-12-28T23:59:59+00:00",
        "progress_update": "2027-01-04T23:59:59+00:00",
        "resolve": "2027-01-04T23:59:59+00:00",
        "escalation_resolve": "2027-01-12T23:59:59+00:00",
    }


def test_inverter_needs_the_acknowledgement_for_its_progress_update():
    received = ("--policy", "inverter", "--received", "2026-12-21T10:00:00+01:00")

    assert deadlines(*received) == {
        "acknowledge": "2026-12-31T23:59:59+01:00",
        "resolve": "2027-02-03T23:59:59+01:00",
    }
    assert deadlines(*received, "--acknowledged", "2026-12-23T14:00:00+01:00") == {
        "acknowledge": "2026-12-31T23:59:59+01:00",
        "progress_update": "2027-01-14T23:59:59+01:00",
        "resolve": "2027-02-03T23:59:59+01:00",
    }


def test_summer_time_and_a_bank_holiday():
    # Fri 28 May 2027 10:00 BST: 48 hours is Sun 30 May 10:00; Mon 31 May is the Spring bank
    # holiday, so the 10 working days run Tue 1 Jun to Fri 4 Jun (4), Mon 7 to Fri 11 (9), Mon 14.
    assert deadlines("--policy", "welzo", "--received", "2027-05-28T10:00:00+01:00") == {
        "acknowledge": "2027-05-30T10:00:00+01:00",
        "resolve": "2027-06-14T23:59:59+01:00",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--policy", "welzo", "--received", "2026-12-21T10:00"],
            "--received: '2026-12-21T10:00' needs a UTC offset, e.g. 2026-12-21T10:00:00+01:00",
        ),
        (
            ["--policy", "welzo", "--received", "next tuesday"],
            "--received: 'next tuesday' is not an ISO 8601 date-time",
        ),
        (
            ["--policy", "welzo", "--received", "2026-12-21T10:00:00+00:00", "--escalated", "2027-01-08"],
            "--escalated: '2027-01-08' needs a UTC offset",
        ),
        (
            [
                "--policy", "welzo", "--received", "2026-12-21T10:00:00+00:00",
                "--escalation-acknowledged", "2027-13-01T00:00Z",
            ],
            "--escalation-acknowledged: '2027-13-01T00:00Z' is not an ISO 8601 date-time",
        ),
        (["--policy", "acme", "--received", "2026-12-21T10:00:00+00:00"], "argument --policy: invalid choice: 'acme'"),
        (["--policy", "welzo"], "the following arguments are required: --received"),
    ],
    ids=["naive", "garbage", "naive-escalation", "impossible-date", "unknown-preset", "no-receipt"],
)
def test_bad_input_is_refused_with_a_clear_message(arguments, message):
    with pytest.raises(CommandError) as refused:
        call_command("deadlines", *arguments, stdout=StringIO())

    assert message in str(refused.value)


def test_on_the_command_line_bad_input_exits_with_the_message(capsys):
    from gehoord.policies.management.commands.deadlines import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["gehoord", "deadlines", "--policy", "welzo", "--received", "tomorrow"])

    assert exited.value.code != 0
    assert "--received: 'tomorrow' is not an ISO 8601 date-time" in capsys.readouterr().err
