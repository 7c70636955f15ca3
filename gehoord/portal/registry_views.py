"""The registry's consumer pages: search the companies, choose one to file a complaint about, add a
missing one. Each view parses with a form, calls `platform.registry` and renders."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gehoord.errors import InvalidInput
from gehoord.organisations.models import ConsumerAccount
from gehoord.platform import registry
from gehoord.platform.registry_forms import CompanyForm, SearchForm
from gehoord.portal import ratelimit

PAGE_SIZE = 20


def _search_page(request, template: str):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context = {"form": form, "query": query, "page": None}
    status = 200
    if query:
        if ratelimit.REGISTRY_SEARCHES_PER_IP.take(ratelimit.client_ip(request)):
            context["page"] = Paginator(registry.search(query), PAGE_SIZE).get_page(request.GET.get("page"))
        else:
            context["limited"] = True
            status = 429
    return render(request, template, context, status=status)


@require_GET
def search(request):
    """/bedrijven/: the companies matching a name, a registry number or a website."""
    return _search_page(request, "portal/registry/search.html")


@require_GET
def choose_company(request):
    """/klacht/: the first step of filing on the platform, choosing the company."""
    return _search_page(request, "portal/registry/choose.html")


def _render_add(request, form: CompanyForm, duplicates=(), status: int = 200):
    return render(request, "portal/registry/add.html", {"form": form, "duplicates": duplicates}, status=status)


@never_cache
@login_required(login_url="portal:account_login")
@require_http_methods(["GET", "POST"])
def add(request):
    """/bedrijven/toevoegen/: a consumer adds a missing company, after seeing the entries it may already have."""
    if not ConsumerAccount.objects.filter(user=request.user).exists():
        return render(request, "portal/registry/consumers_only.html", status=403)
    if request.method == "GET":
        return _render_add(request, CompanyForm(initial={"name": request.GET.get("naam", "")[:200], "country": "NL"}))
    form = CompanyForm(request.POST)
    if not ratelimit.REGISTRY_ADD_ATTEMPTS_PER_IP.take(ratelimit.client_ip(request)):
        form.is_valid()
        form.add_error(None, _("Many companies were added from your connection in a short time. Please try again in an hour; what you typed is kept below."))
        return _render_add(request, form, status=429)
    if not form.is_valid():
        return _render_add(request, form)
    details = form.details()
    if not request.POST.get("confirmed_new") and (duplicates := registry.likely_duplicates(details)):
        return _render_add(request, form, duplicates)
    if not ratelimit.REGISTRY_ADDS_PER_ACCOUNT.take(str(request.user.pk)):
        form.add_error(None, _("You have added several companies today. Please try again tomorrow; what you typed is kept below."))
        return _render_add(request, form, status=429)
    try:
        company = registry.add(details, by=request.user)
    except InvalidInput as refused:
        form.apply_domain_errors(refused)
        return _render_add(request, form)
    # Filing about it is the company part's page (portal:company's /klacht/).
    return redirect("portal:platform_complaint_form", org=company.slug)
