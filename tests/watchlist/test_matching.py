"""Matching at the booth: by document (issuing state agreeing) and by name + date of birth with
the person index's folding and score; the result carries category and instruction."""

from __future__ import annotations

import pytest

from central.trace.index import AUTO_SCORE
from messaging.watchlist import Watchlist, check_watchlist
from messaging.watchlist_entries import Category, Entry
from records.codes import WatchlistResult
from records.names import MATCH_SCORE
from tests.watchlist.conftest import BAN, CHILD, DOC, WANTED

WL = Watchlist.of("5", [DOC, CHILD, WANTED, BAN], 5)
HIT, NO_HIT = WatchlistResult.HIT, WatchlistResult.NO_HIT


def test_same_score_as_the_person_index() -> None:
    assert MATCH_SCORE == AUTO_SCORE


def test_document_match_carries_category_and_instruction() -> None:
    got = WL.lookup(document_number="qx 123 4567", issuing_state="LSO")
    assert (got.result, got.version, got.entry_id, got.match) == (HIT, "5", "wl-doc", "document")
    assert got.category is Category.LOST_STOLEN_DOCUMENT
    assert got.label == "Lost or stolen document"
    assert got.instruction == "Retain the document; second line."
    assert WL.check("QX1234567", "LSO", "1990-01-01") is HIT


def test_document_of_another_issuer_stays_apart() -> None:
    assert WL.lookup(document_number="QX1234567", issuing_state="ZAF").result is NO_HIT
    assert WL.lookup(document_number="ZA9988776", issuing_state="ZAF").entry_id == "wl-ban"
    assert WL.lookup(document_number="ZA9988777", issuing_state="ZAF").result is NO_HIT


@pytest.mark.parametrize(
    ("surname", "given", "dob"),
    [
        ("MUELLER", "ANNA MARIA", "2015-04-09"),  # MRZ transliteration of Ü
        ("MULLER", "ANNA MARIA", "2015-04-09"),  # typed without the diaeresis
        ("Müller", "Anna-Maria", "2015-04-09"),  # typed with it, hyphenated
        ("ANNA MARIA", "MUELLER", "2015-04-09"),  # surname and given names swapped
        ("MUELLER ANNA", "MARIA", "2015-04-09"),  # tokens split differently
        ("MULLER", "ANA MARIA", "2015-04-09"),  # one letter off (typing slip)
    ],
)
def test_name_variants_match(surname: str, given: str, dob: str) -> None:
    got = WL.lookup(surname=surname, given_names=given, date_of_birth=dob, nationality="LSO")
    assert (got.result, got.entry_id, got.match) == (HIT, "wl-child", "name")
    assert got.category is Category.MISSING_CHILD_TIP
    assert got.instruction == "Keep the child here; call the CGPU."
    assert got.score is not None and got.score >= MATCH_SCORE


def test_swapped_order_without_nationality() -> None:
    got = WL.lookup(surname="THABO", given_names="MOKOENA", date_of_birth="1988-02-01")
    assert (got.result, got.entry_id) == (HIT, "wl-wanted")


@pytest.mark.parametrize(
    ("surname", "given", "dob", "nationality"),
    [
        ("MUELLER", "ANNA MARIA", "2015-04-10", "LSO"),  # another birth date
        ("MUELLER", "ANNA MARIA", "2016-04-09", "LSO"),  # another year
        ("MUELLER", "ANNA MARIA", "2015-04-09", "ZAF"),  # another nationality
        ("MUELLER", "HANNA", "2015-04-09", "LSO"),  # a sister: same surname, same birthday
        ("MOKOENA", "THABANG", "1988-02-01", None),  # a different given name
        ("MOKOENA", None, "1988-02-01", None),  # a bare surname
        ("MOLAPO", "THABO", "1988-02-01", None),  # a different surname
    ],
)
def test_non_matches_stay_apart(surname: str, given: str | None, dob: str,
                                nationality: str | None) -> None:
    got = WL.lookup(surname=surname, given_names=given, date_of_birth=dob,
                    nationality=nationality)
    assert got.result is NO_HIT and got.entry_id is None and got.instruction is None


def test_partial_birth_dates() -> None:
    listed = Entry("wl-y", Category.WANTED, "Call the inspector.", surname="NTHABISENG",
                   given_names="LERATO", date_of_birth="1979")
    wl = Watchlist.of("1", [listed], 1)
    assert wl.lookup(surname="LERATO", given_names="NTHABISENG",
                     date_of_birth="1979-06-30").result is HIT
    assert wl.lookup(surname="NTHABISENG", given_names="LERATO",
                     date_of_birth="1980-06-30").result is NO_HIT


def test_nothing_to_match_on_and_no_list() -> None:
    assert WL.lookup(surname="MUELLER", given_names="ANNA").result is WatchlistResult.NOT_CHECKED
    assert WL.lookup().result is WatchlistResult.NOT_CHECKED
    assert Watchlist.empty().lookup(document_number="QX1234567").result is \
        WatchlistResult.NOT_CHECKED
    assert Watchlist.empty().lookup(document_number="QX1234567").version is None


def test_legacy_payload_still_loads() -> None:
    wl = Watchlist.from_payload({"version": "wl-7", "entries": [
        {"document_number": "QX1234567", "nationality": "LSO"},
        {"document_number": "ZZ0000001", "date_of_birth": "1980"}]})
    assert wl.version == "wl-7" and wl.number is None and len(wl) == 2
    assert wl.check("qx 1234567", "LSO", "1990-03-04") is HIT
    assert wl.check("QX1234567", "ZAF", None) is NO_HIT
    assert wl.check("ZZ0000001", None, "1980-05-06") is HIT
    assert wl.check("ZZ0000001", None, "1981-05-06") is NO_HIT
    assert wl.check(None, "LSO", None) is WatchlistResult.NOT_CHECKED
    got = wl.lookup(document_number="QX1234567")
    assert got.category is Category.LOST_STOLEN_DOCUMENT and got.instruction


def test_check_watchlist_is_a_drop_in_for_the_booth() -> None:
    got = check_watchlist(WL, None, "LSO", "2015-04-09", surname="MUELLER",
                          given_names="ANNA MARIA")
    assert got.result is HIT and got.version == "5"
    assert got.instruction == "Keep the child here; call the CGPU."
    assert got.label == "Missing child / trafficking alert"
    result, version = got
    assert (result, version) == (HIT, "5")
    assert got == (HIT, "5")  # what terminal/booking's Case keeps
    assert check_watchlist(WL, "QX1234567", "LSO", None, issuing_state="ZAF") == (NO_HIT, "5")
    assert check_watchlist(None, "QX1234567", None, None) == (WatchlistResult.NOT_CHECKED, None)


def test_check_watchlist_with_other_lists() -> None:
    class Fake:
        version = "f1"

        def check(self, number: str | None, nat: str | None, dob: str | None) -> str:
            return "HIT" if number == "X1" else "NO_HIT"

    class Broken:
        version = "b1"

        def check(self, number: str | None, nat: str | None, dob: str | None) -> str:
            raise RuntimeError("disk gone")

    assert check_watchlist(Fake(), "X1", None, None) == (HIT, "f1")
    assert check_watchlist(Fake(), "X2", None, None).instruction is None
    assert check_watchlist(Broken(), "X1", None, None) == (WatchlistResult.NOT_CHECKED, None)
