"""The running app in a real headless Chromium (Debian's chromium + chromium-driver).

External hosts are unreachable for the browser (--host-resolver-rules maps every
name but 127.0.0.1 to nothing), so a page that needed a CDN would fail here.
Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from layers.filters import Filters, filter_sites

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="Debian chromium and chromium-driver are not installed (make test installs them)"
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the app exited:\n" + proc.stdout.read())
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("the app did not answer within 60 s")
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
        # The network cut: no host but this machine resolves.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def _shot(drv, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _wait(drv, fn, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout, poll_frequency=0.2).until(lambda d: fn(d))


def _map_site_ids(drv) -> set[str]:
    """Site ids the map in the current page's iframe drew (from the page's own registry)."""
    frame = _wait(drv, lambda d: d.find_element("id", "map-frame"))
    drv.switch_to.frame(frame)
    try:
        ids = _wait(drv, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.siteIds"))
        return set(ids)
    finally:
        drv.switch_to.default_content()


def test_standalone_map_renders_offline_with_markers(server, browser, kb):
    browser.get(server + "/map?horizon=2027&sectors=logistics")
    ids = set(_wait(browser, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.siteIds")))
    expected = {s.id for s in filter_sites(kb, Filters(sectors=("logistics",), horizon="2027")) if s.location.precision != "unknown"}
    assert ids == expected
    # Leaflet itself, the marker-cluster plugin and Font Awesome loaded from /vendor/ with the network cut.
    assert browser.execute_script("return typeof L !== 'undefined' && typeof L.markerClusterGroup === 'function'")
    assert browser.execute_script("return document.fonts.check('12px \"Font Awesome 6 Free\"')") is not None
    assert browser.find_elements("css selector", ".leaflet-overlay-pane path")  # district polygons drawn
    legend = browser.find_element("id", "cq-legend").text
    assert "现代物流" in legend
    _shot(browser, "map-logistics-2027")


def test_popup_shows_citation(server, browser):
    browser.get(server + "/map?q=果园港区")
    _wait(browser, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.siteIds.length"))
    # Zoom past the clustering threshold onto the site, then click its marker as a user would.
    browser.execute_script(
        "var s=window.cqAtlas.sites.find(function(x){return x.id==='guoyuan_port'});"
        "window.cqAtlas.map.setView([s.lat, s.lon], 14, {animate: false});"
    )
    marker = _wait(browser, lambda d: d.find_element("css selector", '.cq-marker[data-site="guoyuan_port"]'))
    marker.click()
    popup = _wait(browser, lambda d: d.find_element("css selector", ".leaflet-popup-content .cq-popup"))
    _wait(browser, lambda d: popup.text.strip() != "")
    text = popup.text
    assert "果园港" in text and "出处" in text and "[000]" in text
    _shot(browser, "popup-guoyuan")


def test_sector_and_horizon_change_map_and_table(server, browser, kb):
    browser.get(server + "/?sectors=logistics&horizon=2027")
    expected = {s.id for s in filter_sites(kb, Filters(sectors=("logistics",), horizon="2027"))}
    _wait(browser, lambda d: len(d.find_elements("css selector", "#sites-table .ag-row")) > 0)
    assert _map_site_ids(browser) == {i for i in expected if next(s for s in kb.sites if s.id == i).location.precision != "unknown"}
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#sites-table .ag-center-cols-container .ag-row')).length"
    )
    assert rows == min(len(expected), 20)
    _shot(browser, "app-logistics-2027")
    # Now choose finance for 2025 through the URL the controls write.
    browser.get(server + "/?sectors=finance&horizon=2025")
    expected2 = {s.id for s in filter_sites(kb, Filters(sectors=("finance",), horizon="2025"))}
    _wait(browser, lambda d: _map_site_ids(d) == {i for i in expected2 if next(s for s in kb.sites if s.id == i).location.precision != "unknown"})


def test_language_switch_changes_labels(server, browser):
    browser.get(server + "/?lang=en")
    _wait(browser, lambda d: d.find_element("id", "title").text == "Chongqing Service Atlas")
    assert browser.find_element("id", "label-sectors").text == "Sectors"
    browser.get(server + "/")
    _wait(browser, lambda d: d.find_element("id", "title").text == "重庆现代服务业规划地图集")


def test_copied_url_restores_the_view(server, browser):
    url = server + "/?framework=f2019&horizon=2022&sectors=finance&lang=en"
    browser.get(url)
    _wait(browser, lambda d: "framework=f2019" in (d.find_element("id", "map-frame").get_attribute("src") or ""))
    src = browser.find_element("id", "map-frame").get_attribute("src")
    assert "sectors=finance" in src and "horizon=2022" in src and "lang=en" in src


def test_bad_parameters_give_a_message_not_a_traceback(server, browser):
    browser.get(server + "/?horizon=2099&zoom=3")
    alerts = _wait(browser, lambda d: d.find_elements("css selector", "#messages .alert"))
    text = " ".join(a.text for a in alerts)
    assert "2099" in text and "zoom" in text
    assert "Traceback" not in browser.page_source


def test_gaode_basemap_shifts_markers(server, browser):
    browser.get(server + "/map?q=解放碑商圈")
    wgs = _wait(browser, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.sites[0]"))
    browser.get(server + "/map?q=解放碑商圈&basemap=gaode")
    gcj = _wait(browser, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.sites[0]"))
    from geo.datum import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(wgs["lon"], wgs["lat"])
    assert abs(gcj["lon"] - float(lon)) < 1e-4 and abs(gcj["lat"] - float(lat)) < 1e-4
    assert abs(gcj["lon"] - wgs["lon"]) > 0.002


def test_clicking_a_district_tells_its_zone_and_members(server, browser, kb):
    # "Which districts form the 2019 core and circle?" — click a district of each.
    browser.get(server + "/map?framework=f2019")
    _wait(browser, lambda d: d.execute_script("return !!(window.cqAtlas && window.cqAtlas.districts)"))
    for adcode, zone_id in ((500103, "f2019_core"), (500116, "f2019_circle")):
        browser.execute_script(
            "var code=arguments[0]; window.cqAtlas.districts.eachLayer(function(l){"
            " if(l.feature.properties.adcode===code){ l.fire('click', {latlng: l.getBounds().getCenter()}); } });",
            adcode,
        )
        name = next(d.name_zh for d in kb.districts if d.adcode == adcode)
        popup = _wait(
            browser,
            lambda d: next((p for p in d.find_elements("css selector", ".leaflet-popup-content .cq-popup") if p.text.startswith(name)), None),
        )
        zone = next(z for z in kb.framework("f2019").zones if z.id == zone_id)
        shorts = {d.adcode: d.short_zh for d in kb.districts}
        for code in zone.members:
            assert shorts[code] in popup.text
        assert zone.name_zh in popup.text
    _shot(browser, "district-popup-f2019")


def test_choosing_a_horizon_in_the_panel_updates_url_map_and_table(server, browser, kb):
    browser.get(server + "/?sectors=logistics")
    _wait(browser, lambda d: len(d.find_elements("css selector", "#sites-table .ag-row")) > 0)
    label = next(e for e in browser.find_elements("css selector", "#f-horizon label") if e.text.strip() == "2027")
    label.click()
    _wait(browser, lambda d: "horizon=2027" in d.current_url)
    expected = {s.id for s in filter_sites(kb, Filters(sectors=("logistics",), horizon="2027"))}
    located = {i for i in expected if next(s for s in kb.sites if s.id == i).location.precision != "unknown"}
    _wait(browser, lambda d: _map_site_ids(d) == located)
    names = {s.name_zh for s in kb.sites if s.id in expected}
    _wait(
        browser,
        lambda d: {c.text for c in d.find_elements("css selector", '#sites-table .ag-center-cols-container [col-id="name"]')} == names
        or {c.text for c in d.find_elements("css selector", '#sites-table .ag-pinned-left-cols-container [col-id="name"]')} == names,
    )


def test_standalone_html_opens_offline_with_the_expected_markers(browser, kb, tmp_path):
    from app.exports import standalone_html

    f = Filters(sectors=("logistics",), horizon="2027")
    path = tmp_path / "map.html"
    path.write_text(standalone_html(kb, f), encoding="utf-8")
    browser.get(path.as_uri())
    ids = set(_wait(browser, lambda d: d.execute_script("return window.cqAtlas && window.cqAtlas.siteIds")))
    assert ids == {s.id for s in filter_sites(kb, f) if s.location.precision != "unknown"}
    assert browser.execute_script("return typeof L.markerClusterGroup === 'function'")
    _shot(browser, "standalone-logistics-2027")


def test_download_buttons_give_the_pdf_and_geopackage_of_the_view(server, browser, tmp_path):
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(server + "/?sectors=logistics&horizon=2027")
    for key, ext, magic in (("pdf", "pdf", b"%PDF"), ("gpkg", "gpkg", b"SQLite format 3")):
        button = _wait(browser, lambda d: d.find_element("id", f"export-{key}"))
        button.click()
        done = _wait(browser, lambda d: [p for p in tmp_path.glob(f"*.{ext}") if p.stat().st_size > 0], timeout=60)
        assert "f2024_logistics_h2027" in done[0].name
        assert done[0].read_bytes().startswith(magic)


def test_text_from_the_knowledge_base_stays_text_in_tooltips_and_popups(browser, kb, tmp_path):
    from app.exports import standalone_html

    site = next(s for s in kb.sites if s.id == "jiefangbei")
    evil = site.model_copy(update={"name_zh": '<img src=x onerror="window.pwned=1">解放碑'})
    page = standalone_html(kb.replace(sites=[evil if s is site else s for s in kb.sites]), Filters(q="解放碑"))
    path = tmp_path / "evil.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    # Wait until the cluster layer has drawn its icons: zoomToShowLayer needs them in place.
    _wait(browser, lambda d: d.execute_script("return document.querySelectorAll('.leaflet-marker-icon').length > 0"))
    import time as _t

    _t.sleep(1.0)  # let the opening fit-to-bounds animation finish (see showSite)
    assert browser.execute_script("return window.cqAtlas.showSite('jiefangbei')")
    for _ in range(40):
        state = browser.execute_script(
            "return [document.querySelectorAll('.leaflet-popup').length, document.querySelectorAll('.leaflet-tooltip').length,"
            " window.cqAtlas.map.getZoom(), location.href]")
        if state[0] and state[1]:
            break
        _t.sleep(0.25)
    assert state[0] and state[1], state
    assert browser.execute_script("return document.querySelectorAll('.leaflet-tooltip img, .leaflet-popup img').length") == 0
    assert browser.execute_script("return window.pwned === undefined")
    shown = browser.execute_script("return document.querySelector('.leaflet-popup-content').textContent")
    assert '<img src=x onerror="window.pwned=1">解放碑' in shown  # shown as the text it is
