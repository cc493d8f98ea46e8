"""A load killed with SIGKILL midway and run again ends with exactly what one clean load gives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import _map_values as real_map_values
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.store import connect
from puente.store.schema import load_runs
from tests.conftest import drop_postgres, make_postgres
from tests.ingest.snapshot import snapshot
from tests.ingest.test_bad_input import HEADER, PROFILE

ROWS = 30_000
BATCH = 250


def big_file(path: Path) -> Path:
    given = ["José Luis", "María Guadalupe", "Juan", "Ana", "Francisco", "Rosa María"]
    surnames = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Cruz"]
    lines = [HEADER]
    for i in range(ROWS):
        name = f"{given[i % 6]} {surnames[i % 8]} {surnames[(i // 8) % 8]}"
        day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 1950 + i % 50
        vin = "1FTFW1ET9DFC10312" if i % 3 == 0 else ""
        lines.append(
            f"P{i},{name},{day:02d}/{month:02d}/{year},,,,nota {i},{vin},{2000 + i % 20 if vin else ''}"
        )
        if i % 997 == 0:
            lines.append(lines[-1])  # identical duplicate
        if i % 1999 == 0:
            lines.append(f"P{i},{name},{day:02d}/{month:02d}/{year},,,,otra nota,,")  # conflicting
        if i % 4001 == 0:
            lines.append(f"Q{i},{name},31/02/1990,,,,,,")  # impossible date
    # a conflicting duplicate of an early row, far past any checkpoint the kill may leave
    lines.append("P1,Ana Otra,01/01/1999,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "puente", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_sigkill_midway_then_resume_equals_one_clean_load(engine, tmp_path, request):
    profile_path = tmp_path / "test-people.yaml"
    profile_path.write_text(PROFILE, encoding="utf-8")
    data = big_file(tmp_path / "people.csv")
    cleanup = []
    if engine == "sqlite":
        killed = connect(f"sqlite:///{tmp_path / 'killed.db'}", blob_dir=tmp_path / "files")
        clean = connect(f"sqlite:///{tmp_path / 'clean.db'}", blob_dir=tmp_path / "files")
        killed.upgrade()
        clean.upgrade()
    else:
        template = request.getfixturevalue("pg_template")
        killed, name1 = make_postgres(template, tmp_path / "files")
        clean, name2 = make_postgres(template, tmp_path / "files")
        cleanup = [name1, name2]
    try:
        env_args = [
            "ingest",
            str(data),
            "--profile",
            str(profile_path),
            "--db",
            killed.url,
            "--batch-size",
            str(BATCH),
            "--json",
        ]
        process = run_cli(*env_args)
        deadline = time.monotonic() + 120
        checkpoint = 0
        while time.monotonic() < deadline and process.poll() is None:
            with killed.engine.connect() as conn:
                row = conn.execute(select(load_runs.c.checkpoint)).first()
            checkpoint = row[0] if row else 0
            if checkpoint >= ROWS // 4:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the load finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        with killed.engine.connect() as conn:
            status, checkpoint = conn.execute(select(load_runs.c.status, load_runs.c.checkpoint)).one()
        assert status == "running" and 0 < checkpoint < ROWS

        resumed = run_cli(*env_args)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 1, err.decode()  # some rows are quarantined on purpose
        assert b'"resumed":true' in out

        report = ingest_file(clean, data, parse_profile(PROFILE, str(profile_path)), batch_size=BATCH)
        assert snapshot(killed) == snapshot(clean)
        with killed.engine.connect() as conn:
            runs = conn.execute(select(load_runs)).mappings().all()
        assert len(runs) == 1 and runs[0]["status"] == "completed"
        for name in (
            "rows_read",
            "records_new",
            "records_new_version",
            "records_unchanged",
            "rows_duplicate",
            "rows_quarantined",
        ):
            assert runs[0][name] == getattr(report, name), name
        assert report.rows_quarantined > 0 and report.rows_duplicate > 0
    finally:
        killed.dispose()
        clean.dispose()
        for name in cleanup:
            drop_postgres(name)


def test_a_dead_mapping_worker_fails_the_load_clearly_and_a_rerun_resumes(tmp_path, monkeypatch):
    from puente.ingest import pipeline
    from puente.ingest.issues import LoadError

    data = big_file(tmp_path / "people.csv")
    profile = parse_profile(PROFILE, "test-people")
    killed = connect(f"sqlite:///{tmp_path / 'killed.db'}", blob_dir=tmp_path / "files")
    clean = connect(f"sqlite:///{tmp_path / 'clean.db'}", blob_dir=tmp_path / "files")
    killed.upgrade()
    clean.upgrade()
    monkeypatch.setenv("PUENTE_INGEST_WORKERS", "2")
    monkeypatch.setattr(pipeline, "_map_values", _dies_on_a_row)
    with pytest.raises(LoadError) as err:
        ingest_file(killed, data, profile, batch_size=1000)
    assert err.value.code == "worker_died" and "reanudarla" in err.value.es
    monkeypatch.setattr(pipeline, "_map_values", real_map_values)
    report = ingest_file(killed, data, profile, batch_size=1000)
    assert report.resumed and report.status == "completed"
    ingest_file(clean, data, profile, batch_size=1000)
    assert snapshot(killed) == snapshot(clean)


def _dies_on_a_row(values):
    if any(v and v[0] == "P9000" for v in values):
        os._exit(9)  # as the kernel's out-of-memory killer would
    return real_map_values(values)


def test_a_second_load_of_a_file_being_loaded_is_refused(tmp_path):
    from sqlalchemy import update

    from puente.ingest.issues import LoadError

    data = big_file(tmp_path / "people.csv")
    profile = parse_profile(PROFILE, "test-people")
    db = connect(f"sqlite:///{tmp_path / 'p.db'}", blob_dir=tmp_path / "files")
    db.upgrade()
    first = ingest_file(db, data, profile)
    assert first.status == "completed"
    # another process on this host is loading the file right now: its run is running and it is alive
    with db.engine.begin() as conn:
        conn.execute(update(load_runs).values(status="running", holder=f"{socket.gethostname()}:1"))
    with pytest.raises(LoadError) as err:
        ingest_file(db, data, profile)
    assert err.value.code == "load_in_progress" and "espere" in err.value.es
    # once that process is gone, the next load takes the run over and finishes it
    with db.engine.begin() as conn:
        conn.execute(update(load_runs).values(holder="no-such-host.invalid:1", status="failed"))
    report = ingest_file(db, data, profile)
    assert report.status == "completed"
