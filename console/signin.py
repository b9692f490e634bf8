"""Sign-in and sign-out: password (Argon2id), optional TOTP code, lockout after N failures.

Every attempt is a SignIn row (the audit page shows them). An account with LOCKOUT_FAILURES
failures within LOCKOUT_MINUTES (since its last success) is refused, even with the right
password, until the window has passed; an administrator can clear it by a successful sign-in
after resetting the password. Messages never say whether the user name exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from console.models import SecondFactor, SignIn
from console.roles import visible_pages

FAILURES = ("bad-password", "bad-code")
WRONG = "Wrong user name, password or code."


def failures(username: str) -> int:
    """Failed attempts of this user name in the lockout window, since its last success."""
    since = timezone.now() - timedelta(minutes=settings.LOCKOUT_MINUTES)
    last_ok = (
        SignIn.objects.filter(username=username, outcome="ok", at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    rows = SignIn.objects.filter(username=username, outcome__in=FAILURES, at__gte=last_ok or since)
    return rows.count()


def _note(request: HttpRequest, username: str, outcome: str) -> None:
    SignIn.objects.create(
        username=username[:150], outcome=outcome, address=request.META.get("REMOTE_ADDR", "")[:64]
    )


def _code_ok(user: object, code: str) -> bool:
    import pyotp

    factor = SecondFactor.objects.filter(user=user).first()
    if factor is None:
        return True
    return bool(code) and pyotp.TOTP(factor.totp_secret).verify(code.strip(), valid_window=1)


def _landing(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    pages = visible_pages(request.user)
    return pages[0].path if pages else "/signin/"


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    context = {"next": request.GET.get("next", ""), "error": ""}
    if request.method == "GET":
        return render(request, "console/signin.html", context)
    username = request.POST.get("username", "").strip()
    password = request.POST.get("password", "")
    context["next"] = request.POST.get("next", "")
    if failures(username) >= settings.LOCKOUT_FAILURES:
        _note(request, username, "locked")
        context["error"] = (
            f"Too many failed attempts: this account is locked for {settings.LOCKOUT_MINUTES}"
            " minutes. Ask an administrator if you need access sooner."
        )
        return render(request, "console/signin.html", context, status=403)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _note(request, username, "bad-password")
        context["error"] = WRONG
        return render(request, "console/signin.html", context, status=401)
    if not _code_ok(user, request.POST.get("code", "")):
        _note(request, username, "bad-code")
        context["error"] = WRONG
        return render(request, "console/signin.html", context, status=401)
    login(request, user)
    _note(request, username, "ok")
    return HttpResponseRedirect(_landing(request))


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        _note(request, request.user.get_username(), "sign-out")
    logout(request)
    return HttpResponseRedirect("/signin/")
