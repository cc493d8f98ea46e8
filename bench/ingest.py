"""Ingest throughput: agency files loaded through their profiles into SQLite and PostgreSQL.

Loads the synthetic world (puente.synth; generated once per seed and scale, cached in
bench/.cache/ingest/): ten agency feeds in CSV (UTF-8, Latin-1, Windows-1252), JSON Lines and XLSX,
sized so that together they hold the scale's number of records (10k, 100k, 1m: the 'medium' world;
3m: a world with about a million person records, for the resolution budget), with the rows
broken on purpose that the world's ground truth lists. Each engine's load runs in a fresh worker
process (cold caches, its own peak RSS) against a fresh database: an SQLite file in a temporary
folder, or a PostgreSQL database puente_bench_<random> that is always dropped afterwards.

Figures, per engine: records stored per second (records_new + records_new_version over the wall
time of the ingest_file calls, validation included; budget 50,000/s), rows read per second,
seconds (with the CPU seconds of the worker and of any processes the pipeline ran), records stored,
rows quarantined and peak RSS (of the worker; the largest of its children beside it); and the
generation time (no budget). ``--profile`` runs the ingest_file calls under cProfile and writes
bench/.cache/profiles/ingest-<engine>-<scale>.prof (set PUENTE_INGEST_WORKERS=0 to keep the
pipeline's row mapping in the profiled process).
"""

from __future__ import annotations

import cProfile
import csv
import json
import math
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from bench.common import (
    REPO_DIR,
    ProgressBar,
    cache_dir,
    figure,
    log,
    peak_rss_mib,
    postgres_database,
    scale_size,
    short_error,
)

BUDGET_RECORDS_PER_S = 50_000
GENERATOR_VERSION = 8  # bump when the world changes what it writes: old caches are then ignored
RECORDS_PER_BLOCK = 1300  # about what one block of the synthetic world holds
MARGIN = 1.02  # generate a little more than the scale so that it is met even if a few rows fail
ENGINES = ("sqlite", "postgresql")


# --- data -------------------------------------------------------------------------------------------


def dataset(seed: int, scale: str, regenerate: bool = False) -> tuple[Path, dict[str, Any], bool]:
    """The synthetic world for (seed, scale), its manifest, and whether it came from the cache.

    The world is made of blocks of ~1,300 records; the bench scale picks how many, so that the
    feeds together hold at least the scale's number of records (1m: the 'medium' world).
    """
    root = cache_dir("ingest")
    folder = root / f"w{GENERATOR_VERSION}-seed{seed}-{scale}"
    manifest_path = folder / "bench-manifest.json"
    if regenerate and folder.exists():
        shutil.rmtree(folder)
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if all(
            (folder / f["file"]).is_file() and (folder / f["file"]).stat().st_size == f["bytes"]
            for f in manifest["files"]
        ):
            return folder, manifest, True
        shutil.rmtree(folder)
    from puente.synth.generate import generate

    blocks = math.ceil(scale_size(scale) * MARGIN / RECORDS_PER_BLOCK)
    partial = root / f".{folder.name}.{os.getpid()}.partial"
    bar = ProgressBar("generate world", blocks, unit="blocks")
    started = time.perf_counter()
    try:
        world = generate(
            "custom", seed, partial, blocks=blocks, progress=lambda done, _total: bar.update(done)
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    broken: dict[str, int] = {}
    with (partial / "truth" / "broken_rows.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            broken[row["file"]] = broken.get(row["file"], 0) + 1
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "blocks": blocks,
        "generation_seconds": seconds,
        "files": [
            {
                "file": f["file"],
                "profile": f["profile"],
                "rows": f["rows"],
                "bytes": (partial / f["file"]).stat().st_size,
                "expected_records": f["records"],
                "expected_quarantined": broken.get(f["file"], 0),
            }
            for f in world.feeds
        ],
    }
    (partial / "bench-manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    try:
        partial.rename(folder)
    except OSError:  # another run cached the same data meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    return folder, manifest, False


# --- worker: one engine's load, in its own process ------------------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pipeline may map rows in others)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# Threads the pipeline starts (e.g. a writer thread) get their own profiler: cProfile sees one thread.
_THREAD_PROFILES: list[cProfile.Profile] = []


def _profile_new_thread(_frame: Any, _event: str, _arg: Any) -> None:
    sys.setprofile(None)
    profile = cProfile.Profile()
    _THREAD_PROFILES.append(profile)
    profile.enable()


def _dump_profile(main: cProfile.Profile, out: Path) -> None:
    """``out``: all threads together; ``*.main.prof`` and ``*.threads.prof``: the loading thread alone
    and the other threads alone (their times overlap the loading thread's in wall time)."""
    main.create_stats()
    main.dump_stats(out.with_suffix(".main.prof"))
    combined = pstats.Stats(main)
    if _THREAD_PROFILES:
        for profile in _THREAD_PROFILES:
            profile.create_stats()
        pstats.Stats(*_THREAD_PROFILES).dump_stats(out.with_suffix(".threads.prof"))
        combined.add(*_THREAD_PROFILES)
    combined.dump_stats(out)


def _worker(config_path: Path) -> int:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    result: dict[str, Any] = {"files": [], "error": None}
    profiler = cProfile.Profile() if config.get("profile_out") else None
    try:
        from puente.ingest.pipeline import DEFAULT_BATCH, ingest_file
        from puente.ingest.profiles import load_profile
        from puente.store.db import connect

        result["batch_size"] = DEFAULT_BATCH
        started = time.perf_counter()
        db = connect(config["url"], blob_dir=Path(config["blob_dir"]))
        try:
            db.upgrade()
            result["schema_seconds"] = time.perf_counter() - started
            for entry in config["files"]:
                path = Path(entry["path"])
                profile = load_profile(entry["profile"])
                with ProgressBar(f"ingest {config['engine']} {path.name}", None) as bar:
                    cpu_before = _cpu_seconds()
                    started = time.perf_counter()
                    if profiler is not None:
                        threading.setprofile(_profile_new_thread)
                        profiler.enable()
                    try:
                        report = ingest_file(db, path, profile, progress=bar.update)
                    finally:
                        if profiler is not None:
                            profiler.disable()
                            threading.setprofile(None)
                    seconds = time.perf_counter() - started
                    cpu = _cpu_seconds() - cpu_before
                result["files"].append(
                    {
                        "file": path.name,
                        "profile": profile.name,
                        "seconds": seconds,
                        "cpu_seconds": cpu,
                        "rows": report.rows_read,
                        "records": report.records_stored,
                        "quarantined": report.rows_quarantined,
                        "duplicates": report.rows_duplicate,
                        "unchanged": report.records_unchanged,
                        "status": report.status,
                    }
                )
        finally:
            db.dispose()
    except BaseException as exc:  # reported to the parent as a figure with an "error" key
        result["error"] = short_error(exc)
        result["traceback"] = traceback.format_exc()
    result["peak_rss_mib"] = peak_rss_mib()
    result["children_peak_rss_mib"] = peak_rss_mib(children=True)
    if profiler is not None:
        _dump_profile(profiler, Path(config["profile_out"]))
    Path(config["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _run_worker(
    engine: str, url: str, work: Path, files: list[dict[str, str]], profile_out: Path | None
) -> Any:
    config = {
        "engine": engine,
        "url": url,
        "blob_dir": str(work / "files"),
        "files": files,
        "result": str(work / "result.json"),
        "profile_out": str(profile_out) if profile_out else None,
    }
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_DIR), env.get("PYTHONPATH", "")) if p)
    # The worker's stdout goes to our stderr: stdout carries the figures only.
    # Its own process group, so that stopping it also stops any processes the pipeline started.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.ingest", "--worker", str(config_path)],
        cwd=REPO_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=sys.stderr.fileno(),
        start_new_session=True,
    )
    code: int | None = None
    try:
        code = proc.wait()
    finally:
        if code is None:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
        _signal_group(proc.pid, signal.SIGTERM)  # leftovers of a worker that died abruptly
    result_path = Path(config["result"])
    if not result_path.is_file():
        return {"files": [], "error": f"the {engine} worker exited with status {code} and no result"}
    return json.loads(result_path.read_text(encoding="utf-8"))


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _load(engine: str, folder: Path, manifest: dict[str, Any], profile_out: Path | None) -> Any:
    files = [{"path": str(folder / f["file"]), "profile": f["profile"]} for f in manifest["files"]]
    with tempfile.TemporaryDirectory(prefix=f"puente-bench-{engine}-") as tmp:
        work = Path(tmp)
        if engine == "sqlite":
            return _run_worker(engine, f"sqlite:///{work / 'puente.db'}", work, files, profile_out)
        with postgres_database() as url:
            return _run_worker(engine, url, work, files, profile_out)


# --- figures -------------------------------------------------------------------------------------------


def _engine_figures(args: Any, engine: str, result: Any, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    prefix = f"ingest.{engine}"
    expected_records = sum(f["expected_records"] for f in manifest["files"])
    expected_quarantined = sum(f["expected_quarantined"] for f in manifest["files"])
    common: dict[str, Any] = {"engine": engine, "seed": getattr(args, "seed", None)}
    if os.environ.get("PUENTE_INGEST_WORKERS") is not None:  # the pipeline's own setting, if given
        common["ingest_workers"] = os.environ["PUENTE_INGEST_WORKERS"]
    if getattr(args, "profile", False):
        common["profiled"] = True
    if result.get("error"):
        log_file = cache_dir("logs") / f"ingest-{engine}-{args.scale}.log"
        log_file.write_text(result.get("traceback") or result["error"], encoding="utf-8")
        log(f"{engine} load failed: {result['error']} (details in {log_file})")
        return [
            figure(
                args,
                f"{prefix}.records_per_s",
                None,
                "records/s",
                BUDGET_RECORDS_PER_S,
                error=result["error"],
                log=str(log_file),
                files_done=result.get("files", []),
                **common,
            )
        ]
    files = result["files"]
    seconds = sum(f["seconds"] for f in files)
    records = sum(f["records"] for f in files)
    rows = sum(f["rows"] for f in files)
    quarantined = sum(f["quarantined"] for f in files)
    cpu_seconds = sum(f.get("cpu_seconds", 0.0) for f in files)
    nominal = scale_size(args.scale)
    if records != expected_records or quarantined != expected_quarantined:
        log(
            f"{engine}: stored {records:,} records and quarantined {quarantined:,} rows; the generator "
            f"expected {expected_records:,} and {expected_quarantined:,}"
        )
    per_file = [
        {
            **f,
            "seconds": round(f["seconds"], 3),
            "cpu_seconds": round(f.get("cpu_seconds", 0.0), 3),
            "records_per_s": round(f["records"] / f["seconds"], 1) if f["seconds"] else None,
        }
        for f in files
    ]
    return [
        figure(
            args,
            f"{prefix}.records_per_s",
            records / seconds if seconds else None,
            "records/s",
            BUDGET_RECORDS_PER_S,
            records=records,
            rows=rows,
            seconds=round(seconds, 3),
            expected_records=expected_records,
            meets_scale=records >= nominal,
            batch_size=result.get("batch_size"),
            per_file=per_file,
            **common,
        ),
        figure(args, f"{prefix}.rows_per_s", rows / seconds if seconds else None, "rows/s", **common),
        figure(
            args,
            f"{prefix}.seconds",
            seconds,
            "s",
            cpu_seconds=cpu_seconds,
            records_per_cpu_s=records / cpu_seconds if cpu_seconds else None,
            schema_seconds=result.get("schema_seconds"),
            **common,
        ),
        figure(args, f"{prefix}.records", records, "records", scale_records=nominal, **common),
        figure(
            args,
            f"{prefix}.quarantined",
            quarantined,
            "rows",
            expected=expected_quarantined,
            share=round(quarantined / rows, 5) if rows else None,
            **common,
        ),
        figure(
            args,
            f"{prefix}.peak_rss",
            result.get("peak_rss_mib"),
            "MiB",
            process="load worker",
            children_peak_rss_mib=result.get("children_peak_rss_mib"),
            **common,
        ),
    ]


def run(args: Any) -> list[dict[str, Any]]:
    engines = [
        e.strip() for e in (getattr(args, "engines", None) or ",".join(ENGINES)).split(",") if e.strip()
    ]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise ValueError(f"unknown engine(s) {', '.join(unknown)}: use {', '.join(ENGINES)}")
    seed = getattr(args, "seed", 20230314)
    started = time.perf_counter()
    folder, manifest, cached = dataset(seed, args.scale, getattr(args, "regenerate", False))
    files = manifest["files"]
    log(
        f"data {'from cache' if cached else 'generated'} in {time.perf_counter() - started:.1f}s: "
        + ", ".join(f"{f['file']} {f['rows']:,} rows" for f in files)
    )
    figures = [
        figure(
            args,
            "ingest.generate.seconds",
            manifest["generation_seconds"],
            "s",
            cached=cached,
            rows=sum(f["rows"] for f in files),
            expected_records=sum(f["expected_records"] for f in files),
            bytes=sum(f["bytes"] for f in files),
            seed=seed,
            files=[
                {k: f[k] for k in ("file", "rows", "expected_records", "expected_quarantined", "bytes")}
                for f in files
            ],
            folder=str(folder),
        )
    ]
    for engine in engines:
        profile_out = None
        if getattr(args, "profile", False):
            profile_out = cache_dir("profiles") / f"ingest-{engine}-{args.scale}.prof"
        log(f"loading into {engine}")
        try:
            result = _load(engine, folder, manifest, profile_out)
        except Exception as exc:  # e.g. PostgreSQL unreachable: a figure with an error, not a traceback
            result = {"files": [], "error": short_error(exc), "traceback": traceback.format_exc()}
        engine_figures = _engine_figures(args, engine, result, manifest)
        if profile_out is not None and profile_out.is_file():
            engine_figures[0]["cprofile"] = str(profile_out)
        figures.extend(engine_figures)
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        sys.exit(_worker(Path(sys.argv[2])))
    sys.exit("usage: python -m bench --only ingest (this module's own entry point is its load worker)")
