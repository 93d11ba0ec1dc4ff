"""Benchmarks of the interactive atlas against the naive baseline, in the same run.

    python -m benchmarks.bench_atlas            # prints medians and ratios

Budgets (issue "interactive atlas"): default map payload ≤ 400 KB; filter-change
render median ≤ 100 ms; app start to first answer ≤ 5 s.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import warnings

from benchmarks.naive_map import naive_map
from layers.filters import Filters
from layers.folium_map import build_map
from seeds.loader import load_kb

# Filter changes a user makes in one session: sector, horizon, framework, language, plan, area.
FILTER_STATES = [
    Filters(sectors=("logistics",)),
    Filters(sectors=("logistics",), horizon="2027"),
    Filters(sectors=("finance",), horizon="2025"),
    Filters(framework="f2019"),
    Filters(framework="f2020", lang="en"),
    Filters(plans=("002",)),
    Filters(area="500105"),
    Filters(categories=("business_district",)),
    Filters(q="港"),
    Filters(sectors=("culture_tourism", "health")),
    Filters(horizon="2022", framework="f2019"),
    Filters(basemap="gaode"),
]


def _render(kb, f) -> str:
    return build_map(kb, f).get_root().render()


def _time(fn, states) -> list[float]:
    out = []
    for f in states:
        t0 = time.perf_counter()
        fn(f)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_start_seconds() -> float:
    """Seconds from launching ``cqatlas serve`` to the first HTTP answer of ``/``."""
    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                return time.perf_counter() - t0
            except OSError:
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError("the app did not answer within 60 s")
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    warnings.simplefilter("ignore")
    kb = load_kb()
    ours_default = _render(kb, Filters()).encode()
    naive_default = naive_map(kb, Filters()).encode()
    print(f"default map payload: atlas {len(ours_default) / 1024:.0f} KB, naive {len(naive_default) / 1024:.0f} KB, "
          f"ratio {len(naive_default) / len(ours_default):.1f}x (budget ≤ 400 KB)")
    # The atlas's geometry caches are warm after the first page, as in a running app;
    # each state below is new to the page cache, so every one is a full render.
    ours = _time(lambda f: _render(kb, f), FILTER_STATES)
    naive = _time(lambda f: naive_map(kb, f), FILTER_STATES)
    mo, mn = statistics.median(ours), statistics.median(naive)
    print(f"filter-change render median over {len(FILTER_STATES)} states: atlas {mo:.0f} ms, naive {mn:.0f} ms, "
          f"ratio {mn / mo:.1f}x (budget ≤ 100 ms)")
    starts = [app_start_seconds() for _ in range(3)]
    print(f"app start to first answer, median of 3: {statistics.median(starts):.2f} s (budget ≤ 5 s)")


if __name__ == "__main__":
    main()
