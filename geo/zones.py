"""Zone geometry: each framework's zones dissolved from their member districts."""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import Level, load_districts
from seeds.loader import KnowledgeBase


def district_zones(kb: KnowledgeBase, framework_id: str) -> dict[int, str]:
    """Map every district adcode to its zone id in ``framework_id``."""
    framework = kb.framework(framework_id)
    return {code: z.id for z in framework.zones for code in z.members}


def load_zones(kb: KnowledgeBase, framework_id: str, level: Level = "full") -> gpd.GeoDataFrame:
    """Return the zones of one framework as WGS-84 polygons with their attributes.

    Parameters
    ----------
    kb : KnowledgeBase
        A validated knowledge base.
    framework_id : str
        ``"f2019"``, ``"f2020"`` or ``"f2024"`` (see ``frameworks.yaml``).
    level : {"full", "fine", "medium", "coarse"}
        District resolution to dissolve; simplified levels are coverages, so the
        dissolved zones still share borders exactly.

    Returns
    -------
    GeoDataFrame
        One row per zone: ``zone_id``, ``framework``, names, ``members`` (adcodes),
        ``named`` and ``conventional`` member lists, ``basis_note``, ``sectors``,
        ``functions`` (list of dicts with plan, clause, quote, summary_en) and geometry.
    """
    return kb.memo(("geo.zones", framework_id, level), lambda: _build_zones(kb, framework_id, level)).copy()


def _build_zones(kb: KnowledgeBase, framework_id: str, level: Level) -> gpd.GeoDataFrame:
    framework = kb.framework(framework_id)
    districts = load_districts(level)
    zone_of = district_zones(kb, framework_id)
    districts["zone_id"] = districts["adcode"].map(zone_of)
    dissolved = districts.dissolve(by="zone_id")[["geometry"]]
    rows = []
    for z in framework.zones:
        rows.append(
            {
                "zone_id": z.id,
                "framework": framework.id,
                "name_zh": z.name_zh,
                "name_en": z.name_en,
                "members": sorted(z.members),
                "named": list(z.named),
                "conventional": list(z.conventional),
                "basis_note": z.basis_note,
                "sectors": list(z.sectors),
                "functions": [fn.model_dump() for fn in z.functions],
                "geometry": dissolved.loc[z.id, "geometry"],
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
