"""``puente synth``: a world of a given scale and seed, written as each agency's feeds plus truth."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from puente.synth.feeds import BlockWriter, open_writers
from puente.synth.params import SCALES
from puente.synth.world import build_block


@dataclass
class Manifest:
    scale: str
    seed: int
    folder: Path
    feeds: list[dict]

    @property
    def records(self) -> int:
        return sum(f["records"] for f in self.feeds)


def generate(
    scale: str,
    seed: int,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    blocks: int | None = None,
) -> Manifest:
    """Write the world of ``scale`` drawn from ``seed`` into ``out`` (replacing what is there).

    ``blocks`` overrides the scale's number of blocks (benchmarks size worlds by record counts).
    """
    if blocks is None:
        if scale not in SCALES:
            raise ValueError(f"unknown scale '{scale}': one of {', '.join(SCALES)}")
        blocks = SCALES[scale].blocks
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / "manifest.yaml").is_file():
            # never wipe a folder that is not a world (a data folder with a database, say)
            raise ValueError(f"{out} is not empty and holds no world (manifest.yaml): choose another folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writers = open_writers(out, seed)
    try:
        for index in range(blocks):
            BlockWriter(writers, build_block(seed, index), seed).write()
            if progress:
                progress(index + 1, blocks)
    finally:
        writers.close()
    profiles = out / "profiles"
    profiles.mkdir()
    folder = resources.files("puente.ingest").joinpath("profiles")
    feeds = []
    for feed in writers.feeds.values():
        (profiles / f"{feed.profile}.yaml").write_text(
            folder.joinpath(f"{feed.profile}.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        feeds.append({"file": feed.file, "profile": feed.profile, "rows": feed.rows, "records": feed.records})
    manifest = Manifest(scale, seed, out, feeds)
    (out / "manifest.yaml").write_text(
        yaml.safe_dump(
            {"scale": scale, "seed": seed, "records": manifest.records, "feeds": feeds},
            sort_keys=False,
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return manifest


def read_manifest(folder: Path) -> Manifest:
    data = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    return Manifest(data["scale"], data["seed"], folder, data["feeds"])
