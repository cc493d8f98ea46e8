"""Small sample exports of four agencies, each with a few rows broken on purpose (see samples.yaml)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml


def manifest() -> list[dict]:
    text = resources.files("puente.samples").joinpath("samples.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["samples"]


def sample_files() -> list[tuple[Path, str]]:
    """(file, profile name) for every bundled sample, in load order."""
    folder = Path(str(resources.files("puente.samples")))
    return [(folder / entry["file"], entry["profile"]) for entry in manifest()]
