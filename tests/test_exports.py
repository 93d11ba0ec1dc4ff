"""Report exports read back by real readers: GDAL's ogrinfo, poppler's pdffonts/pdftoppm, Pillow."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from itertools import combinations

import numpy as np
import pytest
from PIL import Image

from app.batch import standard_states
from app.cli import main
from app.exports import export_data_bytes, standalone_html
from app.figures import render_figure
from layers.filters import Filters, filter_sites

LOGISTICS_2027 = Filters(sectors=("logistics",), horizon="2027")
needs = lambda tool: pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} not installed (make test installs it)")  # noqa: E731


def _located(kb, f):
    return [s for s in filter_sites(kb, f) if s.location.precision != "unknown"]


def _ogrinfo(path) -> str:
    return subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True).stdout


@needs("ogrinfo")
def test_geopackage_layers_counts_and_crs(kb, tmp_path):
    name, data = export_data_bytes(kb, LOGISTICS_2027, "gpkg")
    path = tmp_path / name
    path.write_bytes(data)
    info = _ogrinfo(path)
    layers = re.findall(r"Layer name: (\w+)", info)
    counts = [int(n) for n in re.findall(r"Feature Count: (\d+)", info)]
    assert dict(zip(layers, counts)) == {
        "districts": 38,
        "zones": len(kb.framework("f2024").zones),
        "sites": len(filter_sites(kb, LOGISTICS_2027)),
    }
    assert info.count('ID["EPSG",4326]') == 3


@needs("ogrinfo")
def test_geojson_is_rfc7946_wgs84(kb, tmp_path):
    name, data = export_data_bytes(kb, LOGISTICS_2027, "geojson")
    doc = json.loads(data)
    assert "crs" not in doc  # RFC 7946: WGS-84 implied, no crs member
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert 105 < lon < 111 and 28 < lat < 33  # lon/lat order
    path = tmp_path / name
    path.write_bytes(data)
    info = _ogrinfo(path)
    assert f"Feature Count: {len(_located(kb, LOGISTICS_2027))}" in info
    assert "WGS 84" in info


def test_csv_has_bom_and_chinese(kb):
    name, data = export_data_bytes(kb, LOGISTICS_2027, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "果园港区" in text
    assert len(text.strip().splitlines()) == 1 + len(filter_sites(kb, LOGISTICS_2027))


def test_file_names_say_what_is_inside():
    from layers.filters import file_name

    name = file_name(LOGISTICS_2027, "csv", "sites")
    assert name == f"cq-atlas_sites_f2024_logistics_h2027_zh_{dt.date.today().isoformat()}.csv"


@needs("pdffonts")
@needs("pdftoppm")
def test_pdf_embeds_a_cjk_font_and_renders_a_page(kb, tmp_path):
    data, info = render_figure(kb, LOGISTICS_2027, "pdf")
    pdf = tmp_path / "fig.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("L"), dtype=float)
    assert page.std() > 10  # not blank
    assert (page < 128).mean() > 0.01  # ink on the page


def test_legend_equals_what_is_drawn_and_labels_do_not_overlap(kb):
    for f in (LOGISTICS_2027, Filters(), Filters(framework="f2019", area="f2019_core", lang="en")):
        _, info = render_figure(kb, f, "svg")
        located = _located(kb, f)
        assert set(info.categories) == {s.category for s in located}
        drawn = set(info.labelled) | set(info.numbered) | set(info.unlabelled)
        assert drawn == {s.id for s in located}
        for a, b in combinations(info.label_boxes, 2):
            overlap_w = min(a[2], b[2]) - max(a[0], b[0])
            overlap_h = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_w <= 0 or overlap_h <= 0, "two site labels overlap"


def test_png_is_300_dpi_a4(kb):
    data, _ = render_figure(kb, LOGISTICS_2027, "png")
    img = Image.open(io.BytesIO(data))
    assert round(img.info["dpi"][0]) == 300
    assert img.size == (3507, 2481)  # A4 landscape at 300 dpi


def test_svg_draws_text_as_glyph_outlines(kb):
    data, info = render_figure(kb, LOGISTICS_2027, "svg")
    svg = data.decode("utf-8")
    assert "<text" not in svg  # glyphs are paths: no font needed to view, no tofu
    assert info.title in svg  # the title is kept as metadata


def test_standalone_html_has_no_external_asset(kb):
    page = standalone_html(kb, LOGISTICS_2027)
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "window.cqAtlas" in page


def test_cli_exports_one_figure_and_the_data(tmp_path, capsys):
    assert main(["export", "figures", "--framework", "2019", "--sector", "logistics", "--horizon", "2027",
                 "--format", "pdf", "-o", str(tmp_path), "--quiet"]) == 0
    pdfs = list(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 1 and "f2019_logistics_h2027" in pdfs[0].name
    assert pdfs[0].name in (tmp_path / "index.md").read_text(encoding="utf-8")
    assert main(["export", "data", "--format", "gpkg", "--sector", "logistics", "-o", str(tmp_path)]) == 0
    assert list(tmp_path.glob("*.gpkg"))


def test_cli_rejects_a_bad_option_value(tmp_path):
    with pytest.raises(SystemExit, match="invalid option"):
        main(["export", "figures", "--sector", "astrology", "-o", str(tmp_path)])


def test_cli_all_writes_the_standard_set_with_an_index(kb, tmp_path, capsys):
    assert main(["export", "figures", "--all", "--format", "svg", "-o", str(tmp_path)]) == 0
    states = standard_states(kb)
    assert len(list(tmp_path.glob("*.svg"))) == len(states) == len(kb.frameworks) + len(kb.sectors) + 3
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert index.count(".svg](") == len(states)
    assert "figures (svg)" in capsys.readouterr().err  # the progress bar
