"""Benchmarks of Puente: ``python -m bench`` (or ``make bench``) runs every module of this package.

A benchmark module exposes ``run(args) -> list[dict]``; each dict is one figure, printed by the
runner as one JSON line on stdout. Budgets are reported (``meets_budget``), never asserted.
Shared helpers live in :mod:`bench.common`; generated data is cached in ``bench/.cache/``.
"""
