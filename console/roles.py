"""Roles (Django groups) and the pages each may open; one table, checked on every request.

analyst: aggregates only. trafficking: cases and traces (personal data, audited).
supervisor: watchlist, links and the audit trail. administrator: users (Django admin), sign-ins;
no case or person content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ANALYST, TRAFFICKING, SUPERVISOR, ADMINISTRATOR = (
    "analyst",
    "trafficking",
    "supervisor",
    "administrator",
)
ROLES = (ANALYST, TRAFFICKING, SUPERVISOR, ADMINISTRATOR)


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    path: str
    roles: frozenset[str]


PAGES = (
    Page("operations", "Operations", "/", frozenset({ANALYST, TRAFFICKING, SUPERVISOR})),
    Page("statistics", "Statistics", "/statistics/", frozenset({ANALYST, TRAFFICKING, SUPERVISOR})),
    Page("traces", "Traces", "/traces/", frozenset({TRAFFICKING})),
    Page("cases", "Cases", "/cases/", frozenset({TRAFFICKING})),
    Page("watchlist", "Watchlist", "/watchlist/", frozenset({SUPERVISOR})),
    Page("links", "Links", "/links/", frozenset({SUPERVISOR})),
    Page("audit", "Audit", "/audit/", frozenset({SUPERVISOR})),
    Page("signins", "Sign-ins", "/signins/", frozenset({SUPERVISOR, ADMINISTRATOR})),
    Page("users", "Users", "/admin/auth/user/", frozenset({ADMINISTRATOR})),
)
BY_NAME = {p.name: p for p in PAGES}


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached: set[str] | None = getattr(user, "_imdms_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(ROLES)
        user._imdms_roles = cached
    return cached


def may_open(user: Any, page: str) -> bool:
    return bool(roles_of(user) & BY_NAME[page].roles)


def visible_pages(user: Any) -> list[Page]:
    mine = roles_of(user)
    return [p for p in PAGES if p.roles & mine]


def nav(request: HttpRequest) -> dict[str, Any]:
    """Template context: the pages this user may open (the navigation bar)."""
    return {"pages": visible_pages(request.user), "roles": sorted(roles_of(request.user))}


View = Callable[..., HttpResponse]


def page(name: str) -> Callable[[View], View]:
    """Signed-in users of the page's roles only; others get 403 with the roles needed."""

    def wrap(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not may_open(request.user, name):
                need = ", ".join(sorted(BY_NAME[name].roles))
                return render(
                    request,
                    "console/forbidden.html",
                    {"page": BY_NAME[name], "need": need},
                    status=403,
                )
            request.current_page = name  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return wrap


def ensure_groups(**_: Any) -> None:
    """Create the role groups; administrators may manage users and groups in the admin
    (post_migrate: permissions exist by then)."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        if role == ADMINISTRATOR:
            perms = Permission.objects.filter(content_type__app_label="auth")
            group.permissions.set(perms)
