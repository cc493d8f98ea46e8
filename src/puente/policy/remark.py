"""Re-marking: a steward changes who may see one of the agency's own records.

The change is a new version of the record (same content and provenance, new markings, the steward's
name on it) so that the history shows who could see what, and when. Later versions from loads keep
the steward's marking instead of the profile's default: an explicit release decision is not undone
by the next delivery of the same feed. Every re-marking and every refusal is audited.
"""

from __future__ import annotations

import orjson
from pydantic import ValidationError
from sqlalchemy import select, update

from puente.model import vocab
from puente.model.markings import Markings
from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal
from puente.policy.requests import refuse
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import record_versions, records


def remark(
    db: Database,
    steward: Principal,
    record_id: str,
    markings: dict[str, object],
    reason: str,
    purpose: str,
) -> int:
    """Give one of the steward's agency's records new markings; returns the new version number.

    ``markings`` holds ``releasable_to``, ``disclosure``, ``originator_controlled`` and
    ``restricted_fields`` as in a profile; the owner is always the record's own.
    """
    require(db, steward, "remark", purpose)
    if not reason.strip():
        raise refuse(
            db, steward, "remark", purpose,
            "say why the marking changes: it is kept in the audit log",
            "indique por qué cambia el marcado: queda en la bitácora", record_id=record_id,
        )  # fmt: skip
    try:
        chosen = Markings(**{**markings, "owner": steward.agency})
    except (ValidationError, TypeError) as exc:
        problems = exc.errors() if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        text = "; ".join(str(e["msg"]) for e in problems)
        raise refuse(
            db, steward, "remark", purpose,
            f"invalid markings: {text}", f"marcado no válido: {text}", record_id=record_id,
        ) from None  # fmt: skip
    unknown = vocab.unknown_grantees(chosen.grantees())
    if unknown:
        raise refuse(
            db, steward, "remark", purpose,
            f"markings name unknown nations or agencies: {', '.join(unknown)}",
            f"el marcado nombra naciones o dependencias desconocidas: {', '.join(unknown)}",
            record_id=record_id,
        )  # fmt: skip
    text = orjson.dumps(chosen.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS).decode()
    with db.engine.begin() as conn:
        head = conn.execute(select(records).where(records.c.record_id == record_id)).mappings().first()
        if head is None or head["owner"] != steward.agency:
            # another agency's record and an unknown id look the same
            raise refuse(
                db, steward, "remark", purpose,
                f"no record of {steward.agency} has this id",
                f"ningún registro de {steward.agency} tiene este identificador", record_id=record_id,
            )  # fmt: skip
        if head["markings"] == text:
            raise refuse(
                db, steward, "remark", purpose,
                "the record is marked so already", "el registro ya tiene ese marcado", record_id=record_id,
            )  # fmt: skip
        current = (
            conn.execute(
                select(record_versions).where(
                    record_versions.c.record_id == record_id, record_versions.c.version == head["version"]
                )
            )
            .mappings()
            .one()
        )
        version = head["version"] + 1
        now = utcnow()
        conn.execute(
            record_versions.insert().values(
                {**current, "version": version, "markings": text, "received_at": now,
                 "remarked_by": steward.user_id}
            )
        )  # fmt: skip
        set_id = Repository(conn).marking_set(text, chosen.releasable_to)
        conn.execute(
            update(records)
            .where(records.c.record_id == record_id)
            .values(
                version=version,
                markings=text,
                disclosure=chosen.disclosure.value,
                originator_controlled=chosen.originator_controlled,
                marking_set_id=set_id,
                remarked_by=steward.user_id,
                updated_at=now,
            )
        )
        audit.record(
            conn, steward.user_id, "remark", purpose=purpose,
            detail={"record_id": record_id, "from_version": head["version"], "version": version,
                    "from": orjson.loads(head["markings"]), "to": orjson.loads(text),
                    "reason": reason.strip()},
        )  # fmt: skip
    return version
