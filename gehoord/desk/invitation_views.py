"""The page an invitation's link opens: the invitee joins the organisation's staff (SPEC 1, 10).

Open to anyone holding the link, logged in or not; the token is the credential, and the rules
live in `gehoord.organisations.invitations`. Opening the link changes nothing (mail scanners
open links too): only the button on the page accepts.
"""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from gehoord.desk.forms import NewAccountForm
from gehoord.errors import DomainError, InvalidInput
from gehoord.organisations import invitations
from gehoord.organisations.models import Role


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def invitation(request, org: str, token: str):
    try:
        invitation = invitations.invitation_for(token, organisation_slug=org)
    except DomainError as problem:
        return _unusable(request, problem)
    user = request.user
    form = None
    if not user.is_authenticated:
        form = NewAccountForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                created = invitations.accept_with_new_account(token, **form.arguments())
            except InvalidInput as problem:
                form.apply_domain_errors(problem)
            except DomainError as problem:  # used or withdrawn meanwhile
                return _unusable(request, problem)
            else:
                account = authenticate(request, username=created.get_username(), password=form.cleaned_data["password"])
                if account is not None:  # else the login page asks, as for anyone
                    login(request, account)
                return _welcome(request, invitation)
    elif request.method == "POST" and invitations.is_for(invitation, user):
        try:
            invitations.accept(token, user)
        except DomainError as problem:
            return _unusable(request, problem)
        return _welcome(request, invitation)
    return render(
        request,
        "desk/invitation.html",
        {
            "invitation": invitation,
            "invited_to": invitation.organisation,
            "roles": [Role(role).label for role in invitation.roles],
            "for_this_account": user.is_authenticated and invitations.is_for(invitation, user),
            "form": form,
        },
    )


def _welcome(request, invitation):
    messages.success(request, _("Welcome to the staff of %(name)s.") % {"name": invitation.organisation.name})
    return redirect("desk:home")


def _unusable(request, problem: DomainError):
    return render(request, "desk/invitation_unusable.html", {"problem": problem.message}, status=problem.status)
