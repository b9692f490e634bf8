"""The booth's identity, the officer's form with its save problems, and the form's defaults for
a traveller (capture method, watchlist check). No textual import. See terminal/booking.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ocr.country_codes import is_known_code
from records.clock import parse_iso, utc_now
from records.codes import (
    CaptureMethod,
    Decision,
    Direction,
    MinorTravel,
    Purpose,
    RefusalReason,
    Relationship,
    TipIndicator,
    TipReferral,
    TransportMode,
    TransportRole,
    TravellerCategory,
    WatchlistResult,
)
from records.record import new_record_id
from records.rules import (
    PURPOSE_REQUIRED,
    default_purpose,
)
from terminal.chip_status import PASSED, read_chip_status
from terminal.i18n import _

if TYPE_CHECKING:
    from drivers.base import DocumentRead
    from messaging.watchlist import WatchlistCheck


Clock = Callable[[], datetime]



def local_hhmm(recorded_at: str) -> str:
    """HH:MM in the booth's local time zone (records are UTC; officers read local time)."""
    try:
        moment = parse_iso(recorded_at)
    except ValueError:
        return "--:--"
    return moment.astimezone().strftime("%H:%M")


@runtime_checkable
class WatchlistLike(Protocol):
    """messaging.watchlist.Watchlist, or a test's list (`version` None: no list loaded)."""

    @property
    def version(self) -> str | None: ...

    def check(
        self, document_number: str | None, nationality: str | None, date_of_birth: str | None
    ) -> WatchlistResult: ...


@dataclass(frozen=True, slots=True)
class Booth:
    """Who and where: fixed for a signed-in shift."""

    terminal_id: str
    border_post: str
    officer_id: str
    default_direction: Direction = Direction.ENTRY
    home_country: str = "LSO"
    software_version: str = ""
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_record_id


@dataclass(frozen=True, slots=True)
class Problem:
    """What must be fixed before saving: `field` names the Form (or Case) field, `text` says it
    in the officer's words."""

    field: str
    text: str


@dataclass(slots=True)
class Form:
    """What the officer decides on the categorisation and indicator screens."""

    direction: Direction = Direction.ENTRY
    traveller_category: TravellerCategory | None = None
    purpose: Purpose | None = None
    intended_stay_days: int | None = None
    transport_mode: TransportMode | None = TransportMode.PEDESTRIAN
    transport_role: TransportRole | None = None
    country_of_residence: str | None = None
    decision: Decision = Decision.ADMITTED
    refusal_reason: RefusalReason | None = None
    accompanying_adult_ref: str | None = None
    group_id: str | None = None
    relationship_to_adult: Relationship | None = None
    consent_letter_seen: bool | None = None
    minor_travel: MinorTravel | None = None  # a minor with no adult linked: how they travel
    category_proposed: bool | None = None  # from the document's last crossing, confirmed
    tip_indicators: tuple[TipIndicator, ...] = ()
    tip_note: str | None = None
    tip_referral: TipReferral = TipReferral.NONE
    notes: str | None = None

    def needs_minor_travel(self, *, minor: bool) -> bool:
        """A minor with no adult linked and in no group: the officer must say how they
        travel before saving (terminal/screens/minor_alone.py)."""
        return minor and not self.accompanying_adult_ref and not self.group_id \
            and self.minor_travel is None

    def problems(self, *, minor: bool) -> list[Problem]:
        """What must be fixed before saving, in screen order (empty: ready)."""
        out: list[Problem] = []
        if self.traveller_category is None:
            out.append(Problem("traveller_category", _("choose a traveller category")))
        if self.decision is Decision.REFUSED and self.refusal_reason is None:
            out.append(Problem("refusal_reason", _("a refusal needs a reason")))
        if self.accompanying_adult_ref and self.relationship_to_adult is None:
            out.append(Problem("relationship_to_adult",
                               _("say how the minor is related to the adult")))
        if self.traveller_category in PURPOSE_REQUIRED and self.purpose is None:
            out.append(Problem("purpose", _("choose the purpose of the visit")))
        if self.intended_stay_days is not None and not 0 <= self.intended_stay_days <= 36500:
            out.append(Problem("intended_stay_days", _("intended stay is a number of days")))
        return out


def capture_method(read: DocumentRead) -> CaptureMethod:
    if read.source == "manual":
        return CaptureMethod.MANUAL
    if read.chip is not None and read_chip_status(read) == PASSED:
        return CaptureMethod.CHIP_VERIFIED
    if read.source == "camera":
        return CaptureMethod.MRZ_CAMERA
    return CaptureMethod.MRZ_READER


def default_form(
    booth: Booth,
    *,
    nationality: str | None,
    age: int | None,
    direction: Direction | None = None,
) -> Form:
    """Preselections: a citizen of the home country is CITIZEN, resident at home and (entering)
    returning; anyone else is a VISITOR resident in their country of nationality, purpose left
    for the officer to ask (a silent default would bias the statistics)."""
    d = direction or booth.default_direction
    form = Form(direction=d)
    if nationality == booth.home_country:
        form.traveller_category = TravellerCategory.CITIZEN
        form.country_of_residence = booth.home_country
        form.purpose = default_purpose(form.traveller_category, d)
    else:
        form.traveller_category = TravellerCategory.VISITOR
        # a non-ICAO nationality as printed (`132`) is no country of residence: ask
        known = nationality is not None and len(nationality) == 3 and is_known_code(nationality)
        form.country_of_residence = nationality if known else None
    if age is not None and age < 18:
        form.transport_role = TransportRole.PASSENGER
    return form


def check_watchlist(
    watchlist: WatchlistLike | None,
    document_number: str | None,
    nationality: str | None,
    date_of_birth: str | None,
    *,
    issuing_state: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
) -> WatchlistCheck:
    """messaging.watchlist.check_watchlist: (result, version), and on a hit the category and
    the officer's instruction. A broken list gives NOT_CHECKED, never a crash."""
    from messaging.watchlist import check_watchlist as check  # nacl: loaded on first read

    return check(watchlist, document_number, nationality, date_of_birth,
                 issuing_state=issuing_state, surname=surname, given_names=given_names)
