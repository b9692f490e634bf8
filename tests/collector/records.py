"""Record factories for the statistics tests (synthetic, no personal data)."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from records.clock import iso_z
from records.codes import (
    Decision,
    Direction,
    Purpose,
    RefusalReason,
    Sex,
    TipIndicator,
    TipReferral,
    TransportMode,
    TravellerCategory,
)
from records.record import CrossingRecord, new_record_id
from records.samples import POSTS, sample_crossing

NATIONALITIES = ("LSO", "ZAF", "ZWE", "XXA", None)
BASE = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
ADULT_REF = "0190f5d2-0000-7000-8000-00000000a001"  # an accompanying adult's record_id


def make(
    *,
    direction: Direction = Direction.ENTRY,
    sex: Sex = Sex.FEMALE,
    age: int | None = 30,
    nationality: str | None = "LSO",
    post: str = "MSU-BRIDGE",
    terminal: str = "t1",
    at: datetime = BASE,
    undocumented: bool = False,
    tips: tuple[TipIndicator, ...] = (),
    referral: TipReferral = TipReferral.NONE,
    clock_synced: bool = True,
    boot: str = "boot-1",
    monotonic_ns: int = 1,
    decision: Decision = Decision.ADMITTED,
    refusal_reason: RefusalReason | None = None,
    category: TravellerCategory | None = None,
    purpose: Purpose | None = None,
    stay_days: int | None = None,
    residence: str | None = None,
    transport: TransportMode | None = None,
    date_of_birth: str | None = None,
    adult_ref: str | None = None,
    group: str | None = None,
    proposed: bool | None = None,
) -> dict[str, Any]:
    """One synthetic crossing as its wire dict. With date_of_birth the age is derived from it
    at `at` (as the booth does); otherwise `age` is an officer's estimate."""
    return sample_crossing(
        terminal=terminal,
        post=post,
        officer="officer-7",
        direction=direction,
        at=at,
        undocumented=undocumented,
        clock_synced=clock_synced,
        boot_id=boot,
        monotonic_ns=monotonic_ns,
        nationality=nationality,
        issuing_state=None if undocumented else nationality,
        sex=sex,
        age_estimated=date_of_birth is None,
        age_at_crossing=age if date_of_birth is None else None,
        date_of_birth=date_of_birth,
        tip_indicators=tips,
        tip_referral=referral,
        decision=decision,
        refusal_reason=refusal_reason,
        traveller_category=category,
        purpose=purpose,
        intended_stay_days=stay_days,
        country_of_residence=residence,
        transport_mode=transport,
        accompanying_adult_ref=adult_ref,
        group_id=group,
        category_proposed=proposed,
    )


def amend(original: dict[str, Any], at: datetime | None = None, **changes: Any) -> dict[str, Any]:
    """A correction of `original` (a new record whose `amends` is the original's id)."""
    rec = CrossingRecord.from_dict(original)
    if "age_at_crossing" in changes:
        changes.setdefault("age_estimated", True)
    rec = dataclasses.replace(
        rec,
        record_id=new_record_id(),
        amends=original["record_id"],
        recorded_at=iso_z(at) if at else original["recorded_at"],
        **changes,
    ).with_derived()
    return rec.to_dict()


def random_records(n: int, seed: int = 1, days: int = 10) -> list[dict[str, Any]]:
    """n varied crossings over `days` days, several posts, some flagged."""
    rnd = random.Random(seed)
    more = random.Random(seed + 1000)  # the new fields: keeps the older fields' sequence
    newer = random.Random(seed + 2000)  # and issue 21's: keeps both sequences
    out = []
    for _ in range(n):
        decision = more.choice([Decision.ADMITTED] * 8 + [Decision.REFUSED, Decision.REFERRED])
        dob = more.choice([None, None, f"{more.randint(1930, 2025)}-{more.randint(1, 12):02d}-15"])
        tips: tuple[TipIndicator, ...] = ()
        referral = TipReferral.NONE
        if rnd.random() < 0.05:
            tips = tuple(rnd.sample(list(TipIndicator), rnd.randint(1, 3)))
            referral = rnd.choice(list(TipReferral))
        out.append(
            make(
                direction=rnd.choice(list(Direction)),
                sex=rnd.choice(list(Sex)),
                age=rnd.choice([None, *range(0, 95)]),
                nationality=rnd.choice(NATIONALITIES),
                post=rnd.choice(POSTS),
                terminal=rnd.choice(("t1", "t2")),
                at=BASE + timedelta(seconds=rnd.randint(0, days * 86400)),
                undocumented=rnd.random() < 0.1,
                tips=tips,
                referral=referral,
                decision=decision,
                refusal_reason=(
                    more.choice([None, *RefusalReason]) if decision == Decision.REFUSED else None
                ),
                category=more.choice([None, *TravellerCategory]),
                purpose=more.choice([None, *Purpose]),
                stay_days=more.choice([None, 2, 30, 100, 400]),
                residence=more.choice(NATIONALITIES),
                transport=more.choice([None, *TransportMode]),
                date_of_birth=dob,
                adult_ref=more.choice([None, ADULT_REF]),
                group=more.choice([None, None, "g-1"]),
                proposed=newer.choice([None, True, False]),
            )
        )
    return out


def records_with_amendments(n: int, seed: int) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    recs = random_records(n, seed=seed, days=45)
    extra = []
    for rec in rnd.sample(recs, n // 10):
        fix = amend(
            rec,
            at=BASE + timedelta(days=rnd.randint(0, 50)),
            sex=Sex.MALE,
            age_at_crossing=rnd.randint(0, 90),
        )
        extra.append(fix)
        if rnd.random() < 0.5:
            extra.append(amend(fix, at=BASE + timedelta(days=60), nationality="ZAF"))
    dups = rnd.sample(recs, n // 20)
    allrecs = recs + extra + dups
    rnd.shuffle(allrecs)
    return allrecs
