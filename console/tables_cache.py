"""The statistics tables, shared by every gunicorn worker through Django's database cache
(table console_cache), and kept warm for the default views by `imdms console warm`.

A national month is ~0.8 M rows: the page sums the per-day roll-up (console.rollup) instead,
with the days changed since computed live; the page shows when its numbers were computed.
Keys leave out the audience: public and internal differ only in
suppression, which is applied when the page is drawn.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from typing import cast

from django.conf import settings
from django.core.cache import cache

from central.db import Database
from console.aggregate import PageCounts
from console.rollup import Refreshed, refresh
from console.statistics import Filters, page_tables, parse_filters
from console.store import central_db


def _key(f: Filters) -> str:
    return "statistics:" + hashlib.sha256(repr(replace(f, public=True)).encode()).hexdigest()


def compute(db: Database, f: Filters) -> tuple[PageCounts, str]:
    value = (page_tables(db, f), time.strftime("%H:%M:%S UTC", time.gmtime()))
    if settings.STATS_CACHE_S > 0:
        cache.set(_key(f), value, settings.STATS_CACHE_S)
    return value


def tables(db: Database, f: Filters) -> tuple[PageCounts, str]:
    """The page's tables from the cache, or computed (and cached for STATS_CACHE_S)."""
    hit = cache.get(_key(f)) if settings.STATS_CACHE_S > 0 else None
    if hit is not None:
        return cast(tuple[PageCounts, str], hit)
    return compute(db, f)


def warm(posts: list[str], *, rebuild: bool = False) -> tuple[int, Refreshed]:
    """Refresh the per-day roll-up (console.rollup: changed days, or everything with
    `rebuild`), then compute the default view (the data's last 31 days), nationally and for
    each post; returns how many views were computed and what the refresh did. Run every
    minute by imdms-console-warm.timer."""
    with central_db() as db:
        done = refresh(db, rebuild=rebuild)
        national = parse_filters({}, db)
        views = [national, *(replace(national, post=p) for p in posts)]
        for f in views:
            compute(db, f)
    return len(views), done
