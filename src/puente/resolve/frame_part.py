"""One slice of the person feature frame, read by a process of its own.

``python -m puente.resolve.frame_part LOW HIGH OUT`` reads the database URL from its standard
input (a URL can hold a password, which a command line would show to every user of the machine),
builds the features of the person records whose ids are in [LOW, HIGH) (an empty bound is open)
and writes them to OUT as Arrow IPC. A plain child process, not a multiprocessing one: that would
re-run the caller's main module, or fork a parent whose Polars threads may hold locks.
"""

from __future__ import annotations

import sys

import polars as pl


def read_part(url: str, low: str | None, high: str | None) -> pl.DataFrame:
    from puente.resolve import persons
    from puente.resolve.batch import person_query, raw_rows
    from puente.store.db import connect

    db = connect(url)
    try:
        with db.engine.connect() as conn:
            return persons.frame(raw_rows(conn.execute(person_query(low, high))))
    finally:
        db.dispose()


def main(argv: list[str]) -> int:
    low, high, out = argv
    read_part(sys.stdin.read().strip(), low or None, high or None).write_ipc(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
