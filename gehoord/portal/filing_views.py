"""Filing a complaint on the public platform (seed 004): `/bedrijven/<slug>/klacht/`, about any
company in the registry. The form and its flow are the portal's (views.filing_page); the platform
adds public or private, and a logged-in consumer's account."""

from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gehoord.platform import accounts, filing
from gehoord.portal import views


@never_cache
@require_http_methods(["GET", "POST"])
def platform_complaint_form(request, org: str):
    organisation = filing.company_entry(org)
    if organisation.slug != org:  # a merged entry: its complaints go to the entry that survived
        return redirect("portal:platform_complaint_form", org=organisation.slug, permanent=True)
    initial = {}
    if (account := accounts.consumer_of(request.user)) is not None:
        user = account.user
        initial = {"contact_name": user.first_name, "contact_email": user.email, "contact_language": account.language}
    return views.filing_page(request, organisation, views.PLATFORM_PAGE, initial)
