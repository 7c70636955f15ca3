"""The moderators' registry pages: work through the entries (unverified first), correct and verify
one, merge a duplicate into another. Only the platform's moderators get in (others get 404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gehoord.desk.access import platform_view
from gehoord.errors import InvalidInput
from gehoord.organisations.models import Organisation, PlatformRole
from gehoord.organisations.registry_keys import core_name
from gehoord.platform import registry
from gehoord.platform.registry_forms import MergeForm, ModeratedCompanyForm, SearchForm

PAGE_SIZE = 50
moderator_view = platform_view(PlatformRole.MODERATOR)


def _entry(slug: str) -> Organisation:
    entry = Organisation.objects.in_registry().filter(slug=slug).first()
    if entry is None:
        raise Http404
    return entry


def _search(request) -> str:
    form = SearchForm(request.GET)
    return form.cleaned_data["q"].strip() if form.is_valid() else ""


@moderator_view
@require_GET
def companies(request):
    query = _search(request)
    page = Paginator(registry.for_moderators(query), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": SearchForm(initial={"q": query}), "query": query, "page": page}
    return render(request, "desk/moderation/registry/list.html", context)


@moderator_view
@require_http_methods(["GET", "POST"])
def company(request, slug: str):
    entry = _entry(slug)
    if request.method == "POST":
        form = ModeratedCompanyForm(request.POST)
        if form.is_valid():
            try:
                registry.edit(entry, form.details(), verified=form.cleaned_data["verified"])
            except InvalidInput as refused:
                form.apply_domain_errors(refused)
            else:
                messages.success(request, _("The entry of %(name)s is saved.") % {"name": entry.name})
                return redirect("moderation:registry_company", slug=entry.slug)
    else:
        fields = ("name", "complaint_email", "website", "registration_number", "country", "contact_person", "verified")
        form = ModeratedCompanyForm(initial={field: getattr(entry, field) for field in fields})
    context = {"entry": entry, "form": form, "complaints": entry.complaints.count()}
    return render(request, "desk/moderation/registry/company.html", context)


@moderator_view
@require_http_methods(["GET", "POST"])
def merge(request, slug: str):
    duplicate = _entry(slug)
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid():
            into = Organisation.objects.filter(slug=form.cleaned_data["into"]).first()
            if into is None:
                messages.error(request, _("There is no entry %(slug)s.") % {"slug": form.cleaned_data["into"]})
            else:
                try:
                    moved = registry.merge(duplicate, into, by=request.actor)
                except registry.MergeRefused as refused:
                    messages.error(request, refused.message)
                else:
                    messages.success(request, ngettext(
                        "%(name)s is merged into %(into)s; %(count)d complaint moved.",
                        "%(name)s is merged into %(into)s; %(count)d complaints moved.", moved,
                    ) % {"name": duplicate.name, "into": into.name, "count": moved})
                    return redirect("moderation:registry_company", slug=into.slug)
    query = _search(request) if "q" in request.GET else core_name(duplicate.name)
    candidates = [entry for entry in registry.search(query)[: PAGE_SIZE + 1] if entry.pk != duplicate.pk][:PAGE_SIZE]
    context = {"entry": duplicate, "form": SearchForm(initial={"q": query}), "query": query, "candidates": candidates}
    return render(request, "desk/moderation/registry/merge.html", context)
