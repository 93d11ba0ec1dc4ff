"""Batch exports for reports: figures for one filter state or the standard set, with an index."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from tqdm import tqdm

from app.figures import render_figure
from layers.filters import file_name
from layers.filters import Filters
from seeds.loader import KnowledgeBase


def standard_states(kb: KnowledgeBase, lang: str = "zh") -> list[tuple[str, Filters]]:
    """The standard set: one figure per framework, per sector and per horizon.

    Returns ``(group, filters)`` pairs; the group heads the index section.
    """
    states: list[tuple[str, Filters]] = []
    for fw in kb.frameworks:
        states.append(("framework", Filters(framework=fw.id, lang=lang)))
    for s in kb.sectors:
        states.append(("sector", Filters(sectors=(s.id,), lang=lang)))
    for h in ("2022", "2025", "2027"):
        states.append(("horizon", Filters(horizon=h, lang=lang)))
    return states


def export_figures(
    kb: KnowledgeBase, states: list[tuple[str, Filters]], fmt: str, out_dir: Path, progress: bool = True
) -> Path:
    """Write one figure per state into ``out_dir`` and an ``index.md`` listing them.

    Returns the index path.  A progress bar goes to stderr when ``progress``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for group, f in tqdm(states, desc=f"figures ({fmt})", unit="fig", disable=not progress):
        name = file_name(f, fmt)
        _, info = render_figure(kb, f, fmt, out_dir / name)
        shown = len(info.labelled) + len(info.numbered) + len(info.unlabelled)
        rows.append((group, name, info.title, shown))
    lines = [
        f"# Chongqing Service Atlas — figures ({fmt.upper()}), {dt.date.today().isoformat()}",
        "",
        "| group | file | title | sites drawn |",
        "|---|---|---|---|",
    ]
    for group, name, title, shown in rows:
        lines.append(f"| {group} | [{name}]({name}) | {html.escape(title)} | {shown} |")
    index = out_dir / "index.md"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index
