"""Snapshots to and from JSON, with each probe's facts read back into its own type."""

from __future__ import annotations

import json
from typing import Any

from whynogpu import serde
from whynogpu.model import ProbeReason, ProbeResult, ProbeStatus, Snapshot
from whynogpu.probes import facts_type_for


class SnapshotError(ValueError):
    pass


def to_data(snapshot: Snapshot) -> dict[str, Any]:
    return serde.to_data(snapshot)


def from_data(data: Any) -> Snapshot:
    if not isinstance(data, dict) or "probes" not in data:
        raise SnapshotError("not a whynogpu snapshot (no 'probes' key)")
    if data.get("schema_version") != 1:
        raise SnapshotError(f"unsupported snapshot schema_version {data.get('schema_version')!r}")
    results = []
    try:
        for i, p in enumerate(data["probes"]):
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                raise SnapshotError(f"probes[{i}] is not a probe result (an object with a name)")
            facts_type = facts_type_for(p["name"])
            facts = None
            if p.get("facts") is not None and facts_type is not None:
                facts = serde.from_data(facts_type, p["facts"], f"probes[{i}].facts")
            results.append(
                ProbeResult(
                    name=p["name"],
                    status=ProbeStatus(p["status"]),
                    duration_s=float(p.get("duration_s", 0.0)),
                    reason=serde.from_data(ProbeReason | None, p.get("reason"), f"probes[{i}].reason"),
                    facts=facts,
                    side_effects=p.get("side_effects"),
                    origin=p.get("origin") if p.get("origin") in ("program", "stated", "inferred") else None,
                )
            )
    # OverflowError: float() of an integer of hundreds of digits.
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError) as exc:
        raise SnapshotError(f"snapshot does not fit this version of whynogpu: {str(exc)[:200]}") from None
    return Snapshot(
        schema_version=1,
        tool_version=str(data.get("tool_version", "")),
        mode=str(data.get("mode", "check")),
        probes=tuple(results),
    )


MAX_BYTES = 64 << 20  # a snapshot is tens of kilobytes; a bigger file is not one


def load(path: str) -> Snapshot:
    from whynogpu.inputfile import InputError, read_bounded

    try:
        raw = read_bounded(path, MAX_BYTES + 1)
    except InputError as exc:
        raise SnapshotError(str(exc)) from None
    if len(raw) > MAX_BYTES:
        raise SnapshotError(f"{path} is larger than {MAX_BYTES >> 20} MiB: not a whynogpu snapshot")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise SnapshotError(f"{path} is nested too deeply to be a snapshot") from None
    return from_data(data)
