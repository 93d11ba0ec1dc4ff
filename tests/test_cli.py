"""The cqatlas command: validate output and exit codes, data export and its round trip."""

import json

import pandas as pd
import pytest

from app.cli import main
from layers.tables import TABLE_NAMES, all_tables


def test_validate_prints_counts_and_precisions(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    for table in ("plans", "sectors", "sites", "targets"):
        assert table in out
    for precision in ("exact", "approx_2km", "approx_10km", "district_centroid"):
        assert precision in out
    assert "all site and centre points lie in their recorded districts" in out


def test_validate_fails_on_a_broken_copy(kb_copy, capsys):
    kb_copy.edit("sites.yaml", lambda d: d["sites"][0].update(sectors=["astrology"]))
    assert main(["--kb", str(kb_copy.path), "validate"]) == 1
    err = capsys.readouterr().err
    assert "sites.yaml" in err and "astrology" in err


def test_validate_fails_on_a_point_outside_its_district(kb_copy, capsys):
    def move(d):
        s = next(s for s in d["sites"] if s["districts"] == [500105] and "lon" in s["location"])
        s["location"].update(lon=106.5775, lat=29.5575)  # Jiefangbei, in 渝中

    kb_copy.edit("sites.yaml", move)
    assert main(["--kb", str(kb_copy.path), "validate"]) == 1
    assert "outside their district" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_data_export_writes_every_table(tmp_path, fmt, capsys):
    assert main(["data", "export", "--format", fmt, str(tmp_path)]) == 0
    for name in TABLE_NAMES:
        assert (tmp_path / f"{name}.{fmt}").exists()


def test_csv_export_round_trips_with_bom(tmp_path, kb):
    main(["data", "export", "--format", "csv", str(tmp_path)])
    raw = (tmp_path / "sites.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    expected = all_tables(kb)
    for name in TABLE_NAMES:
        back = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig")
        assert list(back.columns) == list(expected[name].columns)
        assert len(back) == len(expected[name])
    sites = pd.read_csv(tmp_path / "sites.csv", encoding="utf-8-sig").set_index("id")
    for s in kb.sites:
        row = sites.loc[s.id]
        assert row["name_zh"] == s.name_zh
        assert row["sectors"].split(";") == list(s.sectors)
        assert row["precision"] == s.location.precision
        assert pd.notna(row["lon"]) == (s.location.precision != "unknown")
    targets = pd.read_csv(tmp_path / "targets.csv", encoding="utf-8-sig").set_index("id")
    for t in kb.targets:
        assert targets.loc[t.id, "quote"] == t.quote
        if t.target_value is not None:
            assert targets.loc[t.id, "target_value"] == pytest.approx(t.target_value)


def test_json_export_round_trips(tmp_path, kb):
    main(["data", "export", "--format", "json", str(tmp_path)])
    sites = {r["id"]: r for r in json.loads((tmp_path / "sites.json").read_text(encoding="utf-8"))}
    assert set(sites) == {s.id for s in kb.sites}
    s = kb.sites[0]
    assert sites[s.id]["sectors"] == list(s.sectors) and sites[s.id]["districts"] == list(s.districts)
    site_plans = json.loads((tmp_path / "site_plans.json").read_text(encoding="utf-8"))
    assert len(site_plans) == sum(len(s.refs) for s in kb.sites)
    zones = json.loads((tmp_path / "zones.json").read_text(encoding="utf-8"))
    assert len(zones) == 3 * 38


def test_export_needs_a_known_format():
    with pytest.raises(SystemExit):
        main(["data", "export", "--format", "xlsx", "out"])
