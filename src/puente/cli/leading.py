"""``puente leads``: fire the lead rules, read your agency's inbox and a lead, work it (assign, act,
close, comment), the follow-up figures, escalation, webhooks and delivery of what waits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import orjson
import typer

from puente.cli.common import (
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    acting,
    console,
    language,
    open_db,
    policy_call,
)

leads_app = typer.Typer(
    help="Leads: new data meeting your cases, watches and traces, routed and followed up."
)
LeadArg = Annotated[int, typer.Argument(help="The lead's number", min=1)]


def register(app: typer.Typer) -> None:
    app.add_typer(leads_app, name="leads")


@leads_app.command("run")
def run_rules(db: DbOption = None, as_json: JsonOption = False, lang: LangOption = "") -> None:
    """Fire the lead rules over the store, escalate overdue leads and send what waits (after loads)."""
    from puente.leads.generate import generate
    from puente.leads.outbox import deliver
    from puente.leads.workflow import escalate

    database = open_db(db)
    new, escalated = generate(database), escalate(database)
    sent = deliver(database)
    if as_json:
        print(
            orjson.dumps(
                {"new": new, "escalated": escalated, "sent": sent.sent, "failed": sent.failed}
            ).decode()
        )
        return
    es = language(lang) == "es"
    console.print(
        f"Pistas nuevas: {new}; escaladas: {escalated}; enviadas: {sent.sent}; en espera: {sent.failed}"
        if es
        else f"New leads: {new}; escalated: {escalated}; sent: {sent.sent}; waiting: {sent.failed}"
    )


@leads_app.command("list")
def list_leads(
    as_user: AsRequired, purpose: PurposeOption,
    status: Annotated[str | None, typer.Option(help="new, assigned, actioned, closed or open")] = None,
    mine: Annotated[bool, typer.Option(help="Only those assigned to you")] = False,
    db: DbOption = None, as_json: JsonOption = False, lang: LangOption = "",
) -> None:  # fmt: skip
    """Your agency's leads, highest priority first."""
    from puente.leads.workflow import InboxFilter, inbox

    lang_, database, viewer = acting(db, as_user, lang)
    found = policy_call(lang_, lambda: inbox(database, viewer, purpose, InboxFilter(status, mine)))
    if as_json:
        print(orjson.dumps([v.as_dict() for v in found]).decode())
        return
    for v in found:
        late = " !" if v.overdue else ""
        console.print(f"#{v.id} P{v.priority} [{v.status}] {v.task_force}{late}: {v.text(lang_)}")
    if not found:
        console.print("Sin pistas." if lang_ == "es" else "No leads.")


@leads_app.command("show")
def show_lead(
    lead: LeadArg, as_user: AsRequired, purpose: PurposeOption, db: DbOption = None,
    as_json: JsonOption = False, lang: LangOption = "",
) -> None:  # fmt: skip
    """One lead: why, its evidence as you may see it, and its history."""
    from puente.leads.workflow import read

    lang_, database, viewer = acting(db, as_user, lang)
    view = _call(lang_, lambda: read(database, viewer, purpose, lead))
    if as_json:
        print(orjson.dumps(view.as_dict()).decode())
        return
    console.print(f"#{view.id} P{view.priority} [{view.status}] {view.task_force} · {view.agent or ''}")
    console.print(view.text(lang_))
    for e in view.evidence:
        console.print(f"  - {e.record_id or (e.contact_es if lang_ == 'es' else e.contact_en)} ({e.holder})")
    for h in view.history:
        console.print(f"  {h['at']} {h['kind']} {h['actor']} {h['text']}")


def _call(lang_: str, call: Callable[[], object]):
    from puente.leads.workflow import LeadError, LeadMissing

    try:
        return policy_call(lang_, call)
    except (LeadError, LeadMissing) as exc:
        console.print(f"[red]{exc.es if lang_ == 'es' else exc.en}[/red]")
        raise typer.Exit(2) from None


def _done(lang_: str, lead: int, what_en: str, what_es: str) -> None:
    console.print(f"Pista {lead}: {what_es}" if lang_ == "es" else f"Lead {lead}: {what_en}")


@leads_app.command("assign")
def assign_lead(
    lead: LeadArg, as_user: AsRequired, purpose: PurposeOption,
    to: Annotated[str | None, typer.Option(help="Someone of your agency (a supervisor's choice)")] = None,
    db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Take a lead, or give it to someone of your agency."""
    from puente.leads.workflow import assign

    lang_, database, viewer = acting(db, as_user, lang)
    _call(lang_, lambda: assign(database, viewer, purpose, lead, to))
    _done(lang_, lead, f"assigned to {to or as_user}", f"asignada a {to or as_user}")


@leads_app.command("act")
def act_on_lead(
    lead: LeadArg, note: Annotated[str, typer.Argument(help="What was done")], as_user: AsRequired,
    purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Record the action taken on a lead."""
    from puente.leads.workflow import act

    lang_, database, viewer = acting(db, as_user, lang)
    _call(lang_, lambda: act(database, viewer, purpose, lead, note))
    _done(lang_, lead, "actioned", "atendida")


@leads_app.command("close")
def close_lead(
    lead: LeadArg, outcome: Annotated[str, typer.Argument(help="arrest, seizure, case_opened or no_action")],
    as_user: AsRequired, purpose: PurposeOption, note: str = "", db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Close a lead with its outcome."""
    from puente.leads.workflow import close

    lang_, database, viewer = acting(db, as_user, lang)
    _call(lang_, lambda: close(database, viewer, purpose, lead, outcome, note))
    _done(lang_, lead, f"closed ({outcome})", f"cerrada ({outcome})")


@leads_app.command("comment")
def comment_lead(
    lead: LeadArg, text: Annotated[str, typer.Argument(help="The comment")], as_user: AsRequired,
    purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Comment on a lead."""
    from puente.leads.workflow import comment

    lang_, database, viewer = acting(db, as_user, lang)
    _call(lang_, lambda: comment(database, viewer, purpose, lead, text))
    _done(lang_, lead, "comment added", "comentario agregado")


@leads_app.command("figures")
def lead_figures(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """Follow-up figures of your agency's leads: time to lead and to action, by outcome and task force."""
    from puente.leads.figures import figures

    lang_, database, viewer = acting(db, as_user, lang)
    found = policy_call(lang_, lambda: figures(database, viewer, purpose)).as_dict()
    if as_json:
        print(orjson.dumps(found).decode())
        return
    for key, value in found.items():
        console.print(f"{key}: {value}")


@leads_app.command("webhook")
def add_hook(
    url: Annotated[str, typer.Argument(help="http(s) address that receives your agency's lead events")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Send your agency's lead events to one of its systems (a supervisor or steward)."""
    from puente.leads.outbox import add_webhook

    lang_, database, viewer = acting(db, as_user, lang)
    try:
        hook = policy_call(lang_, lambda: add_webhook(database, viewer, purpose, url))
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Webhook {hook}")


@leads_app.command("deliver")
def deliver_now(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Send the lead events that wait for a receiver that was down (each when its back-off is over)."""
    from puente.leads.outbox import deliver

    sent = deliver(open_db(db))
    summary = {"sent": sent.sent, "failed": sent.failed, "waiting": sent.waiting}
    print(orjson.dumps(summary).decode()) if as_json else console.print(summary)
