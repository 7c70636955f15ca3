"""The consumer's account pages on the platform (seed 004): sign up, confirm, log in, "my complaints".

The answers never tell whether an address has an account: signing up and asking for a login link
end on the same page whatever was typed; the mail tells the address's owner. Wrong passwords are
counted by django-axes (as on the desk's login); sign-ups and link requests by `portal.ratelimit`.
Links in mails are built on GEHOORD_BASE_URL, never on the Host header of the request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gehoord.errors import InvalidInput
from gehoord.mail import outbound
from gehoord.organisations.models import Language
from gehoord.platform import accounts
from gehoord.platform.accounts import LinkInvalid, SignUpResult
from gehoord.portal import access, presentation
from gehoord.portal.account_forms import LoginForm, LoginLinkForm, SettingsForm, SignUpForm
from gehoord.portal.ratelimit import Limit, client_ip

SIGN_UPS_PER_IP = Limit("sign-up-ip", 10, 3600)
SIGN_UPS_PER_EMAIL = Limit("sign-up-email", 3, 3600)
LOGIN_LINKS_PER_IP = Limit("login-link-ip", 10, 3600)
LOGIN_LINKS_PER_EMAIL = Limit("login-link-email", 3, 3600)

TOO_MANY = gettext_lazy("Too many requests. Please try again in an hour.")
account_required = login_required(login_url="portal:account_login")


def _link(name: str, token: str) -> str:
    return settings.GEHOORD_BASE_URL + reverse(name, kwargs={"token": token})


def _language() -> str:
    language = (translation.get_language() or "")[:2]
    return language if language in Language.values else Language.DUTCH


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.method == "GET":
        return render(request, "portal/account/sign_up.html", {"form": SignUpForm(initial={"language": _language()})})
    form = SignUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Both limits count every valid request, whether or not the address has an account.
        from_ip = SIGN_UPS_PER_IP.take(client_ip(request))
        for_email = SIGN_UPS_PER_EMAIL.take(data["email"])
        if not (from_ip and for_email):
            form.add_error(None, TOO_MANY)
            return render(request, "portal/account/sign_up.html", {"form": form}, status=429)
        try:
            signed_up = accounts.sign_up(
                name=data["name"], email=data["email"], password=data["password"], language=data["language"]
            )
        except InvalidInput as problem:
            form.apply_domain_errors(problem)
        else:
            user = signed_up.user
            if signed_up.result == SignUpResult.CREATED:
                outbound.send_account_verification(
                    user, _link("portal:account_verify", accounts.verification_token(user)), data["language"]
                )
            else:
                outbound.send_account_exists(
                    user, _link("portal:account_login_link", accounts.login_token(user)), accounts.language_of(user)
                )
            request.session["gehoord.portal.signed_up"] = data["email"]
            return redirect("portal:account_signed_up")
    return render(request, "portal/account/sign_up.html", {"form": form})


@never_cache
@require_GET
def signed_up(request):
    return render(request, "portal/account/signed_up.html", {"email": request.session.get("gehoord.portal.signed_up", "")})


@never_cache
@require_GET
def verify(request, token: str):
    try:
        user, newly_verified = accounts.verify(token)
    except LinkInvalid:
        messages.error(request, _("This confirmation link does not work (any more). Log in to get a new one."))
        return redirect("portal:account_login")
    if not newly_verified:
        messages.info(request, _("Your e-mail address was already confirmed. Log in below."))
        return redirect("portal:account_login")
    # The first click proves the address: it logs in, so that the consumer goes on where they were.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    return redirect("portal:account_home")


def _login_page(request, form=None, link_form=None, status=200):
    form = form or LoginForm(initial={"next": request.GET.get("next", "")})
    context = {"form": form, "link_form": link_form or LoginLinkForm()}
    return render(request, "portal/account/login.html", context, status=status)


def _safe_next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:account_home")


@never_cache
@require_http_methods(["GET", "POST"])
def log_in(request):
    if request.method == "GET":
        return _login_page(request)
    form = LoginForm(request.POST)
    if not form.is_valid():
        return _login_page(request, form)
    email = accounts.normalised_email(form.cleaned_data["email"])
    # django-axes counts the failures of authenticate() and locks as on the desk's login.
    user = authenticate(request, username=email, password=form.cleaned_data["password"])
    account = accounts.consumer_of(user) if user is not None else None
    if account is None:
        # A staff account logs in at the desk, never here: the same answer as a wrong password.
        form.add_error(None, _("This e-mail address and password do not match an account."))
        return _login_page(request, form)
    if account.email_verified_at is None:
        # Counted as a link request: a script that knows the password cannot make us mail on and on.
        if LOGIN_LINKS_PER_EMAIL.take(email):
            outbound.send_account_verification(
                user, _link("portal:account_verify", accounts.verification_token(user)), account.language
            )
        form.add_error(None, _("Confirm your e-mail address first: we have sent you a new link to do so."))
        return _login_page(request, form)
    login(request, user)
    return redirect(_safe_next(request, form.cleaned_data["next"]))


@never_cache
@require_POST
def ask_login_link(request):
    form = LoginLinkForm(request.POST)
    if not form.is_valid():
        return _login_page(request, link_form=form)
    email = form.cleaned_data["email"]
    from_ip = LOGIN_LINKS_PER_IP.take(client_ip(request))
    for_email = LOGIN_LINKS_PER_EMAIL.take(email)
    if not (from_ip and for_email):
        form.add_error(None, TOO_MANY)
        return _login_page(request, link_form=form, status=429)
    user = accounts.account_of(email)
    if user is not None and accounts.consumer_of(user) is not None and user.is_active:
        outbound.send_login_link(user, _link("portal:account_login_link", accounts.login_token(user)), accounts.language_of(user))
    messages.success(request, _(
        "If %(email)s has an account, a login link is on its way to that address. It works once, for half an hour."
    ) % {"email": email})
    return redirect("portal:account_login")


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request, token: str):
    """GET asks to confirm, POST logs in: a mail scanner that opens the link does not spend it."""
    try:
        user = accounts.user_for_login_link(token)
    except LinkInvalid:
        messages.error(request, _("This login link does not work (any more): it works once, for half an hour. Ask for a new one."))
        return redirect("portal:account_login")
    if request.method == "GET":
        return render(request, "portal/account/login_link.html", {"email": user.email})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("portal:account_home")


@require_POST
def log_out(request):
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("portal:home")


def _consumer_account(request):
    account = accounts.consumer_of(request.user)
    if account is None:  # a staff login has no consumer pages
        raise Http404
    return account


@never_cache
@require_GET
@account_required
def home(request):
    account = _consumer_account(request)
    complaints = list(accounts.complaints_of(request.user))
    for complaint in complaints:
        complaint.status_label = presentation.STATUS_FOR_CONSUMER.get(complaint.status, complaint.get_status_display())
    context = {"account": account, "complaints": complaints}
    return render(request, "portal/account/home.html", context)


@never_cache
@require_GET
@account_required
def follow(request, public_id: str):
    """Open one of the account's complaints on its tracking page."""
    _consumer_account(request)
    complaint = accounts.complaints_of(request.user).filter(public_id=public_id).first()
    if complaint is None:
        raise Http404
    access.grant(request, complaint)
    return redirect("portal:tracking", public_id=complaint.public_id)


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def settings_page(request):
    account = _consumer_account(request)
    if request.method == "GET":
        form = SettingsForm(initial={"name": request.user.first_name, "language": account.language})
        return render(request, "portal/account/settings.html", {"form": form, "account": account})
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            accounts.update_settings(request.user, name=form.cleaned_data["name"], language=form.cleaned_data["language"])
        except InvalidInput as problem:
            form.apply_domain_errors(problem)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("portal:account_settings")
    return render(request, "portal/account/settings.html", {"form": form, "account": account})
