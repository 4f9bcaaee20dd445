"""st-summary mode: the counts and grouped findings of one schemathesis run (its ndjson and json
reports), for scripts/fuzz.sh. Exits 1 on 5xx (but 507), errors or requests without a response."""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from .shell import shq

# Failure codes that are bugs in the sandbox whatever the spec says.
FAILING_CODES = {"ST101"}  # Server error
CREDENTIAL_HEADERS = {"authorization", "reb-apikey", "x-sumvin-pat", "x-juno-jwt", "x-sumvin-token"}
# Groups that follow from documented sandbox behaviour rather than from a bug (shown, marked).
BY_DESIGN = {
    (
        "ST401",
        "invalid credentials provided",
    ): "by design: any credential is accepted (README, Auth and tenants)",
    (
        "ST401",
        "generated auth likely invalid",
    ): "by design: any credential is accepted (README, Auth and tenants)",
}


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    no_response: int = 0
    creates: list = field(default_factory=list)  # (request, response body) of 2xx POST/PUT/PATCH, in order
    server_errors: dict = field(default_factory=dict)  # (status, body) -> first example and count
    groups: dict = field(default_factory=dict)  # (code, title, sub) -> count, operations, examples


def curl(request: dict) -> str:
    parts = ["curl -sS -i -X " + shq(request["method"])]
    for k, vals in (request.get("headers") or {}).items():
        for v in vals if isinstance(vals, list) else [vals]:
            parts.append("-H " + shq(f"{k}: {v}"))
    body = request.get("body")
    if body and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        parts.append("--data-binary " + (shq(raw) if len(raw) <= 2000 else f"@<{len(raw)} bytes>"))
    elif body and "string" in body:
        parts.append("--data-binary " + shq(body["string"]))
    parts.append(shq(request["uri"]))
    return " ".join(parts)


def response_text(resp: dict) -> str:
    content = (resp or {}).get("content") or {}
    if "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return content.get("string", "") or ""


def tally_interaction(t: Tally, inter: dict) -> None:
    t.requests += 1
    resp = inter.get("response")
    if not resp:
        t.no_response += 1
        return
    code = resp.get("status_code")
    t.statuses[f"{code // 100}xx"] += 1
    req = inter["request"]
    if 200 <= code < 300 and req["method"] in ("POST", "PUT", "PATCH"):
        t.creates.append((req, response_text(resp)[:4000]))
    if code == 507:
        t.statuses["507"] += 1  # the upload store is full: a documented limit (README, Limits)
    elif code >= 500:
        body = response_text(resp)[:300]
        key = (code, body)
        if key not in t.server_errors:
            t.server_errors[key] = server_error(t, req, resp, code, body)
        t.server_errors[key]["count"] += 1


def server_error(t: Tally, req: dict, resp: dict, code: int, body: str) -> dict:
    """A 5xx with the requests that created and last changed the ids in its URL, then itself."""
    path = urllib.parse.urlsplit(req["uri"]).path
    setup = []
    for seg in path.split("/"):
        if len(seg) >= 8 and any(c.isdigit() for c in seg):
            touched = [r for r, b in t.creates if seg in b or seg in r["uri"]]
            picked = touched if len(touched) <= 3 else touched[:1] + touched[-2:]
            setup += [r for r in picked if r not in setup]
    return {
        "op": f"{req['method']} {path}",
        "status": code,
        "body": body,
        "content_type": (resp.get("headers") or {}).get("content-type", ["(none)"]),
        "curls": [curl(r) for r in setup + [req]],
        "count": 0,
    }


def tally_check(t: Tally, check: dict, sent: dict, label: str) -> None:
    fail = (check.get("failure_info") or {}).get("failure") or {}
    code = fail.get("code", "?")
    title = fail.get("title", check.get("name"))
    message = (fail.get("message") or "").strip()
    why = re.search(r"\(([^()]*)\)\s*$", message.splitlines()[0]) if message else None
    sub = why.group(1) if (code == "ST401" and why) else ""
    if code == "ST401" and not sub:
        # "Without authentication" as the spec sees it; the sandbox also takes
        # credentials in headers the spec lists as plain parameters.
        creds = sorted(h.lower() for h in sent if h.lower() in CREDENTIAL_HEADERS)
        sub = f"but {', '.join(creds)} sent" if creds else "no credential header at all"
    g = t.groups.setdefault((code, title, sub), {"count": 0, "operations": Counter(), "examples": []})
    g["count"] += 1
    g["operations"][fail.get("operation") or label] += 1
    example = [line for line in message.splitlines() if line.strip()][:3]
    if len(g["examples"]) < 2 and example and example not in g["examples"]:
        g["examples"].append(example)


def tally_events(path: str) -> Tally:
    t = Tally()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            fin = event.get("ScenarioFinished")
            if not fin:
                continue
            rec = fin.get("recorder") or {}
            interactions = rec.get("interactions") or {}
            for _, inter in sorted(interactions.items(), key=lambda kv: kv[1].get("timestamp", 0)):
                tally_interaction(t, inter)
            for cid, checks in (rec.get("checks") or {}).items():
                sent = (interactions.get(cid) or {}).get("request", {}).get("headers") or {}
                for c in checks:
                    if c.get("status") == "failure":
                        tally_check(t, c, sent, rec.get("label", "?"))
    return t


def print_groups(name: str, groups: dict) -> None:
    print(f"\n== schemathesis {name}: check failures, grouped (only [FAIL] ones fail the run) ==")
    failing_first = sorted(groups.items(), key=lambda kv: (kv[0][0] not in FAILING_CODES, kv[0]))
    for (code, title, sub), g in failing_first:
        note = BY_DESIGN.get((code, sub))
        if code == "ST401" and sub.startswith("but "):
            note = "by design: any value of a credential header is a credential (README, Auth and tenants)"
        mark = "FAIL" if code in FAILING_CODES else "design" if note else "info"
        ops = ", ".join(f"{o} x{n}" for o, n in g["operations"].most_common(6))
        more = f" (+{len(g['operations']) - 6} more)" if len(g["operations"]) > 6 else ""
        print(f"  [{mark}] {code} {title}{' (' + sub + ')' if sub else ''}: {g['count']} checks; {ops}{more}")
        if note:
            print(f"         {note}")
            continue
        for example in g["examples"]:
            for i, line in enumerate(example):
                print(f"         {'-' if i == 0 else ' '} {line[:200]}")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Summarise one schemathesis run for scripts/fuzz.sh")
    p.add_argument("--name", required=True)
    p.add_argument("--ndjson", required=True)
    p.add_argument("--json", dest="json_report")
    args = p.parse_args(argv)

    t = tally_events(args.ndjson)
    errors = []
    if args.json_report and os.path.exists(args.json_report):
        with open(args.json_report, encoding="utf-8") as fh:
            errors = json.load(fh).get("errors") or []

    print_groups(args.name, t.groups)
    for e in t.server_errors.values():
        print(
            f"\n  5xx: {e['op']} -> {e['status']} content-type {e['content_type']} (x{e['count']}): {e['body']!r}"
        )
        for c in e["curls"]:
            print(f"     {c}")
    for e in errors:
        print(f"\n  error: {json.dumps(e)[:600]}")
    timeouts = sum(1 for e in errors if re.search(r"timed? ?out|Timeout", json.dumps(e)))
    n5xx = t.statuses["5xx"] - t.statuses["507"]
    print(
        f"SUMMARY {args.name}: requests={t.requests} 2xx={t.statuses['2xx']} 4xx={t.statuses['4xx']} 5xx={n5xx} "
        f"507={t.statuses['507']} "
        f"timeouts={timeouts} errors={len(errors)} no-response={t.no_response} check-groups={len(t.groups)}"
    )
    return 1 if (n5xx or errors or t.no_response) else 0
