"""The relational schema. Source records are immutable versions; the head table indexes the newest.

JSON documents are stored as text in both engines so that bulk loads can write them without a
per-row round trip through a JSON type adapter.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Serial = BigInteger().with_variant(Integer(), "sqlite")

source_files = Table(
    "source_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("blob_path", String(1000), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

load_runs = Table(
    "load_runs",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("profile", String(200), nullable=False),
    Column("profile_sha256", String(64), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("file_sha256", String(64), ForeignKey("source_files.sha256"), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("columns", Text, nullable=False),  # JSON list: the file's header, to export rows as read
    Column("status", String(20), nullable=False),  # running, completed, failed
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("records_new", BigInteger, nullable=False, default=0),
    Column("records_new_version", BigInteger, nullable=False, default=0),
    Column("records_unchanged", BigInteger, nullable=False, default=0),
    Column("rows_duplicate", BigInteger, nullable=False, default=0),
    Column("rows_quarantined", BigInteger, nullable=False, default=0),
    Column("checkpoint", BigInteger, nullable=False, default=0),  # rows fully committed
    Column("error", Text),
    Column("holder", String(200)),  # host:pid of the process loading it, while it runs
    Index(None, "file_sha256", "profile"),
)

records = Table(
    "records",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("record_type", String(40), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("owner_nation", String(2), nullable=False),
    Column("version", Integer, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("markings", Text, nullable=False),
    Column("disclosure", String(20), nullable=False),
    Column("originator_controlled", Boolean, nullable=False),
    Column("load_run_id", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("marking_set_id", BigInteger),  # who may see it, as a row of marking_grants (SQL filters)
    # the steward who last re-marked it: later versions from loads keep that decision, not the profile's
    Column("remarked_by", String(100)),
    Index(None, "marking_set_id"),
)

record_versions = Table(
    "record_versions",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("record_type", String(40), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("canonical", Text, nullable=False),
    Column("markings", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sheet", String(200), nullable=False),
    Column("row_number", BigInteger, nullable=False),
    Column("profile", String(200), nullable=False),
    Column("load_run_id", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("remarked_by", String(100)),  # set on a version a steward made by re-marking the one before
)

# The row as read, once per row of a file (a row may state several records); versions point here by
# (file_sha256, sheet, row_number).
source_rows = Table(
    "source_rows",
    metadata,
    Column("file_sha256", String(64), primary_key=True),
    Column("sheet", String(200), primary_key=True),
    Column("row_number", BigInteger, primary_key=True),
    Column("raw", Text, nullable=False),  # JSON object: column -> value as read
    Column("raw_sha256", String(64), nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("file_sha256", String(64), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sheet", String(200), nullable=False),  # '' for single-sheet formats: part of the key
    Column("row_number", BigInteger, nullable=False),
    Column("profile", String(200), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("load_run_id", BigInteger, nullable=False),
    Column("code", String(60), nullable=False),
    Column("field", String(200)),
    Column("reason_en", Text, nullable=False),
    Column("reason_es", Text, nullable=False),
    Column("errors", Text, nullable=False),  # JSON list of every problem found in the row
    Column("raw", Text, nullable=False),  # JSON object: column -> value as read
    Column("status", String(20), nullable=False),  # open, resolved
    Column("resolved_run_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("file_sha256", "profile", "sheet", "row_number"),
    Index(None, "owner", "status"),
)


# --- governance -------------------------------------------------------------------------------------

principals = Table(
    "principals",
    metadata,
    Column("user_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("nation", String(2), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("roles", Text, nullable=False),  # JSON list
    Column("task_forces", Text, nullable=False),  # JSON list
    Column("cases", Text, nullable=False),  # JSON list of case record ids
    Column("certificates", Text, nullable=False),  # JSON list, e.g. ["tracing"]
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Append-only, hash-chained: each entry carries the hash of the one before, so that an entry changed,
# removed or reordered, even directly in the database, breaks the chain (puente audit verify).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Serial, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC, hashed as written
    Column("user_id", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: records, query, counts
    Column("origin", String(200), nullable=False),  # where from: cli, api address
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Markings are few and shared by many records: each distinct one is stored once, with one grant row
# per nation or agency it is releasable to, so that the policy filter is a small indexed subquery.
marking_sets = Table(
    "marking_sets",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("markings", Text, nullable=False),
)

marking_grants = Table(
    "marking_grants",
    metadata,
    Column("marking_set_id", BigInteger, primary_key=True),
    Column("grantee", String(40), primary_key=True),  # a nation (MX) or an agency (US/ATF)
)

# A viewer's request to see records their markings hide; the owner agency's steward decides. An
# approval grants the named record to that one person until expires_at, or until revoked.
access_requests = Table(
    "access_requests",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("requester", String(100), nullable=False),
    Column("requester_agency", String(40), nullable=False),
    Column("record_id", String(400), nullable=False),
    # view: to see a hidden record; export: to pass on a record under originator control
    Column("kind", String(20), nullable=False, server_default="view"),
    Column("owner", String(40), nullable=False),  # the agency whose steward decides
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending, approved, denied, revoked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("note", Text),
    Column("expires_at", DateTime(timezone=True)),
    Index(None, "requester", "status"),
    Index(None, "owner", "status"),
)


# --- authentication ---------------------------------------------------------------------------------

credentials = Table(
    "credentials",
    metadata,
    Column("user_id", String(100), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id, with its own salt and parameters
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A token is shown once as "pte_<id>_<secret>"; only the secret's argon2 hash is kept.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

# Web sessions: the cookie and the CSRF token are random; only their SHA-256 is kept (they carry 256
# bits of entropy, so a slow hash adds nothing but latency to every request).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("csrf_sha256", String(64), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("origin", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("user_id", String(100), nullable=False),
    Column("origin", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Index(None, "user_id", "at"),
    Index(None, "origin", "at"),
)


# --- entity resolution ------------------------------------------------------------------------------

resolution_runs = Table(
    "resolution_runs",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("entity_type", String(40), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("records", BigInteger, nullable=False, default=0),
    Column("pairs", BigInteger, nullable=False, default=0),
    Column("entities", BigInteger, nullable=False, default=0),
    Column("threshold", Float, nullable=False),
    Column("model", Text, nullable=False),  # JSON: m and u per comparison level, prior
)

# Which entity each record belongs to, as of the newest run of its type.
entity_members = Table(
    "entity_members",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("entity_type", String(40), nullable=False),
    Column("entity_id", String(40), nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Index(None, "entity_id"),
)

# The scored pairs that hold an entity together, with their comparison levels (the explanation).
# A viewer's entity is made of the links between records they may see, so that a hidden record
# never joins two visible ones for them.
entity_links = Table(
    "entity_links",
    metadata,
    Column("record_a", String(400), primary_key=True),
    Column("record_b", String(400), primary_key=True),
    Column("entity_type", String(40), nullable=False),
    Column("weight", Float, nullable=False),
    Column("levels", String(100), nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Index(None, "record_b"),
)

# Records that carry a phone or an address without being one (a person's phones, a seizure's
# place): a record holds several, and is already a member of its own entity, so each value it
# holds is kept here, by the field that holds it.
entity_mentions = Table(
    "entity_mentions",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("entity_type", String(40), primary_key=True),
    Column("field", String(100), primary_key=True),
    Column("entity_id", String(40), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Index(None, "entity_id"),
)

# What changed between runs: entities that appeared, merged or split.
entity_events = Table(
    "entity_events",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),  # new, merge, split
    Column("entity_id", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: the entity ids before
)

# Analysts' decisions on pairs of records: they override the model and survive re-runs.
match_decisions = Table(
    "match_decisions",
    metadata,
    Column("record_a", String(400), primary_key=True),  # the smaller id of the two
    Column("record_b", String(400), primary_key=True),
    Column("entity_type", String(40), nullable=False),
    Column("decision", String(20), nullable=False),  # same, different, unsure
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    Index(None, "record_b"),
)

# The pairs the newest run could not settle, for analysts to decide (most uncertain first).
review_pairs = Table(
    "review_pairs",
    metadata,
    Column("record_a", String(400), primary_key=True),
    Column("record_b", String(400), primary_key=True),
    Column("entity_type", String(40), nullable=False),
    Column("weight", Float, nullable=False),
    Column("levels", String(100), nullable=False),
    Column("run_id", BigInteger, nullable=False),
)


# --- search ----------------------------------------------------------------------------------------

# Byte order on PostgreSQL too, so that a prefix of an identifier is a range of the index (a
# language collation would sort "i:AB" and "iAB" together, ignoring the colon).
_SearchText = String(200).with_variant(String(200, collation="C"), "postgresql")

# One row per indexed record: the version its terms were taken from, its title, and what search
# filters on (a day, a port, a state).
search_docs = Table(
    "search_docs",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("title", String(400), nullable=False),
    Column("day", String(10)),  # ISO date: when it happened (seized, crossed, sold, recovered, opened)
    Column("port", String(40)),
    Column("state", String(10)),
    Index(None, "record_type", "day"),
)

# The terms a record is found by: words of names (w:), their sound-alike keys (p:), the full given
# names a short or English form stands for (g:), identifiers (i:) and identifiers reversed (r:), so
# that the end of a VIN or a phone number is a prefix too; and the records it names (l:).
search_terms = Table(
    "search_terms",
    metadata,
    Column("term", _SearchText, primary_key=True),
    Column("record_id", String(400), primary_key=True),
    Index(None, "record_id"),
)

# One row, updated first in every transaction of an index refresh: it makes concurrent refreshes
# (a load's and an upload's) take turns instead of indexing the same records twice.
search_state = Table(
    "search_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("refreshed_at", DateTime(timezone=True)),
)

# --- firearms tracing -----------------------------------------------------------------------------

# Every acquisition's gun by its normalised serial and make, derived from the acquisition records
# (refreshed like the search index): what a trace is matched against.
trace_acquisitions = Table(
    "trace_acquisitions",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("serial_key", String(200), nullable=False),
    Column("make", String(60)),  # make code; never matched across makes
    Column("sold_on", String(10)),
    Column("dealer_licence", String(200)),
    Column("dealer_name", String(200)),
    Column("dealer_state", String(10)),
    Column("purchaser_id", String(400)),  # the purchaser's record
    Column("multiple_sale", Boolean, nullable=False),
    Column("firearm", Text, nullable=False),  # JSON: the acquisition's firearm description
    Index(None, "serial_key", "make"),
    Index(None, "dealer_licence"),
)

# One trace per recovered firearm (a recovery report, or one firearm item of a seizure): its status,
# its result and indicators (JSON, with reasons in English and Spanish), and who may see it.
traces = Table(
    "traces",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("source_id", String(400), nullable=False),  # the record that reports the recovery
    Column("item", Integer, nullable=False),  # the firearm's place among the record's items
    Column("requester", String(100), nullable=False),
    Column("requester_agency", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # submitted, in_progress, completed, failed
    Column("reason", String(40)),  # why it failed
    Column("serial_key", String(200)),
    Column("make", String(60)),
    Column("recovered_on", String(10)),
    Column("recovery_state", String(10)),
    Column("acquisition_id", String(400)),
    Column("purchaser_id", String(400)),
    Column("purchaser_key", String(400)),  # the purchaser's entity, or a name-and-birth key
    Column("possessor_id", String(400)),
    Column("dealer_licence", String(200)),
    Column("dealer_state", String(10)),
    Column("purchased_on", String(10)),
    Column("time_to_crime_days", Integer),
    Column("request", Text, nullable=False),  # JSON: the firearm and recovery as submitted
    Column("result", Text),  # JSON: the result, the completeness check and the indicators
    Column("marking_set_id", BigInteger, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    UniqueConstraint("source_id", "item", "requester_agency"),
    Index(None, "purchaser_key"),
    Index(None, "status"),
)

# What a completed trace raised: its purchaser is already a subject of a case (later: on a watch).
# The leads capability turns these into leads; each is visible where both the trace and the case are.
trace_events = Table(
    "trace_events",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("trace_id", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),  # purchaser_in_case
    Column("case_id", String(400), nullable=False),
    Column("subject_id", String(400), nullable=False),  # the case's subject record
    Column("reason", Text, nullable=False),  # JSON: en, es
    Column("marking_set_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("trace_id", "kind", "case_id", "subject_id"),
)

# How far the acquisition catalogue is level with the loads: the newest load run whose records it
# has read, so that a refresh after no new load reads nothing.
trace_state = Table(
    "trace_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("run_id", BigInteger),
)

# --- deconfliction --------------------------------------------------------------------------------

# A planned operation: a time window and a place (a point and a radius). Its details are the owner
# agency's (and whom its marking releases them to); an overlap tells the other side only that it
# exists and whom to call.
operations = Table(
    "operations",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("owner", String(40), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("kind", String(40), nullable=False),  # search_warrant, controlled_delivery, surveillance, patrol
    Column("title", String(300), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("status", String(20), nullable=False),  # planned, cancelled
    Column("marking_set_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "status", "ends_at"),
)

# What deconfliction told an agency: one of its operations (or cases) meets another agency's. The
# other side's reference is kept to tell each meeting once, and is never shown.
deconfliction_alerts = Table(
    "deconfliction_alerts",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # operation, target
    Column("agency", String(40), nullable=False),  # who is told
    Column("own_ref", String(400), nullable=False),  # their operation id or case record id
    Column("other_agency", String(40), nullable=False),
    Column("other_ref", String(400), nullable=False),
    Column("reason", Text, nullable=False),  # JSON: en, es
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "agency", "own_ref", "other_ref"),
    Index(None, "agency"),
)

# --- watches --------------------------------------------------------------------------------------

# A person (or a case) watching an identifier or an entity: new data that touches it is a hit.
watches = Table(
    "watches",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("user_id", String(100), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("case_id", String(400)),  # the case it is kept for, if any
    Column("kind", String(20), nullable=False),  # identifier, entity
    Column("value", String(200), nullable=False),  # the identifier as search compares it, or the entity id
    Column("label", String(300), nullable=False),
    Column("since_run_id", BigInteger, nullable=False),  # data loaded after this run is new to it
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

watch_hits = Table(
    "watch_hits",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("watch_id", BigInteger, nullable=False),
    Column("record_id", String(400), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True)),
    UniqueConstraint("watch_id", "record_id"),
)

# --- leads ----------------------------------------------------------------------------------------

# A lead: a new record that meets an agency's case, watch or trace, told to that agency and routed
# to a task force. Its explanation is composed when read, from what the reader may see.
leads = Table(
    "leads",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("rule", String(40), nullable=False),  # case_subject, watch, trace
    Column("recipient", String(40), nullable=False),  # the agency told
    Column("target_ref", String(400), nullable=False),  # its case record, watch or trace it meets
    Column("source_record_id", String(400), nullable=False),  # the new record
    Column("source_owner", String(40), nullable=False),
    Column("evidence", Text, nullable=False),  # JSON: the record ids that make the connection
    Column("priority", Integer, nullable=False),  # 1 high, 2 normal, 3 low
    Column("task_force", String(100), nullable=False),
    Column("agent", String(200)),  # the case agent the case names, if any
    Column("assignee", String(100)),
    Column("status", String(20), nullable=False),  # new, assigned, actioned, closed
    Column("outcome", String(20)),  # arrest, seizure, case_opened, no_action
    Column("source_day", String(10)),  # when the source event happened (ISO date)
    Column("arrived_at", DateTime(timezone=True)),  # when the source record was loaded
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("escalated_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("actioned_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    UniqueConstraint("rule", "recipient", "target_ref", "source_record_id"),
    Index(None, "recipient", "status"),
)

# Everything that happened to a lead (created, assigned, actioned, closed, comment, escalated), in
# order: the inbox streams it to the recipient agency from its last seen id.
lead_events = Table(
    "lead_events",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("lead_id", BigInteger, nullable=False),
    Column("recipient", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "recipient", "id"),
    Index(None, "lead_id"),
)

# An agency system told of its leads over HTTP.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("agency", String(40), nullable=False),
    Column("url", String(500), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Messages waiting to leave (a webhook call or a NATS publication), written in the transaction that
# made the event, so nothing is lost while a receiver is down; retried with back-off until delivered.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("channel", String(20), nullable=False),  # webhook, nats
    Column("destination", String(500), nullable=False),  # webhook id, or NATS subject
    Column("lead_event_id", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("channel", "destination", "lead_event_id"),
    Index(None, "delivered_at", "next_attempt_at"),
)

# Which agencies' searches showed which records (for "someone else searched for this").
search_interest = Table(
    "search_interest",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("record_id", String(400), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "record_id"),
)

# --- screening ------------------------------------------------------------------------------------

# The hot lists of both nations: one row per key a vehicle or person is looked up by (a VIN, a plate
# and its issuer, a person's identifier), derived from the records and kept level with the loads. A
# new version of a record replaces its rows, so a recovery (a version no longer stolen) removes them.
hotlist = Table(
    "hotlist",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # vin, plate, person
    Column("key", String(200), nullable=False),  # as normalised: a VIN, a plate number, an identifier
    Column("fuzzy", String(200), nullable=False),  # the key with the characters plate readers confuse folded
    Column("state", String(10)),  # a plate's issuer
    Column("record_id", String(400), nullable=False),
    Column("owner", String(40), nullable=False),
    Column("audience", Text, nullable=False),  # JSON: the agencies that may see the record
    Column("disclosure", String(20), nullable=False),
    Column("reason", String(30), nullable=False),  # stolen_us, stolen_mx, case_subject
    Column("label", String(300), nullable=False),
    Column("since", String(10)),  # when it was stolen, or the case opened
    Column("context", String(400)),  # the record it comes by: a wanted person's case
    Index(None, "record_id"),
)

hotlist_state = Table(
    "hotlist_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("run_id", BigInteger),
    Column("version", Integer),  # of the derivations that built the lists: a new one reads all again
    Column("generation", BigInteger),  # refreshes so far: the lanes reload when it moves
)

# Every hit an officer was shown, and what they did about it: the outcomes give each rule its rate.
screen_hits = Table(
    "screen_hits",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("port", String(40)),
    Column("record_id", String(400), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("match", String(20), nullable=False),  # exact, ocr, no_state, partial
    Column("action", String(20)),  # inspected, seized, released, false_hit
    Column("action_at", DateTime(timezone=True)),
    Index(None, "reason", "action"),
)
