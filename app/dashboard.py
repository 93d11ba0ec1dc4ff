"""The Dash app: filter panel, map (an iframe on ``/map``), tables, targets, summary, comparison.

The page URL holds the filter state (the same query string ``/map`` takes), so a
copied link restores the view.  One callback keeps the controls and the URL in
step; every view reads the URL.
"""

from __future__ import annotations

from collections import Counter

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, dcc, html

from app.mapserver import MapCache, register_map_routes
from app.vendor import local_url
from geo.sites import load_sites
from geo.zones import district_zones
from layers.filters import BASEMAPS, HORIZONS, Filters, file_name, filter_sites, filter_targets, parse_query
from layers.i18n import pick, t
from layers.maplayers import place_names
from layers.style import category_label, sector_colours
from seeds.loader import KnowledgeBase
from seeds.schema import SiteCategory

EXPORT_BUTTONS = (("png", "PNG"), ("pdf", "PDF"), ("svg", "SVG"), ("html", "HTML"),
                  ("geojson", "GeoJSON"), ("gpkg", "GeoPackage"), ("csv", "CSV"))
CONTROLS = ("sectors", "horizon", "framework", "plans", "categories", "area", "q", "basemap", "lang")
MAX_REQUEST_BYTES = 1_000_000  # no uploads exist; anything larger is refused


def _options(kb: KnowledgeBase, lang: str) -> dict[str, list[dict]]:
    districts = [{"label": pick(d.name_zh, d.name_en, lang), "value": str(d.adcode)} for d in kb.districts]
    zones = [
        {"label": f"{pick(f.name_zh, f.name_en, lang)} · {pick(z.name_zh, z.name_en, lang)}", "value": z.id}
        for f in kb.frameworks
        for z in f.zones
    ]
    return {
        "sectors": [{"label": pick(s.name_zh, s.name_en, lang), "value": s.id} for s in kb.sectors],
        "horizon": [{"label": t("horizon_all", lang) if h == "all" else h, "value": h} for h in HORIZONS],
        "framework": [{"label": pick(f.name_zh, f.name_en, lang), "value": f.id} for f in kb.frameworks],
        "plans": [{"label": f"[{p.id}] {pick(p.title_zh, p.title_en, lang)}", "value": p.id} for p in kb.plans],
        "categories": [{"label": category_label(c, lang), "value": c} for c in SiteCategory.__args__],
        "area": [{"label": t("whole_city", lang), "value": ""}, *zones, *districts],
        "basemap": [{"label": t(f"basemap_{b}", lang), "value": b} for b in BASEMAPS],
        "lang": [{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
    }


def _control(cid: str, kind: str, **kwargs) -> html.Div:
    label = html.Label(id=f"label-{cid}", htmlFor=f"f-{cid}", className="form-label fw-semibold mb-1")
    if kind == "dropdown":
        widget = dcc.Dropdown(id=f"f-{cid}", **kwargs)
    elif kind == "radio":
        widget = dbc.RadioItems(id=f"f-{cid}", inline=True, **kwargs)
    else:
        widget = dbc.Input(id=f"f-{cid}", type="search", debounce=True, maxLength=100, **kwargs)
    return html.Div([label, widget], className="mb-2")


def build_layout(kb: KnowledgeBase) -> html.Div:
    f = Filters()
    opts = _options(kb, f.lang)
    panel = dbc.Card(
        dbc.CardBody(
            [
                html.H5(id="label-filters", className="card-title"),
                _control("lang", "radio", options=opts["lang"], value=f.lang),
                _control("framework", "dropdown", options=opts["framework"], value=f.framework, clearable=False),
                _control("horizon", "radio", options=opts["horizon"], value=f.horizon),
                html.Small(id="horizon-help", className="text-muted d-block mb-2"),
                _control("sectors", "dropdown", options=opts["sectors"], value=[], multi=True),
                _control("categories", "dropdown", options=opts["categories"], value=[], multi=True),
                _control("plans", "dropdown", options=opts["plans"], value=[], multi=True),
                _control("area", "dropdown", options=opts["area"], value="", clearable=False),
                _control("q", "input", value=""),
                _control("basemap", "dropdown", options=opts["basemap"], value=f.basemap, clearable=False),
                html.Div(id="counts", className="small text-muted mt-2"),
            ]
        ),
        className="h-100",
    )
    tabs = dbc.Tabs(
        [
            dbc.Tab(
                dag.AgGrid(
                    id="sites-table",
                    defaultColDef={"sortable": True, "filter": True, "floatingFilter": True, "resizable": True},
                    dashGridOptions={"pagination": True, "paginationPageSize": 20},
                    style={"height": "520px"},
                ),
                tab_id="tab-table",
                id="tab-table",
            ),
            dbc.Tab(
                [
                    dcc.Dropdown(id="indicator", clearable=False, className="my-2"),
                    dcc.Graph(id="trajectory", config={"displaylogo": False}),
                    dag.AgGrid(
                        id="targets-table",
                        defaultColDef={"sortable": True, "filter": True, "resizable": True},
                        style={"height": "360px"},
                    ),
                ],
                tab_id="tab-targets",
                id="tab-targets",
            ),
            dbc.Tab(
                dag.AgGrid(id="summary-table", defaultColDef={"sortable": True, "resizable": True}, style={"height": "460px"}),
                tab_id="tab-summary",
                id="tab-summary",
            ),
            dbc.Tab(
                [
                    dbc.RadioItems(id="compare-mode", inline=True, value="horizons", className="my-2"),
                    dbc.Row(
                        [
                            dbc.Col([html.Div(id="compare-a-label", className="fw-semibold"),
                                     html.Iframe(id="compare-a", className="cq-compare")], md=6),
                            dbc.Col([html.Div(id="compare-b-label", className="fw-semibold"),
                                     html.Iframe(id="compare-b", className="cq-compare")], md=6),
                        ]
                    ),
                ],
                tab_id="tab-compare",
                id="tab-compare",
            ),
        ],
        id="tabs",
        active_tab="tab-table",
        className="mt-3",
    )
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dbc.Navbar(
                dbc.Container(
                    [html.Span(id="title", className="navbar-brand"), html.Span(id="subtitle", className="text-light small")],
                    fluid=True,
                ),
                color="dark",
                dark=True,
                className="mb-3",
            ),
            dbc.Container(
                [
                    html.Div(id="messages"),
                    dbc.Row(
                        [
                            dbc.Col(panel, md=3),
                            dbc.Col(
                                [
                                    html.Iframe(id="map-frame", title="map", className="cq-map"),
                                    html.Div(
                                        [
                                            html.A(id="map-link", target="_blank", rel="noopener", className="small me-3"),
                                            html.Span(id="export-label", className="small text-muted me-2"),
                                            dbc.ButtonGroup(
                                                [dbc.Button(label, id=f"export-{key}", size="sm", outline=True, color="secondary")
                                                 for key, label in EXPORT_BUTTONS],
                                                size="sm",
                                            ),
                                            dcc.Download(id="download"),
                                            html.Div(id="export-msg", className="small mt-1"),
                                        ],
                                        className="d-flex flex-wrap align-items-center gap-1 mt-1",
                                    ),
                                    tabs,
                                ],
                                md=9,
                            ),
                        ]
                    ),
                ],
                fluid=True,
            ),
        ]
    )


def sites_rows(kb: KnowledgeBase, f: Filters) -> list[dict]:
    """Rows of the sites table: the filtered sites, labelled in ``f.lang``."""
    sites = load_sites(kb).set_index("id")
    sectors = {s.id: s for s in kb.sectors}
    rows = []
    for s in filter_sites(kb, f):
        district, zone = place_names(kb, s, f)
        rows.append(
            {
                "id": s.id,
                "name": pick(s.name_zh, s.name_en, f.lang),
                "alt": pick(s.name_en, s.name_zh, f.lang),
                "category": category_label(s.category, f.lang),
                "sectors": "、".join(pick(sectors[x].name_zh, sectors[x].name_en, f.lang) for x in s.sectors),
                "district": district,
                "zone": zone,
                "plans": ", ".join(sorted({r.plan for r in s.refs})),
                "horizons": ", ".join(str(h) for h in sorted({r.horizon for r in s.refs})),
                "precision": t(f"precision_{s.location.precision}", f.lang),
                "lon": sites.loc[s.id, "lon"],
                "lat": sites.loc[s.id, "lat"],
            }
        )
    return rows


def sites_columns(lang: str) -> list[dict]:
    keys = [("name", "name"), ("alt", "name"), ("category", "category"), ("sectors", "sectors"),
            ("district", "district"), ("zone", "zone"), ("plans", "plan"), ("horizons", "horizon"),
            ("precision", "precision")]
    cols = [{"field": k, "headerName": t(label, lang) + (" (en)" if k == "alt" and lang == "zh" else (" (中文)" if k == "alt" else ""))}
            for k, label in keys]
    cols[0]["pinned"] = "left"
    return cols


def trajectory_figure(kb: KnowledgeBase, indicator: str | None, f: Filters) -> go.Figure:
    """Each plan's figures for one indicator across years: baselines and targets, city scope."""
    fig = go.Figure()
    if not indicator:
        fig.update_layout(annotations=[{"text": t("no_results", f.lang), "showarrow": False}])
        return fig
    ind = next(i for i in kb.indicators if i.id == indicator)
    points = []
    for tg in kb.targets:
        if tg.indicator != indicator or tg.scope != "city":
            continue
        if tg.base_year is not None and tg.base_value is not None:
            points.append((tg.base_year, tg.base_value, "baseline", tg))
        if tg.target_year is not None and tg.target_value is not None:
            points.append((tg.target_year, tg.target_value, "target", tg))
    by_year: dict[tuple[int, float], tuple] = {}
    for p in sorted(points, key=lambda p: (p[0], p[3].plan)):
        by_year.setdefault((p[0], p[1]), p)
    pts = sorted(by_year.values(), key=lambda p: p[0])
    colour = sector_colours(kb).get(ind.sector or "", "#444")
    fig.add_trace(
        go.Scatter(
            x=[p[0] for p in pts],
            y=[p[1] for p in pts],
            mode="lines+markers+text",
            text=[f"{p[1]:g}" for p in pts],
            textposition="top center",
            line={"color": colour},
            marker={"size": 10, "symbol": ["circle-open" if p[2] == "baseline" else "circle" for p in pts]},
            customdata=[[f"[{p[3].plan}] {p[3].clause}", p[3].quote] for p in pts],
            hovertemplate="%{x}: %{y} " + ind.unit + "<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            name=pick(ind.name_zh, ind.name_en, f.lang),
        )
    )
    fig.update_layout(
        title=f"{t('trajectory', f.lang)}: {pick(ind.name_zh, ind.name_en, f.lang)} ({ind.unit})",
        xaxis={"title": t("year", f.lang), "dtick": 1},
        yaxis={"title": ind.unit},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=360,
    )
    return fig


def summary_rows(kb: KnowledgeBase, f: Filters) -> tuple[list[dict], list[dict]]:
    """Sites by zone (of the framework) and sector: one row per zone, one column per sector."""
    zone_of = district_zones(kb, f.framework)
    zones = kb.framework(f.framework).zones
    counts: dict[str, Counter[str]] = {z.id: Counter() for z in zones}
    for s in filter_sites(kb, f):
        for zid in dict.fromkeys(zone_of[c] for c in s.districts):
            for sec in s.sectors:
                counts[zid][sec] += 1
    used = [s for s in kb.sectors if any(counts[z.id][s.id] for z in zones)]
    rows = [
        {"zone": pick(z.name_zh, z.name_en, f.lang), **{s.id: counts[z.id][s.id] for s in used}, "total": sum(counts[z.id].values())}
        for z in zones
    ]
    cols = [{"field": "zone", "headerName": t("zone", f.lang), "pinned": "left"}] + [
        {"field": s.id, "headerName": pick(s.name_zh, s.name_en, f.lang), "cellStyle": {"borderLeft": f"4px solid {s.colour}"}}
        for s in used
    ] + [{"field": "total", "headerName": "Σ"}]
    return rows, cols


def create_app(kb: KnowledgeBase) -> dash.Dash:
    """Create the Dash app (and its Flask server with ``/map``) on a loaded knowledge base."""
    app = dash.Dash(
        __name__,
        title="重庆现代服务业规划地图集 · Chongqing Service Atlas",
        # The same stylesheets dbc would fetch from a CDN, served from /vendor/.
        external_stylesheets=[local_url(dbc.themes.BOOTSTRAP), local_url(dbc.icons.FONT_AWESOME)],
        serve_locally=True,
        suppress_callback_exceptions=False,
    )
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    cache = MapCache()
    register_map_routes(app.server, kb, cache)
    app.layout = build_layout(kb)
    app.index_string = app.index_string.replace(
        "{%css%}",
        "{%css%}<style>.cq-map{width:100%;height:62vh;border:1px solid #ccc;border-radius:4px}"
        ".cq-compare{width:100%;height:460px;border:1px solid #ccc}</style>",
    )

    control_outputs = [Output(f"f-{c}", "value") for c in CONTROLS]
    control_inputs = [Input(f"f-{c}", "value") for c in CONTROLS]

    @app.callback(Output("url", "search"), *control_outputs, Input("url", "search"), *control_inputs)
    def sync_url(search, *values):
        # The URL and the controls mirror each other: a changed URL (first load, a pasted
        # link, back button) sets the controls; a changed control rewrites the URL.
        if ctx.triggered_id in (None, "url"):
            f = parse_query(search or "", kb).filters
            return (dash.no_update, *[list(getattr(f, c)) if isinstance(getattr(f, c), tuple) else getattr(f, c) for c in CONTROLS])
        raw = dict(zip(CONTROLS, values))
        query = {k: (",".join(v) if isinstance(v, list) else (v or "")) for k, v in raw.items()}
        f = parse_query({k: v for k, v in query.items() if v != ""}, kb).filters
        q = f.to_query()
        return ("?" + q if q else "", *[dash.no_update] * len(CONTROLS))

    @app.callback(
        [Output(f"label-{c}", "children") for c in CONTROLS]
        + [Output(f"f-{c}", "options") for c in ("sectors", "horizon", "framework", "plans", "categories", "area", "basemap")]
        + [
            Output("f-q", "placeholder"), Output("label-filters", "children"), Output("horizon-help", "children"),
            Output("title", "children"), Output("subtitle", "children"), Output("tab-table", "label"),
            Output("tab-targets", "label"), Output("tab-summary", "label"), Output("tab-compare", "label"),
            Output("compare-mode", "options"), Output("map-link", "children"), Output("export-label", "children"),
        ],
        Input("f-lang", "value"),
    )
    def relabel(lang):
        lang = lang if lang in ("zh", "en") else "zh"
        opts = _options(kb, lang)
        labels = [t(k, lang) for k in ("sectors", "horizon", "framework", "plan", "category", "area", "search", "basemap", "language")]
        return (
            *labels,
            *[opts[k] for k in ("sectors", "horizon", "framework", "plans", "categories", "area", "basemap")],
            t("search_placeholder", lang), t("filters", lang), t("horizon_help", lang),
            t("app_title", lang), t("app_subtitle", lang), t("table", lang), t("targets", lang),
            t("summary", lang), t("compare", lang),
            [{"label": t("compare_horizons", lang), "value": "horizons"}, {"label": t("compare_frameworks", lang), "value": "frameworks"}],
            t("open_map", lang), t("export", lang),
        )

    @app.callback(
        Output("map-frame", "src"), Output("map-link", "href"), Output("counts", "children"), Output("messages", "children"),
        Output("sites-table", "rowData"), Output("sites-table", "columnDefs"),
        Output("summary-table", "rowData"), Output("summary-table", "columnDefs"),
        Output("indicator", "options"), Output("indicator", "value"),
        Output("targets-table", "rowData"), Output("targets-table", "columnDefs"),
        Input("url", "search"),
        State("indicator", "value"),
    )
    def views(search, indicator):
        parsed = parse_query(search or "", kb)
        f = parsed.filters
        q = f.to_query()
        src = "/map" + ("?" + q if q else "")
        sites = filter_sites(kb, f)
        unlocated = sum(s.location.precision == "unknown" for s in sites)
        counts = t("shown_count", f.lang, n=len(sites), total=len(kb.sites))
        if unlocated:
            counts += " · " + t("not_drawn", f.lang, n=unlocated)
        messages = [dbc.Alert(t(key, f.lang, **args), color="warning", dismissable=True, className="py-1")
                    for key, args in parsed.warnings]
        if not sites:
            messages.append(dbc.Alert(t("no_results", f.lang), color="info", className="py-1", id="empty-alert"))
        summary, summary_cols = summary_rows(kb, f)
        targets = filter_targets(kb, f)
        inds = {x.id: x for x in kb.indicators}
        ind_ids = list(dict.fromkeys(tg.indicator for tg in targets))
        ind_opts = [{"label": pick(inds[i].name_zh, inds[i].name_en, f.lang), "value": i} for i in ind_ids]
        if indicator not in ind_ids:
            indicator = "finance_value_added" if "finance_value_added" in ind_ids else (ind_ids[0] if ind_ids else None)
        t_rows = [
            {
                "indicator": pick(tg.indicator_zh, tg.indicator_en, f.lang), "plan": tg.plan, "kind": t(tg.kind, f.lang),
                "year": tg.target_year or tg.base_year, "value": tg.value_text, "unit": tg.unit,
                "scope": t("whole_city", f.lang) if tg.scope == "city" else str(tg.scope_adcode),
                "clause": tg.clause, "quote": tg.quote,
            }
            for tg in targets
        ]
        t_cols = [{"field": k, "headerName": h} for k, h in [
            ("indicator", t("name", f.lang)), ("plan", t("plan", f.lang)), ("kind", ""), ("year", t("year", f.lang)),
            ("value", t("value", f.lang)), ("unit", ""), ("scope", t("area", f.lang)), ("clause", t("source", f.lang)),
            ("quote", "“…”")]]
        return (src, src, counts, messages, sites_rows(kb, f), sites_columns(f.lang), summary, summary_cols,
                ind_opts, indicator, t_rows, t_cols)

    @app.callback(Output("trajectory", "figure"), Input("indicator", "value"), Input("url", "search"))
    def trajectory(indicator, search):
        return trajectory_figure(kb, indicator, parse_query(search or "", kb).filters)

    @app.callback(
        Output("compare-a", "src"), Output("compare-b", "src"), Output("compare-a-label", "children"),
        Output("compare-b-label", "children"),
        Input("compare-mode", "value"), Input("url", "search"), Input("tabs", "active_tab"),
    )
    def compare(mode, search, tab):
        if tab != "tab-compare":
            return dash.no_update, dash.no_update, dash.no_update, dash.no_update
        f = parse_query(search or "", kb).filters
        if mode == "frameworks":
            a, b = f.with_(framework="f2019", area=""), f.with_(framework="f2024", area="")
            la, lb = (pick(kb.framework(x).name_zh, kb.framework(x).name_en, f.lang) for x in ("f2019", "f2024"))
        else:
            a, b = f.with_(horizon="2022"), f.with_(horizon="2027")
            la, lb = "2022", "2027"
        return "/map?" + a.to_query(), "/map?" + b.to_query(), la, lb

    @app.callback(
        Output("download", "data"), Output("export-msg", "children"),
        [Input(f"export-{key}", "n_clicks") for key, _ in EXPORT_BUTTONS],
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(*args):
        from app.exports import export_data_bytes, standalone_html
        from app.figures import FontMissingError, render_figure

        search = args[-1]
        key = (ctx.triggered_id or "").removeprefix("export-")
        f = parse_query(search or "", kb).filters
        try:
            if key in ("png", "pdf", "svg"):
                data, _ = render_figure(kb, f, key)
                return dcc.send_bytes(data, file_name(f, key)), ""
            if key == "html":
                return dcc.send_string(standalone_html(kb, f), file_name(f, "html", "map")), ""
            name, data = export_data_bytes(kb, f, key)
            return dcc.send_bytes(data, name), ""
        except FontMissingError as exc:
            return dash.no_update, dbc.Alert(str(exc), color="danger", className="py-1")

    return app
