from django.db import models


class RateCount(models.Model):
    """How often one limited thing happened for one key (hashed) in one window (portal/ratelimit.py)."""

    limit_name = models.CharField(max_length=40)
    digest = models.CharField(max_length=32)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["limit_name", "digest", "window_start"], name="rate_count_unique"),
        ]


class FormSubmission(models.Model):
    """One sending of the complaint form, by the token the form carried: a second click, a reload or
    a retry of the same form finds the complaint the first one filed instead of filing it again."""

    token = models.CharField(max_length=64, unique=True)
    complaint = models.ForeignKey("complaints.Complaint", null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)
