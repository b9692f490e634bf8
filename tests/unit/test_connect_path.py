"""A database setting that is a URL but not PostgreSQL's never becomes a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.connect import connect_sqlite
from imdms.errors import ImdmsError


@pytest.mark.parametrize("url", ["postgresql:/postgres@127.0.0.1:5432/imdms",
                                 "mysql://u@h/db", "postgres:imdms"])
def test_url_like_setting_is_refused(url: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImdmsError) as err:
        connect_sqlite(url)
    assert "neither a file path nor a postgresql:// URL" in str(err.value)
    for part in ("127.0.0.1", "u@h", "imdms"):  # user, host, database stay out of it
        assert part not in str(err.value).replace("imdms-", "")
    assert list(tmp_path.iterdir()) == []


def test_plain_and_sqlite_paths_open(tmp_path: Path) -> None:
    for url in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path / 'b.db'}"):
        connect_sqlite(url).close()
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["a.db", "b.db"]
