"""The public JSON API of the platform: companies, their score cards and published complaints.

Read-only, without a token, limited per client address. It reads what the public pages read
(`platform.public`, `Complaint.objects.public()`, the prepared `CompanyScore`) and shows text
redacted, the consumer by first name and initial; anything not published is the same 404 as
something that does not exist.
"""

import datetime
import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.throttling import BaseThrottle

from gehoord.api import schemas
from gehoord.complaints.models import Complaint
from gehoord.errors import NotFound
from gehoord.organisations.models import Organisation
from gehoord.platform import public
from gehoord.platform.models import PlatformSettings

PER_PAGE = 20
MAX_PAGE = 500
SLUG = r"^[-a-zA-Z0-9_]{1,60}$"
PUBLIC_ID = r"^[-A-Za-z0-9]{1,16}$"


class PerClientAddress(BaseThrottle):
    """A fixed window per client address (ninja finds the address behind NINJA_NUM_PROXIES proxies).

    Counted in the cache; the database cache's increment reads then writes, so a burst of parallel
    requests may slip a few past the limit — harmless for a read-only API."""

    limit = 300
    period = 60

    def allow_request(self, request: HttpRequest) -> bool:
        window = int(time.time() // self.period)
        key = f"public-api:{self.get_ident(request)}:{window}"
        cache.add(key, 0, self.period)
        try:
            return cache.incr(key) <= self.limit
        except ValueError:  # expired between add and incr: a fresh window
            cache.add(key, 1, self.period)
            return True

    def wait(self) -> float:
        return self.period - time.time() % self.period


router = Router(tags=["public"], auth=None, throttle=[PerClientAddress()])
ERRORS = {status: schemas.ErrorOut for status in (404, 422, 429)}


class CompanyOut(Schema):
    slug: str
    name: str
    website: str
    country: str
    verified: bool
    connected: bool = Field(description="Answers in the desk (connected) rather than by e-mail.")


class CompanyPage(Schema):
    companies: list[CompanyOut]
    next_after: str | None = Field(description="Pass as `after` for the next page; null on the last.")


class ScoreOut(Schema):
    company: str
    computed: bool = Field(description="False while the platform has not computed this company's card yet.")
    period_start: datetime.date | None
    period_end: datetime.date | None
    complaints: int
    replied: int
    unanswered: int
    judged: int = Field(description="Complaints closed with the consumer's verdict, plus the unanswered ones.")
    resolved: int
    median_reply_hours: float | None
    response_rate: float | None
    resolution_rate: float | None
    speed_score: float | None
    score: float | None = Field(description="0–100, smoothed towards the platform average; null below the minimum.")
    minimum_complaints: int
    weights: dict[str, int]


class PublicComplaintOut(Schema):
    public_id: str
    company: str
    received_at: datetime.datetime
    status: str
    consumer: str = Field(description="First name and initial, or 'a consumer'.")
    product: str
    description: str
    desired_solution: str


class ComplaintPage(Schema):
    complaints: list[PublicComplaintOut]
    page: int
    has_next: bool


class ReplyOut(Schema):
    author: str = Field(description="company or consumer")
    created_at: datetime.datetime
    body: str


class PublicComplaintDetailOut(PublicComplaintOut):
    replies: list[ReplyOut]


def _company(slug: str) -> Organisation:
    organisation = public.company_by_slug(slug)
    if organisation is None:
        raise NotFound("No such company.")
    if organisation.merged_into_id:
        # A merged entry answers for the company it lives on in.
        organisation = public.company_by_slug(public.surviving_company(organisation).slug)
    return organisation


def _company_out(organisation: Organisation) -> dict:
    return {
        "slug": organisation.slug, "name": organisation.name, "website": organisation.website,
        "country": organisation.country, "verified": organisation.verified, "connected": organisation.connected,
    }


def _complaint_out(complaint: Complaint) -> dict:
    published = public.PublishedComplaint.of(complaint)
    return {
        "public_id": published.public_id, "company": published.company.slug, "received_at": published.received_at,
        "status": published.status, "consumer": published.consumer, "product": published.product,
        "description": published.description, "desired_solution": published.desired_solution,
    }


def _page(queryset, page: int) -> dict:
    offset = (page - 1) * PER_PAGE
    rows = list(queryset.select_related("organisation")[offset : offset + PER_PAGE + 1])
    return {"complaints": [_complaint_out(row) for row in rows[:PER_PAGE]], "page": page, "has_next": len(rows) > PER_PAGE}


@router.get("/companies", response={200: CompanyPage, **ERRORS}, summary="Companies in the registry, by slug")
def companies(request, after: str = Query("", pattern=r"^[-a-zA-Z0-9_]{0,60}$"), limit: int = Query(50, ge=1, le=100)):
    rows = list(
        Organisation.objects.in_registry().filter(slug__gt=after).order_by("slug")
        .only("slug", "name", "website", "country", "verified", "connected")[: limit + 1]
    )
    shown = rows[:limit]
    return {"companies": [_company_out(row) for row in shown], "next_after": shown[-1].slug if len(rows) > limit else None}


@router.get("/companies/{slug}", response={200: CompanyOut, **ERRORS}, summary="A company's registry entry")
def company(request, slug: str = Path(..., pattern=SLUG)):
    return _company_out(_company(slug))


@router.get("/companies/{slug}/score", response={200: ScoreOut, **ERRORS}, summary="A company's score card")
def score(request, slug: str = Path(..., pattern=SLUG)):
    organisation = _company(slug)
    rules = PlatformSettings.current()
    card = getattr(organisation, "score", None)
    return {
        "company": organisation.slug,
        "computed": card is not None,
        "period_start": card.period_start if card else None,
        "period_end": card.period_end if card else None,
        "complaints": card.complaints if card else 0,
        "replied": card.replied if card else 0,
        "unanswered": card.unanswered if card else 0,
        "judged": card.closed if card else 0,
        "resolved": card.resolved if card else 0,
        "median_reply_hours": card.median_reply_hours if card else None,
        "response_rate": card.response_rate if card else None,
        "resolution_rate": card.resolution_rate if card else None,
        "speed_score": card.speed_score if card else None,
        "score": card.score if card else None,
        "minimum_complaints": rules.minimum_complaints,
        "weights": {"resolution": rules.resolution_weight, "response_rate": rules.response_weight, "speed": rules.speed_weight},
    }


@router.get("/companies/{slug}/complaints", response={200: ComplaintPage, **ERRORS},
            summary="A company's published complaints, newest first")
def company_complaints(request, slug: str = Path(..., pattern=SLUG), page: int = Query(1, ge=1, le=MAX_PAGE)):
    organisation = _company(slug)
    return _page(Complaint.objects.public().filter(organisation=organisation).order_by("-received_at", "-id"), page)


@router.get("/complaints", response={200: ComplaintPage, **ERRORS}, summary="The newest published complaints")
def published_complaints(request, page: int = Query(1, ge=1, le=MAX_PAGE)):
    return _page(Complaint.objects.public().order_by("-received_at", "-id"), page)


@router.get("/complaints/{public_id}", response={200: PublicComplaintDetailOut, **ERRORS},
            summary="A published complaint with its published replies")
def published_complaint(request, public_id: str = Path(..., pattern=PUBLIC_ID)):
    complaint = Complaint.objects.public().select_related("organisation").filter(public_id=public_id).first()
    if complaint is None:
        raise NotFound("No such published complaint.")
    replies = [
        {"author": reply.author, "created_at": reply.created_at, "body": reply.body} for reply in public.replies_of(complaint)
    ]
    return {**_complaint_out(complaint), "replies": replies}
