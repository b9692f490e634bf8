"""A reader backend from the `imdms.readers` entry-point group can be configured: its class's
config_model joins the `[reader]` union, with the same problems as a built-in section."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint, EntryPoints

import pytest

import config.readers
import drivers.registry
from config.loader import parse_config
from config.models import Config, SerialMrzConfig
from drivers.registry import open_reader
from imdms.errors import ConfigError
from tests.drivers.plugin_laser import LaserConfig, LaserReader

PLUGIN = "tests.drivers.plugin_laser"


def _entry_points(*pairs: tuple[str, str]) -> EntryPoints:
    return EntryPoints(EntryPoint(name, value, config.readers.ENTRY_POINT_GROUP)
                       for name, value in pairs)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if a package declared these `imdms.readers` entry points."""
    eps = _entry_points(("laser", f"{PLUGIN}:LaserReader"), ("nomodel", f"{PLUGIN}:NoModelReader"),
                        ("wrongtag", f"{PLUGIN}:WrongTagReader"), ("gone", "no_such_pkg:Reader"),
                        ("serial_mrz", f"{PLUGIN}:LaserReader"))

    def fake(*, group: str) -> EntryPoints:
        return eps if group == config.readers.ENTRY_POINT_GROUP else _entry_points()

    monkeypatch.setattr(config.readers, "entry_points", fake)
    monkeypatch.setattr(drivers.registry, "entry_points", fake)
    config.readers.plugins.cache_clear()
    yield
    config.readers.plugins.cache_clear()


def _problems(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "t.toml")
    return info.value.message


def test_a_plugin_reader_is_configured_and_opened(installed: None) -> None:
    cfg = parse_config('[reader]\ntype = "laser"\npower = 5\n')
    assert isinstance(cfg, Config)
    assert isinstance(cfg.reader, LaserConfig) and cfg.reader.power == 5
    with open_reader(cfg.reader, "booth") as reader:
        assert isinstance(reader, LaserReader) and reader.config is cfg.reader
        assert reader.name == "booth"


def test_a_plugin_section_gets_the_usual_problems(installed: None) -> None:
    text = _problems('[reader]\ntype = "laser"\npowr = 5\nport = 3\n')
    assert "line 3: reader.powr: unknown key; did you mean 'power'?" in text
    assert "line 4: reader.port: must be text in double quotes" in text
    assert "laser" not in text.split("reader.", 1)[0]  # no union tag in the dotted key
    assert "reader.power: must be at most 10" in _problems('[reader]\ntype = "laser"\npower = 11')


def test_an_unknown_type_still_says_did_you_mean(installed: None) -> None:
    text = _problems('[reader]\ntype = "lasr"\n')
    assert "line 2: reader.type: unknown reader type; did you mean 'laser'?" in text
    assert "simulator, serial_mrz, camera, chip, laser" in text
    assert "did you mean 'laser'?" in _problems('[reader]\ntype = "LASER"\n')


def test_a_broken_plugin_is_explained_not_raised(installed: None) -> None:
    assert "has no config_model" in _problems('[reader]\ntype = "nomodel"\n')
    assert 'needs the field type: Literal["wrongtag"]' in _problems('[reader]\ntype = "wrongtag"')
    assert "cannot be loaded (ModuleNotFoundError" in _problems('[reader]\ntype = "gone"\n')


def test_a_plugin_cannot_replace_a_built_in(installed: None) -> None:
    cfg = parse_config('[reader]\ntype = "serial_mrz"\nport = "loop://"\n')
    assert isinstance(cfg.reader, SerialMrzConfig)
    assert drivers.registry.backend_class("serial_mrz").__name__ == "SerialMrzReader"


def test_built_in_types_do_not_look_for_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """A booth with a built-in reader pays nothing for the entry-point scan."""
    def fail(*, group: str) -> EntryPoints:
        raise AssertionError("entry points scanned")

    monkeypatch.setattr(config.readers, "entry_points", fail)
    config.readers.plugins.cache_clear()
    try:
        assert type(parse_config('[reader]\ntype = "camera"\n')) is Config
        assert type(parse_config("")) is Config
    finally:
        config.readers.plugins.cache_clear()
