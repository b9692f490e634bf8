"""Wiring only: build the booth app from a Config, readers, an outbox and an officer store.

`make_app(config, reader, outbox, ...)` lets tests inject fakes (reader, outbox, clock, ids);
`run_terminal(config)` / `run_demo(dir)` open the real ones and run it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from config.models import Config
from drivers.base import DocumentReader
from imdms import __version__
from imdms.errors import ConfigError
from messaging.officer_directory import DirectoryRefused, RevocationWatch, booth_directory
from terminal.booking import Clock, WatchlistLike
from terminal.booth import BoothApp, Summarise
from terminal.officers import OfficerStore
from terminal.ports import OutboxLike
from terminal.settings import BoothSettings

log = logging.getLogger(__name__)
DEMO_PIN = "1234"
DEMO_OFFICER = "demo"


class WatchlistFile:
    """The forwarder's local copy of the watchlist, reloaded when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._list: WatchlistLike | None = None

    def __call__(self) -> WatchlistLike | None:
        from messaging.watchlist import Watchlist

        try:
            st = self.path.stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._stamp = stamp
            loaded = Watchlist.load(self.path)
            self._list = loaded if loaded.version is not None else None
        return self._list


def make_app(
    config: Config,
    reader: DocumentReader | Sequence[DocumentReader] | None,
    outbox: OutboxLike,
    *,
    officers: OfficerStore | None = None,
    watchlist: WatchlistLike | Callable[[], WatchlistLike | None] | None = None,
    clock: Clock | None = None,
    new_id: Callable[[], str] | None = None,
    summarise: Summarise | None = None,
    demo_pin: str | None = None,
    demo_trigger: Callable[[], None] | None = None,
    status_interval_s: float = 2.0,
) -> BoothApp:
    t = config.terminal
    readers: list[DocumentReader]
    if reader is None:
        readers = []
    elif isinstance(reader, DocumentReader):
        readers = [reader]
    else:
        readers = list(reader)
    settings = BoothSettings(
        terminal_id=t.terminal_id,
        border_post=t.border_post,
        default_direction=t.default_direction,
        home_country=t.default_residence,
        software_version=f"imdms {__version__}",
        data_dir=t.data_dir,
        forwarding=bool(config.broker.host),
        receipts=bool(config.broker.host) and config.outbox.receipts,
        demo_pin=demo_pin,
        idle_signout_s=t.idle_signout_minutes * 60.0,
        repeat_scan_window_s=t.repeat_scan_window_minutes * 60.0,
        status_interval_s=status_interval_s,
    )
    if clock is not None:
        settings.clock = clock
    if new_id is not None:
        settings.new_id = new_id
    if watchlist is None:
        watchlist = WatchlistFile(t.data_dir / "watchlist.json")
    try:  # the centre's signed officer directory, if [directory] public_key is set
        directory = booth_directory(config)
    except DirectoryRefused as err:
        raise ConfigError(f"the officer directory key cannot be used: {err}",
                          "check [directory] public_key (a PEM Ed25519 public key from "
                          "headquarters)") from err
    if officers is None:
        officers = OfficerStore(t.officers_file,
                                directory_file=directory[0] if directory else None,
                                directory_keys=directory[1] if directory else ())
    app = BoothApp(
        settings,
        readers,
        outbox,
        officers,
        watchlist=watchlist,
        summarise=summarise,
        demo_trigger=demo_trigger,
    )
    if directory is not None:
        app.revocations = RevocationWatch(directory[0], directory[1],
                                          lambda _officer: app.sign_out("revoked"))
    return app


SYSLOG_SOCKET = "/dev/log"  # journald listens here


def _log_to_file(data_dir: Path) -> None:
    """While the UI owns the terminal, log lines would scribble over it. Under systemd (the
    kiosk's stderr is the tty) they go to journald through /dev/log; elsewhere to a 0600 file."""
    if not sys.stderr.isatty():
        return  # stderr is already journald or a file
    handler: logging.Handler
    if os.environ.get("INVOCATION_ID") and os.path.exists(SYSLOG_SOCKET):
        from logging.handlers import SysLogHandler

        handler = SysLogHandler(address=SYSLOG_SOCKET)
        handler.ident = "imdms-terminal: "
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = data_dir / "terminal.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
        handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, logging.StreamHandler) and getattr(old, "stream", None) in (
            sys.stderr, sys.__stderr__,
        ):
            root.removeHandler(old)
    root.addHandler(handler)


def _open_readers(config: Config) -> tuple[list[DocumentReader], dict[str, Any]]:
    """Open every configured reader; one that fails is reported, and the booth still starts
    (the officer can type the MRZ) instead of leaving the post without a terminal."""
    from drivers.registry import open_reader
    from imdms.errors import ReaderError

    sections: list[tuple[str, Any]] = [(config.reader.type, config.reader)]
    if config.chip is not None:
        sections.append(("chip", config.chip))
    readers: list[DocumentReader] = []
    failed: dict[str, Any] = {}
    for name, section in sections:
        try:
            readers.append(open_reader(section, name=name))
        except ReaderError as err:
            log.warning("reader %s did not open: %s", name, err.__class__.__name__)
            failed[name] = err
    return readers, failed


def run_terminal(config: Config) -> int:
    """Run the booth from a validated config. Raises ImdmsError (the CLI prints it)."""
    from messaging.outbox import Outbox
    from messaging.seal_keys import sealer_for
    from terminal.widgets.face import set_mode

    o = config.outbox
    outbox = Outbox(
        config.outbox_path(),
        disk_floor_mb=o.disk_floor_mb,
        max_record_bytes=o.max_record_bytes,
        quarantine_after=o.quarantine_after,
        sealer=sealer_for(config, required=True),  # never personal data in clear on disk
    )
    readers: list[DocumentReader] = []
    try:
        readers, failed = _open_readers(config)
        set_mode("auto")
        _log_to_file(config.terminal.data_dir)
        app = make_app(config, readers, outbox)
        for name, err in failed.items():
            app.report_reader_failure(name, err.message, err.hint)
        app.run()
    finally:
        for r in readers:
            r.close()
        outbox.close()
    return 0


def demo_dir_default() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "imdms-demo"


def demo_config(data_dir: Path) -> Config:
    """No config file, no broker: the simulator, a local outbox, the demo officer."""
    return Config.model_validate(
        {
            "terminal": {
                "terminal_id": "demo-01",
                "border_post": "MSU-BRIDGE",
                "data_dir": str(data_dir),
                "officers_file": str(data_dir / "officers.toml"),
            },
            "reader": {"type": "simulator"},
        }
    )


def prepare_demo(data_dir: Path) -> Config:
    """Create the demo folder with the demo officer and a demo watchlist (one specimen)."""
    from ocr.mrz import parse_mrz
    from ocr.specimens import specimens

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = demo_config(data_dir)
    store = OfficerStore(config.terminal.officers_file)
    if DEMO_OFFICER not in store.ids():  # (a scrypt check here would slow every start)
        store.add(DEMO_OFFICER, DEMO_PIN)
    listed = parse_mrz(specimens()["zaf_passport"])
    watchlist = {
        "version": "demo-1",
        "entries": [{"document_number": listed.document_number, "nationality": "ZAF"}],
    }
    path = data_dir / "watchlist.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(watchlist, fh)
    return config


def run_demo(data_dir: Path | None = None) -> int:
    from drivers.simulator import SimulatorReader
    from messaging.outbox import Outbox
    from messaging.seal_keys import demo_sealer
    from terminal.widgets.face import set_mode

    config = prepare_demo(data_dir or demo_dir_default())
    reader = SimulatorReader(name="simulator")
    outbox = Outbox(config.outbox_path(), sealer=demo_sealer(config.terminal.data_dir))
    try:
        set_mode("auto")
        _log_to_file(config.terminal.data_dir)
        app = make_app(
            config, reader, outbox, demo_pin=DEMO_PIN, demo_trigger=lambda: reader.trigger()
        )
        app.run()
    finally:
        reader.close()
        outbox.close()
    return 0
