"""The audit log detects any entry changed, removed or reordered, even directly in the database."""

from __future__ import annotations

from sqlalchemy import text

from puente.policy import audit


def fill(db, n=5):
    with db.engine.begin() as conn:
        for i in range(n):
            audit.record(
                conn, "ana.fgr", "read_record", purpose="carpeta FED/123", detail={"record_id": f"R{i}"}
            )


def test_an_untouched_chain_verifies(db):
    fill(db)
    result = audit.verify(db)
    assert result.ok and result.entries == 5 and result.head != audit.GENESIS


def test_an_edited_entry_is_detected(db):
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 3"))
    result = audit.verify(db)
    assert [(p["seq"], p["problem"]) for p in result.problems] == [(3, "altered")]
    assert "alterada" in result.problems[0]["es"]


def test_an_edit_that_recomputes_the_entry_hash_still_breaks_the_next_link(db):
    fill(db)
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM audit_log WHERE seq = 2")).mappings().one()
        forged = audit.entry_hash(
            row["prev_hash"],
            row["at"],
            "someone.else",
            row["action"],
            row["purpose"],
            row["detail"],
            row["origin"],
        )
        conn.execute(
            text("UPDATE audit_log SET user_id = 'someone.else', hash = :h WHERE seq = 2"), {"h": forged}
        )
    assert [(p["seq"], p["problem"]) for p in audit.verify(db).problems] == [(3, "broken_link")]


def test_a_removed_entry_is_detected(db):
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert [(p["seq"], p["problem"]) for p in audit.verify(db).problems] == [(3, "broken_link")]


def test_reordered_entries_are_detected(db):
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 100"))
    problems = audit.verify(db).problems
    assert {p["problem"] for p in problems} == {"broken_link"} and len(problems) >= 2


def test_entries_removed_from_the_end_are_detected_against_a_kept_head(db):
    fill(db)
    head = audit.verify(db).head
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    assert audit.verify(db).ok  # a shorter chain is still a chain ...
    result = audit.verify(db, expect_head=head)
    assert [p["problem"] for p in result.problems] == ["head_mismatch"]  # ... but not the one kept
