import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from gehoord.policies.presets import PRESETS
from gehoord.policies.rules import Anchor, due_instants


def _instant(text: str, option: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise CommandError(f"{option}: {text!r} needs a UTC offset, e.g. 2026-12-21T10:00:00+01:00")
    return value


class Command(BaseCommand):
    help = (
        "Print the due instant of every deadline of a policy preset for the given anchors, as one JSON "
        "object (ISO 8601 in the calendar's UTC offset). Uses the same code as the complaints do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, choices=sorted(PRESETS))
        parser.add_argument("--received", required=True)
        parser.add_argument("--acknowledged")
        parser.add_argument("--escalated")
        parser.add_argument("--escalation-acknowledged")

    def handle(self, *args, **options):
        spec = PRESETS[options["policy"]]
        anchors = {Anchor.received: _instant(options["received"], "--received")}
        if options["acknowledged"]:
            anchors[Anchor.acknowledged] = _instant(options["acknowledged"], "--acknowledged")
        elif spec.auto_acknowledge:
            # This policy acknowledges on receipt.
            anchors[Anchor.acknowledged] = anchors[Anchor.received]
        if options["escalated"]:
            anchors[Anchor.escalation_requested] = _instant(options["escalated"], "--escalated")
        if options["escalation_acknowledged"]:
            anchors[Anchor.escalation_acknowledged] = _instant(
                options["escalation_acknowledged"], "--escalation-acknowledged"
            )
        due = due_instants(spec, anchors)
        kinds = [kind for kind, _stage in due]
        zone = spec.calendar.zone
        result = {
            # A kind that occurs at two stages is told apart by its stage.
            (str(kind) if kinds.count(kind) == 1 else f"{kind}:stage{stage}"): instant.astimezone(zone).isoformat(
                timespec="seconds"
            )
            for (kind, stage), instant in sorted(due.items(), key=lambda item: item[1])
        }
        self.stdout.write(json.dumps(result, indent=2))
