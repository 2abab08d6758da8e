"""The release calendar and the releases as feeds: an Atom feed and an iCalendar per edition.

- `feed.xml` (`en/feed.xml`): one Atom entry per published release, linking its press
  release, dated at its release time, and one per revision of a dataset's figures
  (`check.revisions`), linking the revisions page, dated on its day (feedgen);
- `lich-cong-bo.ics` (`en/release-calendar.ics`): every release of the calendar at its
  announced time, the scheduled ones too, which show only their date and period
  (icalendar).

Both are made from the model the embargo left (`check.embargo`): a withheld period's
figures are not in it. Every date in them is a release's own, so two builds of the same
content are byte-identical. Links are absolute under `--site-url`, else relative to the
file.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import icalendar
from feedgen.feed import FeedGenerator

from minhbach.check.embargo import VIETNAM, release_time
from minhbach.content.catalogue import Lang
from minhbach.content.numbers import day_text
from minhbach.content.periods import Period
from minhbach.layout import SECTIONS
from minhbach.render.contexts import Page, PressReleasePage

if TYPE_CHECKING:
    from minhbach.check.revisions import Revised
    from minhbach.compute.model import SiteModel

#: The template words (`pages.Strings.get`): a word by key, in an edition.
Words = Callable[..., str]

#: Each file's path in its edition.
FEED = "feed.xml"
CALENDAR: dict[Lang, str] = {"vi": "lich-cong-bo.ics", "en": "release-calendar.ics"}
_IDS = uuid.UUID("6f1d2a52-0d1c-4c57-9a55-6d696e686261")  # the project's namespace for ids


def feed_files(
    model: SiteModel,
    editions: Mapping[Lang, list[Page]],
    words: Words,
    site_url: str | None,
) -> dict[str, bytes]:
    """Every edition's feed and calendar, by path in the editions ("vi/feed.xml"), from
    the edition's press releases (`pages.get_pages`)."""
    files: dict[str, bytes] = {}
    for lang, pages in editions.items():
        press = {
            page.context.view.period.key: page
            for page in pages
            if isinstance(page.context, PressReleasePage)
        }
        files[f"{lang}/{FEED}"] = atom(model, press, lang, words, site_url)
        files[f"{lang}/{CALENDAR[lang]}"] = calendar(model, press, lang, words, site_url)
    return files


def _root(lang: Lang, site_url: str | None) -> str:
    """Where the edition's addresses start: its public address, or nothing (relative to a
    file at the edition's root)."""
    if site_url is None:
        return ""
    root = site_url if site_url.endswith("/") else site_url + "/"
    return root if lang == "vi" else f"{root}en/"


def page_address(page: Page, lang: Lang, site_url: str | None) -> str:
    """A page's address: absolute under `site_url`, else relative to the edition's root."""
    return _root(lang, site_url) + posixpath.dirname(page.path) + "/"


def _ident(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_IDS, '/'.join(parts))}"


def atom(
    model: SiteModel,
    press: Mapping[str, Page],
    lang: Lang,
    words: Words,
    site_url: str | None,
) -> bytes:
    """The edition's Atom feed: its press releases, newest first."""
    t = words
    feed = FeedGenerator()
    feed.id(_ident("feed", lang))
    feed.title(f"{t('site_name', lang)}: {t('press_releases', lang)}")
    feed.language(lang)
    feed.author({"name": t("site_name", lang)})
    root = _root(lang, site_url)
    feed.link(href=root or "./", rel="alternate")
    if root:
        feed.link(href=root + FEED, rel="self")
    newest = dt.datetime.fromtimestamp(model.epoch, dt.UTC)
    # Each entry: its time, its order among entries of that time, id, title, address, summary.
    items: list[tuple[dt.datetime, str, str, str, str, str]] = [
        (_due(page), f"release/{key}", _ident("release", key), page.title,
         page_address(page, lang, site_url), page.description)
        for key, page in press.items()
    ]  # fmt: skip
    revisions = f"{root}{SECTIONS['revisions'][lang]}/"
    for (period, unit_id, day, reason), found in _revisions(model).items():
        name = model.registry.get(unit_id).name[lang]
        said = t("revised_final", lang) if found[0].is_final else reason
        items.append(
            (
                dt.datetime(day.year, day.month, day.day, tzinfo=VIETNAM),
                f"revision/{period.key}/{unit_id}/{day}/{reason}",
                _ident("revision", period.key, unit_id, day.isoformat(), reason),
                t("revision_feed", lang, period=period.name(lang), unit=name),
                revisions,
                t("revision_feed_summary", lang, count=len(found), date=day_text(day, lang),
                  reason=said),
            )
        )  # fmt: skip
    # feedgen puts the entry added last first: oldest added first, newest shown first.
    for when, _, ident, title, address, summary in sorted(items):
        newest = max(newest, when)
        entry = feed.add_entry()
        entry.id(ident)
        entry.title(title)
        entry.link(href=address, rel="alternate")
        entry.updated(when)
        entry.published(when)
        entry.summary(summary)
    feed.updated(newest)
    data: bytes = feed.atom_str(pretty=True)
    return data


def _revisions(model: SiteModel) -> dict[tuple[Period, str, dt.date, str], list[Revised]]:
    """The revisions as the feed tells them: one entry per dataset and revision (its date
    and reason), with the figures it revised."""
    found: dict[tuple[Period, str, dt.date, str], list[Revised]] = {}
    for revised in model.revisions:
        key = (revised.period, revised.unit_id, revised.date, revised.reason)
        found.setdefault(key, []).append(revised)
    return found


def calendar(
    model: SiteModel,
    press: Mapping[str, Page],
    lang: Lang,
    words: Words,
    site_url: str | None,
) -> bytes:
    """The edition's release calendar: every release at its announced time."""
    t = words
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Minh Bạch//{t('release_calendar', lang)}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{t('site_name', lang)}: {t('release_calendar', lang)}")
    stamp = dt.datetime.fromtimestamp(model.epoch, dt.UTC)
    for release in sorted(model.releases, key=lambda r: (release_time(r.publish_at), r.period)):
        period = Period.parse(release.period)
        event = icalendar.Event()
        event.add("uid", f"{release.period}@minhbach")
        event.add("dtstamp", stamp)
        event.add("summary", f"{t('results_title', lang)} {period.name(lang)}")
        when: Any = release.publish_at
        if isinstance(when, dt.datetime):
            event.add("dtstart", release_time(when).astimezone(dt.UTC))
            event.add("duration", dt.timedelta(minutes=30))
        else:  # a day without a time: an all-day event, in Vietnam
            event.add("dtstart", when)
        status = t(release.status, lang)
        page = press.get(release.period)
        if page is not None:
            link = page_address(page, lang, site_url)
            event.add("description", f"{status}. {t('press_release', lang)}: {link}")
            if site_url is not None:
                event.add("url", link)
        else:
            event.add("description", status)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _due(page: Page) -> dt.datetime:
    context = page.context
    assert isinstance(context, PressReleasePage) and context.view.release is not None
    return release_time(context.view.release.publish_at).astimezone(VIETNAM)
