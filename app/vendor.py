"""Vendored front-end assets: Folium's CDN scripts and stylesheets, served or inlined locally.

Folium pages load Leaflet, jQuery, Bootstrap, Font Awesome and plugin assets from public
CDNs, so a page opened with the network cut renders nothing.  ``ASSETS`` maps every CDN
URL the atlas's maps emit (plus the Bootstrap and Font Awesome of the Dash page) to the
same file in an npm package; ``refresh`` downloads those packages from the npm registry
and keeps only the files listed, the fonts and images their stylesheets reference, and
each package's licence.  ``localize_html`` points a rendered page at the local copies and
``inline_html`` folds them into one self-contained file.

Run ``python -m app.vendor`` to rebuild ``app/static/vendor/`` (needs ``npm``).
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

VENDOR_DIR: Path = Path(__file__).resolve().parent / "static" / "vendor"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Package:
    """One npm package version and where its licence text is."""

    name: str
    version: str
    license: str  # SPDX expression
    license_file: str  # path of the licence text inside the package
    license_from: str | None = None  # "name@version" holding the licence text, when this tarball ships none
    extras: tuple[str, ...] = ()  # files loaded by scripts at run time, which no stylesheet names

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class Asset:
    """A CDN URL and the file of an npm package that serves the same content."""

    url: str
    package: str  # a key of PACKAGES
    file: str  # path inside the package
    note: str = ""  # why the mapping is not byte-for-byte the CDN's file, if it is not


_PACKAGES = (
    Package("bootstrap", "5.3.6", "MIT", "LICENSE"),
    Package("@fortawesome/fontawesome-free", "6.7.2", "CC-BY-4.0 AND OFL-1.1 AND MIT", "LICENSE.txt"),
    Package(
        "leaflet", "1.9.3", "BSD-2-Clause", "LICENSE",
        # L.Icon.Default builds these names in JS; only marker-icon.png is in leaflet.css.
        extras=("dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"),
    ),
    Package("jquery", "3.7.1", "MIT", "LICENSE.txt"),
    Package("bootstrap", "5.2.2", "MIT", "LICENSE"),
    Package("@fortawesome/fontawesome-free", "6.2.0", "CC-BY-4.0 AND OFL-1.1 AND MIT", "LICENSE.txt"),
    Package("@neos21/bootstrap3-glyphicons", "1.0.7", "MIT", "LICENSE"),
    # The npm copy of Leaflet.awesome-markers 2.0.2 ships no licence file; its package.json
    # declares upstream's MIT licence, whose text the 2.0.4 tarball carries verbatim.
    Package(
        "drmonty-leaflet-awesome-markers", "2.0.2", "MIT", "LICENSE",
        license_from="leaflet.awesome-markers@2.0.4",
    ),
    Package("leaflet.markercluster", "1.1.0", "MIT", "MIT-LICENCE.txt"),
    Package("leaflet-minimap", "3.6.1", "BSD-2-Clause", "LICENSE.txt"),
    Package("leaflet.fullscreen", "3.0.0", "MIT", "LICENSE"),
    Package("leaflet-search", "2.9.7", "MIT", "license.txt"),
    Package("leaflet-measure", "2.1.7", "MIT", "LICENSE"),
    # Not on npm: folium's own rotation stylesheet, written by _awesome_rotate_css; licence
    # text from the installed folium distribution (PyPI).
    Package("folium", "0.20.0", "MIT", "LICENSE.txt"),
)
PACKAGES: dict[str, Package] = {p.spec: p for p in _PACKAGES}

_JSD = "https://cdn.jsdelivr.net/npm/"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs/"
_AUTO_MIN = "jsDelivr minifies this file on the fly; the package ships it unminified"

# The single source of truth for refresh() and manifest.json.  The Dash page's own assets
# come first: app.dashboard takes the first entry of a package whose path has a given end.
ASSETS: tuple[Asset, ...] = (
    # Dash page: dbc.themes.BOOTSTRAP and dbc.icons.FONT_AWESOME of dash-bootstrap-components 2.0.
    Asset(_JSD + "bootstrap@5.3.6/dist/css/bootstrap.min.css", "bootstrap@5.3.6", "dist/css/bootstrap.min.css"),
    Asset(_JSD + "bootstrap@5.3.6/dist/js/bootstrap.bundle.min.js", "bootstrap@5.3.6", "dist/js/bootstrap.bundle.min.js"),
    Asset(
        "https://use.fontawesome.com/releases/v6.7.2/css/all.css",
        "@fortawesome/fontawesome-free@6.7.2", "css/all.min.css",
        note="use.fontawesome.com serves css/all.css; the same stylesheet minified is used",
    ),
    # Folium 0.20: folium.Map and folium.Icon.
    Asset(_JSD + "leaflet@1.9.3/dist/leaflet.js", "leaflet@1.9.3", "dist/leaflet.js"),
    Asset(_JSD + "leaflet@1.9.3/dist/leaflet.css", "leaflet@1.9.3", "dist/leaflet.css"),
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "jquery@3.7.1", "dist/jquery.min.js"),
    Asset(_JSD + "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js", "bootstrap@5.2.2", "dist/js/bootstrap.bundle.min.js"),
    Asset(_JSD + "bootstrap@5.2.2/dist/css/bootstrap.min.css", "bootstrap@5.2.2", "dist/css/bootstrap.min.css"),
    Asset(
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "@neos21/bootstrap3-glyphicons@1.0.7", "dist/css/bootstrap3-glyphicons.min.css",
        note="Bootstrap 3.0.0 is not on npm; Glyphicons-only build of Bootstrap 3.3.7 (same classes and font)",
    ),
    Asset(
        _JSD + "@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
        "@fortawesome/fontawesome-free@6.2.0", "css/all.min.css",
    ),
    Asset(
        _CDNJS + "Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
        "drmonty-leaflet-awesome-markers@2.0.2", "js/leaflet.awesome-markers.js",
    ),
    Asset(
        _CDNJS + "Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
        "drmonty-leaflet-awesome-markers@2.0.2", "css/leaflet.awesome-markers.css",
    ),
    Asset(
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
        "folium@0.20.0", "templates/leaflet.awesome.rotate.min.css",
        note="on no npm package; generated: the same .fa-rotate-1 … .fa-rotate-360 rules as folium's file",
    ),
    # Folium plugins.
    Asset(_CDNJS + "leaflet.markercluster/1.1.0/leaflet.markercluster.js", "leaflet.markercluster@1.1.0", "dist/leaflet.markercluster.js"),
    Asset(_CDNJS + "leaflet.markercluster/1.1.0/MarkerCluster.css", "leaflet.markercluster@1.1.0", "dist/MarkerCluster.css"),
    Asset(_CDNJS + "leaflet.markercluster/1.1.0/MarkerCluster.Default.css", "leaflet.markercluster@1.1.0", "dist/MarkerCluster.Default.css"),
    Asset(_JSD + "leaflet.fullscreen@3.0.0/Control.FullScreen.min.js", "leaflet.fullscreen@3.0.0", "Control.FullScreen.js", note=_AUTO_MIN),
    Asset(_JSD + "leaflet.fullscreen@3.0.0/Control.FullScreen.css", "leaflet.fullscreen@3.0.0", "Control.FullScreen.css"),
    Asset(_CDNJS + "leaflet-minimap/3.6.1/Control.MiniMap.js", "leaflet-minimap@3.6.1", "src/Control.MiniMap.js"),
    Asset(_CDNJS + "leaflet-minimap/3.6.1/Control.MiniMap.css", "leaflet-minimap@3.6.1", "src/Control.MiniMap.css"),
    Asset(
        "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
        "leaflet-measure@2.1.7", "dist/leaflet-measure.min.js",
    ),
    Asset(
        "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
        "leaflet-measure@2.1.7", "dist/leaflet-measure.css", note=_AUTO_MIN,
    ),
    Asset(_JSD + "leaflet-search@2.9.7/dist/leaflet-search.min.js", "leaflet-search@2.9.7", "dist/leaflet-search.min.js"),
    Asset(_JSD + "leaflet-search@2.9.7/dist/leaflet-search.min.css", "leaflet-search@2.9.7", "dist/leaflet-search.min.css"),
)


def vendor_path(asset: Asset) -> str:
    """The asset's path relative to the vendor directory: ``<package>@<version>/<file>``."""
    return f"{asset.package}/{asset.file}"


def build_manifest() -> list[dict]:
    """The manifest entries that ``ASSETS`` and ``PACKAGES`` describe, in table order."""
    return [
        {
            "url": a.url,
            "package": PACKAGES[a.package].name,
            "version": PACKAGES[a.package].version,
            "path": vendor_path(a),
            "license": PACKAGES[a.package].license,
        }
        for a in ASSETS
    ]


def load_manifest() -> list[dict]:
    """Read ``manifest.json``: one ``{url, package, version, path, license}`` per CDN URL.

    Returns
    -------
    list of dict
        The entries in table order (the Dash page's assets first).
    """
    return json.loads((VENDOR_DIR / MANIFEST).read_text(encoding="utf-8"))


def local_url(url: str, prefix: str = "/vendor/") -> str:
    """The local address of a vendored CDN URL, e.g. ``local_url(dbc.themes.BOOTSTRAP)``.

    Raises
    ------
    KeyError
        If the URL is not in the manifest.
    """
    for entry in load_manifest():
        if entry["url"] == url:
            return _join(prefix, entry["path"])
    raise KeyError(f"{url} is not vendored; add it to app.vendor.ASSETS and run python -m app.vendor")


# ---------------------------------------------------------------------------------------
# Rewriting pages


def _join(prefix: str, path: str) -> str:
    return (prefix if not prefix or prefix.endswith("/") else prefix + "/") + path


def _is_remote(url: str) -> bool:
    # Protocol-relative URLs (//host/...) reach the network just like http(s) ones.
    return re.match(r"^\s*(?:https?:)?//", url, re.I) is not None


class _AssetRefs(HTMLParser):
    """Collect the URLs a page loads as scripts or stylesheets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            # A preload of a script or style is a load too.
            if "stylesheet" in rel or ({"preload", "modulepreload"} & set(rel) and a.get("as") in ("script", "style", "")):
                self.urls.append(a["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", data, re.I)


def asset_urls(html: str) -> list[str]:
    """Every URL the page loads as a script or stylesheet (``src``, ``href``, ``@import``)."""
    parser = _AssetRefs()
    parser.feed(html)
    parser.close()
    return parser.urls


def _check_no_remote(html: str) -> None:
    remote = list(dict.fromkeys(u for u in asset_urls(html) if _is_remote(u)))  # page order
    if remote:
        raise ValueError(
            "scripts or stylesheets not vendored (add them to app.vendor.ASSETS): " + ", ".join(remote)
        )


def localize_html(html: str, prefix: str = "/vendor/") -> str:
    """Point every vendored CDN URL in a rendered page at ``prefix`` + its vendored path.

    Parameters
    ----------
    html : str
        A rendered page, e.g. ``folium.Map(...).get_root().render()``.
    prefix : str
        Where ``app/static/vendor/`` is served from; may be relative (``"static/vendor/"``).

    Returns
    -------
    str
        The page with every manifest URL replaced.

    Raises
    ------
    ValueError
        Naming each script or stylesheet still loaded over the network.  Other URLs, such as
        tile templates (``https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png``) in the map's
        JavaScript, are left alone.
    """
    local = {e["url"]: _join(prefix, e["path"]) for e in load_manifest()}
    # One pass, longest URL first, so no URL is rewritten inside another's replacement.
    pattern = re.compile("|".join(re.escape(u) for u in sorted(local, key=len, reverse=True)))
    out = pattern.sub(lambda m: local[m.group(0)], html)
    _check_no_remote(out)
    return out


# ---------------------------------------------------------------------------------------
# One self-contained file

_MIME = {
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject", ".svg": "image/svg+xml", ".png": "image/png",
    ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
}
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>\s*</script\s*>", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/|^//[#@]\s*sourceMappingURL=.*$", re.M)


def _attrs(tag: str) -> dict[str, str]:
    return {m[1].lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(tag)}


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _is_relative(ref: str) -> bool:
    # data: URIs, fragment references (#default#VML in leaflet.css) and absolute URLs need no file.
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", ref.strip(), re.I)


def css_refs(css: str) -> list[str]:
    """The relative ``url(...)`` references of a stylesheet, without query or fragment."""
    return [re.split(r"[?#]", ref, maxsplit=1)[0] for _, ref in _CSS_URL.findall(css) if _is_relative(ref)]


def _prefer_woff2(css: str) -> str:
    # Every browser that runs Leaflet 1.9 reads WOFF2; inlining the TTF/EOT/SVG fallbacks
    # as well would more than double the file for nothing.
    def one(m: re.Match[str]) -> str:
        block = m.group(0)
        woff2 = re.findall(r"""url\([^)]*\)\s*format\(\s*["']?woff2["']?\s*\)""", block, re.I)
        if not woff2:
            return block
        block = re.sub(r"(?<![-\w])src\s*:[^;}]*;?", "", block, flags=re.I)
        return block.replace("{", "{src:" + ",".join(woff2) + ";", 1)

    return _FONT_FACE.sub(one, css)


def _inline_css(path: Path) -> str:
    css = _prefer_woff2(_SOURCE_MAP.sub("", path.read_text(encoding="utf-8")))

    def one(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if not _is_relative(ref):
            return m.group(0)
        target = (path.parent / re.split(r"[?#]", ref, maxsplit=1)[0]).resolve()
        if VENDOR_DIR not in target.parents or not target.is_file():
            raise ValueError(f"{path.relative_to(VENDOR_DIR)} references {ref}, which is not vendored")
        return f'url("{_data_uri(target)}")'

    # A closing tag inside the text would end the <style> element early.
    return _CSS_URL.sub(one, css).replace("</style", "<\\/style")


def _leaflet_default_icon(dist: Path) -> str:
    # Leaflet finds its default marker images from leaflet.css's URL, which an inlined page
    # does not have; give it the images as data: URIs instead.
    img = dist / "images"
    return (
        "<script>L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_data_uri(img / 'marker-icon.png')}',"
        f"iconRetinaUrl:'{_data_uri(img / 'marker-icon-2x.png')}',"
        f"shadowUrl:'{_data_uri(img / 'marker-shadow.png')}'}});</script>"
    )


def _vendored_file(url: str, manifest: list[dict]) -> Path | None:
    # A CDN URL, or a URL that localize_html made with any prefix.
    for e in manifest:
        if url == e["url"] or url == e["path"] or url.endswith("/" + e["path"]):
            return VENDOR_DIR / e["path"]
    return None


def inline_html(html: str) -> str:
    """Return one self-contained page: every vendored script and stylesheet inlined.

    Fonts and images that inlined stylesheets reference become ``data:`` URIs (WOFF2 only
    where a font offers it), so the file opens from disk with the network cut.

    Parameters
    ----------
    html : str
        A rendered page with CDN URLs, or one already passed through ``localize_html``.

    Returns
    -------
    str
        The page with ``<script>…</script>`` and ``<style>…</style>`` in place of each
        vendored ``<script src>`` and ``<link rel="stylesheet">``.

    Raises
    ------
    ValueError
        Naming each script or stylesheet that is not vendored and would load over the network.
    """
    manifest = load_manifest()

    def script(m: re.Match[str]) -> str:
        path = _vendored_file(_attrs(m.group(1)).get("src", ""), manifest)
        if path is None:
            return m.group(0)
        js = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
        # "</script" inside the code would end the element early; "<\/" means the same in JS.
        out = "<script>" + re.sub(r"</(script)", r"<\\/\1", js, flags=re.I) + "\n</script>"
        if path.name == "leaflet.js" and path.parent.name == "dist":
            out += _leaflet_default_icon(path.parent)
        return out

    def link(m: re.Match[str]) -> str:
        a = _attrs(m.group(0))
        path = _vendored_file(a.get("href", ""), manifest)
        if path is None or "stylesheet" not in a.get("rel", "").lower().split():
            return m.group(0)
        return "<style>" + _inline_css(path) + "\n</style>"

    out = _LINK_TAG.sub(link, _SCRIPT_TAG.sub(script, html))
    _check_no_remote(out)
    return out


# ---------------------------------------------------------------------------------------
# Refreshing from the npm registry


def _awesome_rotate_css() -> bytes:
    # folium's templates/leaflet.awesome.rotate.css (for folium.Icon(angle=...)) is on no
    # registry; its content is these rules, minified as jsDelivr serves it.
    return "".join(
        f".fa-rotate-{d}{{-ms-transform:rotate({d}deg);-webkit-transform:rotate({d}deg);transform:rotate({d}deg)}}"
        for d in range(1, 361)
    ).encode()


def _folium_license() -> bytes:
    dist = importlib.metadata.distribution("folium")
    for f in dist.files or ():
        if f.name.upper().startswith(("LICENSE", "LICENCE")):
            return Path(dist.locate_file(f)).read_bytes()
    raise FileNotFoundError("the installed folium distribution has no licence file")


class _Tarball:
    """The files of one npm tarball, by path inside the package (the top folder dropped)."""

    def __init__(self, path: Path):
        self.name = path.name
        # Read members, never extract: nothing in the archive decides where files are written.
        with tarfile.open(path, "r:gz") as tar:
            self._files = {
                m.name.split("/", 1)[1]: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers()
                if m.isfile() and "/" in m.name
            }

    def read(self, name: str) -> bytes:
        if name not in self._files:
            raise FileNotFoundError(f"{name} is not in {self.name}")
        return self._files[name]


def _npm_pack(spec: str, tmp: Path) -> _Tarball:
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(tmp)],
        check=True, capture_output=True, text=True,
    ).stdout
    return _Tarball(tmp / json.loads(out)[0]["filename"])


def _package_files(tarball: _Tarball, wanted: list[str]) -> dict[str, bytes]:
    # Take the listed files, then whatever their stylesheets reference, transitively.
    files: dict[str, bytes] = {}
    queue = list(wanted)
    while queue:
        name = queue.pop()
        if name in files:
            continue
        files[name] = tarball.read(name)
        if name.endswith(".css"):
            base = posixpath.dirname(name)
            queue += [posixpath.normpath(posixpath.join(base, ref)) for ref in css_refs(files[name].decode("utf-8"))]
    return files


def refresh(dest: Path = VENDOR_DIR) -> None:
    """Download every package in ``PACKAGES`` from npm and rebuild ``dest``.

    Only the files ``ASSETS`` names, the files their stylesheets reference, each package's
    ``extras`` and licence are kept, under ``<package>@<version>/``; ``manifest.json`` is
    rewritten.  Everything else in ``dest`` except ``README.md`` is removed first.

    Parameters
    ----------
    dest : Path
        The vendor directory to rebuild.
    """
    staged: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in _PACKAGES:
            wanted = [a.file for a in ASSETS if a.package == pkg.spec] + list(pkg.extras)
            if pkg.name == "folium":
                files = {"templates/leaflet.awesome.rotate.min.css": _awesome_rotate_css()}
                files[pkg.license_file] = _folium_license()
            else:
                tarball = _npm_pack(pkg.spec, Path(tmp))
                files = _package_files(tarball, wanted)
                source = _npm_pack(pkg.license_from, Path(tmp)) if pkg.license_from else tarball
                files[pkg.license_file] = source.read(pkg.license_file)
            staged |= {f"{pkg.spec}/{name}": data for name, data in files.items()}
            print(f"{pkg.spec}: {len(files)} files", file=sys.stderr)

    dest.mkdir(parents=True, exist_ok=True)
    for child in dest.iterdir():
        if child.name != "README.md":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for rel, data in staged.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    (dest / MANIFEST).write_text(json.dumps(build_manifest(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    refresh(Path(sys.argv[1]) if len(sys.argv) > 1 else VENDOR_DIR)
