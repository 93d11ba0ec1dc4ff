"""One filter model for the map, the tables and the exports, and its URL form.

A site is shown when it matches every set filter.  Horizon and plan act on a
site's references together: the site shows when *one* reference is of a chosen
plan and of the chosen horizon ("a site shows when a plan reference of that
horizon names it").  Targets follow the same rules on their own plan and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping
from urllib.parse import parse_qs, urlencode

from seeds.loader import KnowledgeBase
from seeds.schema import Site, Target

HORIZONS: tuple[str, ...] = ("all", "2022", "2025", "2027")
BASEMAPS: tuple[str, ...] = ("light", "osm", "gaode", "none")
DEFAULT_FRAMEWORK = "f2024"
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class Filters:
    """The state of every filter; the empty tuple or string means "no restriction".

    Attributes
    ----------
    sectors : tuple of str
        Sector ids; a site matches if it has any of them.
    horizon : {"all", "2022", "2025", "2027"}
    framework : str
        Framework id whose zones are drawn and used by ``area``.
    plans : tuple of str
        Plan ids.
    categories : tuple of str
        Site categories.
    area : str
        ``""`` (whole city), a district adcode such as ``"500105"``, or a zone id.
    q : str
        Free text matched against zh/en names and aliases.
    lang : {"zh", "en"}
    basemap : {"light", "osm", "gaode", "none"}
    """

    sectors: tuple[str, ...] = ()
    horizon: str = "all"
    framework: str = DEFAULT_FRAMEWORK
    plans: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    area: str = ""
    q: str = ""
    lang: str = "zh"
    basemap: str = "light"

    def to_query(self) -> str:
        """The URL query string of this state, defaults left out, in a stable order."""
        default = Filters()
        params: list[tuple[str, str]] = []
        for name in FIELDS:
            value = getattr(self, name)
            if value == getattr(default, name):
                continue
            params.append((name, ",".join(value) if isinstance(value, tuple) else value))
        return urlencode(params)

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)


FIELDS: tuple[str, ...] = tuple(Filters.__dataclass_fields__)
_LIST_FIELDS = {"sectors", "plans", "categories"}


@dataclass
class ParsedFilters:
    """A :class:`Filters` parsed from a URL, with a message for everything it ignored."""

    filters: Filters
    warnings: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def _allowed(kb: KnowledgeBase) -> dict[str, set[str]]:
    areas = {str(d.adcode) for d in kb.districts} | {z.id for f in kb.frameworks for z in f.zones} | {""}
    from seeds.schema import SiteCategory

    return {
        "sectors": {s.id for s in kb.sectors},
        "horizon": set(HORIZONS),
        "framework": {f.id for f in kb.frameworks},
        "plans": {p.id for p in kb.plans},
        "categories": set(SiteCategory.__args__),
        "area": areas,
        "lang": {"zh", "en"},
        "basemap": set(BASEMAPS),
    }


def parse_query(query: str | Mapping[str, str | list[str]], kb: KnowledgeBase) -> ParsedFilters:
    """Build :class:`Filters` from a URL query, ignoring what it cannot use.

    Unknown parameters and invalid values never raise: each is dropped and
    reported in ``warnings`` as ``(message_key, format_args)`` for the interface
    to show in the user's language.

    Parameters
    ----------
    query : str or mapping
        ``"sectors=finance,logistics&horizon=2027"`` (a leading ``?`` is allowed) or
        a mapping such as Flask's ``request.args``.
    kb : KnowledgeBase
        Supplies the valid sector, plan, framework and area ids.
    """
    if isinstance(query, str):
        raw = {k: v for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
    else:
        raw = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    allowed = _allowed(kb)
    values: dict[str, object] = {}
    warnings: list[tuple[str, dict[str, str]]] = []
    for name, vals in raw.items():
        if name not in FIELDS:
            warnings.append(("unknown_param", {"name": name[:40]}))
            continue
        value = vals[-1] if vals else ""
        if name in _LIST_FIELDS:
            items = [v.strip() for v in value.split(",") if v.strip()]
            good = tuple(dict.fromkeys(v for v in items if v in allowed[name]))
            for bad in (v for v in items if v not in allowed[name]):
                warnings.append(("bad_value", {"name": name, "value": bad[:40]}))
            values[name] = good
        elif name == "q":
            values[name] = value.strip()[:MAX_QUERY_CHARS]
        elif value in allowed[name]:
            values[name] = value
        else:
            warnings.append(("bad_value", {"name": name, "value": value[:40]}))
    return ParsedFilters(Filters(**values), warnings)


def area_districts(kb: KnowledgeBase, area: str) -> set[int] | None:
    """Adcodes an ``area`` filter covers, or ``None`` for the whole city."""
    if not area:
        return None
    if area.isdigit():
        return {int(area)}
    for f in kb.frameworks:
        for z in f.zones:
            if z.id == area:
                return set(z.members)
    raise ValueError(f"unknown area {area!r}: use a district adcode or a zone id from frameworks.yaml")


def _text_match(site: Site, q: str) -> bool:
    needle = q.casefold()
    return any(needle in name.casefold() for name in (site.name_zh, site.name_en, site.id, *site.aliases))


def site_matches(site: Site, f: Filters, districts: set[int] | None) -> bool:
    """Tell whether one site passes every filter in ``f``."""
    if f.sectors and not set(site.sectors) & set(f.sectors):
        return False
    if f.categories and site.category not in f.categories:
        return False
    if not any(
        (not f.plans or r.plan in f.plans) and (f.horizon == "all" or r.horizon == int(f.horizon)) for r in site.refs
    ):
        return False
    if districts is not None and not set(site.districts) & districts:
        return False
    if f.q and not _text_match(site, f.q):
        return False
    return True


def filter_sites(kb: KnowledgeBase, f: Filters) -> list[Site]:
    """The sites of the knowledge base that pass ``f``, in knowledge-base order."""
    districts = area_districts(kb, f.area)
    return [s for s in kb.sites if site_matches(s, f, districts)]


def matching_refs(site: Site, f: Filters):
    """The references of ``site`` that satisfy the plan and horizon filters."""
    return [
        r for r in site.refs
        if (not f.plans or r.plan in f.plans) and (f.horizon == "all" or r.horizon == int(f.horizon))
    ]


def target_matches(t: Target, f: Filters, districts: set[int] | None) -> bool:
    """Tell whether a target or baseline passes ``f``.

    Horizon: a target shows when its target year is the chosen horizon; baselines
    show only with "all".  Area: city-wide figures always show; a district figure
    shows when its district is in the area.
    """
    if f.sectors and t.sector not in f.sectors:
        return False
    if f.plans and t.plan not in f.plans:
        return False
    if f.horizon != "all" and (t.kind != "target" or t.target_year != int(f.horizon)):
        return False
    if districts is not None and t.scope == "district" and t.scope_adcode not in districts:
        return False
    if f.q:
        needle = f.q.casefold()
        if needle not in t.indicator_zh.casefold() and needle not in t.indicator_en.casefold():
            return False
    return True


def filter_targets(kb: KnowledgeBase, f: Filters) -> list[Target]:
    """The targets and baselines that pass ``f``."""
    districts = area_districts(kb, f.area)
    return [t for t in kb.targets if target_matches(t, f, districts)]


def file_name(f: Filters, ext: str, kind: str | None = None) -> str:
    """A file name that says what an export holds: framework, sectors, horizon, other
    filters, language and date, e.g. ``cq-atlas_f2024_logistics_h2027_zh_2026-11-21.pdf``."""
    import datetime as dt

    parts = ["cq-atlas", *([kind] if kind else []), f.framework, "-".join(f.sectors) or "all-sectors", f"h{f.horizon}"]
    if f.categories:
        parts.append("-".join(f.categories))
    if f.plans:
        parts.append("plan" + "-".join(f.plans))
    if f.area:
        parts.append(f.area)
    parts += [f.lang, dt.date.today().isoformat()]
    return "_".join(parts) + f".{ext}"


def primary_sector(site: Site, f: Filters) -> str:
    """The sector that colours a site's marker: its first sector among the chosen ones."""
    if f.sectors:
        for s in site.sectors:
            if s in f.sectors:
                return s
    return site.sectors[0]
