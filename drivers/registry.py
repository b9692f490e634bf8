"""Backends by config `type`, imported lazily so a booth without pyscard or OpenCV still starts.

Third parties add backends through the `imdms.readers` entry-point group
(name = config type, value = "module:Class"). The class carries `config_model`, the pydantic
model of its `[reader]` settings, which config validation adds to the union (config/readers.py);
`open_reader` hands the validated section to `Class(config, name=...)`. Built-in names win.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from drivers.base import DocumentReader
from imdms.errors import ReaderUnavailable

BACKENDS: dict[str, tuple[str, str]] = {
    "simulator": ("drivers.simulator", "SimulatorReader"),
    "serial_mrz": ("drivers.serial_mrz", "SerialMrzReader"),
    "camera": ("drivers.camera", "CameraReader"),
    "chip": ("drivers.chip", "ChipReader"),
}


def _plugin_backends() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for ep in entry_points(group="imdms.readers"):
        module, _, cls = ep.value.partition(":")
        found[ep.name] = (module, cls)
    return found


def backend_class(kind: str) -> type[DocumentReader]:
    """The reader class for a config `type`; ReaderUnavailable if unknown or not importable."""
    table = {**_plugin_backends(), **BACKENDS}
    if kind not in table:
        raise ReaderUnavailable(
            f"unknown reader type {kind!r}",
            "use one of: " + ", ".join(sorted(table)),
        )
    module_name, class_name = table[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ReaderUnavailable(
            f"reader type {kind!r} cannot be loaded: {err.name or err} is not installed",
            "reinstall with the hardware extras: pip install 'imdms-terminal[all]'",
        ) from err
    cls: type[DocumentReader] = getattr(module, class_name)
    return cls


def open_reader(config: Any, name: str = "reader") -> DocumentReader:
    """Build the reader for a `[reader]` config section (a model with a `type` field).

    Each backend class takes `(config, name=...)`.
    """
    cls = backend_class(config.type)
    factory: Any = cls  # backends take (config, name=...); the ABC does not declare it
    reader: DocumentReader = factory(config, name=name)
    return reader
