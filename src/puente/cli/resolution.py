"""``puente`` commands of entity resolution: resolve, and export entities."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import orjson
import typer

from puente.cli.common import (
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    console,
    err,
    language,
    open_db,
    policy_call,
    principal_of,
)

review_app = typer.Typer(no_args_is_help=True, help="Pairs the model could not settle: see the next, decide.")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    app.command("resolve")(resolve)
    export_app.command("entities")(export_entities)
    app.add_typer(review_app, name="review")


def resolve(
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", help="Posterior log2 odds a pair of persons needs to join (4: p > 0.94)."
        ),
    ] = 4.0,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Resolve every person, firearm, vehicle, organization, phone and address into entities, keeping
    ids stable."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from puente.resolve.batch import resolve_persons, resolve_things

    es = language(lang) == "es"
    database = open_db(db)
    if as_json or not err.is_terminal:
        people = resolve_persons(database, threshold=threshold)
    else:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                      transient=True) as bar:  # fmt: skip
            task = bar.add_task("persons", total=None)
            people = resolve_persons(
                database,
                threshold=threshold,
                progress=lambda step: bar.update(task, description=f"persons: {step}"),
            )
    things = ("firearm", "vehicle", "organization", "phone", "address")
    reports = {"person": people, **{kind: resolve_things(database, kind) for kind in things}}
    if as_json:
        print(orjson.dumps({k: r.as_dict() for k, r in reports.items()}).decode())
        return
    names = {
        "person": ("Personas", "Persons"),
        "firearm": ("Armas", "Firearms"),
        "vehicle": ("Vehículos", "Vehicles"),
        "organization": ("Organizaciones", "Organizations"),
        "phone": ("Teléfonos", "Phones"),
        "address": ("Domicilios", "Addresses"),
    }
    for kind, r in reports.items():
        label = names[kind][0 if es else 1]
        console.print(
            (f"{label}: {r.records:,} registros, {r.entities:,} entidades ({r.new:,} nuevas, "
             f"{r.merged:,} fusiones, {r.split:,} divisiones) en {r.seconds['total']:.1f} s")
            if es else
            (f"{label}: {r.records:,} records, {r.entities:,} entities ({r.new:,} new, "
             f"{r.merged:,} merges, {r.split:,} splits) in {r.seconds['total']:.1f} s")
        )  # fmt: skip


def export_entities(
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    as_user: AsRequired,
    purpose: PurposeOption,
    kind: Annotated[
        str, typer.Option("--kind", help="person, firearm, vehicle, organization, phone or address.")
    ] = "person",
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Source record id -> entity id, with the owner agency, for the records you may see (CSV), so
    that resolution can be scored against any ground truth. Phones, addresses and firearms also
    list each record that carries one (a seizure's guns), with the field that holds it."""
    from puente.resolve.entities import CARRIED_KINDS, memberships

    lang_ = language(lang)
    database = open_db(db)
    principal = principal_of(database, as_user)
    rows = policy_call(lang_, lambda: memberships(database, principal, purpose, entity_type=kind))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if kind in CARRIED_KINDS:
            writer.writerow(("record_id", "entity_id", "owner", "field"))
            writer.writerows((m.record_id, m.entity_id, m.owner, m.field) for m in rows)
        else:
            writer.writerow(("record_id", "entity_id", "owner"))
            writer.writerows((m.record_id, m.entity_id, m.owner) for m in rows)
    console.print(
        f"{len(rows):,} " + ("registros escritos en " if lang_ == "es" else "records written to ") + str(out)
    )


@review_app.command("next")
def review_next(
    as_user: AsRequired,
    purpose: PurposeOption,
    count: Annotated[int, typer.Option("--count", min=1, max=100, help="How many pairs.")] = 1,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """The most uncertain open pairs of records you can both see, with the evidence for each."""
    from puente.resolve import review

    lang_ = language(lang)
    database = open_db(db)
    principal = principal_of(database, as_user)
    items = policy_call(lang_, lambda: review.next_pairs(database, principal, purpose, limit=count))
    if as_json:
        print(orjson.dumps([
            {"record_a": i.record_a.record_id, "record_b": i.record_b.record_id, "weight": i.weight,
             "why_en": i.why_en, "why_es": i.why_es, "a": i.record_a.content, "b": i.record_b.content}
            for i in items
        ]).decode())  # fmt: skip
        return
    if not items:
        console.print("Nada que revisar." if lang_ == "es" else "Nothing to review.")
        return
    for item in items:
        console.print(f"[bold]{item.record_a.record_id}[/bold]  ~  [bold]{item.record_b.record_id}[/bold]")
        console.print(item.why_es if lang_ == "es" else item.why_en)
        console.print_json(orjson.dumps({"a": item.record_a.content, "b": item.record_b.content}).decode())
        console.print(
            f"puente review decide {item.record_a.record_id} {item.record_b.record_id} same|different|unsure"
        )


@review_app.command("decide")
def review_decide(
    record_a: str,
    record_b: str,
    decision: Annotated[str, typer.Argument(help="same, different or unsure.")],
    as_user: AsRequired,
    purpose: PurposeOption,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the decision).")] = "",
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Decide whether two records are one person; the decision holds in every later run."""
    from puente.resolve import review

    lang_ = language(lang)
    database = open_db(db)
    principal = principal_of(database, as_user)
    policy_call(
        lang_, lambda: review.decide(database, principal, record_a, record_b, decision, purpose, note)
    )
    console.print("Decisión guardada." if lang_ == "es" else "Decision saved.")
