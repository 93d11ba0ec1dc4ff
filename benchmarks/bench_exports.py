"""Export benchmarks against a naive baseline in the same run.

    python -m benchmarks.bench_exports           # one figure of the full city, payload sizes
    python -m benchmarks.bench_exports --all     # also the full standard set, timed

Budget (issue "report exports"): one PDF figure of the full city in ≤ 3 s median.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from io import BytesIO
from pathlib import Path

import matplotlib.pyplot as plt

from app.batch import export_figures, standard_states
from app.exports import export_data_bytes, standalone_html
from app.figures import cjk_family, render_figure
from geo.boundaries import METRIC_CRS, load_districts
from geo.sites import load_sites
from layers.filters import Filters
from seeds.loader import load_kb


def naive_pdf(kb) -> bytes:
    """The first thing one writes: full-resolution polygons, every name annotated, PDF."""
    plt.rcParams["font.sans-serif"] = [cjk_family(), "DejaVu Sans"]
    plt.rcParams["pdf.fonttype"] = 42
    fig, ax = plt.subplots(figsize=(11.69, 8.27))
    load_districts("full").to_crs(METRIC_CRS).plot(ax=ax, color="#eee", edgecolor="#888", linewidth=0.3)
    sites = load_sites(kb).dropna(subset=["lon"]).to_crs(METRIC_CRS)
    ax.scatter(sites.geometry.x, sites.geometry.y, s=20)
    for row in sites.itertuples():
        ax.annotate(row.name_zh, (row.geometry.x, row.geometry.y), fontsize=6)
    buf = BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def _median_seconds(fn, n=3) -> float:
    fn()  # warm caches (fonts, geometry), as in a running app
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="also time the full standard set")
    args = parser.parse_args()
    kb = load_kb()
    ours = _median_seconds(lambda: render_figure(kb, Filters(), "pdf"))
    naive = _median_seconds(lambda: naive_pdf(kb))
    print(f"PDF figure of the full city, median of 3: atlas {ours:.2f} s, naive {naive:.2f} s, "
          f"ratio {naive / ours:.1f}x (budget ≤ 3 s)")
    f = Filters(sectors=("logistics",), horizon="2027")
    sizes = {fmt: len(render_figure(kb, f, fmt)[0]) for fmt in ("png", "pdf", "svg")}
    sizes["html"] = len(standalone_html(kb, f).encode())
    for fmt in ("geojson", "gpkg", "csv"):
        sizes[fmt] = len(export_data_bytes(kb, f, fmt)[1])
    print("payloads for logistics 2027: " + ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sizes.items()))
    if args.all:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            export_figures(kb, standard_states(kb), "pdf", Path(tmp))
            n = len(standard_states(kb))
            print(f"standard set: {n} PDF figures in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
