"""The knowledge base: the real files load clean, and each validation rule fires on a broken copy."""

import pytest

from seeds import text
from seeds.loader import KnowledgeBaseError, load_kb, validate_kb


def _reasons(path) -> list[str]:
    kb, issues = validate_kb(path)
    assert kb is None, "the broken copy was accepted"
    return [str(i) for i in issues]


def test_real_knowledge_base_is_clean():
    kb, issues = validate_kb()
    assert issues == []
    counts = kb.counts()
    assert counts["plans"] == 5
    assert counts["districts"] == 38
    assert counts["frameworks"] == 3
    assert counts["sites"] > 100
    assert counts["targets"] > 150


def test_every_plan_is_cited_by_sites_and_targets(kb):
    site_plans = {r.plan for s in kb.sites for r in s.refs}
    target_plans = {t.plan for t in kb.targets}
    assert site_plans == {"000", "001", "002", "003", "004"}
    assert target_plans == {"000", "001", "002", "003", "004"}


def test_zhuanlan1_has_all_twenty_rows(kb):
    rows = [t for t in kb.targets if t.plan == "000" and t.clause.startswith("专栏1")]
    assert len(rows) == 20
    assert all(t.base_year == 2018 and t.target_year == 2022 for t in rows)


def test_financial_value_added_trajectory_links_four_plans(kb):
    # The product brief's example: 1942 (2018) → 2500 (2022) → 2800 (2025) → 3800 (2027).
    points = {(t.target_year, t.target_value) for t in kb.targets if t.indicator == "finance_value_added" and t.scope == "city" and t.target_value}
    bases = {(t.base_year, t.base_value) for t in kb.targets if t.indicator == "finance_value_added" and t.base_year}
    assert {(2022, 2500), (2025, 2800), (2027, 3800)} <= points
    assert (2018, 1942) in bases


def test_units_are_normalised_from_wan_yi(kb):
    # "服务业增加值突破1.4万亿元" is stored as 14000 亿元, the original unit kept.
    t = next(t for t in kb.targets if t.plan == "000" and "1.4万亿元" in t.value_text)
    assert t.unit == "亿元" and t.unit_original == "万亿元" and t.target_value == 14000


def test_document_000_dedup_copy_is_current_and_complete():
    original = text.doc_text("000")
    dedup = text.dedup_path("000").read_text(encoding="utf-8")
    assert dedup == text.dedupe_sentences(original)
    assert len(dedup) < len(original) * 0.8  # the repeats are gone
    # Nothing is lost: every sentence of the original is in the reading copy.
    dedup_norm = text.normalise(dedup)
    for line in original.splitlines():
        for sentence in line.split("。"):
            assert text.normalise(sentence) in dedup_norm


def test_source_documents_are_untouched():
    import hashlib
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.exists():
        pytest.skip("../shared/seeds not present beside this checkout")
    for src in shared.glob("*.txt"):
        ours = text.DOCS_DIR / src.name
        assert hashlib.sha256(ours.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest()


# --- each rule fires on a small broken copy -------------------------------------------------


def test_schema_error_names_file_record_and_field(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0].update(category="shopping_mall"))
    reasons = _reasons(kb_copy.path)
    assert any(r.startswith("sites.yaml: id ") and "category" in r for r in reasons)


def test_unknown_key_is_rejected(kb_copy):
    kb_copy.edit("plans.yaml", lambda d: d["plans"][0].update(titel_zh="typo"))
    assert any("plans.yaml" in r and "titel_zh" in r for r in _reasons(kb_copy.path))


def test_duplicate_id_fires(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"].append(dict(d["sites"][0])))
    assert any("used more than once" in r for r in _reasons(kb_copy.path))


def test_unknown_sector_fires(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0].update(sectors=["astrology"]))
    assert any("unknown sector 'astrology'" in r for r in _reasons(kb_copy.path))


def test_unknown_plan_fires(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0]["refs"][0].update(plan="009"))
    assert any("unknown plan '009'" in r for r in _reasons(kb_copy.path))


def test_unknown_adcode_fires(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0].update(districts=[500199]))
    assert any("unknown district adcode 500199" in r for r in _reasons(kb_copy.path))


def test_unknown_indicator_fires(kb_copy):
    kb_copy.edit("targets.yaml", lambda d: d["targets"][0].update(indicator="made_up_indicator"))
    assert any("unknown indicator 'made_up_indicator'" in r for r in _reasons(kb_copy.path))


def test_year_outside_plan_span_fires(kb_copy):
    def move(d):
        t = next(t for t in d["targets"] if t["plan"] == "002" and t["target_year"])
        t["target_year"] = 2035

    kb_copy.edit("targets.yaml", move)
    assert any("2035 lies outside plan 002's span" in r for r in _reasons(kb_copy.path))


def test_site_horizon_not_of_plan_fires(kb_copy):
    def move(d):
        s = next(s for s in d["sites"] if s["refs"][0]["plan"] == "000")
        s["refs"][0]["horizon"] = 2027

    kb_copy.edit("sites.yaml", move)
    assert any("horizon 2027 is not one of plan 000's horizons" in r for r in _reasons(kb_copy.path))


def test_misquote_fires(kb_copy):
    def misquote(d):
        d["sites"][0]["refs"][0]["quote"] += "（此句并不存在）"

    kb_copy.edit("sites.yaml", misquote)
    assert any("quote not found in document" in r for r in _reasons(kb_copy.path))


def test_quote_check_ignores_whitespace_only():
    # Document 003 writes "到 2027 年" with spaces; a quote without them still matches…
    assert text.quote_in_doc("到2027年，全市新增2—3个百亿级规模集聚区", "003")
    # …but a changed character does not.
    assert not text.quote_in_doc("到2027年，全市新增3—4个百亿级规模集聚区", "003")


def test_district_in_two_zones_fires(kb_copy):
    def dup(d):
        f = d["frameworks"][0]
        f["zones"][1]["named"].append(f["zones"][0]["conventional"][0])

    kb_copy.edit("frameworks.yaml", dup)
    assert any("is in 2 zones" in r for r in _reasons(kb_copy.path))


def test_district_in_no_zone_fires(kb_copy):
    kb_copy.edit("frameworks.yaml", lambda d: d["frameworks"][1]["zones"][0]["conventional"].pop())
    assert any("is in no zone" in r for r in _reasons(kb_copy.path))


def test_value_not_in_quote_fires(kb_copy):
    kb_copy.edit("targets.yaml", lambda d: d["targets"][0].update(value_text="999999亿元"))
    assert any("999999 not found in the quote" in r for r in _reasons(kb_copy.path))


def test_unnormalised_unit_fires(kb_copy):
    kb_copy.edit("targets.yaml", lambda d: d["targets"][0].update(unit="万亿元"))
    assert any("not normalised" in r for r in _reasons(kb_copy.path))


def test_missing_file_and_bad_yaml_are_reported(kb_copy):
    (kb_copy.path / "indicators.yaml").unlink()
    (kb_copy.path / "sectors.yaml").write_text("sectors: [unclosed", encoding="utf-8")
    reasons = _reasons(kb_copy.path)
    assert any(r.startswith("indicators.yaml") and "file missing" in r for r in reasons)
    assert any(r.startswith("sectors.yaml") and "not valid YAML" in r for r in reasons)


def test_load_kb_raises_with_every_issue(kb_copy):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0].update(sectors=["astrology"], districts=[500199]))
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(kb_copy.path)
    assert len(err.value.issues) >= 2
    assert "astrology" in str(err.value) and "500199" in str(err.value)
