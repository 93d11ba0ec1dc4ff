"""The knowledge base as flat tables (one pandas DataFrame per table) for export and display.

Lists inside a cell (sectors, plans, horizons) stay Python lists here; writers
decide how to serialise them (CSV joins them with ``;``, JSON keeps arrays).
"""

from __future__ import annotations

import pandas as pd

from geo.sites import load_sites
from seeds.loader import KnowledgeBase

TABLE_NAMES = ("plans", "sectors", "zones", "sites", "site_plans", "targets")


def plans_table(kb: KnowledgeBase) -> pd.DataFrame:
    rows = []
    for p in kb.plans:
        row = p.model_dump(exclude={"citation"})
        row.update(clause=p.citation.clause, quote=p.citation.quote, quote_plan=p.citation.plan)
        rows.append(row)
    return pd.DataFrame(rows)


def sectors_table(kb: KnowledgeBase) -> pd.DataFrame:
    rows = []
    for s in kb.sectors:
        row = s.model_dump(exclude={"aliases"})
        for plan in kb.plans:
            row[f"aliases_{plan.id}"] = list(s.aliases.get(plan.id, []))
        rows.append(row)
    return pd.DataFrame(rows)


def zones_table(kb: KnowledgeBase) -> pd.DataFrame:
    """One row per (framework, zone, district): who is in which zone, and on what basis."""
    names = {d.adcode: d for d in kb.districts}
    rows = []
    for f in kb.frameworks:
        for z in f.zones:
            for code in z.members:
                rows.append(
                    {
                        "framework": f.id,
                        "framework_zh": f.name_zh,
                        "zone": z.id,
                        "zone_zh": z.name_zh,
                        "zone_en": z.name_en,
                        "district_adcode": code,
                        "district_zh": names[code].name_zh,
                        "district_en": names[code].name_en,
                        "basis": "named" if code in z.named else "conventional",
                        "sectors": list(z.sectors),
                    }
                )
    return pd.DataFrame(rows)


def sites_table(kb: KnowledgeBase) -> pd.DataFrame:
    sites = load_sites(kb)
    cols = [
        "id", "name_zh", "name_en", "aliases", "category", "sectors", "district_adcode", "districts",
        "lon", "lat", "precision", "location_method", "plans", "horizons",
    ]
    return pd.DataFrame(sites[cols])


def site_plans_table(kb: KnowledgeBase) -> pd.DataFrame:
    rows = []
    for s in kb.sites:
        for r in s.refs:
            rows.append({"site_id": s.id, "name_zh": s.name_zh, **r.model_dump()})
    return pd.DataFrame(rows)


def targets_table(kb: KnowledgeBase) -> pd.DataFrame:
    cols = [
        "id", "indicator", "plan", "kind", "scope", "scope_adcode", "indicator_zh", "indicator_en", "sector",
        "unit", "unit_original", "base_year", "base_value", "target_year", "target_value", "comparator",
        "value_text", "growth_rate_pct", "growth_text", "clause", "quote", "note",
    ]
    df = pd.DataFrame([t.model_dump() for t in kb.targets], columns=cols)
    return df.rename(columns={"indicator": "indicator_id"})


def all_tables(kb: KnowledgeBase) -> dict[str, pd.DataFrame]:
    """Every export table, keyed by name (see ``TABLE_NAMES``)."""
    return {
        "plans": plans_table(kb),
        "sectors": sectors_table(kb),
        "zones": zones_table(kb),
        "sites": sites_table(kb),
        "site_plans": site_plans_table(kb),
        "targets": targets_table(kb),
    }
