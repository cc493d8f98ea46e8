"""Helpers shared by the benchmark modules: figures, scales, cache, PostgreSQL, memory, progress."""

from __future__ import annotations

import json
import math
import os
import resource
import secrets
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache"  # git-ignored (.gitignore: bench/.cache/)

# Nominal size of each scale: the number of records a benchmark stores at that scale.
SCALES: dict[str, int] = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000}
DEFAULT_SCALE = "1m"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def default_scale() -> str:
    return os.environ.get("PUENTE_BENCH_SCALE") or DEFAULT_SCALE


def scale_size(scale: str) -> int:
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale '{scale}': use one of {', '.join(SCALES)}") from None


# --- figures -------------------------------------------------------------------------------------


def figure(
    args: Any,
    name: str,
    value: float | int | None,
    unit: str,
    budget: float | int | None = None,
    *,
    higher_is_better: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One figure. With a budget, ``meets_budget`` tells whether the value is within it
    (at least the budget when higher is better, at most it otherwise); a missing value never meets it."""
    fig: dict[str, Any] = {
        "name": name,
        "value": _round(value),
        "unit": unit,
        "budget": budget,
        "scale": getattr(args, "scale", None),
        "cores": os.cpu_count(),
    }
    if budget is not None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            fig["meets_budget"] = False
        else:
            fig["meets_budget"] = value >= budget if higher_is_better else value <= budget
        fig["budget_is"] = "minimum" if higher_is_better else "maximum"
    fig.update({key: _round(value) for key, value in extra.items()})
    return fig


def _round(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 3) if abs(value) < 1000 else round(value, 1)
    return value


def print_figure(fig: dict[str, Any]) -> None:
    """Print one figure as one JSON line on stdout (the only thing benchmarks print on stdout)."""
    sys.stdout.write(json.dumps(fig, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def short_error(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- stderr: log and progress ---------------------------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


class ProgressBar:
    """Progress on stderr: a rich bar on a terminal, a plain line every 10% otherwise."""

    def __init__(self, label: str, total: int | None, unit: str = "rows") -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.started = time.perf_counter()
        self._next_pct: int | None = 10
        self._done = 0
        self._rich: Any = None
        self._task: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._rich.start()
            self._task = self._rich.add_task(label, total=total)

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        self._done = done
        if self._rich is not None:
            self._rich.update(self._task, completed=done, total=self.total)
            return
        if not self.total or self._next_pct is None:
            return
        pct = 100 * done / self.total
        if pct >= self._next_pct:
            elapsed = time.perf_counter() - self.started
            log(f"{self.label}: {min(pct, 100):3.0f}% {done:,}/{self.total:,} {self.unit}, {elapsed:.1f}s")
            while self._next_pct <= pct:
                self._next_pct += 10

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
        elif self._next_pct is not None:
            elapsed = time.perf_counter() - self.started
            log(f"{self.label}: done, {self._done:,} {self.unit}, {elapsed:.1f}s")
        self._next_pct = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- cache and memory ------------------------------------------------------------------------------


def cache_dir(*parts: str) -> Path:
    """A folder under bench/.cache/ (created)."""
    path = CACHE_DIR.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def fresh_sqlite(path: Path, copy_of: Path | None = None) -> Path:
    """Clear a cached SQLite file (its WAL, shared memory and kept files too) to be built again,
    as a copy of ``copy_of`` when given: the backup API copies consistently even while another
    benchmark has that file open. Returns the folder for its kept files."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    blobs = path.parent / f"{path.stem}-files"
    shutil.rmtree(blobs, ignore_errors=True)
    if copy_of is not None:
        source, target = sqlite3.connect(copy_of), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    return blobs


def log_classes(title: str, reasons: Any, examples: dict[str, list[str]]) -> None:
    """Misses or false hits by class (a Counter), most common first, each with its examples."""
    if not reasons:
        return
    log(f"{title}:")
    for reason, count in reasons.most_common():
        log(f"  {count:,} {reason}, e.g.")
        for example in examples[reason]:
            log(f"    {example}")


def peak_rss_mib(children: bool = False) -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports ru_maxrss in KiB).
    With ``children``: the largest peak among its finished child processes."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- PostgreSQL --------------------------------------------------------------------------------------


def postgres_admin_url() -> str:
    return os.environ.get("PUENTE_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@contextmanager
def postgres_database(prefix: str = "puente_bench_") -> Iterator[str]:
    """A fresh, empty PostgreSQL database ``puente_bench_<random>`` on the server of
    PUENTE_BENCH_POSTGRES_URL; yields its URL and always drops it afterwards (even on errors)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(postgres_admin_url())
    if admin_url.drivername == "postgresql":
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    name = f"{prefix}{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    created = False
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created = True
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            if created:
                _drop_database(admin, name)
        finally:
            admin.dispose()


def _drop_database(admin: Any, name: str) -> None:
    from sqlalchemy import text

    last: Exception | None = None
    for attempt in range(5):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except Exception as exc:  # the server may still be closing the load's connections
            last = exc
            time.sleep(0.5 * (attempt + 1))
    log(f"could not drop PostgreSQL database {name}: {short_error(last) if last else '?'}")
