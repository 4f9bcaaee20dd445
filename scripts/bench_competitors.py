#!/usr/bin/env python3
"""kyc-sandbox beside the mock servers users would otherwise pick: WireMock, Prism and json-server.

Run through scripts/bench-competitors.sh, which installs the three tools (exact versions, bench/competitors/)
and makes sure the release binaries exist. Every tool serves the equivalent of the sandbox's stateful KYCAID
`GET /applicants/{id}` (with `Authorization: Token ...`) and answers the ceiling's own ~1 KiB JSON body, from the
fixtures in bench/competitors/ (`--write-fixtures` rewrites them from the ceiling's body). Each tool is started
pinned to core 0 and loaded by wrk on core 1 exactly as scripts/bench.py does (its functions are imported, not
copied), alternating with the bare actix-web ceiling in the same run: one first (cold) run right after the start,
a warm-up, then `--runs` runs whose medians make the table. RSS is read from the process that owns the listening
socket (the java process under the npm `wiremock` launcher, the node process for Prism and json-server).
It is a benchmark, not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # no scripts/__pycache__ left in the tree by the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# scripts/bench.py drives wrk; bench_servers.py starts the ceiling and the sandbox; bench_report.py formats.
from bench import KYCAID_TOKEN, call, run_wrk, write_lua  # noqa: E402
from bench_report import fmt_row, median_of  # noqa: E402
from bench_servers import (CEILING_BIN, ROOT, SANDBOX_BIN, cores, free_port, rss_kib,  # noqa: E402
                           start_ceiling, start_sandbox, wait_answer)

COMPETITORS = os.path.join(ROOT, "bench", "competitors")
MODULES = os.path.join(COMPETITORS, "node_modules")
WIREMOCK_ROOT = os.path.join(COMPETITORS, "wiremock")
WIREMOCK_MAPPING = os.path.join(WIREMOCK_ROOT, "mappings", "kycaid-applicant.json")
PRISM_SPEC = os.path.join(COMPETITORS, "prism", "kycaid.openapi.json")
JSON_SERVER_DB = os.path.join(COMPETITORS, "json-server", "db.json")
AUTH = {"Authorization": f"Token {KYCAID_TOKEN}"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="one 1 s run per tool, 1 s warm-up, one start")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per tool (medians)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load between the cold run and the runs")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--starts", type=int, default=3, help="fresh starts per tool for the start time (median)")
    parser.add_argument("--only", default="", help="comma-separated subset: sandbox,wiremock,prism,json-server")
    parser.add_argument("--write-fixtures", action="store_true",
                        help="rewrite the fixtures in bench/competitors/ from the ceiling's body, then exit")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    args = parser.parse_args()
    if args.short:
        args.runs, args.duration, args.warmup, args.starts = 1, 1, 1, 1
    return args


# --- Processes ---------------------------------------------------------------------------------------------

def children(pid):
    """Every descendant of `pid` (from /proc/*/stat)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents.setdefault(int(stat.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    found, queue = [], [pid]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def listener_pid(root, port):
    """The process under `root` (itself included) that owns the socket listening on `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{fields[9]}]")
        except OSError:
            pass
    for pid in [root] + children(root):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
        except OSError:
            pass
    return root


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


class Tool:
    """A server started pinned to core 0 in its own process group (npm launchers leave children behind)."""

    def __init__(self, argv, port, probe, cwd=None, settle_s=1.0):
        self.port = port
        server_core, _ = cores()
        started = time.perf_counter()
        self.process = subprocess.Popen(server_core + argv, cwd=cwd, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_answer(port, probe, deadline_s=120.0)
        except RuntimeError:
            self.stop()
            raise
        self.start_ms = (time.perf_counter() - started) * 1000
        self.pid = listener_pid(self.process.pid, port)
        time.sleep(settle_s)
        self.idle_rss = self.rss()
        self.launcher_rss = self.rss_launchers()

    def rss(self):
        return rss_kib(self.pid)

    def rss_launchers(self):
        """RSS of the processes between the exec and the server (the npm launcher's node), 0 when none."""
        tree = [self.process.pid] + children(self.process.pid)
        return sum(rss_kib(pid) for pid in tree if pid != self.pid)

    def stop(self):
        tree = [self.process.pid] + children(self.process.pid)
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(not zombie(pid) for pid in tree):
            self.process.poll()
            time.sleep(0.05)
        for pid in tree:
            if not zombie(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process.wait()


def zombie(pid):
    """True once `pid` has ended (gone, or a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class SandboxTool:
    """kyc-sandbox itself (bench_servers.start_sandbox), serving a KYCAID applicant created for the run."""

    def __init__(self):
        self.server = start_sandbox()
        self.start_ms, self.idle_rss, self.launcher_rss = self.server.start_ms, self.server.idle_rss, 0
        self.pid = self.server.process.pid
        kycaid = f"http://127.0.0.1:{self.server.ports['kycaid']}"
        applicant = call("POST", f"{kycaid}/applicants", AUTH,
                         {"type": "PERSON", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                          "residence_country": "GB", "dob": "1990-12-10"})["applicant_id"]
        self.port = self.server.ports["kycaid"]
        self.path = f"/applicants/{applicant}"

    def rss(self):
        return self.server.rss()

    def stop(self):
        self.server.stop()


# --- The tools ---------------------------------------------------------------------------------------------

def package_version(name):
    with open(os.path.join(MODULES, *name.split("/"), "package.json")) as f:
        return json.load(f)["version"]


def applicant_id(body):
    return json.loads(body)["applicant_id"]


def start_wiremock(body):
    port = free_port()
    path = f"/applicants/{applicant_id(body)}"
    tool = Tool([os.path.join(MODULES, ".bin", "wiremock"), "--port", str(port), "--bind-address", "127.0.0.1",
                 "--root-dir", WIREMOCK_ROOT, "--disable-banner"], port, path)
    tool.path = path
    return tool


def start_prism(body):
    port = free_port()
    path = f"/applicants/{applicant_id(body)}"
    tool = Tool([os.path.join(MODULES, ".bin", "prism"), "mock", "--host", "127.0.0.1", "--port", str(port),
                 "--dynamic=false", PRISM_SPEC], port, path)
    tool.path = path
    return tool


def start_json_server(body):
    port = free_port()
    path = f"/applicants/{applicant_id(body)}"
    workdir = tempfile.mkdtemp(prefix="kyc-bench-json-server-")  # json-server writes its db back: use a copy
    db = os.path.join(workdir, "db.json")
    with open(JSON_SERVER_DB) as source, open(db, "w") as copy:
        copy.write(source.read())
    tool = Tool([os.path.join(MODULES, ".bin", "json-server"), "--host", "127.0.0.1", "--port", str(port),
                 "--id", "applicant_id", db], port, path, cwd=workdir)
    tool.path = path
    return tool


def tools(body):
    """(key, name and version, how it serves the call, starter) for each server measured beside the ceiling."""
    sandbox_version = subprocess.run([SANDBOX_BIN, "--version"], capture_output=True, text=True).stdout.strip()
    revision = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                              text=True).stdout.strip()
    wiremock, prism, json_server = (package_version(name) for name in ("wiremock", "@stoplight/prism-cli",
                                                                      "json-server"))
    return [
        ("sandbox", f"kyc-sandbox {sandbox_version.split()[-1] if sandbox_version else ''}".strip(),
         f"({revision}), KYCAID `GET /applicants/{{id}}`", lambda: SandboxTool()),
        ("wiremock", f"WireMock {wiremock}", "(npm `wiremock`, bundled jar), stub mapping",
         lambda: start_wiremock(body)),
        ("prism", f"Prism {prism}", "(`prism mock`, static example)", lambda: start_prism(body)),
        ("json-server", f"json-server {json_server}", "(`db.json`, `--id applicant_id`)",
         lambda: start_json_server(body)),
    ]


# --- Fixtures ----------------------------------------------------------------------------------------------

def ceiling_body(ceiling):
    with urllib.request.urlopen(f"http://127.0.0.1:{ceiling.port}/") as response:
        return response.read().decode()


def write_fixtures(body):
    document = json.loads(body)
    path = f"/applicants/{document['applicant_id']}"
    mapping = {
        "name": "KYCAID GET /applicants/{id}: the benchmark's applicant (scripts/bench-competitors.sh)",
        "request": {"method": "GET", "urlPath": path,
                    "headers": {"Authorization": {"equalTo": f"Token {KYCAID_TOKEN}"}}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body},
    }
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "KYCAID applicant (kyc-sandbox benchmark)", "version": "2.0"},
        "servers": [{"url": "http://127.0.0.1"}],
        "security": [{"token": []}],
        "components": {"securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Token <api token>`, as KYCAID expects"}}},
        "paths": {"/applicants/{applicant_id}": {"get": {
            "operationId": "getApplicant",
            "parameters": [{"name": "applicant_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The applicant",
                        "content": {"application/json": {"schema": {"type": "object"}, "example": document}}},
                "401": {"description": "Missing token",
                        "content": {"application/json": {"example": {"type": "unauthorized"}}}}}}}},
    }
    for path_name, value in ((WIREMOCK_MAPPING, mapping), (PRISM_SPEC, spec),
                             (JSON_SERVER_DB, {"applicants": [document]})):
        os.makedirs(os.path.dirname(path_name), exist_ok=True)
        with open(path_name, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
        print(f"wrote {os.path.relpath(path_name, ROOT)}", file=sys.stderr)


def fetch(port, path, headers):
    """(status, body bytes) of one GET."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- Measurement -------------------------------------------------------------------------------------------

def measure(args, key, name, how, starter, ceiling, ceiling_url, ceiling_script, ceiling_runs, body, scripts):
    label = f"{name} {how}"
    print(f"{label}:", file=sys.stderr)
    start_times = []
    for _ in range(args.starts - 1):  # extra fresh starts, only for the start-time median
        tool = starter()
        start_times.append(tool.start_ms)
        tool.stop()
    tool = starter()
    start_times.append(tool.start_ms)
    try:
        status, answer = fetch(tool.port, tool.path, AUTH)
        if status != 200 or json.loads(answer) != json.loads(body) and key != "sandbox":
            raise RuntimeError(f"{label} answered {status} {answer[:200]!r}, not the ceiling's body "
                               "(rewrite the fixtures with --write-fixtures)")
        no_token = fetch(tool.port, tool.path, {})[0]
        wrong_token = fetch(tool.port, tool.path, {"Authorization": "Token wrong"})[0]
        url = f"http://127.0.0.1:{tool.port}{tool.path}"
        script = write_lua(scripts, key, "GET", AUTH)
        beside_cold = run_wrk(ceiling_url, ceiling_script, args)
        ceiling_runs.append(beside_cold)
        cold = run_wrk(url, script, args)
        print(f"  cold: {cold['rps']:,.0f} req/s", file=sys.stderr)
        warm_args = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        run_wrk(url, script, warm_args)
        runs, beside = [], []
        for _ in range(args.runs):
            beside.append(run_wrk(ceiling_url, ceiling_script, args))
            runs.append(run_wrk(url, script, args))
        ceiling_runs.extend(beside)
        print(f"  warm: {median_of(runs, 'rps'):,.0f} req/s", file=sys.stderr)
        return {"key": key, "name": name, "label": label, "cold": cold, "runs": runs, "ceiling_cold": [beside_cold], "ceiling": beside, "body_bytes": len(answer),
                "no_token": no_token, "wrong_token": wrong_token, "start_ms": statistics.median(start_times),
                "idle_rss": tool.idle_rss, "rss_after": tool.rss(), "launcher_rss": tool.launcher_rss,
                "process": comm(tool.pid)}
    finally:
        tool.stop()


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def row(label, runs, ceiling, result, idle, after, start):
    """`ceiling`: the ceiling runs alternated with `runs`, whose median the ratio divides by."""
    rps, ceiling_rps = median_of(runs, "rps"), median_of(ceiling, "rps")
    failures = sum(r["non2xx"] for r in runs)
    errors = "; ".join(sorted({r["errors"] for r in runs if r["errors"]}))
    return fmt_row([label, f"{rps:,.0f}", f"{rps / ceiling_rps:.2f} of {ceiling_rps:,.0f}", f"{median_of(runs, 'p50'):.2f}",
                    f"{median_of(runs, 'p99'):.2f}", str(failures) + (f" ({errors})" if errors else ""),
                    idle, after, start, result])


def report(args, ceiling_runs, ceiling, body, results):
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[:1]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"kyc-sandbox beside WireMock, Prism and json-server, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores, wrk -t1 -c{args.connections}; each server on core 0, wrk on core 1; "
        f"per server one cold run right after its start, a {args.warmup} s warm-up, then medians of "
        f"{args.runs} x {args.duration} s, alternating with the ceiling ({len(ceiling_runs)} ceiling runs); "
        f"node {node}, {java[0] if java else 'java ?'}",
        "",
        fmt_row(["server", "req/s", "ratio to the ceiling runs alternated with it", "p50 ms", "p99 ms", "non-2xx (errors)", "idle RSS",
                 "RSS after load", "exec to first answer", "body bytes; without token / wrong token"]),
        fmt_row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---"]),
        row("bare actix-web ceiling, fixed 1 KiB JSON (all its runs)", ceiling_runs, ceiling_runs, f"{len(body)}; no check",
            mib(ceiling.idle_rss), mib(ceiling.rss()), f"{ceiling.start_ms:.0f} ms"),
    ]
    for r in results:
        answer = f"{r['body_bytes']}; {r['no_token']} / {r['wrong_token']}"
        idle, after = mib(r["idle_rss"]), mib(r["rss_after"])
        start = f"{r['start_ms']:,.0f} ms"
        if r["key"] == "wiremock":
            lines.append(row(r["label"] + ", cold (first run after start)", [r["cold"]], r["ceiling_cold"], answer,
                             idle, "", start))
            lines.append(row(r["label"] + f", warm (after a {args.warmup} s warm-up)", r["runs"], r["ceiling"],
                             answer, "", after, ""))
        else:
            lines.append(row(r["label"], r["runs"], r["ceiling"], answer, idle, after, start))
    lines.append("")
    notes = [f"{r['name']} {r['cold']['rps']:,.0f} req/s ({r['cold']['rps'] / r['ceiling_cold'][0]['rps']:.2f}, "
             f"p99 {r['cold']['p99']:.0f} ms"
             + (f", {r['cold']['non2xx']} non-2xx" if r['cold']['non2xx'] else "")
             + (f", {r['cold']['errors']}" if r['cold']['errors'] else "") + ")"
             for r in results if r["key"] != "wiremock"]
    if notes:
        lines.append("Cold (first run after start): " + "; ".join(notes) + ".")
    launchers = [f"{r['name']}: server process `{r['process']}`"
                 + (f", npm launcher {mib(r['launcher_rss'])} more" if r["launcher_rss"] else "")
                 for r in results]
    lines.append("RSS is the server process's (" + "; ".join(launchers) + "). Start time: median of "
                 f"{args.starts} fresh starts, exec (through the npm bin where there is one) to the first answer.")
    return "\n".join(lines)


def main():
    args = parse_args()
    if not os.path.exists(CEILING_BIN):
        sys.exit(f"{CEILING_BIN} is missing: cargo build --release --locked --example ceiling")
    scripts = tempfile.mkdtemp(prefix="kyc-bench-competitors-")
    ceiling = start_ceiling()
    try:
        body = ceiling_body(ceiling)
        if args.write_fixtures:
            write_fixtures(body)
            return
        chosen = [k for k in args.only.split(",") if k]
        selected = [t for t in tools(body) if not chosen or t[0] in chosen]
        if any(t[0] == "sandbox" for t in selected) and not os.path.exists(SANDBOX_BIN):
            sys.exit(f"{SANDBOX_BIN} is missing: cargo build --release --locked --bin kyc-sandbox")
        ceiling_url = f"http://127.0.0.1:{ceiling.port}/"
        ceiling_script = write_lua(scripts, "ceiling", "GET", {})
        ceiling_runs, results = [], []
        for key, name, how, starter in selected:
            results.append(measure(args, key, name, how, starter, ceiling, ceiling_url, ceiling_script, ceiling_runs,
                                   body, scripts))
        table = report(args, ceiling_runs, ceiling, body, results)
    finally:
        ceiling.stop()
    print(table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "competitors.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "competitors.json"), "w") as f:
        json.dump({"ceiling_runs": ceiling_runs, "results": results}, f, indent=1)
    failures = [r["label"] for r in results
                if any(x["non2xx"] or x["errors"] for x in r["runs"] + [r["cold"]])]
    if failures:
        print("servers that answered errors under load: " + "; ".join(failures), file=sys.stderr)


if __name__ == "__main__":
    main()
