"""References and order numbers safe in a URL and a mail header.

Order numbers were stored as typed: `bo-55501 ` beside `BO-55501`, and a "/" or a line break in one
broke the staff queue's links and every mail about the complaint. Existing rows are brought into the
form intake now gives (trimmed, upper case, letters, digits, "-", "." and "_"; anything else becomes
"-"); a reference made from an order number follows it, kept unique in its organisation.
"""

import re
import unicodedata

from django.db import migrations
from django.db.models import Q

SAFE = r"[A-Z0-9][A-Z0-9._-]*"
UNSAFE_RUN = re.compile(r"[^A-Z0-9._-]+")


def _safe(text: str) -> str:
    text = UNSAFE_RUN.sub("-", unicodedata.normalize("NFKC", text or "").strip().upper())
    return text.lstrip("._-")[:64].rstrip("-")


def make_safe(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    canonical = Q(reference__regex=rf"^{SAFE}$") & (Q(order_number="") | Q(order_number__regex=rf"^{SAFE}$"))
    unsafe = Complaint.objects.exclude(canonical).order_by("id").only("id", "organisation_id", "public_id", "reference", "order_number")
    for complaint in unsafe:
        reference = complaint.reference
        if not re.fullmatch(SAFE, reference):
            wanted = _safe(reference) or complaint.public_id
            others = Complaint.objects.filter(organisation_id=complaint.organisation_id).exclude(pk=complaint.pk)
            reference, suffix = wanted, 2
            while others.filter(reference=reference).exists():
                reference, suffix = f"{wanted[:60]}-{suffix}", suffix + 1
        Complaint.objects.filter(pk=complaint.pk).update(order_number=_safe(complaint.order_number), reference=reference)


class Migration(migrations.Migration):

    dependencies = [("complaints", "0006_typed_events")]

    operations = [
        migrations.RunPython(make_safe, migrations.RunPython.noop),
    ]
