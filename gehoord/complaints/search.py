"""Finding complaints by what someone remembers of them: a reference, an order number, a name, an
address, a phone number, a product or words of the description.

On PostgreSQL this is full-text search in the Dutch configuration (stemming: "beschadigde" finds
"beschadigd"), over the stored column `search_document` that migration 0004 adds with a GIN index;
the text is read as a web search (`"exact phrase"`, `or`, `-without`). SQLite, the embedded default
for small desks, looks for the text as a substring of the same fields.
"""

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

# Must match the column that migration 0004 generates.
SEARCHED_FIELDS = (
    "reference",
    "public_id",
    "order_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "product",
    "description",
)


def matching(complaints: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    if not text:
        return complaints
    if connections[complaints.db].vendor == "postgresql":
        # Qualified by the table's name: the condition is only ever added to the complaint query itself.
        return complaints.filter(
            RawSQL(
                "\"complaints_complaint\".\"search_document\" @@ websearch_to_tsquery('dutch'::regconfig, %s)",
                (text,),
                output_field=BooleanField(),
            )
        )
    condition = Q()
    for name in SEARCHED_FIELDS:
        condition |= Q(**{f"{name}__icontains": text})
    return complaints.filter(condition)

