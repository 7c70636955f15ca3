"""Who may use the staff desk of which organisation: every desk view goes through `staff_view`."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from gehoord.complaints.actors import Actor
from gehoord.organisations.models import Organisation, PlatformMembership, PlatformRole, Role

HANDLING_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.BOARD})


def staff_view(*, roles: frozenset[str] = frozenset(Role.values)):
    """Decorate a view taking (request, organisation, ...): log-in required, and a membership with
    one of `roles` at the organisation of the URL's `org` slug. The view gets `request.organisation`
    and `request.actor`. Another organisation's pages answer 404, as if they did not exist."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, org: str, *args, **kwargs):
            organisation = get_object_or_404(Organisation, slug=org)
            actor = Actor.staff(request.user, organisation)
            if not actor.roles & roles:
                raise Http404
            request.organisation = organisation
            request.actor = actor
            return view(request, organisation, *args, **kwargs)

        return wrapper

    return decorator


def organisations_of(user):
    return Organisation.objects.filter(memberships__user=user).distinct().order_by("name")


def platform_view(role: str):
    """Decorate a view of the platform's own staff (SPEC 1): log-in required and the platform role
    `role` (moderator, legal advisor). Anyone else gets 404. The view gets `request.actor`."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not PlatformMembership.objects.filter(user=request.user, role=role).exists():
                raise Http404
            request.actor = Actor.moderator(request.user) if role == PlatformRole.MODERATOR else None
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
