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
