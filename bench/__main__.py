"""The benchmarks: ``python -m bench [web|import|export|chaos|alerts|all] [--quick]`` (default:
all).

- ``web``: the production server with 100,000 programmes, every public page against the
  framework's floor (bench/web.py; options: --quick, --rebuild, --redis, --duration).
- ``import``: the register and boundary imports and the maps (bench/import_bench.py).
- ``export``: CSV and XLSX exports and the full dumps of 100,000 programmes, time and memory,
  then eight parallel full XLSX requests while visitors browse (bench/export_bench.py).
- ``chaos``: 60 s of load with hostile requests while the LISTEN connections die, the catalogue
  changes and Redis stops answering (bench/chaos.py; not part of ``all``).
- ``alerts``: 10,000 e-mail alert digests composed and sent to a local SMTP sink: mails per
  second and memory (bench/alerts.py; about four minutes, with --quick 1,000).

Each prints its figures and writes JSON to bench/results/. ``all`` takes about a quarter of an
hour; with --quick about five minutes.
"""

import argparse
import sys


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=["web", "import", "export", "chaos", "alerts", "all"],
    )
    args, rest = parser.parse_known_args(argv)
    quick = "--quick" in rest
    if args.which in ("import", "all"):
        from bench import import_bench

        import_bench.main(["--rounds", "1"] if quick or args.which == "all" else [])
    if args.which in ("export", "all"):
        from bench import export_bench

        export_bench.main(["--rows", "20000"] if quick else [])
    if args.which == "chaos":
        from bench import chaos

        sys.exit(chaos.main(rest))
    if args.which in ("alerts", "all"):
        from bench import alerts

        alerts.main(["--digests", "1000"] if quick else [])
    if args.which in ("web", "all"):
        from bench import web

        web.main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
