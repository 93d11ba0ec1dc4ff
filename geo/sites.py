"""Site and regional-centre points: WGS-84 locations with precision, checked against districts.

A site's record gives a WGS-84 point from public knowledge with a precision class,
or no point and precision ``district_centroid``: then it sits at its (first)
district's representative point, which always lies inside the district.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo.boundaries import load_districts, representative_points
from seeds.loader import KnowledgeBase
from seeds.schema import PRECISIONS, Location

# Upper bound of each precision class in metres, for display ("±2 km") and tests.
PRECISION_RADIUS_M: dict[str, float | None] = {
    "exact": 200.0,
    "approx_2km": 2000.0,
    "approx_10km": 10000.0,
    "district_centroid": None,
    "unknown": None,
}
def _point(location: Location, districts: list[int], reps: dict[int, shapely.Point]) -> shapely.Point | None:
    if location.precision == "unknown":
        return None
    if location.precision == "district_centroid":
        return reps[districts[0]]
    return shapely.Point(location.lon, location.lat)


def load_sites(kb: KnowledgeBase) -> gpd.GeoDataFrame:
    """Return every site of the knowledge base as a WGS-84 point GeoDataFrame.

    Parameters
    ----------
    kb : KnowledgeBase
        A validated knowledge base (:func:`seeds.loader.load_kb`).

    Returns
    -------
    GeoDataFrame
        One row per site: ``id``, ``name_zh``, ``name_en``, ``category``, ``sectors``
        (list), ``districts`` (list of adcodes), ``district_adcode`` (the first),
        ``plans`` and ``horizons`` (sorted lists from the references), ``precision``,
        ``location_method``, ``lon``, ``lat`` and point ``geometry`` — empty (None)
        for the few sites whose location is ``unknown``.
    """
    return kb.memo(("geo.sites",), lambda: _build_sites(kb)).copy()


def _build_sites(kb: KnowledgeBase) -> gpd.GeoDataFrame:
    reps = dict(zip(*representative_points().pipe(lambda d: (d["adcode"], d.geometry))))
    rows = []
    for s in kb.sites:
        pt = _point(s.location, s.districts, reps)
        rows.append(
            {
                "id": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "aliases": list(s.aliases),
                "category": s.category,
                "sectors": list(s.sectors),
                "districts": list(s.districts),
                "district_adcode": s.districts[0] if s.districts else None,
                "plans": sorted({r.plan for r in s.refs}),
                "horizons": sorted({r.horizon for r in s.refs}),
                "precision": s.location.precision,
                "location_method": s.location.method,
                "lon": round(pt.x, 6) if pt else None,
                "lat": round(pt.y, 6) if pt else None,
                "geometry": pt,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def load_centres(kb: KnowledgeBase) -> gpd.GeoDataFrame:
    """Return the regional service-centre cities of every framework as WGS-84 points."""
    reps = dict(zip(*representative_points().pipe(lambda d: (d["adcode"], d.geometry))))
    rows = []
    for f in kb.frameworks:
        for c in f.centres:
            pt = _point(c.location, [c.adcode], reps)
            rows.append(
                {
                    "id": c.id,
                    "framework": f.id,
                    "name_zh": c.name_zh,
                    "name_en": c.name_en,
                    "district_adcode": c.adcode,
                    "plans": sorted({r.plan for r in c.refs}),
                    "horizons": sorted({r.horizon for r in c.refs}),
                    "precision": c.location.precision,
                    "geometry": pt,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@dataclass(frozen=True)
class LocationProblem:
    """A point that does not lie in any of the districts its record names."""

    kind: str
    id: str
    lon: float
    lat: float
    districts: tuple[int, ...]
    found_in: int | None

    def __str__(self) -> str:
        where = f"district {self.found_in}" if self.found_in else "no district of Chongqing"
        return (
            f"{self.kind} {self.id!r}: point ({self.lon:.5f}, {self.lat:.5f}) lies in {where}, "
            f"not in its recorded district(s) {list(self.districts)}; fix the point or the districts"
        )


def check_locations(kb: KnowledgeBase) -> list[LocationProblem]:
    """Find every site or centre whose point lies outside the district(s) it names.

    Uses the full-resolution boundaries: a point within its district there is
    within it in reality up to the source's accuracy.
    """
    districts = load_districts("full")[["adcode", "geometry"]]
    sites = load_sites(kb)
    sites = sites.loc[sites.geometry.notna(), ["id", "districts", "geometry"]].assign(kind="site")
    centres = load_centres(kb)
    centres = centres.assign(kind="centre", districts=centres["district_adcode"].map(lambda a: [a]))
    points = pd.concat([sites, centres[["id", "districts", "geometry", "kind"]]], ignore_index=True)
    points = gpd.GeoDataFrame(points, geometry="geometry", crs="EPSG:4326")
    joined = gpd.sjoin(points, districts, how="left", predicate="within")
    found = joined.groupby(level=0)["adcode"].agg(lambda s: {int(a) for a in s.dropna()})
    problems = []
    for i, row in points.iterrows():
        if not found[i] & set(row["districts"]):
            inside = sorted(found[i])
            problems.append(
                LocationProblem(
                    row["kind"], row["id"], row.geometry.x, row.geometry.y,
                    tuple(row["districts"]), inside[0] if inside else None,
                )
            )
    return problems


def precision_counts(kb: KnowledgeBase) -> dict[str, int]:
    """Number of sites per precision class, every class listed (zero included)."""
    counts = Counter(s.location.precision for s in kb.sites)
    return {p: counts.get(p, 0) for p in PRECISIONS}
