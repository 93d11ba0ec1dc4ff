"""Datum transforms: published test points, round trips over Chongqing, pass-through outside China."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.datum import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    out_of_china,
    transform_gdf,
    wgs84_to_gcj02,
)

# Published test vectors of the GCJ-02 algorithm (wgs lat, wgs lon, gcj lat, gcj lon), as used
# by the eviltransform implementations' test suites (Shanghai, Shenzhen, Beijing).
PUBLISHED_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
_GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("wlat, wlon, glat, glon", PUBLISHED_GCJ)
def test_forward_reproduces_published_points(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("wlat, wlon, glat, glon", PUBLISHED_GCJ)
def test_inverse_recovers_published_wgs84(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    _, _, dist = _GEOD.inv(lon, lat, wlon, wlat)
    assert dist < 0.01  # metres


def test_bd09_to_gcj02_published_point():
    # Published BD-09 → GCJ-02 test vector (coordtransform implementations): Tiananmen area.
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.39762729119315, abs=1e-9)
    assert lat == pytest.approx(39.90865673957631, abs=1e-9)


def test_round_trip_under_half_a_metre_across_chongqing():
    # A dense grid over Chongqing's extent (105.2–110.3°E, 28.1–32.3°N).
    lon, lat = np.meshgrid(np.linspace(105.2, 110.3, 120), np.linspace(28.1, 32.3, 100))
    glon, glat = wgs84_to_gcj02(lon, lat)
    # The offset itself is hundreds of metres: the round trip must undo all of it.
    _, _, offset = _GEOD.inv(lon.ravel(), lat.ravel(), glon.ravel(), glat.ravel())
    assert offset.min() > 100
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    _, _, err = _GEOD.inv(lon.ravel(), lat.ravel(), wlon.ravel(), wlat.ravel())
    assert err.max() < 0.5


def test_bd09_round_trip_through_gcj02():
    lon, lat = 106.55, 29.56
    glon, glat = wgs84_to_gcj02(lon, lat)
    # BD-09 forward (published closed form) to feed the inverse under test.
    z = np.hypot(glon, glat) + 0.00002 * np.sin(glat * np.pi * 3000 / 180)
    theta = np.arctan2(glat, glon) + 0.000003 * np.cos(glon * np.pi * 3000 / 180)
    blon, blat = z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006
    wlon, wlat = bd09_to_wgs84(blon, blat)
    _, _, err = _GEOD.inv(lon, lat, wlon, wlat)
    assert err < 1.0


def test_outside_china_passes_through():
    pts_lon = np.array([0.0, -74.0, 139.7, 151.2])
    pts_lat = np.array([0.0, 40.7, 35.7, -33.9])
    assert out_of_china(pts_lon, pts_lat).all()
    for fn in (wgs84_to_gcj02, gcj02_to_wgs84, bd09_to_gcj02):
        lon, lat = fn(pts_lon, pts_lat)
        np.testing.assert_array_equal(lon, pts_lon)
        np.testing.assert_array_equal(lat, pts_lat)


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="same shape"):
        wgs84_to_gcj02([106.5, 106.6], [29.5])


def test_transform_gdf_shifts_every_vertex_and_records_datum():
    gdf = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.LineString([(106.5, 29.5), (106.6, 29.6)])], crs="EPSG:4326"
    )
    out = transform_gdf(gdf, "wgs84", "gcj02")
    coords = shapely.get_coordinates(out.geometry.values)
    expected = np.column_stack(wgs84_to_gcj02([106.5, 106.6], [29.5, 29.6]))
    np.testing.assert_allclose(coords, expected)
    assert out.attrs["datum"] == "gcj02"
    back = transform_gdf(out, "gcj02", "wgs84")
    np.testing.assert_allclose(shapely.get_coordinates(back.geometry.values), [[106.5, 29.5], [106.6, 29.6]], atol=1e-9)
    with pytest.raises(ValueError, match="no datum transform"):
        transform_gdf(gdf, "gcj02", "bd09")
    with pytest.raises(ValueError, match="EPSG:4326"):
        transform_gdf(gdf.to_crs(3857), "wgs84", "gcj02")
