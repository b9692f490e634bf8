"""The photo step, before saving a person without a document, a minor or a referral: the
officer asks the traveller's consent (the sentence is shown in Sesotho and English), Y takes
the photo with the booth camera, Enter keeps it (R retakes); N records a refusal. Neither a
refusal nor a missing camera blocks the crossing. Esc goes back to the form.

Dismissed with a terminal.photo.PhotoStep (None: back to the form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from drivers.photo import PhotoCamera, PhotoUnavailable, camera_for
from terminal.i18n import N_, _, translations
from terminal.photo import (
    DEFAULT_RECORD_LIMIT,
    MIN_PHOTO_BYTES,
    PhotoStep,
    booth_photo_budget,
    photo_reason,
)
from terminal.widgets.face import face_widget

if TYPE_CHECKING:
    from terminal.booking import Case

CONSENT_TEXT = N_("A photo of you is taken only if you agree.")
REASONS = {"no document": N_("no document"), "minor": N_("a minor"),
           "referral": N_("referred")}


class PhotoModal(ModalScreen[PhotoStep | None]):
    DEFAULT_CSS = """
    PhotoModal { align: center middle; }
    #photo-box { width: 70; height: auto; border: thick $warning; background: $surface;
                 padding: 0 1; }
    #photo-box .title { background: $warning; color: $background; }
    #photo-consent-text { margin: 1 0; text-style: bold; }
    #photo-row { height: auto; }
    #photo-face { width: 24; height: auto; max-height: 12; }
    #photo-state { width: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("y", "consent", N_("Yes, take"), show=False),
        Binding("n", "refuse", N_("No photo"), show=False),
        Binding("r", "retake", N_("Retake"), show=False),
        Binding("enter", "keep", N_("Keep"), show=False),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, camera: PhotoCamera | None, reason: str, max_bytes: int) -> None:
        super().__init__()
        self.camera = camera
        self.reason = reason
        self.max_bytes = max_bytes
        self.jpeg: bytes | None = None
        self.state = "ask"  # ask -> taking -> taken | failed
        self._dismissed = False

    def compose(self) -> ComposeResult:
        why = _(REASONS.get(self.reason, self.reason))
        with Vertical(id="photo-box"):
            yield Static(_("Photo of the traveller ({why})").format(why=why), classes="title",
                         markup=False)
            yield Static(_("Ask the traveller: may we take a photo?"), markup=False)
            yield Static(f"{translations('st').gettext(CONSENT_TEXT)}\n{CONSENT_TEXT}",
                         id="photo-consent-text", markup=False)
            with Horizontal(id="photo-row"):
                yield Vertical(id="photo-face")
                yield Static("", id="photo-state", markup=False)
            yield Static("", id="photo-keys", classes="keys", markup=False)

    def on_mount(self) -> None:
        self._show()

    def _show(self, note: str = "") -> None:
        keys = {
            "ask": _("Y: agrees, take the photo   N: refuses (recorded)   Esc: back"),
            "taking": _("Taking the photo..."),
            "taken": _("Enter: keep and save   R: retake   N: no photo after all"),
            "failed": _("Enter: save without a photo   R: try again   N: refuses"),
        }[self.state]
        if self._dismissed:  # answered before it was painted: nothing to show
            return
        self.query_one("#photo-keys", Static).update(keys)
        self.query_one("#photo-state", Static).update(note)

    def action_consent(self) -> None:
        if self.state == "ask":
            self._take()

    def action_retake(self) -> None:
        if self.state in ("taken", "failed"):
            self._take()

    def _take(self) -> None:
        if self.camera is None:
            self.state = "failed"
            self._show(_("No camera at this booth: the consent is recorded, no photo."))
            return
        if self.max_bytes < MIN_PHOTO_BYTES:
            self.state = "failed"
            self._show(_("Records are too small for a photo: raise [outbox] max_record_bytes."))
            return
        self.state = "taking"
        self._show()
        self._grab()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _grab(self) -> None:
        assert self.camera is not None
        try:
            jpeg = self.camera.take(self.max_bytes)
        except PhotoUnavailable as err:
            self.app.call_from_thread(self._failed, err.message, err.hint)
            return
        self.app.call_from_thread(self._got, jpeg)

    def _got(self, jpeg: bytes) -> None:
        self.run_worker(self._taken(jpeg), group="photo-show")

    async def _taken(self, jpeg: bytes) -> None:
        face = self.query_one("#photo-face", Vertical)
        await face.remove_children()  # a retake: the old photo's id must be gone first
        await face.mount(face_widget(jpeg, id="photo-image"))
        self.jpeg = jpeg
        self.state = "taken"
        self._show(_("Photo taken ({kb:.1f} KB). Check the face is visible.").format(
            kb=len(jpeg) / 1024))

    def _failed(self, message: str, hint: str) -> None:
        self.state = "failed"
        self._show(f"{message}: {hint}")

    def _answer(self, step: PhotoStep | None) -> None:
        if not self._dismissed:  # a second key before the screen went must not pop another
            self._dismissed = True
            self.dismiss(step)

    def action_keep(self) -> None:
        if self.state == "taken":
            self._answer(PhotoStep(consent=True, jpeg=self.jpeg))
        elif self.state == "failed":
            self._answer(PhotoStep(consent=True))

    def action_refuse(self) -> None:
        if self.state != "taking":
            self._answer(PhotoStep(consent=False))

    def action_back(self) -> None:
        if self.state != "taking":
            self._answer(None)


def set_record_limit(case: Case, app: App[None]) -> None:
    """The case's photos are bounded by this booth's [outbox] max_record_bytes."""
    case.record_limit = int(getattr(getattr(app, "outbox", None), "max_record_bytes",
                                    DEFAULT_RECORD_LIMIT))


def ask_photo(screen: Screen[None], case: Case, then: Callable[[], None]) -> bool:
    """Open the photo step if this case needs one not yet answered (True: opened; `then` runs
    once it is answered, e.g. the save again; Esc leaves the officer on the form)."""
    reason = photo_reason(case)
    if reason is None or case.photo is not None:
        return False
    camera = camera_for(list(getattr(screen.app, "readers", [])))

    def answered(step: PhotoStep | None) -> None:
        if step is not None:
            case.photo = step
            then()

    screen.app.push_screen(PhotoModal(camera, reason, booth_photo_budget(case, case.record_limit)),
                           callback=answered)
    return True
