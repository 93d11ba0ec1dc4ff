"""The map endpoint: ``/map?<filter state>`` returns the standalone Folium page of that state.

Pages are cached by their canonical query string, so a filter state already seen
is served without rebuilding, and the same URL opened on its own gives the map.
Every script and stylesheet is served from ``/vendor/`` (no CDN).
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from flask import Flask, Response, abort, request, send_from_directory

from app.vendor import VENDOR_DIR, localize_html
from layers.filters import Filters, parse_query
from layers.folium_map import build_map
from seeds.loader import KnowledgeBase

VENDOR_PREFIX = "/vendor/"


class MapCache:
    """A small thread-safe LRU cache of rendered map pages keyed by canonical query."""

    def __init__(self, maxsize: int = 256):
        self.maxsize = maxsize
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, key: str, render) -> str:
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        page = render()
        with self._lock:
            self._pages[key] = page
            if len(self._pages) > self.maxsize:
                self._pages.popitem(last=False)
        return page


def render_map_page(kb: KnowledgeBase, f: Filters) -> str:
    """The map page of ``f`` as HTML with every asset pointing at ``/vendor/``."""
    return localize_html(build_map(kb, f).get_root().render(), prefix=VENDOR_PREFIX)


def register_map_routes(server: Flask, kb: KnowledgeBase, cache: MapCache | None = None) -> MapCache:
    """Add ``/map`` and ``/vendor/<path>`` to a Flask server and return the page cache."""
    cache = cache or MapCache()

    @server.route("/map")
    def map_page() -> Response:
        parsed = parse_query(request.args.to_dict(flat=False), kb)
        key = parsed.filters.to_query()
        page = cache.get_or_render(key, lambda: render_map_page(kb, parsed.filters))
        resp = Response(page, mimetype="text/html")
        resp.headers["Cache-Control"] = "public, max-age=300"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    @server.route("/vendor/<path:path>")
    def vendor(path: str) -> Response:
        if ".." in path.split("/"):
            abort(404)
        resp = send_from_directory(VENDOR_DIR, path, max_age=86400)
        return resp

    return cache
