"""``python -m bench``: run every benchmark module of this package, one JSON line per figure.

    python -m bench                                  # all modules, scale from PUENTE_BENCH_SCALE or 1m
    python -m bench --only ingest --scale 100k       # one module, a quick run
    python -m bench --list                           # the modules found

Figures go to stdout, one JSON object a line; progress and notes go to stderr. A figure outside
its budget is reported with "meets_budget": false and does not change the exit status; the exit
status is 1 only when a module crashed (it is then reported as a figure with an "error" key).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import time
import traceback
from types import ModuleType

import bench
from bench.common import (
    SCALES,
    cache_dir,
    default_scale,
    figure,
    log,
    print_figure,
    short_error,
)

NOT_BENCHMARKS = {"common"}


def discover() -> dict[str, ModuleType]:
    """Modules of the bench package that expose ``run(args)``, by name."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "run", None)):
            found[info.name] = module
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", help="comma-separated benchmark modules to run (default: all)")
    p.add_argument(
        "--scale",
        default=default_scale(),
        choices=sorted(SCALES, key=SCALES.__getitem__),
        help="data size (default: $PUENTE_BENCH_SCALE or 1m)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=int(os.environ.get("PUENTE_BENCH_SEED", "20230314")),
        help="seed of the generated data (default: $PUENTE_BENCH_SEED or 20230314)",
    )
    p.add_argument(
        "--engines",
        default="sqlite,postgresql",
        help="comma-separated database engines for benchmarks that use one (default: sqlite,postgresql)",
    )
    p.add_argument("--regenerate", action="store_true", help="ignore cached generated data")
    p.add_argument(
        "--profile",
        action="store_true",
        help="run the timed parts under cProfile (figures are then marked profiled; stats in bench/.cache/)",
    )
    p.add_argument("--list", action="store_true", help="list the benchmark modules and exit")
    return p


def _terminate(signum: int, _frame: object) -> None:
    # Turn SIGTERM into SystemExit so that context managers (temporary databases) clean up.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    modules = discover()
    if args.list:
        for name, module in modules.items():
            doc = (module.__doc__ or "").strip().splitlines()
            print(f"{name}: {doc[0] if doc else ''}")
        return 0
    selected = list(modules)
    if args.only:
        selected = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in selected if n not in modules]
        if unknown:
            log(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(modules) or 'none'}")
            return 2
    signal.signal(signal.SIGTERM, _terminate)
    status = 0
    for name in selected:
        log(f"running {name} at scale {args.scale}")
        started = time.perf_counter()
        try:
            figures = modules[name].run(args)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # one module's crash must not hide the others' figures
            log_file = cache_dir("logs") / f"{name}-crash.log"
            log_file.write_text(traceback.format_exc(), encoding="utf-8")
            print_figure(figure(args, f"{name}.crashed", None, "", error=short_error(exc), log=str(log_file)))
            log(f"{name} crashed: {short_error(exc)} (traceback in {log_file})")
            status = 1
            continue
        for fig in figures:
            print_figure(fig)
        log(f"{name} done in {time.perf_counter() - started:.1f}s")
    return status


if __name__ == "__main__":
    sys.exit(main())
