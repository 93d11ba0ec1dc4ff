"""The naive baseline the atlas is measured against: the straightforward Folium map.

Full-resolution boundaries, a folium.GeoJson per polygon layer, a folium.Marker
with a pre-rendered HTML popup per site, nothing cached: what one writes first.
"""

from __future__ import annotations

import html

import folium
from folium.plugins import MarkerCluster

from geo.boundaries import load_districts
from geo.sites import load_sites
from geo.zones import load_zones
from layers.filters import Filters, filter_sites
from seeds.loader import KnowledgeBase


def naive_map(kb: KnowledgeBase, f: Filters) -> str:
    m = folium.Map(location=[30.05, 107.8], zoom_start=7, tiles="OpenStreetMap")
    folium.GeoJson(load_districts("full").to_json(), name="districts", tooltip=folium.GeoJsonTooltip(["name_zh"])).add_to(m)
    folium.GeoJson(load_zones(kb, f.framework, "full").drop(columns=["functions"]).to_json(), name="zones").add_to(m)
    keep = {s.id for s in filter_sites(kb, f)}
    sites = load_sites(kb)
    by_id = {s.id: s for s in kb.sites}
    cluster = MarkerCluster().add_to(m)
    for row in sites[sites["id"].isin(keep) & sites.geometry.notna()].itertuples():
        s = by_id[row.id]
        body = "".join(
            f"<p><b>{html.escape(r.role_zh)}</b> {html.escape(r.functions_zh)}<br><i>{html.escape(r.quote)}</i>"
            f"<br>[{r.plan}] {html.escape(r.clause)}</p>"
            for r in s.refs
        )
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(f"<h4>{html.escape(s.name_zh)}</h4><p>{html.escape(s.name_en)}</p>{body}", max_width=380),
            tooltip=html.escape(s.name_zh),
            icon=folium.Icon(icon="info-sign"),
        ).add_to(cluster)
    folium.LayerControl().add_to(m)
    return m.get_root().render()
