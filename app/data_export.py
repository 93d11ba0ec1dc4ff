"""Write the knowledge base's flat tables to CSV (UTF-8 with BOM, for Excel) or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pandas as pd

from layers.tables import all_tables
from seeds.loader import KnowledgeBase

Format = Literal["csv", "json"]
LIST_SEPARATOR = ";"


def _is_list_column(series: pd.Series) -> bool:
    return bool(len(series)) and series.map(lambda v: isinstance(v, list)).any()


def flatten_lists(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with list cells joined by ``;``: CSV cells, GeoPackage and GeoJSON properties hold scalars."""
    out = df.copy()
    for col in out.columns:
        if _is_list_column(out[col]):
            out[col] = out[col].map(lambda v: LIST_SEPARATOR.join(str(x) for x in v) if isinstance(v, list) else v)
    return out


def export_tables(kb: KnowledgeBase, out_dir: Path | str, fmt: Format = "csv") -> list[Path]:
    """Write every table of the knowledge base into ``out_dir``.

    Parameters
    ----------
    kb : KnowledgeBase
        A validated knowledge base.
    out_dir : Path or str
        Directory to write into; created if missing.  Existing files of the same
        names are replaced.
    fmt : {"csv", "json"}
        CSV is UTF-8 with a byte-order mark so Excel shows Chinese; list cells are
        joined with ``;``.  JSON is an array of objects per table, lists kept.

    Returns
    -------
    list of Path
        The files written.
    """
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown format {fmt!r}; choose 'csv' or 'json'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in all_tables(kb).items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            flatten_lists(df).to_csv(path, index=False, encoding="utf-8-sig")
        else:
            records = json.loads(df.to_json(orient="records", force_ascii=False))
            path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    return written
