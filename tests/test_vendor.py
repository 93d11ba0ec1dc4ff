"""Vendored front-end assets: a Folium page with every element the atlas uses needs no CDN."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import dash_bootstrap_components as dbc
import folium
import pytest
from branca.element import MacroElement, Template
from folium.plugins import Fullscreen, MarkerCluster, MeasureControl, MiniMap, Search

from app import vendor
from app.vendor import VENDOR_DIR, asset_urls, build_manifest, css_refs, inline_html, load_manifest, local_url, localize_html

TILES = (
    "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
)
LEGEND = """{% macro html(this, kwargs) %}<div id="legend"><i class="fa-solid fa-star"></i> legend</div>{% endmacro %}"""


def _map() -> folium.Map:
    m = folium.Map(location=[29.56, 106.55], zoom_start=9, tiles=None)
    for i, url in enumerate(TILES):
        folium.TileLayer(tiles=url, attr="© OpenStreetMap contributors", name=f"base {i}").add_to(m)
    group = folium.FeatureGroup(name="sites").add_to(m)
    districts = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"name": "渝中区"},
            "geometry": {"type": "Polygon", "coordinates": [[[106.5, 29.5], [106.6, 29.5], [106.6, 29.6], [106.5, 29.5]]]},
        }],
    }
    gj = folium.GeoJson(
        districts, name="districts",
        tooltip=folium.GeoJsonTooltip(fields=["name"]), popup=folium.GeoJsonPopup(fields=["name"]),
    ).add_to(m)
    cluster = MarkerCluster(name="cluster").add_to(group)
    folium.Marker(
        [29.56, 106.55], icon=folium.Icon(icon="star", prefix="fa", color="red", angle=45),
        popup=folium.Popup("<b>解放碑</b>"), tooltip=folium.Tooltip("解放碑"),
    ).add_to(cluster)
    folium.Marker([29.6, 106.5]).add_to(cluster)  # Leaflet's default icon (glyphicon)
    folium.CircleMarker([29.5, 106.6], radius=6, popup="circle").add_to(group)
    legend = MacroElement()
    legend._template = Template(LEGEND)
    m.get_root().add_child(legend)
    Fullscreen().add_to(m)
    MiniMap().add_to(m)
    MeasureControl().add_to(m)
    Search(layer=gj, search_label="name").add_to(m)
    folium.LayerControl().add_to(m)
    return m


@pytest.fixture(scope="module")
def page() -> str:
    return _map().get_root().render()


def _declared_urls(m: folium.Map) -> set[str]:
    """The default_js/default_css URLs of every element of the map's figure."""
    urls: set[str] = set()
    stack = [m.get_root()]
    while stack:
        el = stack.pop()
        urls |= {url for _, url in getattr(el, "default_js", []) + getattr(el, "default_css", [])}
        stack += list(el._children.values())
    return urls


def _style_blocks(html: str) -> list[str]:
    return re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S | re.I)


def test_every_url_folium_emits_is_vendored(page):
    manifest_urls = {e["url"] for e in load_manifest()}
    emitted = {u for u in asset_urls(page) if u.startswith("http")}
    assert len(emitted) >= 20  # Leaflet, jQuery, Bootstrap, Font Awesome, markers and the five plugins
    assert _declared_urls(_map()) <= manifest_urls
    assert emitted <= manifest_urls


def test_localize_leaves_only_tile_templates(page):
    out = localize_html(page)
    assert not [u for u in asset_urls(out) if re.match(r"(https?:)?//", u)]
    assert all(u.startswith("/vendor/") for u in asset_urls(out))
    for tiles in TILES:
        assert tiles in out
    # What stays is what the map fetches or links to at run time, never a script or stylesheet.
    rest = {u for u in re.findall(r"https?://[^\s\"'<>\\)]+", out) if "{z}" not in u}  # tiles, MiniMap's too
    assert rest <= {"https://www.openstreetmap.org/copyright", "https://github.com/ljagis/leaflet-measure/issues/171"}


def test_localize_prefix_and_idempotence(page):
    out = localize_html(page, prefix="static/vendor")
    assert 'src="static/vendor/leaflet@1.9.3/dist/leaflet.js"' in out
    assert localize_html(out, prefix="static/vendor") == out


def test_localize_names_an_unvendored_asset(page):
    extra = '<script src="https://unpkg.com/leaflet-draw@1.0.4/dist/leaflet.draw.js"></script>'
    extra += '<link rel="stylesheet" href="//example.org/x.css"/>'
    with pytest.raises(ValueError, match=r"unpkg\.com/leaflet-draw.*example\.org/x\.css"):
        localize_html(page.replace("</head>", extra + "</head>"))


def test_tile_template_alone_does_not_raise():
    html = '<script>L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").addTo(map);</script>'
    assert localize_html(html) == html


def test_manifest_files_exist_with_licence():
    manifest = load_manifest()
    assert manifest == build_manifest()  # manifest.json is what the table in app.vendor says
    for e in manifest:
        path = VENDOR_DIR / e["path"]
        assert path.is_file() and path.stat().st_size > 0, e["path"]
        root = VENDOR_DIR / f"{e['package']}@{e['version']}"
        assert e["path"].startswith(root.relative_to(VENDOR_DIR).as_posix() + "/")
        assert [p for p in root.iterdir() if re.match(r"(?i)(mit-)?licen[cs]e", p.name)], f"no licence in {root}"
        assert e["license"]


def test_vendored_stylesheets_resolve_their_references():
    for css in VENDOR_DIR.rglob("*.css"):
        for ref in css_refs(css.read_text(encoding="utf-8")):
            target = (css.parent / ref).resolve()
            assert target.is_file() and VENDOR_DIR in target.parents, f"{css.relative_to(VENDOR_DIR)} → {ref}"


def test_only_needed_files_are_kept():
    total = sum(p.stat().st_size for p in VENDOR_DIR.rglob("*") if p.is_file())
    assert total < 6_000_000
    assert not list(VENDOR_DIR.rglob("*.map")) and not list(VENDOR_DIR.rglob("package.json"))


def test_dash_page_assets_are_vendored():
    # The Dash page swaps dbc's CDN theme and icons for these local copies.
    assert local_url(dbc.themes.BOOTSTRAP) == "/vendor/bootstrap@5.3.6/dist/css/bootstrap.min.css"
    assert local_url(dbc.icons.FONT_AWESOME).startswith("/vendor/@fortawesome/fontawesome-free@6.7.2/css/")
    first = {e["package"]: e["path"] for e in reversed(load_manifest())}
    assert first["bootstrap"] == "bootstrap@5.3.6/dist/css/bootstrap.min.css"
    assert any(e["path"] == "bootstrap@5.3.6/dist/js/bootstrap.bundle.min.js" for e in load_manifest())
    with pytest.raises(KeyError):
        local_url("https://cdn.example.org/nothing.css")


def test_inline_html_is_self_contained(page):
    out = inline_html(page)
    assert not re.search(r"<script\b[^>]*\bsrc=", out, re.I)
    assert not re.search(r"<link\b[^>]*stylesheet", out, re.I)
    assert not [u for u in asset_urls(out) if re.match(r"(https?:)?//", u)]
    for tiles in TILES:
        assert tiles in out
    refs = [u.strip("\"' ") for css in _style_blocks(out) for u in re.findall(r"url\(([^)]*)\)", css)]
    assert refs and all(u.startswith(("data:", "#")) for u in refs), [u for u in refs if not u.startswith(("data:", "#"))][:5]
    assert "data:font/woff2;base64," in out and "font/ttf" not in out  # WOFF2 only
    assert "sourceMappingURL" not in out
    assert "L.Icon.Default.mergeOptions" in out  # Leaflet's default marker from data: URIs
    assert inline_html(localize_html(page)) == out  # a localized page inlines the same


def test_inline_html_names_an_unvendored_asset(page):
    with pytest.raises(ValueError, match="cdn.example.org"):
        inline_html(page.replace("</head>", '<script src="https://cdn.example.org/a.js"></script></head>'))


def test_atlas_map_localizes(kb):
    from layers.filters import Filters
    from layers.folium_map import build_map

    out = localize_html(build_map(kb, Filters()).get_root().render())
    assert all(u.startswith("/vendor/") for u in asset_urls(out))


@pytest.mark.skipif(not os.environ.get("CQ_TEST_VENDOR_REFRESH"), reason="downloads from npm; set CQ_TEST_VENDOR_REFRESH=1")
def test_refresh_reproduces_the_vendored_tree(tmp_path: Path):
    vendor.refresh(tmp_path)

    def tree(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and p.name != "README.md"
        }

    assert tree(tmp_path) == tree(VENDOR_DIR)
    assert json.loads((tmp_path / "manifest.json").read_text()) == load_manifest()
