"""Zones and sites on the real boundaries: coverage, areas, and every point in its district."""

import pytest
import shapely

from geo.boundaries import EQUAL_AREA_CRS, area_km2, load_districts
from geo.sites import PRECISION_RADIUS_M, check_locations, load_centres, load_sites, precision_counts
from geo.zones import district_zones, load_zones
from seeds.schema import PRECISIONS

FRAMEWORKS = ["f2019", "f2020", "f2024"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_framework_covers_all_38_districts_once(kb, framework):
    zone_of = district_zones(kb, framework)
    assert sorted(zone_of) == sorted(load_districts()["adcode"])


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("level", ["full", "medium"])
def test_zone_areas_add_up_to_the_city(kb, framework, level):
    zones = load_zones(kb, framework, level)
    districts = load_districts(level)
    assert zones.geometry.is_valid.all()
    total = area_km2(districts).sum()
    assert area_km2(zones).sum() == pytest.approx(total, rel=1e-6)
    # Zones do not overlap each other.
    ea = zones.to_crs(EQUAL_AREA_CRS)
    assert ea.area.sum() - shapely.union_all(ea.geometry.values).area < 1.0


def test_2019_core_is_the_nine_main_city_districts(kb):
    zones = load_zones(kb, "f2019").set_index("zone_id")
    core = zones.loc["f2019_core"]
    assert sorted(core["members"]) == [500103, 500104, 500105, 500106, 500107, 500108, 500109, 500112, 500113]
    circle = zones.loc["f2019_circle"]
    assert len(circle["members"]) == 12 and circle["named"] == circle["members"]
    # The core's area is that of the nine districts: about 5,470 km².
    assert 5300 < area_km2(zones.loc[["f2019_core"]]).iloc[0] < 5600


def test_zone_rows_carry_functions_and_sectors(kb):
    zones = load_zones(kb, "f2024")
    west = zones.set_index("zone_id").loc["f2024_west"]
    assert "inspection_testing" in west["sectors"]
    assert any("检验检测" in fn["quote"] for fn in west["functions"])


def test_every_site_point_lies_in_its_district(kb):
    assert check_locations(kb) == []


def test_location_check_catches_a_misplaced_point(kb):
    # Move a Jiangbei site onto Jiefangbei (渝中): the check must name it.
    site = next(s for s in kb.sites if s.districts == [500105] and s.location.precision != "district_centroid")
    moved = site.model_copy(update={"location": site.location.model_copy(update={"lon": 106.5775, "lat": 29.5575})})
    broken = kb.replace(sites=[moved if s is site else s for s in kb.sites])
    problems = check_locations(broken)
    assert [p.id for p in problems] == [site.id]
    assert problems[0].found_in == 500103
    assert "not in its recorded district(s) [500105]" in str(problems[0])


def test_sites_layer_has_a_point_and_precision_for_every_site(kb):
    sites = load_sites(kb)
    assert len(sites) == len(kb.sites)
    assert sites["id"].is_unique
    located = sites["precision"] != "unknown"
    # Every site whose district is known has a point; the few "unknown" ones have none.
    assert sites.loc[located].geometry.notna().all()
    assert sites.loc[located, "lon"].between(105, 111).all() and sites.loc[located, "lat"].between(28, 33).all()
    assert sites.loc[~located].geometry.isna().all()
    assert (sites.loc[~located, "districts"].map(len) == 0).all()
    assert located.mean() > 0.9
    assert set(sites["precision"]) <= set(PRECISIONS)
    counts = precision_counts(kb)
    assert sum(counts.values()) == len(kb.sites)
    assert set(PRECISION_RADIUS_M) == set(PRECISIONS)


def test_district_centroid_sites_sit_on_their_districts_representative_point(kb):
    sites = load_sites(kb).set_index("id")
    districts = load_districts().set_index("adcode")
    for s in kb.sites:
        if s.location.precision == "district_centroid":
            pt = sites.loc[s.id, "geometry"]
            assert pt.equals(districts.loc[s.districts[0], "geometry"].representative_point())


def test_regional_centres(kb):
    centres = load_centres(kb)
    assert set(centres["name_zh"]) == {"万州", "涪陵", "永川", "黔江"}
    qianjiang = centres.set_index("name_zh").loc["黔江"]
    assert qianjiang["plans"] == ["003"]  # added in 2026
