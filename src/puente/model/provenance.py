"""Provenance: where a record version came from."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Provenance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file_name: str
    file_sha256: str
    row_number: int  # 1-based data row (header excluded); for XLSX, the sheet's row number
    sheet: str | None = None
    load_run_id: int | None = None
    profile: str
    received_at: datetime
    payload_sha256: str  # of the canonical record and its markings
    raw_sha256: str  # of the row as read
