"""Hash chains over the audit records: append under the chain head's lock, verify by walking."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from casework.locks import lock_object
from casework.models import AuditChainHead, AuditEvent, HazardTransition

GENESIS = "0" * 64


HAZARD_CHAIN_PREFIX = "hazard-transitions:district:"
AUDIT_EVENT_CHAIN_PREFIX = "audit-events:city:"


def hazard_chain_key(district_id: int) -> str:
    return f"{HAZARD_CHAIN_PREFIX}{district_id}"


def chain_owner(key: str) -> tuple[str, int | None]:
    """What a chain key stands for: ("hazards", district id), ("audit_events", city id or None)."""
    if key.startswith(HAZARD_CHAIN_PREFIX):
        return "hazards", int(key.removeprefix(HAZARD_CHAIN_PREFIX))
    if key.startswith(AUDIT_EVENT_CHAIN_PREFIX):
        return "audit_events", int(key.removeprefix(AUDIT_EVENT_CHAIN_PREFIX))
    return "audit_events", None


def transition_content(record: HazardTransition) -> dict:
    """Everything a transition record asserts; the hash is taken over exactly this."""
    return {
        "seq": record.seq,
        "district": record.district_id,
        "hazard": record.hazard_id,
        "name": record.name,
        "from": record.from_state,
        "to": record.to_state,
        "actor": record.actor_id,
        "actor_role": record.actor_role,
        "actor_unit": record.actor_unit_id,
        "occurred_at": _utc(record.occurred_at),
        "recorded_at": _utc(record.recorded_at),
        "comment": record.comment,
        "payload": record.payload,
    }


def transition_content_of(
    *,
    seq: int,
    district_id: int,
    hazard_id: int,
    name: str,
    from_state: str,
    to_state: str,
    actor_id: int,
    actor_role: str,
    actor_unit_id: int,
    occurred_at: datetime,
    recorded_at: datetime,
    comment: str,
    payload: dict,
) -> dict:
    """``transition_content`` built from plain values, for writers that hold no model instance (the
    province generator writes millions of records as tuples). Same keys, same spelling, same hash."""
    return {
        "seq": seq,
        "district": district_id,
        "hazard": hazard_id,
        "name": name,
        "from": from_state,
        "to": to_state,
        "actor": actor_id,
        "actor_role": actor_role,
        "actor_unit": actor_unit_id,
        "occurred_at": _utc(occurred_at),
        "recorded_at": _utc(recorded_at),
        "comment": comment,
        "payload": payload,
    }


def _utc(moment: datetime) -> str:
    # The database may hand the moment back in another zone: hash one spelling of it.
    return moment.astimezone(UTC).isoformat()


def compute_hash(prev_hash: str, content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def lock_chain_head(key: str) -> AuditChainHead:
    """Take the chain's head row FOR UPDATE, creating it on first use."""
    head = lock_object(AuditChainHead.objects.filter(chain=key))
    if head is None:
        AuditChainHead.objects.get_or_create(chain=key)
        head = lock_object(AuditChainHead.objects.filter(chain=key))
    return head


def append_transition(record: HazardTransition) -> HazardTransition:
    """Give an unsaved transition record its place in its district's chain and save it."""
    head = lock_chain_head(hazard_chain_key(record.district_id))
    record.seq = head.seq + 1
    record.prev_hash = head.last_hash
    record.hash = compute_hash(record.prev_hash, transition_content(record))
    record.save()
    head.seq = record.seq
    head.last_hash = record.hash
    head.save(update_fields=["seq", "last_hash"])
    return record


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int
    record_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainStatus:
    """One chain walked: how many records held, and the first break if any."""

    chain: str
    records: int
    broken: ChainBreak | None


def _walk(chain: str, head: AuditChainHead | None, records, content) -> ChainStatus:
    prev, expected_seq, found = GENESIS, 1, None
    for record in records:
        if record.seq != expected_seq:
            found = ChainBreak(chain, expected_seq, record.pk, f"序号不连续：应为 {expected_seq}，实为 {record.seq}")
        elif record.prev_hash != prev:
            found = ChainBreak(chain, record.seq, record.pk, "前序哈希不符：记录被删除、插入或调换顺序")
        elif compute_hash(prev, content(record)) != record.hash:
            found = ChainBreak(chain, record.seq, record.pk, "内容哈希不符：记录内容被修改")
        if found:
            break
        prev, expected_seq = record.hash, expected_seq + 1
    if not found and head is None and expected_seq > 1:
        found = ChainBreak(chain, expected_seq, None, "链头缺失：链头记录被删除")
    elif not found and head is not None and (head.seq != expected_seq - 1 or head.last_hash != prev):
        found = ChainBreak(chain, expected_seq, None, "链尾不符：末尾记录被删除或链头被改")
    return ChainStatus(chain, expected_seq - 1, found)


def _hazard_chain_statuses() -> list[ChainStatus]:
    heads = {h.chain: h for h in AuditChainHead.objects.filter(chain__startswith="hazard-transitions:")}
    # A district with records but no head row is walked too: deleting the head must not hide a chain.
    districts = {int(key.rsplit(":", 1)[1]) for key in heads}
    districts |= set(HazardTransition.objects.values_list("district_id", flat=True).distinct())
    statuses = []
    for district_id in sorted(districts, key=lambda d: hazard_chain_key(d)):
        key = hazard_chain_key(district_id)
        records = HazardTransition.objects.filter(district_id=district_id).order_by("seq").iterator(chunk_size=2000)
        statuses.append(_walk(key, heads.get(key), records, transition_content))
    return statuses


def verify_hazard_chains() -> list[ChainBreak]:
    """Walk every district's chain; return the first break in each, or nothing when all hold."""
    return [s.broken for s in _hazard_chain_statuses() if s.broken]


# ---- audit events (reviews, exports, security-relevant reads) ----------------------------------
def audit_event_chain_key(city_id: int | None) -> str:
    return f"{AUDIT_EVENT_CHAIN_PREFIX}{city_id}" if city_id else "audit-events:global"


def audit_event_content(record: AuditEvent) -> dict:
    """Everything an audit event asserts; the hash is taken over exactly this."""
    return {
        "chain": record.chain,
        "seq": record.seq,
        "kind": record.kind,
        "actor": record.actor_id,
        "actor_role": record.actor_role,
        "actor_unit": record.actor_unit_id,
        "occurred_at": _utc(record.occurred_at),
        "subject": record.subject,
        "params": record.params,
    }


def append_audit_event(record: AuditEvent) -> AuditEvent:
    """Give an unsaved audit event (its ``chain`` set) its place in that chain and save it."""
    head = lock_chain_head(record.chain)
    record.seq = head.seq + 1
    record.prev_hash = head.last_hash
    record.hash = compute_hash(record.prev_hash, audit_event_content(record))
    record.save()
    head.seq = record.seq
    head.last_hash = record.hash
    head.save(update_fields=["seq", "last_hash"])
    return record


def _audit_event_chain_statuses() -> list[ChainStatus]:
    heads = {h.chain: h for h in AuditChainHead.objects.filter(chain__startswith="audit-events:")}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    statuses = []
    for key in sorted(chains):
        records = AuditEvent.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000)
        statuses.append(_walk(key, heads.get(key), records, audit_event_content))
    return statuses


def verify_all_chains() -> list[ChainStatus]:
    """Every chain of every kind, walked from its first record: what `manage.py verify_audit` reports."""
    return _hazard_chain_statuses() + _audit_event_chain_statuses()
