"""The supervisor's links page: a person's fuzzy links (central.trace.links), confirm or split
one. Listing and every decision need a reason and write an audit row, as `imdms trace link`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from central.trace import links as trace_links
from central.trace.audit import record_access, require
from console.roles import page
from console.store import central_db
from imdms.errors import ImdmsError


@page("links")
@require_http_methods(["GET", "POST"])
def links(request: HttpRequest) -> HttpResponse:
    form = {k: request.POST.get(k, "").strip() for k in ("person", "reason", "link", "decision")}
    context: dict[str, Any] = {"form": form, "rows": None, "error": "", "done": ""}
    if request.method == "GET":
        return render(request, "console/links.html", context)
    operator = request.user.get_username()
    try:
        operator, reason = require(operator, form["reason"])
        if not form["person"]:
            raise ImdmsError("a person id is required", "take it from a trace")
        with central_db() as db:
            if form["decision"] in ("confirm", "split") and form["link"].isdigit():
                act = trace_links.confirm if form["decision"] == "confirm" else trace_links.split
                result = act(db, int(form["link"]), operator=operator, reason=reason)
                context["done"] = f"link {form['link']} {form['decision']}ed: {result}"
            rows = trace_links.list_links(db, form["person"])
            record_access(
                db,
                operator=operator,
                reason=reason,
                action="link-list",
                params={"person": form["person"]},
                result_count=len(rows),
            )
            db.commit()
        context["rows"] = rows
    except ImdmsError as err:
        context["error"] = f"{err.message}. {err.hint or ''}".strip()
        return render(request, "console/links.html", context, status=400)
    return render(request, "console/links.html", context)
