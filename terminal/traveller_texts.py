"""What the traveller reads (or has read to them) on the F9 screen: the steps, how their data
is used and their consent, help against trafficking, their rights. Plain, short sentences; shown
in Sesotho and English side by side whatever the officer's language. No textual import.

Say only what the booth and the post actually do: no phone numbers or promises we cannot keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from terminal.i18n import N_


@dataclass(frozen=True, slots=True)
class Page:
    key: str  # the officer's key for this page
    title: str  # msgid
    lines: tuple[str, ...]  # msgids, one sentence each


PAGES: tuple[Page, ...] = (
    Page("1", N_("What happens now"), (
        N_("Please give your passport or travel document to the officer."),
        N_("Look at the camera if the officer asks you."),
        N_("Answer the officer's questions. Ask if you do not understand."),
    )),
    Page("2", N_("Your details and your consent"), (
        N_("The officer records your crossing: your document, the date and this border post."),
        N_("Your details are kept safe and used for border control and migration figures."),
        N_("A photo of you is taken only if you agree."),
        N_("You may ask to see what is recorded about you."),
    )),
    Page("3", N_("Help against human trafficking"), (
        N_("Is someone forcing you to travel or to work?"),
        N_("Has someone taken your passport or your documents?"),
        N_("Tell the officer. You can speak to an officer alone."),
        N_("Help is free: the police child and gender protection unit and social welfare."),
    )),
    Page("4", N_("Your rights"), (
        N_("You have the right to be treated with respect."),
        N_("You may ask for someone to explain this in your language."),
        N_("If you may not cross, the officer tells you why."),
    )),
)
