"""The trafficking unit's case pages: the case list with every watchlist hit (no personal
data), one case with the referred person (a reason is asked for), and its status steps.

The work is central/cases/store.py's, the same as `imdms cases list|show|set-status`: each
view and change writes its row to the append-only case_audit table; the views also go into
the hash-chained audit log the supervisors' audit page reads (central.trace.audit).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from central.cases.lifecycle import Status, parse_status
from central.cases.schema import ensure_schema
from central.cases.store import case_list, set_status, show
from central.trace.audit import record_access
from console.roles import page
from console.store import central_db
from imdms.errors import ImdmsError


def _message(err: ImdmsError) -> str:
    return f"{err.message}. {err.hint or ''}".strip()


def _chain(request: HttpRequest, action: str, reason: str, count: int, case: str = "") -> None:
    with central_db() as db:
        record_access(
            db,
            operator=request.user.get_username(),
            reason=reason,
            action=action,
            params={"case": case} if case else {},
            result_count=count,
        )
        db.commit()


def _list(request: HttpRequest, message: str = "", error: str = "", status: int = 200
          ) -> HttpResponse:
    wanted = request.GET.get("status", "")
    try:
        only = parse_status(wanted) if wanted else None
    except ImdmsError as err:
        only, error = None, _message(err)
    with central_db() as db:
        ensure_schema(db)
        cases, hits = case_list(db, request.user.get_username(), only)
    _chain(request, "console-cases", "case list (no personal data)", len(cases))
    context = {"cases": cases, "hits": hits, "statuses": [s.value for s in Status],
               "only": only.value if only else "", "message": message, "error": error}
    return render(request, "console/cases.html", context, status=status)


@page("cases")
def cases(request: HttpRequest) -> HttpResponse:
    return _list(request)


@page("cases")
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, case_id: str) -> HttpResponse:
    """GET asks why; POST with a reason shows the case with the person (audited)."""
    reason = request.POST.get("reason", "").strip() if request.method == "POST" else ""
    context: dict[str, object] = {"case_id": case_id, "case": None, "error": "",
                                  "statuses": [s.value for s in Status]}
    if request.method == "POST":
        try:
            with central_db() as db:
                ensure_schema(db)
                found = show(db, case_id, operator=request.user.get_username(), reason=reason)
            context["case"] = found
            _chain(request, "console-case", reason, 1, found["case_id"])
        except ImdmsError as err:
            context["error"] = _message(err)
            return render(request, "console/case.html", context, status=400)
    return render(request, "console/case.html", context)


@page("cases")
@require_http_methods(["POST"])
def case_status(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record a step (status and note); the list shows what happened."""
    try:
        new = parse_status(request.POST.get("status", ""))
        with central_db() as db:
            ensure_schema(db)
            cid, old = set_status(db, case_id, new, operator=request.user.get_username(),
                                  note=request.POST.get("note"))
    except ImdmsError as err:
        return _list(request, error=_message(err), status=400)
    return _list(request, message=f"case {cid}: {old.value} -> {new.value}")
