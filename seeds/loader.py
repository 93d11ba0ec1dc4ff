"""Load and validate the whole knowledge base in ``seeds/kb/``.

:func:`load_kb` returns a :class:`KnowledgeBase` or raises :class:`KnowledgeBaseError`
listing every problem found, each naming the file, the record and the reason.  The
checks: each record's own schema (:mod:`seeds.schema`), unique ids, references
between tables (sector, plan, district adcode, indicator), years within the citing
plan's span, every district in exactly one zone per framework, and every quote
found verbatim (whitespace aside) in the document it cites.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from seeds import text
from seeds.schema import (
    Citation,
    District,
    Framework,
    Indicator,
    Plan,
    Sector,
    Site,
    Target,
)

KB_DIR = Path(__file__).resolve().parent / "kb"
# A figure as the documents write it: "1.4", "3800", "2—3" gives "2" and "3".
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

# file name -> (top-level key, record model, id field)
TABLES: dict[str, tuple[str, type[BaseModel], str]] = {
    "plans.yaml": ("plans", Plan, "id"),
    "sectors.yaml": ("sectors", Sector, "id"),
    "districts.yaml": ("districts", District, "adcode"),
    "frameworks.yaml": ("frameworks", Framework, "id"),
    "indicators.yaml": ("indicators", Indicator, "id"),
    "sites.yaml": ("sites", Site, "id"),
    "targets.yaml": ("targets", Target, "id"),
}

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Issue:
    """One problem in the knowledge base."""

    file: str
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.reason}"


class KnowledgeBaseError(ValueError):
    """The knowledge base failed validation; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        shown = "\n".join(f"  - {i}" for i in issues[:50])
        more = f"\n  … and {len(issues) - 50} more" if len(issues) > 50 else ""
        super().__init__(f"knowledge base has {len(issues)} problem(s):\n{shown}{more}")


@dataclass
class KnowledgeBase:
    """All tables of the knowledge base, validated."""

    plans: list[Plan]
    sectors: list[Sector]
    districts: list[District]
    frameworks: list[Framework]
    indicators: list[Indicator]
    sites: list[Site]
    targets: list[Target]
    path: Path = field(default=KB_DIR)
    # Derived data (geometries joined with records) memoised by geo/ and layers/; it is
    # recomputed from the tables above whenever absent and is never part of the knowledge.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def replace(self, **changes) -> KnowledgeBase:
        """A copy with some tables replaced (and a fresh cache): for what-if checks and tests."""
        return dataclasses.replace(self, cache={}, **changes)

    def memo(self, key: tuple, compute):
        """Return ``compute()`` computed once per key for this knowledge base."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def counts(self) -> dict[str, int]:
        """Number of records per table (zones and site references counted too)."""
        return {
            "plans": len(self.plans),
            "sectors": len(self.sectors),
            "districts": len(self.districts),
            "frameworks": len(self.frameworks),
            "zones": sum(len(f.zones) for f in self.frameworks),
            "regional centres": sum(len(f.centres) for f in self.frameworks),
            "indicators": len(self.indicators),
            "sites": len(self.sites),
            "site references": sum(len(s.refs) for s in self.sites),
            "targets": sum(t.kind == "target" for t in self.targets),
            "baselines": sum(t.kind == "baseline" for t in self.targets),
        }

    def plan(self, plan_id: str) -> Plan:
        return next(p for p in self.plans if p.id == plan_id)

    def framework(self, framework_id: str) -> Framework:
        for f in self.frameworks:
            if f.id == framework_id:
                return f
        known = ", ".join(f.id for f in self.frameworks)
        raise KeyError(f"unknown framework '{framework_id}'; known: {known}")


def _read_records(path: Path, key: str, issues: list[Issue]) -> list[dict[str, Any]]:
    if not path.exists():
        issues.append(Issue(path.name, "-", f"file missing from {path.parent}"))
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        issues.append(Issue(path.name, "-", f"not valid YAML: {exc}"))
        return []
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        issues.append(Issue(path.name, "-", f"expected a mapping with a list under '{key}:'"))
        return []
    return data[key]


def _format_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _parse(file: str, raw: list[dict[str, Any]], model: type[M], id_field: str, issues: list[Issue]) -> list[M]:
    records: list[M] = []
    for i, item in enumerate(raw):
        label = f"{id_field} {item.get(id_field)!r}" if isinstance(item, dict) and id_field in item else f"#{i + 1}"
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            issues.append(Issue(file, label, _format_validation_error(exc)))
    return records


def _duplicates(values: Iterable[Any]) -> list[Any]:
    return [v for v, n in Counter(values).items() if n > 1]


def _check_quote(file: str, record: str, cite: Citation, plan_ids: set[str], issues: list[Issue]) -> None:
    if cite.plan not in plan_ids:
        issues.append(Issue(file, record, f"cites unknown plan '{cite.plan}'"))
    elif not text.quote_in_doc(cite.quote, cite.plan):
        issues.append(
            Issue(file, record, f"quote not found in document {cite.plan} (whitespace ignored): {cite.quote!r}")
        )


def _check_year(file: str, record: str, what: str, year: int | None, plan: Plan | None, issues: list[Issue]) -> None:
    if year is None or plan is None:
        return
    last = max(plan.horizons)
    if not plan.start_year <= year <= last:
        issues.append(
            Issue(file, record, f"{what} {year} lies outside plan {plan.id}'s span {plan.start_year}–{last}")
        )


def validate_kb(path: Path | str = KB_DIR) -> tuple[KnowledgeBase | None, list[Issue]]:
    """Validate the knowledge base in ``path``.

    Parameters
    ----------
    path : Path or str
        Directory holding the YAML tables (default: the bundled ``seeds/kb``).

    Returns
    -------
    (KnowledgeBase or None, list of Issue)
        The knowledge base when there are no issues, else ``None`` and every issue.
    """
    path = Path(path)
    issues: list[Issue] = []
    parsed: dict[str, list[Any]] = {}
    for file, (key, model, id_field) in TABLES.items():
        raw = _read_records(path / file, key, issues)
        parsed[key] = _parse(file, raw, model, id_field, issues)
        ids = [item.get(id_field) for item in raw if isinstance(item, dict)]
        for dup in _duplicates(ids):
            issues.append(Issue(file, f"{id_field} {dup!r}", "id used more than once; ids must be unique"))

    kb = KnowledgeBase(path=path, **parsed)
    _cross_check(kb, issues)
    return (None if issues else kb), issues


def _cross_check(kb: KnowledgeBase, issues: list[Issue]) -> None:
    plans = {p.id: p for p in kb.plans}
    sector_ids = {s.id for s in kb.sectors}
    adcodes = {d.adcode for d in kb.districts}
    indicators = {i.id: i for i in kb.indicators}

    def need_sectors(file: str, record: str, ids: Iterable[str | None]) -> None:
        for sid in ids:
            if sid is not None and sid not in sector_ids:
                issues.append(Issue(file, record, f"unknown sector '{sid}' (see sectors.yaml)"))

    def need_adcodes(file: str, record: str, codes: Iterable[int | None]) -> None:
        for code in codes:
            if code is not None and code not in adcodes:
                issues.append(Issue(file, record, f"unknown district adcode {code} (see districts.yaml)"))

    for p in kb.plans:
        _check_quote("plans.yaml", f"plan {p.id!r}", p.citation, set(plans), issues)
        need_adcodes("plans.yaml", f"plan {p.id!r}", [p.scope_adcode])
        if p.framework is not None and p.framework not in {f.id for f in kb.frameworks}:
            issues.append(Issue("plans.yaml", f"plan {p.id!r}", f"unknown framework '{p.framework}'"))

    if len(kb.districts) != 38 and kb.districts:
        issues.append(Issue("districts.yaml", "-", f"expected 38 districts of Chongqing, found {len(kb.districts)}"))

    for s in kb.sectors:
        for plan_id, terms in s.aliases.items():
            if plan_id not in plans:
                issues.append(Issue("sectors.yaml", f"sector {s.id!r}", f"aliases cite unknown plan '{plan_id}'"))
                continue
            for term in terms:
                if not text.quote_in_doc(term, plan_id):
                    issues.append(
                        Issue("sectors.yaml", f"sector {s.id!r}", f"alias {term!r} does not occur in document {plan_id}")
                    )

    zone_ids = [z.id for f in kb.frameworks for z in f.zones]
    for dup in _duplicates(zone_ids):
        issues.append(Issue("frameworks.yaml", f"zone {dup!r}", "zone id used more than once"))
    for f in kb.frameworks:
        rec = f"framework {f.id!r}"
        for plan_id in f.plans:
            if plan_id not in plans:
                issues.append(Issue("frameworks.yaml", rec, f"unknown plan '{plan_id}'"))
        _check_quote("frameworks.yaml", rec, f.citation, set(plans), issues)
        seen: Counter[int] = Counter()
        for z in f.zones:
            zrec = f"{rec} zone {z.id!r}"
            need_adcodes("frameworks.yaml", zrec, z.members)
            need_sectors("frameworks.yaml", zrec, z.sectors)
            seen.update(z.members)
            for fn in z.functions:
                _check_quote("frameworks.yaml", zrec, fn, set(plans), issues)
        for code in sorted(adcodes):
            if seen[code] == 0:
                issues.append(Issue("frameworks.yaml", rec, f"district {code} is in no zone; assign it to exactly one"))
            elif seen[code] > 1:
                issues.append(Issue("frameworks.yaml", rec, f"district {code} is in {seen[code]} zones; keep exactly one"))
        own_zones = {z.id for z in f.zones}
        for sa in f.subareas:
            srec = f"{rec} subarea {sa.id!r}"
            if sa.zone not in own_zones:
                issues.append(Issue("frameworks.yaml", srec, f"unknown parent zone '{sa.zone}'"))
            need_adcodes("frameworks.yaml", srec, sa.districts)
            need_sectors("frameworks.yaml", srec, sa.sectors)
            for fn in sa.functions:
                _check_quote("frameworks.yaml", srec, fn, set(plans), issues)
        for c in f.centres:
            crec = f"{rec} centre {c.id!r}"
            need_adcodes("frameworks.yaml", crec, [c.adcode])
            for ref in c.refs:
                _check_quote("frameworks.yaml", crec, ref, set(plans), issues)
                _check_year("frameworks.yaml", crec, "horizon", ref.horizon, plans.get(ref.plan), issues)

    for ind in kb.indicators:
        need_sectors("indicators.yaml", f"indicator {ind.id!r}", [ind.sector])

    for s in kb.sites:
        rec = f"site {s.id!r}"
        need_sectors("sites.yaml", rec, s.sectors)
        need_adcodes("sites.yaml", rec, s.districts)
        names = [s.name_zh, *s.aliases]
        for k, ref in enumerate(s.refs):
            rrec = f"{rec} refs[{k}]"
            _check_quote("sites.yaml", rrec, ref, set(plans), issues)
            plan = plans.get(ref.plan)
            if plan is not None and ref.horizon not in plan.horizons:
                issues.append(
                    Issue("sites.yaml", rrec, f"horizon {ref.horizon} is not one of plan {plan.id}'s horizons {plan.horizons}")
                )
            if not any(text.normalise(n) in text.normalise(ref.quote) for n in [*names, ref.named_as or "\0"]):
                issues.append(
                    Issue("sites.yaml", rrec, "quote names neither name_zh, an alias, nor named_as of the site")
                )

    for t in kb.targets:
        rec = f"target {t.id!r}"
        cite = Citation(plan=t.plan, clause=t.clause, quote=t.quote)
        _check_quote("targets.yaml", rec, cite, set(plans), issues)
        need_sectors("targets.yaml", rec, [t.sector])
        need_adcodes("targets.yaml", rec, [t.scope_adcode])
        if t.indicator not in indicators:
            issues.append(Issue("targets.yaml", rec, f"unknown indicator '{t.indicator}' (see indicators.yaml)"))
        plan = plans.get(t.plan)
        _check_year("targets.yaml", rec, "target_year", t.target_year, plan, issues)
        if plan is not None and t.base_year is not None and t.base_year > plan.start_year:
            issues.append(
                Issue("targets.yaml", rec, f"base_year {t.base_year} is after plan {plan.id}'s start {plan.start_year}")
            )
        missing = [n for n in _NUMBER.findall(t.value_text) if n not in text.normalise(t.quote)]
        if missing:
            issues.append(
                Issue("targets.yaml", rec, f"value_text {t.value_text!r}: {', '.join(missing)} not found in the quote")
            )


def load_kb(path: Path | str = KB_DIR) -> KnowledgeBase:
    """Load the knowledge base, raising :class:`KnowledgeBaseError` on any problem."""
    kb, issues = validate_kb(path)
    if kb is None:
        raise KnowledgeBaseError(issues)
    return kb
