"""Time zones as people choose and read them: grouped by country and region, named by
place ("New York", "Argentina / Buenos Aires"), without the tz database's legacy aliases
(US/Eastern, EST5EDT, Etc/GMT+5).

Which zones belong to which country comes from the tz database's own table, zone.tab,
read from where zoneinfo reads its zones (the system's tzdata, else the tzdata package),
so the list and the zones that load always come from the same release."""

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH, available_timezones

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UTC = "UTC"

# The tz database's regions, in its own order; a zone outside them is an alias.
REGIONS: dict[str, Promise] = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}

Choices = list[tuple[Any, Any]]


def _tzdata_text(name: str) -> str | None:
    """A file of the tz database (zone.tab, iso3166.tab), looked up as zoneinfo does."""
    for root in TZPATH:
        path = Path(root) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def _rows(name: str) -> list[list[str]]:
    text = _tzdata_text(name) or ""
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zone_table() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(country of each zone, country names by code, the zones in the table's order: by
    country, east to west within one)."""
    available = available_timezones()
    country_of: dict[str, str] = {}
    for row in _rows("zone.tab"):
        if len(row) >= 3 and row[2] in available:
            country_of[row[2]] = row[0]
    names = {row[0]: row[1] for row in _rows("iso3166.tab") if len(row) >= 2}
    if country_of:
        zones = list(country_of)
    else:
        # No table (a system without one): every zone of a region, without countries.
        zones = sorted(zone for zone in available if zone.split("/")[0] in REGIONS)
    return country_of, names, zones


def zone_country(zone: str) -> str | None:
    """The ISO code of the country a zone is in, when the tz database says."""
    return _zone_table()[0].get(zone)


def _place(zone: str, *, skip: int) -> str:
    return " / ".join(part.replace("_", " ") for part in zone.split("/")[skip:])


def zone_name(zone: str) -> str:
    """The place, then its region: "America/Argentina/Buenos_Aires" -> "Buenos Aires
    (America, Argentina)"; a zone without a region ("UTC") as it is."""
    parts = (zone or "").split("/")
    if len(parts) < 2:
        return zone
    region = str(REGIONS.get(parts[0], parts[0].replace("_", " ")))
    within = [part.replace("_", " ") for part in parts[1:-1]]
    return f"{parts[-1].replace('_', ' ')} ({', '.join([region, *within])})"


def time_zone_choices(*, home_zones: Iterable[str] = (), keep: Iterable[str] = ()) -> Choices:
    """Grouped choices for a time zone select: first the countries of `home_zones` (an
    organization's zone), then one group per region, then UTC. A zone of `keep` that is
    not listed (a saved legacy alias) comes first, so saving the form again keeps it."""
    country_of, country_names, zones = _zone_table()
    home = list(dict.fromkeys(c for c in map(country_of.get, home_zones) if c))
    choices: Choices = []
    listed = {UTC}
    for country in home:
        # The table's order within a country runs east to west: people find theirs by offset.
        own = [zone for zone in zones if country_of.get(zone) == country]
        choices.append((country_names.get(country, country), [(z, _place(z, skip=1)) for z in own]))
        listed.update(own)
    for key, label in REGIONS.items():
        group = sorted(
            ((z, _place(z, skip=1)) for z in zones if z.split("/")[0] == key and z not in listed),
            key=lambda choice: choice[1].casefold(),
        )
        if group:
            choices.append((label, group))
            listed.update(z for z, _label in group)
    choices.append((UTC, UTC))
    kept = [(zone, zone_name(zone)) for zone in dict.fromkeys(keep) if zone and zone not in listed]
    return kept + choices
