"""The embargo: which periods a build may publish at its publication time.

Official statistics are announced in advance and released at a fixed time; nobody outside
the pre-release list sees them earlier (UK Code of Practice T3, the IMF's advance release
calendar). A period whose release in `releases.yml` is not yet due at the build's
publication time (`--as-of`, now by default) is withheld here, right after the check and
before anything is computed from the content: its datasets, their hashes and the check's
warnings on them leave the content the later stages see, so no page, chart, table, search
index, open-data file, feed, sitemap or cache entry can be made from them, and national
totals, rankings, histories and trends are made of the published periods only. A period
without a release entry is published (it has no announced time), and the build says so
once, as a note.

A release due at the publication time is published whatever its `status` says (the
calendar shows it as published); the check refuses `status: published` for one dated in
the future (`validate._load_releases`). The build's date (sitemaps, pages) is never later
than its publication time (`compute._epoch`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from minhbach.content.periods import Period

if TYPE_CHECKING:  # not imported by a build that is up to date (`due_key`)
    from minhbach.check.checked import Content

#: The time zone of a release day or time written without one: Vietnam's.
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def release_time(publish_at: dt.datetime | dt.date) -> dt.datetime:
    """The instant a release is due: a day without a time is 00:00 of that day in Vietnam."""
    if isinstance(publish_at, dt.datetime):  # a date too: asked first
        return publish_at if publish_at.tzinfo is not None else publish_at.replace(tzinfo=VIETNAM)
    return dt.datetime(publish_at.year, publish_at.month, publish_at.day, tzinfo=VIETNAM)


def announced(when: dt.datetime, lang: str) -> str:
    """A release time as the pages say it, in Vietnam's time: '09:00, 20/10/2025 (UTC+07:00)'."""
    from babel.dates import format_datetime

    from minhbach.content.numbers import LOCALES

    pattern = "HH:mm, dd/MM/yyyy" if lang == "vi" else "HH:mm 'on' d MMMM y"
    local = when.astimezone(VIETNAM)
    return format_datetime(local, pattern, tzinfo=VIETNAM, locale=LOCALES[lang]) + " (UTC+07:00)"


def parse_as_of(text: str) -> dt.datetime:
    """`--as-of`: an ISO 8601 date and time with its time zone; ValueError if not one."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date and time (write 2025-10-20T09:00+07:00)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone (write 2025-10-20T09:00+07:00)")
    return moment


@dataclass(frozen=True)
class Withheld:
    """A period not published at the build's publication time, and when it is due."""

    period: Period
    due: dt.datetime


@dataclass(frozen=True)
class Embargo:
    """What a build publishes at its publication time: the periods it withholds, and the
    periods it publishes with no release entry."""

    as_of: dt.datetime
    withheld: tuple[Withheld, ...]
    unlisted: tuple[Period, ...]

    def lines(self, preview: bool = False) -> list[str]:
        """What the build prints of it: each period withheld (shown, in a `preview`) and
        when it is due, then one note for the periods published without a release entry."""
        what = "shown in this preview, embargoed" if preview else "withheld"
        at = self.as_of.isoformat(timespec="minutes")
        lines = [
            f"embargo: {w.period.key} ({w.period.name('en')}) {what} at {at}; "
            f"due {w.due.isoformat(timespec='minutes')}"
            for w in self.withheld
        ]
        if self.unlisted:
            keys = ", ".join(p.key for p in self.unlisted)
            lines.append(
                f"note: {len(self.unlisted)} period(s) have no entry in releases.yml and are "
                f"published without an announced time: {keys} (hint: list a period in "
                "releases.yml with its publish_at to hold it until then)"
            )
        return lines

    @property
    def next_due(self) -> dt.datetime | None:
        """The first time a withheld period is due, if any."""
        return min((w.due for w in self.withheld), default=None)


def embargo(content: Content, as_of: dt.datetime) -> Embargo:
    """The periods of `content` not due at `as_of`, and those without a release entry."""
    due = {release.period: release_time(release.publish_at) for release in content.releases}
    withheld = tuple(
        Withheld(period, due[period.key])
        for period in sorted(content.periods)
        if period.key in due and due[period.key] > as_of
    )
    unlisted = tuple(period for period in sorted(content.periods) if period.key not in due)
    return Embargo(as_of, withheld, unlisted)


def withhold(content: Content, held: Embargo) -> Content:
    """The content a public build may publish: without the withheld periods' datasets, and
    with each release shown as it stands at the publication time."""
    out = {w.period for w in held.withheld}
    datasets = [d for d in content.datasets if d.period not in out]
    kept = {d.src_path for d in datasets}
    return dataclasses.replace(
        content,
        datasets=datasets,
        hashes={path: sha for path, sha in content.hashes.items() if path in kept},
        flags={path: flags for path, flags in content.flags.items() if path in kept},
        revised={path: found for path, found in content.revised.items() if path in kept},
        releases=[_as_it_stands(release, held.as_of) for release in content.releases],
        published_at=held.as_of,
    )


def _as_it_stands(release: Any, as_of: dt.datetime) -> Any:
    status = "published" if release_time(release.publish_at) <= as_of else "scheduled"
    return release if release.status == status else release.model_copy(update={"status": status})


def due_key(root: Path, as_of: dt.datetime) -> str:
    """What the publication time decides of a build of `root`: which releases are due.

    For the record of the last build (`uptodate`): a build at another time with the same
    releases due publishes the same site; once one falls due, the site is built again.
    Read without the check: what cannot be read here is a key that never matches.
    """
    digest = hashlib.sha256()
    try:
        data = yaml.safe_load((root / "releases.yml").read_bytes())
        for release in data["releases"]:
            when = release["publish_at"]
            if not isinstance(when, dt.date):
                when = dt.datetime.fromisoformat(str(when))
            digest.update(f"{release['period']}={release_time(when) <= as_of}\0".encode())
    except FileNotFoundError:
        digest.update(b"no releases")
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        digest.update(f"unread at {as_of.isoformat()}".encode())
    return digest.hexdigest()
