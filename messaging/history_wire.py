"""The booth's history question to the centre and its answer, sealed end to end.

    <prefix>/<post>/<terminal>/history-request   QoS 0, booth -> centre
        {"v": 1, "id": <correlation id>, "kid": <centre key id>, "box": <base64 sealed box>}
        box (to the centre's X25519 key): {"id", "issuer", "number", "dob", "reply": <base64
        ephemeral X25519 public key>}
    <prefix>/<post>/<terminal>/history-answer    QoS 0, centre -> that booth
        {"v": 1, "id": <correlation id>, "box": <base64 sealed box to the reply key>}
        box: {"id", "found", "crossings": [{"at", "direction", "post"}...], "flags": [...],
        "minor_30d": N, "last": {"category", "purpose"} | null}

The broker, and the forwarder that relays both, see a random id and ciphertext only: the
document travels sealed to the centre, the answer sealed to a key that lives in the booth's
memory for one question. The id is inside both boxes too, so a box moved under another id is
refused. QoS 0: an answer later than the booth's 1 s is worthless, so nothing is redelivered.
Pure (no broker, no clock): the booth, the responder and the tests share it.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from messaging.seal import Opener, Sealer

VERSION = 1
MAX_BYTES = 16_384
KEEP_CROSSINGS = 5  # "the last few crossings"


@dataclass(frozen=True, slots=True)
class Document:
    """What the person index keys a document by (central/trace: issuer + number + dob)."""

    issuer: str
    number: str = field(repr=False)
    dob: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Crossing:
    at: str  # ISO time (the centre's, corrected for booth clocks)
    direction: str
    post: str


@dataclass(frozen=True, slots=True)
class Answer:
    found: bool
    crossings: tuple[Crossing, ...] = ()
    flags: tuple[str, ...] = ()
    minor_30d: int = 0
    category: str | None = None  # of the last crossing: codes, not identifiers
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One question in the booth's memory: its id, the wire payload and the reply key."""

    id: str
    payload: bytes
    reply_key: PrivateKey = field(repr=False)


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


def _loads(payload: bytes, what: str) -> dict[str, Any]:
    if len(payload) > MAX_BYTES:
        raise ValueError(f"history {what}: too large")
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"history {what}: not JSON") from err
    if not isinstance(data, dict) or data.get("v") != VERSION or not isinstance(
        data.get("id"), str
    ) or not isinstance(data.get("box"), str):
        raise ValueError(f"history {what}: not a version {VERSION} message")
    return data


def _unbox(box: SealedBox[Any], data: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        inner = json.loads(box.decrypt(base64.b64decode(data["box"], validate=True)))
    except (CryptoError, binascii.Error, ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"history {what}: cannot be opened") from err
    if not isinstance(inner, dict) or inner.get("id") != data["id"]:
        raise ValueError(f"history {what}: sealed part belongs to another message")
    return inner


def ask(sealer: Sealer, doc: Document) -> Question:
    """A question for `doc`, sealed to the centre (the booth's side)."""
    reply = PrivateKey.generate()
    qid = uuid.uuid4().hex
    inner = {"id": qid, "issuer": doc.issuer, "number": doc.number, "dob": doc.dob,
             "reply": base64.b64encode(bytes(reply.public_key)).decode()}
    sealed = sealer.seal_bytes(_dumps(inner))
    payload = _dumps({"v": VERSION, "id": qid, "kid": sealed["kid"], "box": sealed["box"]})
    return Question(qid, payload, reply)


def question_id(payload: bytes) -> str:
    """The correlation id of a request or an answer (the forwarder's only look inside)."""
    return str(_loads(payload, "message")["id"])


def open_question(opener: Opener, payload: bytes) -> tuple[str, Document, PublicKey]:
    """(id, document, reply key) of a request (the centre's side); ValueError if unusable."""
    data = _loads(payload, "request")
    try:
        plain = opener.open_bytes({"kid": data.get("kid"), "box": data["box"]})
        inner = json.loads(plain)
    except Exception as err:  # SealError or JSON: the reason names no value
        raise ValueError("history request: cannot be opened") from err
    if not isinstance(inner, dict) or inner.get("id") != data["id"]:
        raise ValueError("history request: sealed part belongs to another message")
    issuer, number, dob = inner.get("issuer"), inner.get("number"), inner.get("dob")
    if not isinstance(issuer, str) or not isinstance(number, str) or not number or not (
        dob is None or isinstance(dob, str)
    ):
        raise ValueError("history request: document missing")
    try:
        reply = PublicKey(base64.b64decode(str(inner.get("reply")), validate=True))
    except (binascii.Error, ValueError, TypeError) as err:
        raise ValueError("history request: no reply key") from err
    return data["id"], Document(issuer, number, dob), reply


def answer(qid: str, reply: PublicKey, ans: Answer) -> bytes:
    """The answer payload, sealed to the question's reply key."""
    last = None if ans.category is None else {"category": ans.category, "purpose": ans.purpose}
    inner = {
        "id": qid, "found": ans.found, "flags": list(ans.flags), "minor_30d": ans.minor_30d,
        "crossings": [{"at": c.at, "direction": c.direction, "post": c.post}
                      for c in ans.crossings[-KEEP_CROSSINGS:]],
        "last": last,
    }
    box = base64.b64encode(SealedBox(reply).encrypt(_dumps(inner))).decode()
    return _dumps({"v": VERSION, "id": qid, "box": box})


def open_answer(question: Question, payload: bytes) -> Answer:
    """The answer to `question` (the booth's side); ValueError when it is not that answer."""
    data = _loads(payload, "answer")
    if data["id"] != question.id:
        raise ValueError("history answer: for another question")
    inner = _unbox(SealedBox(question.reply_key), data, "answer")
    try:
        crossings = tuple(Crossing(str(c["at"]), str(c["direction"]), str(c["post"]))
                          for c in inner.get("crossings") or ())
        last = inner.get("last") or {}
        return Answer(
            found=bool(inner.get("found")), crossings=crossings,
            flags=tuple(str(f) for f in inner.get("flags") or ()),
            minor_30d=int(inner.get("minor_30d") or 0),
            category=None if last.get("category") is None else str(last["category"]),
            purpose=None if last.get("purpose") is None else str(last["purpose"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ValueError("history answer: malformed") from err
