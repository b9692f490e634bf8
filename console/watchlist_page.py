"""The supervisors' watchlist page: the current version (counts by category and source), the
versions published, every hit the booths reported, and publishing a new national list.

Publishing is `imdms watchlist publish FILE`'s work (central/watchlist/publish.py): the file
uploaded here is read by the same reader, signed with the [watchlist] signing_key_credential
key of the console's config, saved as the next version and sent to the broker. The page and
each publish write a row to the hash-chained audit log.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from central.cases.hits import case_hits
from central.cases.schema import ensure_schema as ensure_cases
from central.trace.audit import record_access
from central.watchlist.store import current, versions
from console.roles import page
from console.store import central_db
from imdms.errors import ImdmsError

MAX_UPLOAD = 20 * 1024 * 1024
KEY_HINT = ("install the Ed25519 key as the credential named by [watchlist]"
            " signing_key_credential, or publish with `imdms watchlist publish FILE`")


def _publish(request: HttpRequest) -> str:
    """Publish the uploaded list; returns what happened. Raises ImdmsError."""
    from nacl.signing import SigningKey

    from central.watchlist.publish import prepare, send
    from central.watchlist.source import read_entries
    from config.loader import credential, load_config
    from messaging.export_file import signing_key_from_pem
    from messaging.seal import SealError

    upload = request.FILES.get("entries")
    if upload is None or not upload.size:
        raise ImdmsError("no list file", "choose the national list (JSON or CSV) to publish")
    if upload.size > MAX_UPLOAD:
        raise ImdmsError("the list file is too large", "a national list is a few MB at most")
    config = load_config(os.environ.get("IMDMS_CONFIG"))
    name = config.watchlist.signing_key_credential
    pem = credential(name)
    if pem is None:
        raise ImdmsError(f"the watchlist signing key credential {name} is missing", KEY_HINT)
    try:
        key: SigningKey = signing_key_from_pem(pem)
    except SealError as err:
        raise ImdmsError(f"signing key credential {name}: {err.message}", KEY_HINT) from err
    with tempfile.TemporaryDirectory(prefix="imdms-watchlist-") as tmp:
        path = Path(tmp) / "list"  # the entries name people: owner-only, gone after reading
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        entries = read_entries(path)
    operator = request.user.get_username()
    with central_db() as db:
        try:
            done = prepare(db, "national", entries, key, operator=operator)
        except ValueError as err:
            raise ImdmsError(f"the list: {err}", "give the entries their own ids") from err
        record_access(db, operator=operator, reason="watchlist publish",
                      action="console-watchlist-publish",
                      params={"version": done.version if done else None},
                      result_count=len(entries))
        db.commit()
    if done is None:
        return f"no change: the current version stands ({len(entries)} national entries)"
    send(config.broker, done.full, done.delta)
    return (f"watchlist version {done.version} published: {len(done.entries)} entries"
            f" ({len(done.change.upsert)} added or changed, {len(done.change.remove)} removed)")


@page("watchlist")
@require_http_methods(["GET", "POST"])
def watchlist(request: HttpRequest) -> HttpResponse:
    message, error, status = "", "", 200
    if request.method == "POST":
        try:
            message = _publish(request)
        except ImdmsError as err:
            error, status = f"{err.message}. {err.hint or ''}".strip(), 400
    with central_db() as db:
        ensure_cases(db)
        version, entries = current(db)
        context = {
            "version": version,
            "entries": len(entries),
            "by_category": sorted(Counter(e.category.value for e in entries).items()),
            "by_source": sorted(Counter(e.source for e in entries).items()),
            "versions": versions(db),
            "hits": case_hits(db),
            "message": message,
            "error": error,
        }
        record_access(db, operator=request.user.get_username(), reason="console watchlist page",
                      action="console-watchlist", params={"version": version},
                      result_count=len(context["hits"]))  # type: ignore[arg-type]
        db.commit()
    return render(request, "console/watchlist.html", context, status=status)
