#!/usr/bin/env python3
"""Side-by-side HTTP benchmark: the sandbox against a bare actix-web ceiling, same core, same load.

Run through scripts/bench.sh, which builds both release binaries first. Each call is measured with wrk
(50 connections, the server pinned to core 0 and wrk to core 1), alternating ceiling and sandbox runs, and
the medians are printed as a Markdown table. It is a benchmark, not a test: nothing here asserts a time.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import re
import shutil
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
from bench_report import kept_once, median_of, report  # noqa: E402
from bench_servers import CEILING_BIN, ROOT, SANDBOX_BIN, cores, free_port, start_ceiling, start_sandbox  # noqa: E402

JPEG = os.path.join(ROOT, "fixtures", "images", "bench.jpg")
PNG = os.path.join(ROOT, "fixtures", "images", "document.png")

KYCAID_TOKEN = "bench-token"
REBILLY_KEY = "sk_sandbox_bench"
SUMVIN_PAT = "pat_bench"
SUMVIN_UPLOADERS = 10_000
QOLO_PROGRAM = "3fa0d2ea-ffcf-485d-94ed-dbf4f861ad2f"
SUMVIN_FORM = {"document_type": "PASSPORT", "country": "GBR", "side": "FRONT_SIDE"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="one 1 s run per call (CI proves the script works)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--reviews", type=int, default=10000, help="pending reviews decided by one clock advance")
    parser.add_argument("--applicants", type=int, default=100000, help="applicants created for the memory figure")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    parser.add_argument("--spin-us", default="",
                        help="comma-separated µs; adds a reference row per value: the ceiling busy-waiting that long "
                             "before each answer (what a handler's own work of that size costs here)")
    args = parser.parse_args()
    if args.short:
        args.runs, args.duration, args.reviews, args.applicants = 1, 1, 1000, 2000
    return args


# --- HTTP helpers for setting state up -----------------------------------------------------------------

def call(method, url, headers=None, body=None):
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and not isinstance(body, bytes):
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def call_header(method, url, headers, name):
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        response.read()
        return response.headers.get(name)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hermes_signed(base, path, body, client="demo-client", secret="demo-secret"):
    """A Hermes API call signed as its reference scripts sign it (HMAC-SHA512 over client, nonce, time,
    `POST /path` and the body): each nonce is accepted once, which is why wrk cannot replay these calls."""
    payload, ts, nonce = json.dumps(body), str(int(time.time())), base64.urlsafe_b64encode(os.urandom(24)).decode()
    signed = client + nonce + ts + "POST " + path + payload
    signature = base64.b64encode(hmac.new(secret.encode(), signed.encode(), hashlib.sha512).digest()).decode()
    auth = f'HMAC client_id="{client}",ts="{ts}",nonce="{nonce}",signature="{signature}"'
    return call("POST", base + path, {"Authorization": auth}, body)


def hermes_picture(base):
    """The URL of a picture of a test identity's data: a login approved without a browser, its token, its data."""
    authorize = (f"{base}/authorize?client_id=demo-client&redirect_uri=http://localhost/cb&state=s"
                 "&kyc_data=true&sandbox_decision=approve")
    try:
        urllib.request.build_opener(_NoRedirect).open(authorize)
        raise RuntimeError("authorize did not redirect")
    except urllib.error.HTTPError as redirect:
        code = re.search(r"code=([^&]+)", redirect.headers["Location"]).group(1)
    token = hermes_signed(base, "/mediator/api/get_token",
                          {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/cb"})
    data = hermes_signed(base, "/mediator/api/get_data", {"token": token["access_token"]})
    return re.findall(r'"(http[^"]*/pictures/[^"]*)"', json.dumps(data))[0]


def multipart(fields, file_field, file_name, content, content_type):
    boundary = "benchboundary7d1f"
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append((f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                  f"Content-Type: {content_type}\r\n\r\n").encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --- wrk ---------------------------------------------------------------------------------------------------

LUA_REQUEST = """
wrk.method = {method}
wrk.body = {body}
{headers}
"""


def lua_string(value):
    """A Lua string literal for any bytes (decimal escapes carry every byte, multipart bodies included)."""
    raw = value.encode() if isinstance(value, str) else value
    return '"' + "".join(f"\\{b}" for b in raw) + '"'


def write_lua(directory, name, method, headers, body=b""):
    lines = [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    path = os.path.join(directory, f"{name}.lua")
    with open(path, "w") as f:
        f.write(LUA_REQUEST.format(method=lua_string(method), body=lua_string(body), headers="\n".join(lines)))
    return path


def unit_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, script, args):
    _, load_core = cores()
    argv = load_core + ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", script, url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: unit_ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": latency.get("50", 0.0), "p99": latency.get("99", 0.0),
            "non2xx": int(non_2xx.group(1)) if non_2xx else 0, "errors": errors.group(0) if errors else "",
            "requests": total}


def cpu_seconds(pid):
    """User and system CPU time the process has used, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(server, url, script, args):
    """`run_wrk`, plus the server's CPU time per answered request (`cpu_us`): steadier than req/s on a shared
    machine, since it does not count the time the server waited for a core."""
    before = cpu_seconds(server.process.pid)
    run = run_wrk(url, script, args)
    run["cpu_us"] = (cpu_seconds(server.process.pid) - before) / max(run["requests"], 1) * 1e6
    return run


# --- The calls ---------------------------------------------------------------------------------------------

# A call the bench measures. `stored`, for a create, counts what the sandbox holds of what it creates, by the
# provider's own API, so that the bench can check that every answered create was kept, once.
Call = collections.namedtuple("Call", "name kind url script stored", defaults=[None])


def setup_calls(sandbox, scripts):
    """Creates the state each call reads, and returns a `Call` per call."""
    p = sandbox.ports
    kycaid = f"http://127.0.0.1:{p['kycaid']}"
    rebilly = f"http://127.0.0.1:{p['rebilly']}"
    sumvin = f"http://127.0.0.1:{p['sumvin']}"
    qolo = f"http://127.0.0.1:{p['qolo']}/api/v1"
    kycaid_auth = {"Authorization": f"Token {KYCAID_TOKEN}"}
    rebilly_auth = {"REB-APIKEY": REBILLY_KEY}
    sumvin_auth = {"x-sumvin-pat": SUMVIN_PAT}

    applicant = call("POST", f"{kycaid}/applicants", kycaid_auth,
                     {"type": "PERSON", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                      "residence_country": "GB", "dob": "1990-12-10"})["applicant_id"]
    ctype, body = multipart({}, "file", "passport.png", read(PNG), "image/png")
    file_id = call("POST", f"{kycaid}/files", {**kycaid_auth, "Content-Type": ctype}, body)["file_id"]
    call("POST", f"{kycaid}/documents", kycaid_auth,
         {"applicant_id": applicant, "type": "PASSPORT", "document_number": "AB1234567", "front_side_id": file_id})

    call("PUT", f"{rebilly}/customers/cus_bench", rebilly_auth, {"primaryAddress": {"firstName": "Ada", "lastName": "Lovelace"}})
    ctype, body = multipart({}, "file", "passport.jpg", read(JPEG), "image/jpeg")
    rebilly_file = call("POST", f"{rebilly}/files", {**rebilly_auth, "Content-Type": ctype}, body)["id"]
    document = call("POST", f"{rebilly}/kyc-documents", rebilly_auth,
                    {"customerId": "cus_bench", "documentType": "identity-proof", "fileIds": [rebilly_file]})["id"]

    call("POST", f"{sumvin}/v0/kyc/applicant", sumvin_auth)
    # Uploads go to many applicants in turn, as many users' onboarding would, rather than piling
    # hundreds of thousands of images onto one.
    for n in range(1, SUMVIN_UPLOADERS + 1):
        call("POST", f"{sumvin}/v0/kyc/applicant", {"x-sumvin-pat": f"{SUMVIN_PAT}_{n}"})

    token = call("POST", f"{qolo}/auth/login", None, {"loginid": "demo-login", "apikey": "demo-apikey"})["token"]
    qolo_auth = {"Authorization": f"Bearer {token}"}
    person = call("POST", f"{qolo}/persons", qolo_auth, {
        "program_guid": QOLO_PROGRAM,
        "person_details": {"first_name": "Alex", "last_name": "Rivera", "birth_date": "1990-04-01",
                           "base_address": {"address_line1": "12 Oak St", "city": "Austin", "state": "TX",
                                            "postal_code": "73301", "country": "USA"},
                           "identifications": [{"govt_id_type": "SSN", "govt_id_number": "123456789"}]}})
    person_guid = person.get("person_guid") or person.get("data", {}).get("person_guid")
    picture = hermes_picture(f"http://127.0.0.1:{p['hermes']}")

    jpeg_type, jpeg_upload = multipart({}, "file", "passport.jpg", read(JPEG), "image/jpeg")
    sumvin_type, sumvin_upload = multipart(SUMVIN_FORM, "file", "passport.jpg", read(JPEG), "image/jpeg")
    applicant_json = json.dumps({"type": "PERSON", "first_name": "Grace", "last_name": "Hopper",
                                 "email": "grace@example.com"}).encode()
    document_json = json.dumps({"customerId": "cus_bench", "documentType": "identity-proof",
                                "fileIds": [rebilly_file]}).encode()
    json_type = {"Content-Type": "application/json"}
    lua = lambda name, method, headers, body=b"": write_lua(scripts, name, method, headers, body)
    total = lambda url, auth: int(call_header("GET", url, auth, "Pagination-Total"))
    sumvin_images = lambda: sum(
        call("GET", f"{sumvin}/v0/kyc/documents", {"x-sumvin-pat": f"{SUMVIN_PAT}_{n}"})["total_count"]
        for n in range(1, SUMVIN_UPLOADERS + 1))
    return [
        Call("KYCAID `GET /applicants/{id}`", "read", f"{kycaid}/applicants/{applicant}",
             lua("kycaid-get", "GET", kycaid_auth)),
        Call("Rebilly `GET /kyc-documents/{id}`", "read", f"{rebilly}/kyc-documents/{document}",
             lua("rebilly-get", "GET", rebilly_auth)),
        Call("Sumvin `GET /v0/kyc/status`", "read", f"{sumvin}/v0/kyc/status",
             lua("sumvin-status", "GET", sumvin_auth)),
        Call("Qolo `GET /persons/{guid}`", "read", f"{qolo}/persons/{person_guid}", lua("qolo-get", "GET", qolo_auth)),
        Call("Hermes `GET /pictures/{tenant}/{id}` (a 233-byte PNG)", "read", picture,
             lua("hermes-picture", "GET", {})),
        Call("KYCAID `POST /applicants`", "create", f"{kycaid}/applicants",
             lua("kycaid-create", "POST", {**kycaid_auth, **json_type}, applicant_json),
             lambda: call("GET", f"{kycaid}/applicants?per_page=1", kycaid_auth)["total"]),
        Call("Rebilly `POST /files` (small JPEG)", "create", f"{rebilly}/files",
             lua("rebilly-upload", "POST", {**rebilly_auth, "Content-Type": jpeg_type}, jpeg_upload),
             lambda: total(f"{rebilly}/files?limit=1", rebilly_auth)),
        Call("Rebilly `POST /kyc-documents`", "create", f"{rebilly}/kyc-documents",
             lua("rebilly-document", "POST", {**rebilly_auth, **json_type}, document_json),
             lambda: total(f"{rebilly}/kyc-documents?limit=1", rebilly_auth)),
        Call(f"Sumvin `POST /v0/kyc/documents` (small JPEG, {SUMVIN_UPLOADERS:,} applicants in turn)", "create",
             f"{sumvin}/v0/kyc/documents",
             write_numbered_lua(scripts, "sumvin-upload", "POST", "/v0/kyc/documents",
                                {"x-sumvin-pat": f"{SUMVIN_PAT}_{{n}}", "Content-Type": sumvin_type}, sumvin_upload,
                                cycle=SUMVIN_UPLOADERS),
             sumvin_images),
    ]


def measure_calls(args, scripts):
    ceiling = start_ceiling()
    sandbox = start_sandbox()
    calls = setup_calls(sandbox, scripts)
    ceiling_script = write_lua(scripts, "ceiling", "GET", {})
    ceiling_url = f"http://127.0.0.1:{ceiling.port}/"
    ceiling_runs = []

    def alternated(server, url, script):
        """`args.runs` runs of `server`, each after a ceiling run, so both see the same machine."""
        runs = []
        for _ in range(args.runs):
            runs.append(paired_run(server, url, script))
        return runs

    def paired_run(server, url, script):
        """A run of `server` right after a run of the ceiling, which it carries as `paired`."""
        ceiling_runs.append(run_measured(ceiling, ceiling_url, ceiling_script, args))
        run = run_measured(server, url, script, args)
        run["paired"] = ceiling_runs[-1]
        return run

    # What HTTP itself costs a create: a second bare server that reads each body whole, sent the
    # Sumvin upload form. A reference row: every ratio is still to the GET ceiling, as the targets say.
    reader = start_ceiling(read_body=True)
    form_type, form = multipart(SUMVIN_FORM, "file", "passport.jpg", read(JPEG), "image/jpeg")
    reader_script = write_lua(scripts, "ceiling-post", "POST", {"Content-Type": form_type}, form)
    reader_runs = alternated(reader, f"http://127.0.0.1:{reader.port}/", reader_script)
    rows = [(f"bare actix-web, `POST` of the {len(form)}-byte Sumvin upload form, body read whole, same JSON",
             "reference", reader_runs, reader.rss(), None)]
    reader.stop()
    for spin_us in [int(us) for us in args.spin_us.split(",") if us]:
        spinner = start_ceiling(spin_us=spin_us)
        spinner_runs = alternated(spinner, f"http://127.0.0.1:{spinner.port}/", ceiling_script)
        rows.append((f"bare actix-web ceiling, busy-waiting {spin_us} µs before each answer", "reference",
                     spinner_runs, spinner.rss(), None))
        spinner.stop()
    # The reads take turns run by run, so that a spell of load from elsewhere on the machine lands on one run
    # of several rows (which the medians leave out) rather than on every run of one row.
    reads = [call_row for call_row in calls if call_row.kind != "create"]
    read_runs = [[] for _ in reads]
    for _ in range(args.runs):
        for call_row, runs in zip(reads, read_runs):
            runs.append(paired_run(sandbox, call_row.url, call_row.script))
    for call_row, runs in zip(reads, read_runs):
        rows.append((call_row.name, call_row.kind, runs, sandbox.rss(), None))
        print(f"  {call_row.name}: {median_of(runs, 'rps'):,.0f} req/s", file=sys.stderr)
    # Each create starts from a fresh sandbox, so that its row does not depend on what the rows before it
    # stored: on this project's VM, memory past about 3.2 GiB of the sandbox's RSS is backed by the host on
    # first touch, which doubles the kernel's time per create (README).
    for index, (name, kind, *_) in enumerate(calls):
        if kind != "create":
            continue
        server = start_sandbox()
        this = setup_calls(server, tempfile.mkdtemp(dir=scripts))[index]
        before = this.stored()
        sandbox_runs = alternated(server, this.url, this.script)
        audit = {"stored": this.stored() - before,
                 "answered": sum(r["requests"] - r["non2xx"] for r in sandbox_runs),
                 "in_flight": args.connections * len(sandbox_runs)}
        rows.append((name, kind, sandbox_runs, server.rss(), audit))
        print(f"  {name}: {median_of(sandbox_runs, 'rps'):,.0f} req/s", file=sys.stderr)
        server.stop()
    figures = {
        "ceiling": {"rps": median_of(ceiling_runs, "rps"), "p50": median_of(ceiling_runs, "p50"),
                    "p99": median_of(ceiling_runs, "p99"), "cpu_us": median_of(ceiling_runs, "cpu_us"),
                    "idle_rss": ceiling.idle_rss,
                    "rss": ceiling.rss(), "start_ms": ceiling.start_ms},
        "sandbox_idle_rss": sandbox.idle_rss, "sandbox_rss_after": sandbox.rss(), "sandbox_start_ms": sandbox.start_ms,
        "rows": rows,
    }
    ceiling.stop()
    sandbox.stop()
    return figures


def measure_start(samples):
    """Exec to first answer, median of several fresh starts."""
    times = []
    for _ in range(samples):
        sandbox = start_sandbox()
        times.append(sandbox.start_ms)
        sandbox.stop()
    return statistics.median(times)


def write_numbered_lua(directory, name, method, path, headers, body, cycle=None):
    """Like `write_lua`, but each request replaces `{n}` in `path`, header values and `body` by 1, 2, 3...
    (starting over after `cycle` when one is given)."""
    def numbered(text):
        raw = text.encode() if isinstance(text, str) else text
        return " .. n .. ".join(lua_string(part) for part in raw.split(b"{n}"))
    header_lines = [f"  wrk.headers[{lua_string(k)}] = {numbered(v)}" for k, v in headers.items()]
    step = f"n % {cycle} + 1" if cycle else "n + 1"
    script = f"""
local n = 0
request = function()
  n = {step}
""" + "\n".join(header_lines) + f"""
  return wrk.format({lua_string(method)}, {numbered(path)}, nil, {numbered(body)})
end
"""
    path_out = os.path.join(directory, f"{name}.lua")
    with open(path_out, "w") as f:
        f.write(script)
    return path_out


def measure_advance(args):
    """One clock advance deciding `reviews` pending Rebilly documents (one per customer), each
    with its `kyc-document-accepted` webhook queued."""
    sandbox = start_sandbox()
    rebilly = f"http://127.0.0.1:{sandbox.ports['rebilly']}"
    auth = {"REB-APIKEY": REBILLY_KEY}
    json_auth = {**auth, "Content-Type": "application/json"}
    sink = free_port()  # nothing listens: every webhook attempt fails and is scheduled for retry
    call("POST", f"{rebilly}/webhooks", auth, {
        "eventsFilter": ["kyc-document-accepted", "kyc-document-rejected"], "url": f"http://127.0.0.1:{sink}/hook",
        "method": "POST", "status": "active", "credentialHash": "bench"})
    ctype, body = multipart({}, "file", "passport.jpg", read(JPEG), "image/jpeg")
    file_id = call("POST", f"{rebilly}/files", {**auth, "Content-Type": ctype}, body)["id"]
    scripts = tempfile.mkdtemp()
    total = lambda collection, query="": int(call_header(
        "GET", f"{rebilly}/{collection}?limit=1{query}", auth, "Pagination-Total"))
    customers = write_numbered_lua(scripts, "customers", "PUT", "/customers/cus_{n}", json_auth,
                                   '{"primaryAddress":{"firstName":"Ada","lastName":"Lovelace"}}')
    create_counted(f"{rebilly}/", customers, args.reviews, lambda: total("customers"))
    documents = write_numbered_lua(
        scripts, "documents", "POST", "/kyc-documents", json_auth,
        '{"customerId":"cus_{n}","documentType":"identity-proof","fileIds":["' + file_id + '"]}')
    in_review = lambda: total("kyc-documents", "&filter=status:in-progress")
    create_counted(f"{rebilly}/", documents, args.reviews, in_review)
    waiting = in_review()
    admin = f"http://127.0.0.1:{sandbox.ports['main']}/__admin"
    started = time.perf_counter()
    advanced = call("POST", f"{admin}/clock/advance", None, {"seconds": 10})
    elapsed_ms = (time.perf_counter() - started) * 1000
    sandbox.stop()
    return {"reviews": waiting, "fired": advanced.get("fired"), "ms": elapsed_ms}


def create_counted(url, script, count, counted_so_far):
    """Sends `script` until `counted_so_far()` reaches `count` (wrk's lua also stops its thread near there)."""
    counted = script + ".counted.lua"
    with open(script) as base, open(counted, "w") as out:
        out.write(base.read())
        out.write(f"""
local answered = 0
response = function(status, headers, body)
  answered = answered + 1
  if answered >= {count} then wrk.thread:stop() end
end
""")
    _, load_core = cores()
    load = subprocess.Popen(load_core + ["wrk", "-t1", "-c8", "-d600s", "-s", counted, url],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        while counted_so_far() < count:
            if load.poll() is not None:
                raise RuntimeError(f"wrk ended before {count} resources existed")
            time.sleep(0.2)
    finally:
        load.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT
        out, _ = load.communicate()
    answered = re.search(r"(\d+) requests in", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"answered": int(answered.group(1)) if answered else None,
            "non2xx": int(non_2xx.group(1)) if non_2xx else 0}


def measure_memory(args):
    """RSS after `applicants` KYCAID applicants under one token, per 1,000."""
    sandbox = start_sandbox()
    kycaid = f"http://127.0.0.1:{sandbox.ports['kycaid']}"
    auth = {"Authorization": f"Token {KYCAID_TOKEN}", "Content-Type": "application/json"}
    body = json.dumps({"type": "PERSON", "first_name": "Grace", "last_name": "Hopper",
                       "email": "grace@example.com"}).encode()
    script = write_lua(tempfile.mkdtemp(), "applicants", "POST", auth, body)
    before = sandbox.rss()
    total = lambda: call("GET", f"{kycaid}/applicants?per_page=1", {"Authorization": f"Token {KYCAID_TOKEN}"})["total"]
    load = create_counted(f"{kycaid}/applicants", script, args.applicants, total)
    created = total()
    after = sandbox.rss()
    sandbox.stop()
    return {"applicants": created, "answered": load["answered"], "non2xx": load["non2xx"], "before": before,
            "after": after, "per_1000": (after - before) / created * 1000}


def main():
    args = parse_args()
    for binary in (SANDBOX_BIN, CEILING_BIN):
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: run scripts/bench.sh, which builds it")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing (apt-get install wrk)")
    os.makedirs(args.out, exist_ok=True)
    scripts = tempfile.mkdtemp(prefix="kyc-bench-")
    print("measuring calls...", file=sys.stderr)
    figures = measure_calls(args, scripts)
    print("measuring start time, memory and a large clock advance...", file=sys.stderr)
    start_ms = measure_start(5)
    memory = measure_memory(args)
    advance = measure_advance(args)
    table = report(args, figures, start_ms, advance, memory)
    print(table)
    with open(os.path.join(args.out, "last.md"), "w") as f:
        f.write(table + "\n")
    failures = [name for name, _, runs, _, _ in figures["rows"] if any(r["non2xx"] or r["errors"] for r in runs)]
    if failures:
        sys.exit("calls that answered errors under load: " + ", ".join(failures))
    unaccounted = [name for name, _, _, _, audit in figures["rows"] if audit and not kept_once(audit)]
    if unaccounted:
        sys.exit("creates whose answers and stored resources disagree: " + ", ".join(unaccounted))


if __name__ == "__main__":
    main()
