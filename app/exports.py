"""Exports of the current view: standalone HTML map, GeoJSON, GeoPackage and CSV.

Every export takes the same :class:`~layers.filters.Filters` as the map, so what a
report author downloads is what they see.  Geometry is written in WGS-84 whatever
basemap is chosen (GCJ-02 is a display shift, not a datum to store).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from app.data_export import flatten_lists
from app.mapserver import render_map_page
from app.vendor import inline_html
from geo.boundaries import load_districts
from geo.zones import load_zones
from layers.filters import Filters, file_name, filter_sites
from layers.maplayers import district_properties
from layers.tables import sites_table
from seeds.loader import KnowledgeBase

DATA_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "csv")


def standalone_html(kb: KnowledgeBase, f: Filters) -> str:
    """The interactive map of ``f`` as one HTML file: every script, style and font inlined,
    so it opens offline with no server (map tiles aside)."""
    return inline_html(render_map_page(kb, f))


def sites_gdf(kb: KnowledgeBase, f: Filters) -> gpd.GeoDataFrame:
    """The filtered sites with their table columns, WGS-84 points (none if location unknown)."""
    ids = {s.id for s in filter_sites(kb, f)}
    table = sites_table(kb)
    table = table[table["id"].isin(ids)].reset_index(drop=True)
    geom = gpd.points_from_xy(table["lon"], table["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(flatten_lists(table), geometry=geom, crs="EPSG:4326")


def districts_gdf(kb: KnowledgeBase, f: Filters) -> gpd.GeoDataFrame:
    """Districts (full resolution, WGS-84) with zone and counts of the filtered sites."""
    d = load_districts("full")
    props = pd.DataFrame(district_properties(kb, f)).drop(columns=["colour"])
    return d.merge(props.drop(columns=["name"]), on="adcode")


def zones_gdf(kb: KnowledgeBase, f: Filters) -> gpd.GeoDataFrame:
    z = load_zones(kb, f.framework, "full")
    z["functions"] = z["functions"].map(lambda fns: " | ".join(f"[{x['plan']}] {x['clause']}: {x['quote']}" for x in fns))
    return flatten_lists(z)


def write_geojson(kb: KnowledgeBase, f: Filters, path: Path) -> Path:
    """The filtered sites as RFC 7946 GeoJSON (WGS-84 lon/lat, no crs member)."""
    sites = sites_gdf(kb, f)
    sites = sites[sites.geometry.notna() & ~sites.geometry.is_empty]
    sites.to_file(path, driver="GeoJSON", RFC7946="YES", engine="pyogrio")
    return path


def write_gpkg(kb: KnowledgeBase, f: Filters, path: Path) -> Path:
    """A GeoPackage with layers ``districts``, ``zones`` and ``sites`` (EPSG:4326)."""
    path.unlink(missing_ok=True)
    # GeoPackage 1.2: readable by every GDAL still in use (Debian 12 ships 3.6).
    districts_gdf(kb, f).to_file(path, layer="districts", driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
    zones_gdf(kb, f).to_file(path, layer="zones", driver="GPKG", engine="pyogrio", append=True)
    sites = sites_gdf(kb, f)
    sites.to_file(path, layer="sites", driver="GPKG", engine="pyogrio", append=True)
    return path


def write_csv(kb: KnowledgeBase, f: Filters, path: Path) -> Path:
    """The filtered sites as CSV, UTF-8 with BOM so Excel shows Chinese."""
    sites = sites_gdf(kb, f).drop(columns="geometry")
    sites.to_csv(path, index=False, encoding="utf-8-sig")
    return path


WRITERS = {"geojson": write_geojson, "gpkg": write_gpkg, "csv": write_csv}


def export_data_bytes(kb: KnowledgeBase, f: Filters, fmt: str) -> tuple[str, bytes]:
    """``(file name, content)`` of one data export, for download buttons."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown data format {fmt!r}; choose one of {', '.join(DATA_FORMATS)}")
    kind = "data" if fmt == "gpkg" else "sites"
    name = file_name(f, fmt, kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = WRITERS[fmt](kb, f, Path(tmp) / name)
        return name, path.read_bytes()
