"""Build the interactive Folium map of one filter state.

Districts (coloured by zone), zone outlines and site markers are drawn by one
small script from compact JSON into Folium FeatureGroups, so the layer control
lists them: a marker per site (sector colour, category icon) in a cluster group per
category.  Popups are built in the browser with ``textContent``, so no text from the
knowledge base is ever parsed as HTML, and the page carries each record once instead
of a pre-rendered popup per marker.  Polygon geometry is serialised once and cached.
"""

from __future__ import annotations

import html
import json

import folium
from branca.element import Element, MacroElement
from folium.plugins import Fullscreen, MarkerCluster, MeasureControl, MiniMap, Search

from layers.filters import Filters
from layers.i18n import pick, t
from layers.maplayers import centres_layer, districts_geojson, popup_labels, site_records, unlocated_count, zones_geojson
from layers.style import CATEGORY_STYLES, category_label, zone_colours
from seeds.loader import KnowledgeBase

# Basemaps: (tile URL template or folium name, attribution).  Gaode's tiles are GCJ-02.
BASEMAP_TILES: dict[str, tuple[str, str]] = {
    "osm": ("OpenStreetMap", "© OpenStreetMap contributors"),
    "light": ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png", "© OpenStreetMap contributors © CARTO"),
    "gaode": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "© 高德地图 AutoNavi",
    ),
}
CHONGQING_BOUNDS = [[28.16, 105.28], [32.21, 110.2]]




def _tile_layer(basemap: str, lang: str) -> folium.TileLayer | None:
    if basemap == "none":
        return None
    tiles, attr = BASEMAP_TILES[basemap]
    kwargs = {"subdomains": "1234"} if basemap == "gaode" else {}
    return folium.TileLayer(tiles=tiles, attr=attr, name=t(f"basemap_{basemap}", lang), control=True, **kwargs)


_ATLAS_JS = r"""
(function () {
  var data = __DATA__;
  var T = __LABELS__;
  var groups = __GROUPS__;
  var map = __MAP__;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function dl(pairs) {
    var d = el('dl', 'cq-popup-dl');
    pairs.forEach(function (kv) { if (kv[1]) { d.appendChild(el('dt', null, kv[0])); d.appendChild(el('dd', null, kv[1])); } });
    return d;
  }
  function sitePopup(s) {
    var root = el('div', 'cq-popup');
    root.appendChild(el('div', 'cq-popup-title', s.name));
    root.appendChild(el('div', 'cq-popup-alt', s.alt));
    var meta = el('div', 'cq-popup-meta');
    meta.appendChild(el('span', 'cq-popup-cat', T.categories[s.category]));
    s.sectors.forEach(function (id) {
      var sec = T.sectors[id];
      var chip = el('span', 'cq-chip', sec[0]);
      chip.style.borderColor = sec[1];
      chip.style.color = sec[1];
      meta.appendChild(chip);
    });
    root.appendChild(meta);
    root.appendChild(dl([[T.district, s.district], [T.zone, s.zone]]));
    s.refs.forEach(function (r) {
      var box = el('div', 'cq-ref');
      box.appendChild(el('div', 'cq-ref-head', r.horizon + ' · ' + r.role));
      box.appendChild(el('div', 'cq-ref-fn', r.functions));
      box.appendChild(el('blockquote', 'cq-quote', '“' + r.quote + '”'));
      box.appendChild(el('div', 'cq-cite', T.source + ': [' + r.plan + '] ' + T.plans[r.plan] + ' · ' + r.clause));
      root.appendChild(box);
    });
    if (s.targets.length) {
      root.appendChild(el('div', 'cq-sub', T.linkedTargets));
      var ul = el('ul', 'cq-targets');
      s.targets.forEach(function (id) {
        var tg = T.targets[id];  // [indicator, value as written, year, plan, clause]
        ul.appendChild(el('li', null, tg[0] + ' ' + tg[1] + ' (' + tg[2] + ', [' + tg[3] + '] ' + tg[4] + ')'));
      });
      root.appendChild(ul);
    }
    root.appendChild(el('div', 'cq-precision', T.precision + ': ' + T.precisions[s.precision] + ' — ' + s.method));
    return root;
  }
  var zonesById = {};
  data.zones.features.forEach(function (f) { zonesById[f.properties.zone_id] = f.properties; });
  function districtPopup(p) {
    var root = el('div', 'cq-popup');
    root.appendChild(el('div', 'cq-popup-title', p.name));
    root.appendChild(dl([[T.zone, p.zone], [T.siteCount, String(p.site_count)], [T.sectorsLabel, p.by_sector]]));
    // What the district's zone is and who else is in it: the zone's own popup, below.
    root.appendChild(zonePopup(zonesById[p.zone_id], true));
    return root;
  }
  function zonePopup(p, nested) {
    var root = el('div', nested ? 'cq-zone' : 'cq-popup');
    root.appendChild(el('div', nested ? 'cq-sub' : 'cq-popup-title', p.name));
    root.appendChild(dl([[T.membersNamed, p.named], [T.membersConventional, p.conventional]]));
    root.appendChild(el('div', 'cq-precision', p.basis_note));
    p.functions.forEach(function (fn) {
      var box = el('div', 'cq-ref');
      box.appendChild(el('div', 'cq-ref-fn', fn[3]));
      box.appendChild(el('blockquote', 'cq-quote', '“' + fn[2] + '”'));
      box.appendChild(el('div', 'cq-cite', T.source + ': [' + fn[0] + '] ' + T.plans[fn[0]] + ' · ' + fn[1]));
      root.appendChild(box);
    });
    return root;
  }
  var districts = L.geoJSON(data.districts, {
    style: function (f) { return {fillColor: f.properties.colour, color: '#777', weight: 0.8, fillOpacity: 0.45}; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(el('span', null, f.properties.name + ' · ' + f.properties.zone + ' · ' + T.siteCount + ' ' + f.properties.site_count), {sticky: true});
      layer.bindPopup(function () { return districtPopup(f.properties); }, {maxWidth: 320});
      layer.on('mouseover', function () { layer.setStyle({weight: 2.5, color: '#333'}); });
      layer.on('mouseout', function () { districts.resetStyle(layer); });
    }
  });
  groups.districts.addLayer(districts);
  var zones = L.geoJSON(data.zones, {
    style: function () { return {fill: false, color: '#333', weight: 2.4}; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(el('span', null, f.properties.name), {sticky: true});
      layer.bindPopup(function () { return zonePopup(f.properties); }, {maxWidth: 380});
    }
  });
  groups.zones.addLayer(zones);
  var drawn = [], markers = {};
  data.sites.forEach(function (s) {
    var icon = L.divIcon({
      className: 'cq-marker-wrap',
      html: '<div class="cq-marker" data-site="' + s.id + '" style="background:' + s.colour + '"><i class="fa-solid fa-' + s.icon + '"></i></div>',
      iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12]
    });
    var m = L.marker([s.lat, s.lon], {icon: icon, title: s.name, alt: s.name});
    // Leaflet sets a string tooltip as innerHTML: give it a text node instead.
    m.bindTooltip(el('span', null, s.name + ' · ' + T.categories[s.category]));
    m.bindPopup(function () { return sitePopup(s); }, {maxWidth: 380, minWidth: 260});
    m.cqSiteId = s.id;
    markers[s.id] = m;
    groups.clusters[s.category].addLayer(m);
    drawn.push(s.id);
  });
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);  // metric only
  // A handle for the app's tests and for anyone scripting the page.
  // showSite(id): zoom until the site's marker leaves its cluster, then open its tooltip and
  // popup.  Call it once the map is idle: a zoom animation in progress swallows the callback.
  function showSite(id) {
    var m = markers[id];
    if (!m) return false;
    groups.clusters[data.sites[drawn.indexOf(id)].category].zoomToShowLayer(m, function () { m.openTooltip(); m.openPopup(); });
    return true;
  }
  window.cqAtlas = {map: map, siteIds: drawn, sites: data.sites, districts: districts, zones: zones, showSite: showSite};
})();
"""


def _script_safe(json_text: str) -> str:
    """JSON text safe inside <script>: no "<", ">" or "&" survives to close the tag."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _script_json(obj: object) -> str:
    return _script_safe(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


class _Raw(Element):
    """Text emitted as is: no Jinja compile of large data (branca compiles every template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class AtlasLayers(MacroElement):
    """Districts, zone outlines and site markers, drawn by one script from compact JSON.

    The script is added to the page as raw text after the feature groups it fills, so
    the layer control lists every layer while the data is serialised only once.
    """

    def __init__(self, data: dict[str, str], labels: dict, groups: dict[str, object]):
        super().__init__()
        self._name = "AtlasLayers"
        self.data = data
        self.labels = labels
        self.groups = groups

    def render(self, **kwargs) -> None:
        group_js = (
            "{districts:" + self.groups["districts"].get_name() + ",zones:" + self.groups["zones"].get_name()
            + ",clusters:{" + ",".join(f'"{c}":{g.get_name()}' for c, g in self.groups["clusters"].items()) + "}}"
        )
        data_js = "{" + ",".join(f'"{k}":{v}' for k, v in self.data.items()) + "}"
        js = (
            _ATLAS_JS.replace("__DATA__", data_js)
            .replace("__LABELS__", _script_json(self.labels))
            .replace("__GROUPS__", group_js)
            .replace("__MAP__", self._parent.get_name())
        )
        self.get_root().script.add_child(_Raw(js), name=self.get_name())


_CSS = """
<style>
.cq-marker{width:26px;height:26px;border-radius:50%;border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.45);
  display:flex;align-items:center;justify-content:center;color:#fff;font-size:12px}
.cq-centre{color:#8b0000;font-size:22px;text-shadow:0 0 3px #fff}
.cq-popup{font:13px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-height:340px;overflow:auto}
.cq-popup-title{font-weight:700;font-size:15px}.cq-popup-alt{color:#555;margin-bottom:4px}
.cq-popup-cat{background:#eee;border-radius:3px;padding:0 4px;margin-right:4px}
.cq-chip{border:1px solid;border-radius:8px;padding:0 5px;margin-right:3px;font-size:11px;display:inline-block}
.cq-popup-dl{display:grid;grid-template-columns:auto 1fr;gap:0 8px;margin:6px 0}.cq-popup-dl dt{color:#666;font-weight:400}
.cq-popup-dl dd{margin:0}.cq-ref{border-top:1px solid #ddd;padding-top:4px;margin-top:4px}.cq-ref-head{font-weight:600}
.cq-quote{margin:3px 0;padding-left:6px;border-left:3px solid #bbb;color:#333}.cq-cite,.cq-precision{color:#666;font-size:11px}
.cq-sub{font-weight:600;margin-top:6px}.cq-targets{margin:2px 0 4px 16px;padding:0}
.cq-legend{position:absolute;z-index:9999;bottom:34px;left:10px;max-width:250px;background:rgba(255,255,255,.94);padding:8px 10px;
  border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.35 system-ui,"Noto Sans CJK SC",sans-serif;max-height:60%;overflow:auto}
.cq-legend h4{margin:0 0 4px;font-size:13px}.cq-legend h5{margin:6px 0 2px;font-size:12px;color:#444}
.cq-legend .sw{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-2px;border:1px solid #888}
.cq-legend .dot{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:5px;vertical-align:-2px}
.cq-legend i{width:16px;text-align:center;margin-right:4px;color:#333}.cq-legend .note{color:#666;max-width:220px}
.cq-empty{position:absolute;z-index:9999;top:12px;left:50%;transform:translateX(-50%);background:#fff3cd;color:#664d03;
  border:1px solid #ffecb5;border-radius:6px;padding:6px 12px;font:13px system-ui,"Noto Sans CJK SC",sans-serif}
</style>
"""


def legend_html(kb: KnowledgeBase, f: Filters, records: list[dict], zone_ids: list[str], centres: int, unlocated: int) -> str:
    """The legend: exactly the zones, sectors, categories and centres on this map."""
    e = html.escape
    zones = {z.id: z for z in kb.framework(f.framework).zones}
    colours = zone_colours(kb, f.framework)
    fw = kb.framework(f.framework)
    parts = [f'<div class="cq-legend" id="cq-legend"><h4>{e(t("legend", f.lang))}</h4>']
    parts.append(f"<h5>{e(t('framework', f.lang))}: {e(pick(fw.name_zh, fw.name_en, f.lang))}</h5>")
    for zid in zone_ids:
        z = zones[zid]
        parts.append(
            f'<div data-legend="zone" data-key="{e(zid)}"><span class="sw" style="background:{colours[zid]}"></span>'
            f"{e(pick(z.name_zh, z.name_en, f.lang))}</div>"
        )
    sectors = {s.id: s for s in kb.sectors}
    shown_colours = list(dict.fromkeys(r["colour"] for r in records))
    colour_sector = {s.colour: s for s in sectors.values()}
    if shown_colours:
        parts.append(f"<h5>{e(t('sectors', f.lang))}</h5>")
        for c in shown_colours:
            s = colour_sector[c]
            parts.append(
                f'<div data-legend="sector" data-key="{e(s.id)}"><span class="dot" style="background:{c}"></span>'
                f"{e(pick(s.name_zh, s.name_en, f.lang))}</div>"
            )
        cats = list(dict.fromkeys(r["category"] for r in records))
        parts.append(f"<h5>{e(t('category', f.lang))}</h5>")
        for c in sorted(cats, key=list(CATEGORY_STYLES).index):
            parts.append(
                f'<div data-legend="category" data-key="{e(c)}"><i class="fa-solid fa-{CATEGORY_STYLES[c].icon}"></i>'
                f"{e(category_label(c, f.lang))}</div>"
            )
    if centres:
        parts.append(
            f'<div data-legend="centre"><i class="fa-solid fa-star" style="color:#8b0000"></i>{e(t("centres", f.lang))}</div>'
        )
    total = len(records) + unlocated
    note = t("shown_count", f.lang, n=len(records), total=total)
    if unlocated:
        note += "；" if f.lang == "zh" else "; "
        note += t("not_drawn", f.lang, n=unlocated)
    parts.append(f'<div class="note" id="cq-count">{e(note)}</div>')
    parts.append(f'<div class="note">{e(t("datum_note", f.lang))}</div></div>')
    return "".join(parts)


def build_map(kb: KnowledgeBase, f: Filters) -> folium.Map:
    """Build the Folium map of filter state ``f``.

    Parameters
    ----------
    kb : KnowledgeBase
        A validated knowledge base.
    f : Filters
        Sector, horizon, framework, plan, category, area, text, language and basemap.

    Returns
    -------
    folium.Map
        Layers: districts (filled by zone), zone outlines, one cluster group per
        site category, regional centres; layer control, legend, fullscreen,
        minimap, measure and district search.
    """
    m = folium.Map(location=[30.05, 107.8], zoom_start=7, tiles=None, control_scale=False, prefer_canvas=False)
    tiles = _tile_layer(f.basemap, f.lang)
    if tiles is not None:
        tiles.add_to(m)
    m.get_root().header.add_child(_Raw(_CSS))

    # Feature groups are created here so the layer control lists them; the script
    # of AtlasLayers fills them in the browser.
    groups: dict[str, object] = {
        "districts": folium.FeatureGroup(name=t("districts", f.lang)).add_to(m),
        "zones": folium.FeatureGroup(name=t("zones", f.lang)).add_to(m),
        "clusters": {},
    }
    records = site_records(kb, f)
    for cat in CATEGORY_STYLES:
        if not any(r["category"] == cat for r in records):
            continue
        group = folium.FeatureGroup(name=f"{t('sites', f.lang)} · {category_label(cat, f.lang)}").add_to(m)
        groups["clusters"][cat] = MarkerCluster(
            control=False, options={"maxClusterRadius": 36, "disableClusteringAtZoom": 13, "showCoverageOnHover": False}
        ).add_to(group)
    data = {
        "districts": _script_safe(districts_geojson(kb, f)),
        "zones": _script_safe(zones_geojson(kb, f)),
        "sites": _script_json(records),
    }
    m.add_child(AtlasLayers(data, popup_labels(kb, f, records), groups))

    centres = centres_layer(kb, f)
    if len(centres):
        cg = folium.FeatureGroup(name=t("centres", f.lang))
        for row in centres.itertuples():
            folium.Marker(
                [row.geometry.y, row.geometry.x],
                icon=folium.DivIcon(html='<i class="fa-solid fa-star cq-centre"></i>', icon_size=(22, 22), icon_anchor=(11, 11)),
                tooltip=html.escape(f"{row.name} · {t('centres', f.lang)}"),
            ).add_to(cg)
        cg.add_to(m)

    unlocated = unlocated_count(kb, f)
    zone_ids = [z.id for z in kb.framework(f.framework).zones]
    m.get_root().html.add_child(_Raw(legend_html(kb, f, records, zone_ids, len(centres), unlocated)))
    if not records:
        m.get_root().html.add_child(_Raw(f'<div class="cq-empty" id="cq-empty">{html.escape(t("no_results", f.lang))}</div>'))

    folium.LayerControl(collapsed=True).add_to(m)
    Fullscreen(position="topleft").add_to(m)
    MeasureControl(position="topleft", primary_length_unit="kilometers", primary_area_unit="sqkilometers").add_to(m)
    if tiles is not None:
        mini_tiles, mini_attr = BASEMAP_TILES[f.basemap]
        MiniMap(
            tile_layer=folium.TileLayer(mini_tiles, attr=mini_attr, **({"subdomains": "1234"} if f.basemap == "gaode" else {})),
            toggle_display=True,
            position="bottomright",
        ).add_to(m)
    Search(layer=groups["districts"], search_label="name", placeholder=t("search", f.lang) + " · " + t("districts", f.lang),
           collapsed=True, position="topright").add_to(m)
    m.fit_bounds(CHONGQING_BOUNDS)
    return m
