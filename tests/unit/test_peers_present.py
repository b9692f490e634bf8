"""In CI every test peer must be installed by ./bootstrap: a missing one fails here, by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.peers import require_executable, require_peer

EXECUTABLES = [
    "mosquitto", "pcscd", "tesseract", "socat", "tmux", "shellcheck", "openssl", "epmd",
]


@pytest.mark.parametrize("name", EXECUTABLES)
def test_peer_executable(name: str) -> None:
    require_executable(name)


def test_rabbitmq_server_installed() -> None:
    require_peer("rabbitmq-server", Path("/usr/lib/rabbitmq/bin/rabbitmq-server").exists())


def test_vpcd_driver_installed() -> None:
    require_peer("vsmartcard-vpcd", Path("/etc/reader.conf.d/vpcd").exists())


def test_ocr_b_font_installed() -> None:
    found = any(Path("/usr/share/fonts").rglob("*OCRB*")) or any(
        Path("/usr/share/fonts").rglob("*ocrb*")
    )
    require_peer("fonts-ocr-b", found)


def test_tesseract_has_english() -> None:
    require_peer(
        "tesseract-ocr-eng", any(Path("/usr/share/tesseract-ocr").rglob("eng.traineddata"))
    )
