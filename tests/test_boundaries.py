"""District boundaries: the real vendored polygons, their area, coverage and simplification."""

import pytest
import shapely

from geo.boundaries import (
    EQUAL_AREA_CRS,
    OFFICIAL_AREA_KM2,
    SIMPLIFY_TOLERANCE,
    area_km2,
    load_districts,
    representative_points,
)
from seeds.loader import load_kb


def test_38_valid_districts_matching_the_knowledge_base():
    d = load_districts()
    assert len(d) == 38
    assert d["adcode"].is_unique
    assert d.geometry.is_valid.all()
    assert set(d.geom_type) <= {"Polygon", "MultiPolygon"}
    kb_codes = {x.adcode: x.name_zh for x in load_kb().districts}
    assert dict(zip(d["adcode"], d["name_zh"])) == kb_codes
    assert d.crs.to_epsg() == 4326


def test_union_area_within_1_5_percent_of_official_area():
    total = area_km2(load_districts()).sum()
    assert abs(total - OFFICIAL_AREA_KM2) / OFFICIAL_AREA_KM2 < 0.015


def test_no_overlaps_between_districts():
    d = load_districts()
    assert shapely.coverage_is_valid(d.geometry.values)
    union_area = shapely.union_all(d.to_crs(EQUAL_AREA_CRS).geometry.values).area
    assert d.to_crs(EQUAL_AREA_CRS).area.sum() - union_area < 1.0  # m²


@pytest.mark.parametrize("level", [lvl for lvl in SIMPLIFY_TOLERANCE if lvl != "full"])
def test_simplified_levels_keep_a_gapless_coverage(level):
    full = load_districts("full")
    simple = load_districts(level)
    assert simple.geometry.is_valid.all()
    assert shapely.coverage_is_valid(simple.geometry.values)
    # Fewer vertices than the source, or the level is pointless.
    assert shapely.get_num_coordinates(simple.geometry.values).sum() < 0.8 * shapely.get_num_coordinates(
        full.geometry.values
    ).sum()
    # No gaps or slivers opened: the simplified districts tile exactly the area they cover.
    s = simple.to_crs(EQUAL_AREA_CRS)
    assert s.area.sum() - shapely.union_all(s.geometry.values).area < 1.0  # m²
    # And the outline stays close to the source: area changes by well under 0.1 %.
    assert abs(s.area.sum() / 1e6 - area_km2(full).sum()) / area_km2(full).sum() < 0.001
    # Each district keeps its own area: within 1 % (fine), 2 % (medium), 5 % (coarse, for
    # overviews where 渝中's 23 km² is a few pixels).
    bound = {"fine": 0.01, "medium": 0.02, "coarse": 0.05}[level]
    ratio = area_km2(simple) / area_km2(full)
    assert ratio.between(1 - bound, 1 + bound).all()


def test_representative_points_fall_inside_their_district():
    d = load_districts()
    pts = representative_points()
    assert all(g.within(p) for g, p in zip(pts.geometry, d.geometry))


def test_unknown_level_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown level 'tiny'"):
        load_districts("tiny")
