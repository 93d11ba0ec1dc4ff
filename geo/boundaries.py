"""District boundaries of Chongqing: loading, display simplification, metric areas.

The vendored file ``geo/data/chongqing_districts.geojson`` holds the 38 county-level
divisions in WGS-84 (see ``geo/data/SOURCE.md``; rebuilt by :mod:`geo.build_districts`).
Display variants are simplified as a *coverage* (``shapely.coverage_simplify``), so
neighbouring districts keep one shared border: no gaps or slivers open between them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import geopandas as gpd
import shapely

from geo.build_districts import DISTRICTS_FILE

Level = Literal["full", "fine", "medium", "coarse"]

# Simplification tolerance in degrees per display level (1e-3° ≈ 100 m here).
# fine: zoomed-in city views; medium: the whole-city default; coarse: overview
# thumbnails and the locator inset.
SIMPLIFY_TOLERANCE: dict[str, float] = {"full": 0.0, "fine": 0.0005, "medium": 0.002, "coarse": 0.005}

# Albers equal-area conic fitted to Chongqing (standard parallels 28.5°N, 31.5°N):
# areas in m² with negligible scale error over the city's extent.
EQUAL_AREA_CRS = "+proj=aea +lat_0=30 +lon_0=107.7 +lat_1=28.5 +lat_2=31.5 +datum=WGS84 +units=m +no_defs"
# UTM zone 48N: metric CRS for distances and scale bars (Chongqing spans 105.3°E–110.2°E).
METRIC_CRS = "EPSG:32648"

# Chongqing's official land area (重庆市统计局), the reference for the boundary check.
OFFICIAL_AREA_KM2 = 82402.0


@lru_cache(maxsize=None)
def _districts(level: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(DISTRICTS_FILE)
    gdf["adcode"] = gdf["adcode"].astype(int)
    tol = SIMPLIFY_TOLERANCE[level]
    if tol:
        gdf = gdf.set_geometry(shapely.coverage_simplify(gdf.geometry.values, tol))
    return gdf.sort_values("adcode").reset_index(drop=True)


def load_districts(level: Level = "full") -> gpd.GeoDataFrame:
    """Return the 38 districts of Chongqing as a WGS-84 GeoDataFrame.

    Parameters
    ----------
    level : {"full", "fine", "medium", "coarse"}
        ``"full"`` is the source resolution; the others are coverage-simplified
        display variants (see ``SIMPLIFY_TOLERANCE``).

    Returns
    -------
    GeoDataFrame
        Columns ``adcode`` (int), ``name_zh``, ``short_zh``, ``name_en``, ``kind``,
        ``geometry`` (EPSG:4326), sorted by adcode.  A fresh copy each call.
    """
    if level not in SIMPLIFY_TOLERANCE:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(SIMPLIFY_TOLERANCE)}")
    return _districts(level).copy()


def area_km2(gdf: gpd.GeoDataFrame) -> gpd.pd.Series:
    """Area of each geometry in km², measured in an equal-area projection."""
    return gdf.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6


def representative_points(level: Level = "full") -> gpd.GeoDataFrame:
    """A point guaranteed inside each district (``representative_point``), keyed by adcode.

    Used for sites whose exact place is unknown ("district centroid" precision):
    unlike the centroid it cannot fall outside a crescent-shaped district.
    """
    d = load_districts(level)
    return d.set_geometry(d.geometry.representative_point())
