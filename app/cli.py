"""The ``cqatlas`` command line: validate the knowledge base, export its data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seeds.loader import KB_DIR, validate_kb


def _cmd_validate(args: argparse.Namespace) -> int:
    kb, issues = validate_kb(args.kb)
    if kb is None:
        print(f"knowledge base in {args.kb}: {len(issues)} problem(s)", file=sys.stderr)
        for issue in issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    from geo.sites import check_locations, precision_counts

    print(f"knowledge base in {args.kb}: valid")
    for table, n in kb.counts().items():
        print(f"  {table:<18}{n:>6}")
    print("sites per location precision:")
    for precision, n in precision_counts(kb).items():
        print(f"  {precision:<18}{n:>6}")
    problems = check_locations(kb)
    if problems:
        print(f"{len(problems)} point(s) outside their district:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("all site and centre points lie in their recorded districts")
    return 0


def _cmd_data_export(args: argparse.Namespace) -> int:
    from app.data_export import export_tables
    from seeds.loader import load_kb

    kb = load_kb(args.kb)
    for path in export_tables(kb, args.out_dir, args.format):
        print(path)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.dashboard import create_app
    from seeds.loader import load_kb

    kb = load_kb(args.kb)
    app = create_app(kb)
    print(f"Chongqing Service Atlas on http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    # Debug mode runs arbitrary code from the browser console: only when asked for.
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


def _filters_from_args(args: argparse.Namespace, kb):
    from layers.filters import parse_query

    framework = args.framework
    if framework and not framework.startswith("f"):
        framework = "f" + framework  # --framework 2019 means f2019
    query = {
        "framework": framework, "sectors": ",".join(args.sector or []), "horizon": args.horizon,
        "categories": ",".join(args.category or []), "plans": ",".join(args.plan or []),
        "area": args.area, "lang": args.lang, "q": args.q,
    }
    parsed = parse_query({k: v for k, v in query.items() if v}, kb)
    if parsed.warnings:
        bad = "; ".join(f"{k}: {', '.join(f'{a}={b}' for a, b in v.items())}" for k, v in parsed.warnings)
        raise SystemExit(f"cqatlas export: invalid option value(s) ({bad}); see cqatlas export --help")
    return parsed.filters


def _cmd_export(args: argparse.Namespace) -> int:
    from app.batch import export_figures, standard_states
    from seeds.loader import load_kb

    kb = load_kb(args.kb)
    out = args.output
    if args.what == "figures":
        fmt = args.format or "pdf"
        if fmt not in ("png", "pdf", "svg"):
            raise SystemExit(f"cqatlas export figures: --format must be png, pdf or svg, not {fmt!r}")
        states = standard_states(kb, args.lang or "zh") if args.all else [("view", _filters_from_args(args, kb))]
        index = export_figures(kb, states, fmt, out, progress=not args.quiet)
        print(index)
    elif args.what == "html":
        from app.exports import standalone_html
        from layers.filters import file_name

        f = _filters_from_args(args, kb)
        out.mkdir(parents=True, exist_ok=True)
        path = out / file_name(f, "html", "map")
        path.write_text(standalone_html(kb, f), encoding="utf-8")
        print(path)
    else:
        from app.exports import DATA_FORMATS, export_data_bytes

        fmt = args.format or "gpkg"
        if fmt not in DATA_FORMATS:
            raise SystemExit(f"cqatlas export data: --format must be one of {', '.join(DATA_FORMATS)}, not {fmt!r}")
        name, content = export_data_bytes(kb, _filters_from_args(args, kb), fmt)
        out.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
        print(out / name)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cqatlas", description="Chongqing Service Atlas / 重庆现代服务业规划地图集")
    parser.add_argument("--kb", type=Path, default=KB_DIR, help="knowledge-base directory (default: bundled)")
    sub = parser.add_subparsers(dest="command", required=True)

    p_validate = sub.add_parser("validate", help="validate the knowledge base and site locations")
    p_validate.set_defaults(func=_cmd_validate)

    p_serve = sub.add_parser("serve", help="run the interactive atlas (Dash) on the bundled data")
    p_serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p_serve.add_argument("--port", type=int, default=8050)
    p_serve.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    p_serve.set_defaults(func=_cmd_serve)

    p_exp = sub.add_parser("export", help="figures, standalone HTML or filtered data for reports")
    p_exp.add_argument("what", choices=("figures", "html", "data"))
    p_exp.add_argument("--framework", help="2019, 2020 or 2024 (or f2019 …)")
    p_exp.add_argument("--sector", action="append", help="sector id; repeat for several")
    p_exp.add_argument("--horizon", choices=("all", "2022", "2025", "2027"))
    p_exp.add_argument("--category", action="append", help="site category; repeat for several")
    p_exp.add_argument("--plan", action="append", help="plan id (000 … 004); repeat for several")
    p_exp.add_argument("--area", help="district adcode or zone id")
    p_exp.add_argument("--q", help="name search")
    p_exp.add_argument("--lang", choices=("zh", "en"))
    p_exp.add_argument("--format", help="figures: png|pdf|svg (default pdf); data: geojson|gpkg|csv (default gpkg)")
    p_exp.add_argument("--all", action="store_true", help="figures: the standard set, one per framework, sector and horizon")
    p_exp.add_argument("--quiet", action="store_true", help="no progress bar")
    p_exp.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p_exp.set_defaults(func=_cmd_export)

    p_data = sub.add_parser("data", help="knowledge-base data")
    data_sub = p_data.add_subparsers(dest="data_command", required=True)
    p_export = data_sub.add_parser("export", help="write the knowledge base as flat tables")
    p_export.add_argument("--format", choices=("csv", "json"), default="csv")
    p_export.add_argument("out_dir", type=Path, metavar="DIR")
    p_export.set_defaults(func=_cmd_data_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
