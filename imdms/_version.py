"""The software version, in one place (records, heartbeats and `imdms --version` carry it)."""

__version__ = "0.1.0"
