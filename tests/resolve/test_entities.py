"""A viewer's entities page by page: the same memberships and ids as the whole list, for every kind."""

from __future__ import annotations

import pytest

from puente.resolve.batch import resolve_persons, resolve_things
from puente.resolve.entities import memberships, memberships_page
from tests.policy.test_access import PURPOSE, VIEWERS, loaded, seed_canary, seed_contact_canary  # noqa: F401


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_pages_join_up_to_the_whole_list(loaded, tmp_path, limit):  # noqa: F811
    seed_canary(loaded, tmp_path)
    seed_contact_canary(loaded, tmp_path)  # phones, addresses and a gun carried by seizures
    resolve_persons(loaded)
    for kind in ("vehicle", "organization"):
        resolve_things(loaded, kind)
    mentions, ids = 0, {}
    for viewer in VIEWERS:
        for kind in ("person", "firearm", "vehicle", "phone", "address"):
            whole = memberships(loaded, viewer, PURPOSE, entity_type=kind)
            mentions += sum(1 for m in whole if m.field)
            ids.setdefault(kind, set()).add(frozenset(m.entity_id for m in whole))
            paged, after = [], None
            while True:
                page = memberships_page(loaded, viewer, PURPOSE, entity_type=kind, limit=limit, after=after)
                paged += page
                if len(page) < limit:
                    break
                after = (page[-1].record_id, page[-1].field)
            assert paged == whole, (viewer.user_id, kind)
    assert mentions  # the carried kinds' mentions were paged too
    assert len(ids["firearm"]) > 1 and len(ids["phone"]) > 1  # and viewers' part ids differ


def test_a_given_name_clash_is_the_same_whichever_record_is_asked_first():
    from puente.resolve.cluster import _given_close

    # (curp, ssn, sex, birth, by_lo, by_hi, given1, paternal, phones): the parts the check reads
    swapped = (None, None, None, None, None, None, "MARTINEZ", "JONATHAN", "")
    plain = (None, None, None, None, None, None, "JON", "MARTINEZ", "")
    assert _given_close(swapped, plain) and _given_close(plain, swapped)
    other = (None, None, None, None, None, None, "PEDRO", "SOTO", "")
    assert not _given_close(other, plain) and not _given_close(plain, other)
