"""Map layers: the knowledge base joined with geometry, filtered, ready to draw.

Each builder returns plain data (GeoDataFrames or JSON-ready dicts) in the datum
the basemap needs; :mod:`layers.folium_map` turns them into Folium layers.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import geopandas as gpd
import shapely

from geo.boundaries import Level, load_districts
from geo.datum import transform_gdf
from geo.sites import load_centres, load_sites
from geo.zones import district_zones, load_zones
from layers.filters import Filters, filter_sites, filter_targets, matching_refs, primary_sector
from layers.i18n import pick, t
from layers.style import CATEGORY_STYLES, category_label, sector_colours, zone_colours
from seeds.loader import KnowledgeBase
from seeds.schema import Site, Target

# Display coordinates: 4 decimals ≈ 11 m, far below what the whole-city view can show.
DISPLAY_DECIMALS = 4


def _in_datum(gdf: gpd.GeoDataFrame, f: Filters) -> gpd.GeoDataFrame:
    # Gaode tiles are drawn in GCJ-02: shift vectors so they sit on the right streets.
    return transform_gdf(gdf, "wgs84", "gcj02") if f.basemap == "gaode" else gdf


def _rounded(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out.geometry = shapely.set_precision(out.geometry.values, 10**-DISPLAY_DECIMALS)
    return out


def geometry_json(gdf: gpd.GeoDataFrame) -> list[str]:
    """Each geometry as a compact GeoJSON string (rounded coordinates, no spaces)."""
    return [shapely.to_geojson(g) for g in gdf.geometry.values]


def feature_collection(geometries: list[str], properties: list[dict]) -> str:
    """A GeoJSON FeatureCollection string from cached geometry strings and fresh properties.

    Polygons do not change with the filters, only their properties do: the
    geometry is serialised once per (layer, level, datum) and reused.
    """
    feats = (
        '{"type":"Feature","properties":' + json.dumps(p, ensure_ascii=False, separators=(",", ":")) + ',"geometry":' + g + "}"
        for g, p in zip(geometries, properties)
    )
    return '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"


def _display_geometry(kb: KnowledgeBase, what: str, f: Filters, level: Level) -> gpd.GeoDataFrame:
    """District or zone polygons for display: simplified, in the basemap's datum, rounded; cached."""
    gaode = f.basemap == "gaode"

    def build() -> gpd.GeoDataFrame:
        base = load_districts(level) if what == "districts" else load_zones(kb, what, level)
        return _rounded(_in_datum(base, f))

    return kb.memo(("layers.geometry", what, level, gaode), build)


def district_properties(kb: KnowledgeBase, f: Filters) -> list[dict]:
    """Per district (adcode order): name, zone in ``f.framework``, zone colour, and the
    filtered sites counted by their marker sector."""
    zone_of = district_zones(kb, f.framework)
    zones = {z.id: z for z in kb.framework(f.framework).zones}
    colours = zone_colours(kb, f.framework)
    sectors = {s.id: s for s in kb.sectors}
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for site in filter_sites(kb, f):
        for code in site.districts:
            counts[code][primary_sector(site, f)] += 1
    rows = []
    for d in sorted(kb.districts, key=lambda d: d.adcode):
        z = zones[zone_of[d.adcode]]
        rows.append(
            {
                "adcode": d.adcode,
                "name": pick(d.name_zh, d.name_en, f.lang),
                "zone_id": z.id,
                "zone": pick(z.name_zh, z.name_en, f.lang),
                "colour": colours[z.id],
                "site_count": sum(counts[d.adcode].values()),
                "by_sector": "; ".join(
                    f"{pick(sectors[s].name_zh, sectors[s].name_en, f.lang)} {n}" for s, n in counts[d.adcode].most_common()
                ),
            }
        )
    return rows


def districts_layer(kb: KnowledgeBase, f: Filters, level: Level = "coarse") -> gpd.GeoDataFrame:
    """Districts with their zone in ``f.framework`` and counts of the filtered sites by sector.

    Returns
    -------
    GeoDataFrame
        ``adcode``, ``name`` (in ``f.lang``), ``zone_id``, ``zone`` (name), ``colour``
        (the zone's fill), ``site_count``, ``by_sector`` (text), geometry in the
        basemap's datum.
    """
    geom = _display_geometry(kb, "districts", f, level)
    return gpd.GeoDataFrame(district_properties(kb, f), geometry=list(geom.geometry.values), crs=geom.crs)


def districts_geojson(kb: KnowledgeBase, f: Filters, level: Level = "coarse") -> str:
    """:func:`districts_layer` as a GeoJSON string, the geometry serialised once and cached."""
    geoms = kb.memo(("layers.geojson", "districts", level, f.basemap == "gaode"),
                    lambda: geometry_json(_display_geometry(kb, "districts", f, level)))
    return feature_collection(geoms, district_properties(kb, f))


def zone_properties(kb: KnowledgeBase, f: Filters) -> list[dict]:
    """Per zone of ``f.framework``: name, colour, members named or conventional, basis."""
    names = {d.adcode: pick(d.short_zh, d.name_en, f.lang) for d in kb.districts}
    colours = zone_colours(kb, f.framework)
    sep = "、" if f.lang == "zh" else ", "
    return [
        {
            "zone_id": z.id,
            "name": pick(z.name_zh, z.name_en, f.lang),
            "colour": colours[z.id],
            "named": sep.join(names[c] for c in z.named),
            "conventional": sep.join(names[c] for c in z.conventional),
            "basis_note": z.basis_note,
            "functions": [[fn.plan, fn.clause, fn.quote, fn.summary_en] for fn in z.functions],
        }
        for z in kb.framework(f.framework).zones
    ]


def zones_layer(kb: KnowledgeBase, f: Filters, level: Level = "coarse") -> gpd.GeoDataFrame:
    """The zones of ``f.framework`` with name, membership basis and quoted functions."""
    geom = _display_geometry(kb, f.framework, f, level)
    return gpd.GeoDataFrame(zone_properties(kb, f), geometry=list(geom.geometry.values), crs=geom.crs)


def zones_geojson(kb: KnowledgeBase, f: Filters, level: Level = "coarse") -> str:
    """:func:`zones_layer` as a GeoJSON string, the geometry serialised once and cached."""
    geoms = kb.memo(("layers.geojson", f.framework, level, f.basemap == "gaode"),
                    lambda: geometry_json(_display_geometry(kb, f.framework, f, level)))
    return feature_collection(geoms, zone_properties(kb, f))


def sites_layer(kb: KnowledgeBase, f: Filters) -> gpd.GeoDataFrame:
    """The filtered sites as points (those with a known location), in the basemap's datum.

    Adds ``colour`` and ``sector`` (the marker's sector), ``icon`` (category glyph)
    and ``name`` in ``f.lang``.  Sites of unknown location are left out; count them
    with :func:`unlocated_count`.
    """
    visible = {s.id for s in filter_sites(kb, f)}
    sites = load_sites(kb)
    sites = sites[sites["id"].isin(visible) & sites.geometry.notna()].copy()
    by_id = {s.id: s for s in kb.sites}
    colours = sector_colours(kb)
    sites["sector"] = [primary_sector(by_id[i], f) for i in sites["id"]]
    sites["colour"] = sites["sector"].map(colours)
    sites["icon"] = sites["category"].map(lambda c: CATEGORY_STYLES[c].icon)
    sites["name"] = [pick(zh, en, f.lang) for zh, en in zip(sites["name_zh"], sites["name_en"])]
    return _in_datum(sites, f)


def unlocated_count(kb: KnowledgeBase, f: Filters) -> int:
    """How many filtered sites have no known location (listed in tables, not drawn)."""
    return sum(s.location.precision == "unknown" for s in filter_sites(kb, f))


def centres_layer(kb: KnowledgeBase, f: Filters) -> gpd.GeoDataFrame:
    """Regional service-centre cities of ``f.framework`` that pass the plan/horizon filters."""
    c = load_centres(kb)
    c = c[c["framework"] == f.framework].copy()
    keep = []
    for row in c.itertuples():
        ok_plan = not f.plans or set(row.plans) & set(f.plans)
        ok_horizon = f.horizon == "all" or int(f.horizon) in row.horizons
        keep.append(bool(ok_plan and ok_horizon))
    c = c.loc[c.index[keep]] if keep else c.iloc[0:0]
    c["name"] = [pick(zh, en, f.lang) for zh, en in zip(c["name_zh"], c["name_en"])]
    return _in_datum(c, f)


def place_names(kb: KnowledgeBase, site: Site, f: Filters) -> tuple[str, str]:
    """The site's district(s) and its zone(s) in ``f.framework``, named in ``f.lang``."""
    zone_of = district_zones(kb, f.framework)
    zones = {z.id: z for z in kb.framework(f.framework).zones}
    districts = {d.adcode: d for d in kb.districts}
    district = "、".join(pick(districts[c].name_zh, districts[c].name_en, f.lang) for c in site.districts)
    zone_ids = dict.fromkeys(zone_of[c] for c in site.districts)
    return district, "、".join(pick(zones[z].name_zh, zones[z].name_en, f.lang) for z in zone_ids)


def linked_targets(site: Site, f: Filters, city_targets: list[Target], limit: int = 4) -> list[str]:
    """Ids of the targets that back a site: of ``city_targets`` (city-wide targets under
    the current filters, computed once per map), those of the plans that name the site,
    in the site's sectors."""
    plans = {r.plan for r in matching_refs(site, f)}
    return [tg.id for tg in city_targets if tg.plan in plans and tg.sector in site.sectors][:limit]


def site_records(kb: KnowledgeBase, f: Filters) -> list[dict]:
    """JSON-ready records of the drawn sites: what markers, tooltips and popups show.

    Every text is plain (unescaped) here: the page's script inserts it with
    ``textContent``, so nothing in the knowledge base can inject HTML.  Texts
    shared by many sites (plan titles, sector and category names, precision
    labels) are not repeated per site: :func:`popup_labels` carries them once.
    """
    layer = sites_layer(kb, f)
    by_id = {s.id: s for s in kb.sites}
    city_targets = [
        tg for tg in filter_targets(kb, f.with_(q="", area="", sectors=())) if tg.kind == "target" and tg.scope == "city"
    ]
    out = []
    for row in layer.itertuples():
        site = by_id[row.id]
        district, zone = place_names(kb, site, f)
        out.append(
            {
                "id": site.id,
                "lat": round(row.geometry.y, 5),
                "lon": round(row.geometry.x, 5),
                "name": row.name,
                "alt": site.name_en if f.lang == "zh" else site.name_zh,
                "category": row.category,
                "icon": row.icon,
                "colour": row.colour,
                "sectors": list(site.sectors),
                "district": district,
                "zone": zone,
                "precision": site.location.precision,
                "method": site.location.method,
                "refs": [
                    {
                        "plan": r.plan,
                        "clause": r.clause,
                        "horizon": r.horizon,
                        "role": pick(r.role_zh, r.role_en, f.lang),
                        "functions": pick(r.functions_zh, r.functions_en, f.lang),
                        "quote": r.quote,
                    }
                    for r in matching_refs(site, f)
                ],
                "targets": linked_targets(site, f, city_targets),
            }
        )
    return out


def popup_labels(kb: KnowledgeBase, f: Filters, records: list[dict]) -> dict:
    """The texts popups share, in ``f.lang``: field labels, id → name tables, and the
    targets the drawn sites link to (each once, however many sites share it)."""
    linked = {tid for r in records for tid in r["targets"]}
    return {
        "targets": {
            tg.id: [pick(tg.indicator_zh, tg.indicator_en, f.lang), tg.value_text, tg.target_year, tg.plan, tg.clause]
            for tg in kb.targets
            if tg.id in linked
        },
        "district": t("district", f.lang),
        "zone": t("zone", f.lang),
        "source": t("source", f.lang),
        "linkedTargets": t("linked_targets", f.lang),
        "precision": t("precision", f.lang),
        "siteCount": t("site_count", f.lang),
        "sectorsLabel": t("sectors", f.lang),
        "membersNamed": t("members_named", f.lang),
        "membersConventional": t("members_conventional", f.lang),
        "plans": {p.id: pick(p.title_zh, p.title_en, f.lang) for p in kb.plans},
        "sectors": {s.id: [pick(s.name_zh, s.name_en, f.lang), s.colour] for s in kb.sectors},
        "categories": {c: category_label(c, f.lang) for c in CATEGORY_STYLES},
        "precisions": {
            p: t(f"precision_{p}", f.lang) for p in ("exact", "approx_2km", "approx_10km", "district_centroid")
        },
    }

