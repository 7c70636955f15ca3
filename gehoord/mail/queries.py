"""Mail facts for the desk's lists: which complaints have mail trouble (SPEC 7: a permanent
failure shows on the complaint and in the queue)."""

from django.db.models import Exists, OuterRef, QuerySet

from gehoord.mail.models import FailingAddress, InboundMail, OutboundMail


def with_mail_trouble(complaints: QuerySet) -> QuerySet:
    """Annotate ``mail_failed`` (a mail to this complaint failed for good or bounced) and
    ``address_failing`` (nothing more can be sent to the complainant's address), in one query."""
    return complaints.annotate(
        mail_failed=Exists(OutboundMail.objects.filter(complaint=OuterRef("pk"), state=OutboundMail.State.FAILED)),
        address_failing=Exists(FailingAddress.objects.filter(address=OuterRef("contact_email"))),
    )


def triage_waiting(organisation) -> int:
    """How many mails wait in the organisation's triage queue (for the desk's navigation)."""
    return InboundMail.objects.filter(organisation=organisation, state=InboundMail.State.TRIAGE).count()
