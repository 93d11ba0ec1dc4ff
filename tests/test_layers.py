"""Filters, style registry and the Folium map, on the real knowledge base (no browser)."""

import json
import re

import pytest

from geo.datum import wgs84_to_gcj02
from layers.filters import Filters, filter_sites, filter_targets, parse_query
from layers.folium_map import build_map
from layers.maplayers import site_records
from layers.style import CATEGORY_STYLES, sector_colours
from seeds.schema import SiteCategory


def _expected(kb, sector=None, horizon=None, plan=None):
    out = set()
    for s in kb.sites:
        if sector and sector not in s.sectors:
            continue
        if any((horizon is None or r.horizon == horizon) and (plan is None or r.plan == plan) for r in s.refs):
            out.add(s.id)
    return out


def test_default_filters_show_every_site(kb):
    assert {s.id for s in filter_sites(kb, Filters())} == {s.id for s in kb.sites}


@pytest.mark.parametrize("sector, horizon", [("logistics", 2027), ("finance", 2025), ("culture_tourism", 2022), ("software_it", None)])
def test_sector_and_horizon_filter_match_the_knowledge_base(kb, sector, horizon):
    f = Filters(sectors=(sector,), horizon=str(horizon) if horizon else "all")
    got = {s.id for s in filter_sites(kb, f)}
    assert got == _expected(kb, sector, horizon)
    assert got  # every one of these combinations has sites in the plans


def test_plan_and_horizon_apply_to_the_same_reference(kb):
    # 000's references are for 2022; asking for plan 000 in 2027 must give nothing.
    assert filter_sites(kb, Filters(plans=("000",), horizon="2027")) == []
    assert {s.id for s in filter_sites(kb, Filters(plans=("004",)))} == _expected(kb, plan="004")


def test_area_filter_by_district_and_by_zone(kb):
    jiangbei = filter_sites(kb, Filters(area="500105"))
    assert jiangbei and all(500105 in s.districts for s in jiangbei)
    core = filter_sites(kb, Filters(framework="f2019", area="f2019_core"))
    members = set(kb.framework("f2019").zones[0].members)
    assert core and all(set(s.districts) & members for s in core)


def test_text_search_matches_zh_en_and_aliases(kb):
    assert [s.id for s in filter_sites(kb, Filters(q="解放碑商圈"))][:1] == ["jiefangbei"]
    assert "jiefangbei" in {s.id for s in filter_sites(kb, Filters(q="jiefangbei"))}
    assert "guoyuan_port" in {s.id for s in filter_sites(kb, Filters(q="果园港"))}


def test_targets_follow_the_horizon_and_sector(kb):
    ts = filter_targets(kb, Filters(sectors=("finance",), horizon="2027"))
    assert ts and all(t.sector == "finance" and t.target_year == 2027 and t.kind == "target" for t in ts)
    assert any(t.indicator == "finance_value_added" and t.target_value == 3800 for t in ts)


def test_query_round_trip_and_clear_warnings(kb):
    f = Filters(sectors=("finance", "logistics"), horizon="2027", framework="f2019", lang="en", basemap="gaode", q="港")
    parsed = parse_query(f.to_query(), kb)
    assert parsed.filters == f and parsed.warnings == []
    bad = parse_query("sectors=finance,astrology&horizon=2030&zoom=9&lang=fr", kb)
    assert bad.filters == Filters(sectors=("finance",))
    assert ("unknown_param", {"name": "zoom"}) in bad.warnings
    assert ("bad_value", {"name": "sectors", "value": "astrology"}) in bad.warnings
    assert ("bad_value", {"name": "horizon", "value": "2030"}) in bad.warnings
    assert Filters().to_query() == ""


def test_style_registry_covers_every_category_and_sector(kb):
    assert set(CATEGORY_STYLES) == set(SiteCategory.__args__)
    colours = sector_colours(kb)
    assert set(colours) == {s.id for s in kb.sectors}
    assert len(set(colours.values())) == len(colours)  # no two sectors share a colour


def _records_in_html(html: str) -> list[dict]:
    m = re.search(r"var data = (\{.*?\});\n", html, re.S)
    return json.loads(m.group(1))["sites"]


def test_map_draws_the_filtered_sites_and_a_matching_legend(kb):
    f = Filters(sectors=("logistics",), horizon="2027")
    html = build_map(kb, f).get_root().render()
    drawn = {r["id"] for r in _records_in_html(html)}
    expected = {s.id for s in filter_sites(kb, f) if s.location.precision != "unknown"}
    assert drawn == expected
    legend_cats = set(re.findall(r'data-legend="category" data-key="([a-z_]+)"', html))
    assert legend_cats == {s.category for s in filter_sites(kb, f) if s.location.precision != "unknown"}
    assert set(re.findall(r'data-legend="sector" data-key="([a-z_]+)"', html)) == {"logistics"}


def test_empty_result_shows_a_message_not_an_error(kb):
    html = build_map(kb, Filters(q="不存在的地名xyz")).get_root().render()
    assert 'id="cq-empty"' in html and _records_in_html(html) == []


def test_gaode_basemap_shifts_vectors_to_gcj02(kb):
    wgs = {r["id"]: r for r in site_records(kb, Filters())}
    gcj = {r["id"]: r for r in site_records(kb, Filters(basemap="gaode"))}
    r = wgs["jiefangbei"]
    lon, lat = wgs84_to_gcj02(r["lon"], r["lat"])
    assert gcj["jiefangbei"]["lon"] == pytest.approx(float(lon), abs=1e-5)
    assert gcj["jiefangbei"]["lat"] == pytest.approx(float(lat), abs=1e-5)
    assert abs(gcj["jiefangbei"]["lon"] - r["lon"]) > 0.002  # the offset is ~300 m here


def test_text_from_the_knowledge_base_cannot_inject_html(kb):
    site = kb.sites[0]
    evil = site.model_copy(update={"name_zh": "</script><script>alert(1)</script>", "name_en": "<img src=x onerror=alert(1)>"})
    kb2 = kb.replace(sites=[evil, *kb.sites[1:]])
    html = build_map(kb2, Filters(q="alert")).get_root().render()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
