"""Synthetic world generation: seconds and peak memory per scale (the 'medium' world: ~1M records).

The world streams block by block, so memory stays flat as the scale grows; generation runs in a
child process so that its peak RSS is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import figure

SCALE_OF = {"10k": "tiny", "100k": "small", "1m": "medium"}


def _child(scale: str, seed: int, out: str) -> None:
    from puente.synth.generate import generate

    started = time.perf_counter()
    manifest = generate(scale, seed, Path(out))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "records": manifest.records, "peak_rss_mib": peak}))


def run(args: Any) -> list[dict[str, Any]]:
    world_scale = SCALE_OF.get(args.scale, "medium")
    seed = getattr(args, "seed", None) or 20230314
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from bench.synth import _child; _child({world_scale!r}, {seed}, {tmp!r} + '/w')",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    budget = 300.0 if world_scale == "medium" else None  # medium within 5 minutes
    return [
        figure(
            args,
            f"synth.{world_scale}.seconds",
            round(result["seconds"], 2),
            "s",
            budget=budget,
            higher_is_better=False,
            records=result["records"],
        ),
        figure(
            args,
            f"synth.{world_scale}.records_per_s",
            round(result["records"] / result["seconds"]),
            "records/s",
        ),
        figure(args, f"synth.{world_scale}.peak_rss", round(result["peak_rss_mib"], 1), "MiB"),
    ]
