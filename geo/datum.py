"""Datum shifts between WGS-84, GCJ-02 and BD-09, vectorised with numpy.

GCJ-02 is the obfuscated datum Chinese map services (Amap/Gaode, Tencent) publish in;
BD-09 is Baidu's further offset of it.  The atlas stores everything in WGS-84 and
converts at the edges: boundaries arrive from Amap in GCJ-02, Gaode tiles need
GCJ-02 overlays.  By the convention of every published implementation, a point
outside China's rough bounding box passes through unchanged.

The forward transform WGS-84 → GCJ-02 is the published closed form; its inverse has
no closed form, so :func:`gcj02_to_wgs84` iterates the forward transform (fixed-point
iteration converges to well under a millimetre in a handful of steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

# Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> npt.NDArray[np.bool_]:
    """Tell which points lie outside the box where the GCJ-02 offset applies."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (degrees) at WGS-84 point(s)."""
    x = lon - 105.0
    y = lat - 35.0
    common = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (common + 20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (common + 20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_float_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat must have the same shape, got {lon_a.shape} and {lat_a.shape}")
    return lon_a, lat_a


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 longitude/latitude (degrees) to GCJ-02.

    Parameters
    ----------
    lon, lat : array_like
        WGS-84 coordinates in degrees; scalars or arrays of the same shape.

    Returns
    -------
    (ndarray, ndarray)
        GCJ-02 longitude and latitude; points outside China are returned unchanged.
    """
    lon_a, lat_a = _as_float_arrays(lon, lat)
    dlon, dlat = _delta(lon_a, lat_a)
    outside = out_of_china(lon_a, lat_a)
    return np.where(outside, lon_a, lon_a + dlon), np.where(outside, lat_a, lat_a + dlat)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude to WGS-84 by iterating the forward transform.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 coordinates in degrees.
    tol : float
        Stop when every point moves less than this many degrees in one step
        (1e-10° ≈ 0.01 mm).
    max_iter : int
        Upper bound on iterations; convergence normally takes 3–5.

    Returns
    -------
    (ndarray, ndarray)
        WGS-84 longitude and latitude; points outside China unchanged.
    """
    g_lon, g_lat = _as_float_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        step_lon, step_lat = f_lon - g_lon, f_lat - g_lat
        w_lon = w_lon - step_lon
        w_lat = w_lat - step_lat
        if np.all(np.abs(step_lon) < tol) and np.all(np.abs(step_lat) < tol):
            break
    outside = out_of_china(g_lon, g_lat)
    return np.where(outside, g_lon, w_lon), np.where(outside, g_lat, w_lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert Baidu BD-09 longitude/latitude to GCJ-02 (closed form)."""
    b_lon, b_lat = _as_float_arrays(lon, lat)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    outside = out_of_china(b_lon, b_lat)
    return np.where(outside, b_lon, z * np.cos(theta)), np.where(outside, b_lat, z * np.sin(theta))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert Baidu BD-09 longitude/latitude to WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TRANSFORMS = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def _transform_fn(source: str, target: str):
    try:
        return _TRANSFORMS[(source, target)]
    except KeyError:
        known = ", ".join(f"{a}→{b}" for a, b in _TRANSFORMS)
        raise ValueError(f"no datum transform {source}→{target}; available: {known}") from None


def transform_geometries(geoms: ArrayLike, source: str, target: str) -> npt.NDArray[np.object_]:
    """Apply a datum shift to every vertex of shapely geometries.

    Parameters
    ----------
    geoms : array_like of shapely.Geometry
        Geometries in ``source`` datum (lon/lat degrees).
    source, target : {"wgs84", "gcj02", "bd09"}
        Datums; see module docstring for the supported pairs.

    Returns
    -------
    ndarray of shapely.Geometry
    """
    fn = _transform_fn(source, target)

    def shift(coords: FloatArray) -> FloatArray:
        lon, lat = fn(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geoms, dtype=object), shift)


def transform_gdf(gdf: gpd.GeoDataFrame, source: str, target: str) -> gpd.GeoDataFrame:
    """Return a copy of a lon/lat GeoDataFrame with its geometry shifted between datums.

    The CRS stays EPSG:4326: GCJ-02 and BD-09 have no EPSG code, they are
    offsets applied to WGS-84 degrees.  The frame's ``attrs["datum"]`` records
    which datum the coordinates are in.
    """
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        raise ValueError(f"expected lon/lat coordinates (EPSG:4326), got {gdf.crs}; call .to_crs(4326) first")
    out = gdf.copy()
    out.geometry = transform_geometries(gdf.geometry.values, source, target)
    out.attrs["datum"] = target
    return out
