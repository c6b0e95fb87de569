"""Hash chains over the audit records: append under the chain head's lock, verify by walking."""
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from casework.models import AuditChainHead, HazardTransition

GENESIS = "0" * 64


def hazard_chain_key(district_id: int) -> str:
    return f"hazard-transitions:district:{district_id}"


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


def _utc(moment: datetime) -> str:
    # The database may hand the moment back in another zone: hash one spelling of it.
    return moment.astimezone(UTC).isoformat()


def compute_hash(prev_hash: str, content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def lock_chain_head(key: str) -> AuditChainHead:
    """Take the chain's head row FOR UPDATE, creating it on first use."""
    AuditChainHead.objects.get_or_create(chain=key)
    return AuditChainHead.objects.select_for_update().get(chain=key)


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


def verify_hazard_chains() -> list[ChainBreak]:
    """Walk every district's chain; return the first break in each, or nothing when all hold."""
    breaks = []
    for head in AuditChainHead.objects.filter(chain__startswith="hazard-transitions:").order_by("chain"):
        district_id = int(head.chain.rsplit(":", 1)[1])
        prev, expected_seq = GENESIS, 1
        found = None
        records = HazardTransition.objects.filter(district_id=district_id).order_by("seq").iterator(chunk_size=2000)
        for record in records:
            if record.seq != expected_seq:
                found = ChainBreak(head.chain, expected_seq, record.pk, f"序号不连续：应为 {expected_seq}，实为 {record.seq}")
            elif record.prev_hash != prev:
                found = ChainBreak(head.chain, record.seq, record.pk, "前序哈希不符：记录被删除、插入或调换顺序")
            elif compute_hash(prev, transition_content(record)) != record.hash:
                found = ChainBreak(head.chain, record.seq, record.pk, "内容哈希不符：记录内容被修改")
            if found:
                break
            prev, expected_seq = record.hash, expected_seq + 1
        if not found and (head.seq != expected_seq - 1 or head.last_hash != prev):
            found = ChainBreak(head.chain, expected_seq, None, "链尾不符：末尾记录被删除或链头被改")
        if found:
            breaks.append(found)
    return breaks
