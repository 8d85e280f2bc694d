"""The text trace of a simulation, for people: routing, each plugin's decision, the outcome."""
from __future__ import annotations

from .model import Result


def outcome(result: Result) -> str:
    if result.forwarded_to is not None and result.rcode is None:
        return f"forwarded to {', '.join(result.forwarded_to)} — the rcode and answers are the upstream's"
    if result.dropped:
        return f"no reply ({result.unknown or 'dropped'})"
    if result.rcode is None:
        return result.unknown or "unknown"
    n = len(result.answers)
    if result.rcode == "NOERROR":
        if n:
            return f"NOERROR, {n} answer{'s' if n != 1 else ''}"
        # No answer with NS (and no SOA) in the authority section is a delegation, not an empty name.
        types = {rr.type for rr in result.authority}
        if "NS" in types and "SOA" not in types:
            return "NOERROR, no answer: referral to the delegated zone's name servers"
        return "NOERROR, no answer (NODATA)"
    return result.rcode


def render(result: Result, live=None, live_diffs=None) -> str:
    lines = [f"{result.qname} {result.qtype}" + (f" (class {result.qclass})" if result.qclass != "IN" else "")]
    r = result.routing
    if r is not None:
        lines.append(f"  listener  {r.listener or '(none)'}")
        for c in r.candidate_dicts():
            view = f" view {c['view']}" if c.get("view") and f"view {c['view']}:" not in c["outcome"] else ""
            lines.append(f"  candidate block {c['index']} (line {c['line']}) zone {c['zone']}{view}: {c['outcome']}")
        lines.append(f"  routing   {r.reason}")
    if result.server_block is not None:
        b = result.server_block
        lines.append(f"  block     {b.index} (line {b.line}) {' '.join(b.keys)} — zone {b.zone}")
    if result.trace:
        width = max(len(s.plugin) for s in result.trace)
        lines.append("  chain (plugin.cfg order):")
        for s in result.trace:
            where = f"line {s.line}" if s.line else ""
            lines.append(f"    {s.plugin:<{width}}  {where:<9} {s.decision:<7} {s.reason}")
    who = result.answered_by
    lines.append(f"  result    {outcome(result)}" + (f" (by {who['plugin']}, line {who['line']})" if who else ""))
    for a in result.answers:
        lines.append(f"    answer      {a.text()}")
    for a in result.authority:
        lines.append(f"    authority   {a.text()}")
    for a in result.additional:
        lines.append(f"    additional  {a.text()}")
    for note in result.notes:
        lines.append(f"  note      {note}")
    if live is not None:
        if live.error:
            lines.append(f"  live      {live.error}")
        else:
            n = len(live.answers)
            lines.append(f"  live      {live.server}: {live.rcode}, {n} answer{'s' if n != 1 else ''}")
            for a in live.answers:
                lines.append(f"    real        {a.text()}")
        if live_diffs:
            for d in live_diffs:
                lines.append(f"  ≠ DIFFERS {d}")
        elif result.rcode is None and not result.dropped:
            lines.append("  live      (the prediction leaves the answer to the upstream; nothing to compare)")
        else:
            lines.append("  live      = matches the prediction")
    return "\n".join(lines)
