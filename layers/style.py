"""The style registry: one colour per sector, one icon per site category, one colour per zone.

Map markers, the legend, tables and charts all read their colours and icons from
here, so a sector looks the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from seeds.loader import KnowledgeBase


@dataclass(frozen=True)
class CategoryStyle:
    """How a site category is drawn: a Font Awesome 6 icon and bilingual labels."""

    icon: str
    zh: str
    en: str


# Font Awesome 6 (free, solid) icon names: each category gets a glyph a reader can guess.
CATEGORY_STYLES: dict[str, CategoryStyle] = {
    "business_district": CategoryStyle("bag-shopping", "商圈", "Business district"),
    "business_finance_district": CategoryStyle("building-columns", "商务金融区", "Business & finance district"),
    "logistics_hub": CategoryStyle("truck", "物流枢纽园区", "Logistics hub"),
    "port": CategoryStyle("anchor", "港口·机场·口岸", "Port, airport, rail port"),
    "bonded_zone": CategoryStyle("box", "保税区", "Bonded zone"),
    "software_park": CategoryStyle("laptop-code", "软件信息园", "Software & IT park"),
    "science_innovation": CategoryStyle("flask", "科学城·创新区", "Science city, innovation zone"),
    "exhibition": CategoryStyle("people-roof", "会展", "Exhibition venue"),
    "inspection_testing_park": CategoryStyle("microscope", "检验检测园", "Inspection & testing park"),
    "culture_creative_park": CategoryStyle("palette", "文创园", "Culture & creative park"),
    "culture_tourism": CategoryStyle("landmark", "文旅集聚区", "Culture & tourism cluster"),
    "health_park": CategoryStyle("heart-pulse", "健康园区", "Health park"),
    "development_zone": CategoryStyle("map", "新区·开放平台", "New area, open platform"),
    "service_cluster": CategoryStyle("circle-nodes", "服务业集聚区", "Service cluster"),
    "landmark_building": CategoryStyle("building", "地标楼宇", "Landmark building"),
}

# Zones of a framework get colours from a muted qualitative palette (ColorBrewer Pastel1),
# so they sit under the saturated sector colours of the markers.
ZONE_PALETTE = ("#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc", "#e5d8bd")


@lru_cache(maxsize=None)
def _sector_colours(sectors: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(sectors)


def sector_colours(kb: KnowledgeBase) -> dict[str, str]:
    """Sector id → hex colour, as ``sectors.yaml`` defines it."""
    return _sector_colours(tuple((s.id, s.colour) for s in kb.sectors))


def zone_colours(kb: KnowledgeBase, framework_id: str) -> dict[str, str]:
    """Zone id → fill colour for one framework, in the order the zones are listed."""
    zones = kb.framework(framework_id).zones
    return {z.id: ZONE_PALETTE[i % len(ZONE_PALETTE)] for i, z in enumerate(zones)}


def category_label(category: str, lang: str) -> str:
    style = CATEGORY_STYLES[category]
    return style.zh if lang == "zh" else style.en
