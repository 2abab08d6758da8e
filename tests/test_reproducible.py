"""The same content gives the same bytes on any machine: time zone, locale and hash seed
do not change the site (each build in its own process, with its own caches)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_build import MINI, REPO, tree_hashes

MACHINES = {
    "utc": {"TZ": "UTC", "PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8"},
    "kiritimati": {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "2", "LC_ALL": "C"},
    "los-angeles": {"TZ": "America/Los_Angeles", "PYTHONHASHSEED": "3", "LANG": "vi_VN.UTF-8"},
}


def _build(out: Path, env: dict[str, str]) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "TZ")}
    environ.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--content", str(MINI), "--site",
         str(out / "site"), "--reports", str(out / "reports"), "--cache", str(out / "cache")],
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tree_hashes(out / "site")


def test_time_zone_locale_and_hash_seed_do_not_change_the_site(tmp_path: Path) -> None:
    sites = {name: _build(tmp_path / name, env) for name, env in MACHINES.items()}
    reference = sites.pop("utc")
    assert any(path.endswith(".svg") for path in reference)  # the trend charts' time axis
    for name, hashes in sites.items():
        differ = sorted(
            p for p in reference.keys() | hashes.keys() if reference.get(p) != hashes.get(p)
        )
        assert differ == [], name
