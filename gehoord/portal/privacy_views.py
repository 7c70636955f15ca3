"""The consumer's own data (GDPR, issue 13): download it all as one ZIP, from the account or by a
link mailed to the address, and erase it from the account.

The request for a mailed link answers the same whatever was typed (the mail goes to the address's
owner only, and only when the platform holds something of theirs) and is rate-limited. A mailed
link is signed and expires; opening it asks before downloading, so a mail scanner that follows
links downloads nothing and records nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gehoord.mail import outbound
from gehoord.platform import accounts, data_export, privacy
from gehoord.platform.accounts import LinkInvalid
from gehoord.platform.data_export import Purpose
from gehoord.portal.account_views import TOO_MANY, _language, account_required
from gehoord.portal.privacy_forms import DataLinkForm, EraseForm
from gehoord.portal.ratelimit import Limit, client_ip

DATA_LINKS_PER_IP = Limit("data-link-ip", 10, 3600)
DATA_LINKS_PER_EMAIL = Limit("data-link-email", 3, 3600)
ZIP_NAME = "gehoord-gegevens.zip"


def _consumer_account(request):
    account = accounts.consumer_of(request.user)
    if account is None:  # a staff login has no consumer pages
        raise Http404
    return account


def _download(complaints, purpose, user=None) -> FileResponse:
    archive = data_export.export(complaints, purpose=purpose, user=user)
    return FileResponse(archive, as_attachment=True, filename=ZIP_NAME, content_type="application/zip")


@never_cache
@require_GET
@account_required
def data(request):
    _consumer_account(request)
    return render(request, "portal/privacy/data.html", {"erase_form": EraseForm()})


@never_cache
@require_POST
@account_required
def download(request):
    _consumer_account(request)
    return _download(data_export.of_account(request.user), Purpose.ACCOUNT, user=request.user)


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def erase(request):
    """Erasure asks twice: this page explains what goes and what stays, the box must be ticked."""
    _consumer_account(request)
    if request.method == "GET":
        return render(request, "portal/privacy/erase.html", {"form": EraseForm()})
    form = EraseForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/privacy/erase.html", {"form": form}, status=400)
    email = request.user.email
    logout(request)
    privacy.erase(email)
    messages.success(request, _("Your data is erased and your account closed."))
    return redirect("portal:home")


@never_cache
@require_http_methods(["GET", "POST"])
def ask_link(request):
    if request.method == "GET":
        return render(request, "portal/privacy/ask_link.html", {"form": DataLinkForm()})
    form = DataLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/privacy/ask_link.html", {"form": form}, status=400)
    email = accounts.normalised_email(form.cleaned_data["email"])
    from_ip = DATA_LINKS_PER_IP.take(client_ip(request))
    for_email = DATA_LINKS_PER_EMAIL.take(email)
    if not (from_ip and for_email):
        form.add_error(None, TOO_MANY)
        return render(request, "portal/privacy/ask_link.html", {"form": form}, status=429)
    if privacy.complaints_of(email).exists():
        url = settings.GEHOORD_BASE_URL + reverse("portal:data_link", kwargs={"token": data_export.link_token(email)})
        outbound.send_data_export_link(email, url, _language(), data_export.LINK_VALID_SECONDS // 3600)
    return render(request, "portal/privacy/link_sent.html", {"email": email})


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    try:
        email = data_export.email_of_link(token)
    except LinkInvalid:
        messages.error(request, _("This download link does not work (any more). Ask for a new one."))
        return redirect("portal:data_ask_link")
    if request.method == "GET":
        return render(request, "portal/privacy/link.html", {"email": email})
    return _download(privacy.complaints_of(email), Purpose.MAILED_LINK)
