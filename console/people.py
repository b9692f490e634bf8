"""Pages with personal data: traces and the audit trail (cases: console.casework; watchlist:
console.watchlist_page). Each view writes an audit row
(central.trace.audit, into the hash-chained audit log of central/audit/) with the user and the
reason."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from central.trace.audit import audit_rows, record_access
from central.trace.search import Query, trace
from console.models import SignIn
from console.roles import page
from console.store import central_db
from console.trace_photos import photo_uris
from imdms.errors import ImdmsError

log = logging.getLogger(__name__)
KINDS = ("doc", "name", "record", "group")
AUDIT_ROWS = 200


@page("traces")
@never_cache  # personal data and photos: Cache-Control no-store, never kept by a browser
@require_http_methods(["GET", "POST"])
def traces(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"kinds": KINDS, "error": "", "results": None, "form": {},
                                  "shown": []}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("kind", "value", "dob", "reason")}
        context["form"] = form
        kind = form["kind"] if form["kind"] in KINDS else "doc"
        q = Query(**{kind: form["value"] or None}, dob=form["dob"] or None)
        try:
            if not form["reason"]:
                raise ImdmsError("a reason is required for every trace", "say why you look")
            if not form["value"]:
                raise ImdmsError("nothing to search for", "give a document, name, record or group")
            with central_db() as db:
                people = trace(
                    db, q, operator=request.user.get_username(), reason=form["reason"]
                )
                photos = photo_uris(db, people, operator=request.user.get_username(),
                                    reason=form["reason"])
                db.commit()
                context["results"] = people
                context["shown"] = [(p, [(c, photos.get(c.record_id, [])) for c in p.crossings])
                                    for p in people]
        except ImdmsError as err:
            context["error"] = f"{err.message}. {err.hint or ''}".strip()
            return render(request, "console/traces.html", context, status=400)
    return render(request, "console/traces.html", context)


@page("audit")
def audit(request: HttpRequest) -> HttpResponse:
    """Central views of personal data from the hash-chained audit log (they name what was
    searched for: personal data, so this view is audited too)."""
    with central_db() as db:
        rows = audit_rows(db)[::-1][:AUDIT_ROWS]
        record_access(
            db,
            operator=request.user.get_username(),
            reason="supervisor review of the audit trail",
            action="console-audit",
            params={},
            result_count=len(rows),
        )
        db.commit()
    return render(request, "console/audit.html", {"rows": rows})


@page("signins")
def signins(request: HttpRequest) -> HttpResponse:
    rows = SignIn.objects.order_by("-at")[:AUDIT_ROWS]
    return render(request, "console/signins.html", {"rows": rows})
