"""One action on many complaints of the queue at once (issue 15: bulk actions).

Each complaint goes through the same action as one at a time (`actions.perform`, or
`actions.add_message` for an internal note), in a transaction of its own: a complaint the action
refuses changes nothing and does not stop the others. The result says, per reference, what was
done and what was refused and why.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations.models import Organisation

# A page of the queue holds 25; a bound keeps one request from locking the whole archive in turn.
MAX_COMPLAINTS = 100

ASSIGN = "assign"
NOTE = "note"
ACKNOWLEDGE = "acknowledge"
REJECT_AS_SPAM = "reject_as_spam"
LABELS = {
    ASSIGN: gettext_lazy("Assign"),
    NOTE: gettext_lazy("Add an internal note"),
    ACKNOWLEDGE: gettext_lazy("Acknowledge"),
    REJECT_AS_SPAM: gettext_lazy("Close as spam"),
}


@dataclass(frozen=True)
class Result:
    reference: str
    done: bool
    reason: str = ""  # why it was refused
    found: bool = True  # False: the organisation has no complaint with this reference


def run(
    organisation: Organisation, references: list[str], action: str, *, by: Actor, handler=None, text: str = ""
) -> list[Result]:
    """Run `action` (ASSIGN with `handler`, NOTE with `text` as the note, ACKNOWLEDGE, REJECT_AS_SPAM
    with `text` as the reason) on each of the organisation's complaints named in `references`, in
    the order given. A reference the organisation does not have is refused like any other."""
    if action not in LABELS:
        raise InvalidInput({"action": _("Choose one of the bulk actions.")})
    references = list(dict.fromkeys(reference for reference in references if reference))
    if not references:
        raise InvalidInput({"complaints": _("Choose at least one complaint.")})
    if len(references) > MAX_COMPLAINTS:
        raise InvalidInput(
            {"complaints": _("Choose at most %(limit)d complaints at a time.") % {"limit": MAX_COMPLAINTS}}
        )
    found = {
        complaint.reference: complaint
        for complaint in Complaint.objects.of_organisation(organisation).filter(reference__in=references)
    }
    results = []
    for reference in references:
        complaint = found.get(reference)
        if complaint is None:
            results.append(Result(reference, False, _("There is no such complaint."), found=False))
            continue
        try:
            with transaction.atomic():
                _perform(action, complaint, by=by, handler=handler, text=text)
        except DomainError as refused:
            results.append(Result(reference, False, _reason(refused)))
        else:
            results.append(Result(reference, True))
    return results


def _perform(action: str, complaint: Complaint, *, by: Actor, handler, text: str) -> None:
    if action == ASSIGN:
        actions.perform("assign", complaint, by=by, handler=handler)
    elif action == NOTE:
        actions.add_message(complaint, by=by, body=text, internal=True)
    elif action == ACKNOWLEDGE:
        actions.perform("acknowledge", complaint, by=by)
    else:
        actions.perform("reject_as_spam", complaint, by=by, reason=text)


def _reason(refused: DomainError) -> str:
    # An InvalidInput's message starts with the field's name; the problems alone read better.
    if isinstance(refused, InvalidInput):
        return " ".join(str(problem) for problem in refused.errors.values())
    return refused.message
