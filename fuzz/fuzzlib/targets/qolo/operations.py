"""What the Qolo fuzzer does: valid persons through every KYC flow README describes (held to their
documented outcome), the same calls with mutated or broken bodies, bad guids, forged tokens and
another login's ids (held to the envelope, to writing nothing and to 404), and notifications."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from typing import TYPE_CHECKING, Optional

from ...bodies import JSON, encode_body, json_bytes, oversized_body
from ...model import Outcome, Req
from . import fields as F
from .state import Notification, Person

if TYPE_CHECKING:
    from .target import Qolo

PERSONS = "/api/v1/persons"
NOTIFICATIONS = "/api/v1/notifications"


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def body_of(out: Optional[Outcome]):
    try:
        return out.json() if out is not None and out.status is not None else None
    except ValueError:
        return None


def status_of(out: Optional[Outcome]) -> Optional[int]:
    return out.status if out is not None else None


def answered(out: Optional[Outcome]) -> bool:
    return out is not None and out.status is not None and out.status < 500


def person_path(guid: str, tail: str = "") -> str:
    return f"{PERSONS}/{q(guid)}{tail}"


# -- persons: create

def create_valid(t: "Qolo") -> Optional[Person]:
    """CreatePerson with a valid body for one of README's scenarios; the answer, the read-back and the
    first KYC result are held to README."""
    g = t.g
    login = t.login()
    kind = g.pick(["cleared"] * 3 + F.SCENARIOS[1:] + ["incomplete"] * 2)
    program = g.pick([F.CDD, F.CDD, F.SDD, F.OTHER_TOP])
    marker = "fz-" + g.hex_id(16)
    body, last, govt, missing = F.person_body(g, marker, kind, program)
    scenario = F.scenario_of(last, govt)
    headers = {}
    if g.chance(0.08):
        scenario = g.pick(F.SCENARIOS)
        headers["X-Sandbox-Scenario"] = F.forced_name(scenario)
    req, out = t.call("POST /api/v1/persons", f"valid:{kind}", "POST", PERSONS, login, body, headers)
    t.count_create(login, out)
    if not answered(out):
        return None
    b = body_of(out)
    if out.status != 201 or not isinstance(b, dict) or not isinstance(b.get("person_guid"), str):
        t.flow_failed(req, out, "a valid CreatePerson did not answer 201 with a person_guid")
        return None
    p = Person(b["person_guid"], login, program, marker, scenario, last, govt, missing, results=0)
    t.add_person(p)
    want, questions = F.expected_status(program, scenario, p.complete)
    problems = []
    if not out.headers.get("location", "").endswith("/" + p.guid):
        problems.append(f"Location {out.headers.get('location')!r} does not name the person")
    problems += person_problems(b, want, program)
    if want != "CLEARED" and not (isinstance(b.get("additional_desc"), str) and b["additional_desc"]):
        problems.append(f"a {want} person without additional_desc")
    problems += sent_problems(body["person_details"], b)
    if problems:
        t.flow_failed(req, out, f"scenario {scenario} in program {F.PROGRAMS[program]}: " + "; ".join(problems))
        p.flow = False
    # Read back: GetPersonById shows what the create answered (without additional_desc).
    r2, back = t.call("GET /api/v1/persons/{guid}", "readback", "GET", person_path(p.guid), login)
    bb = body_of(back)
    if answered(back):
        created = {k: v for k, v in b.items() if k != "additional_desc"}
        if back.status != 200 or bb != created:
            t.engine.flag(t, "readback", req, back, f"GET {PERSONS}/{p.guid} does not show the person the create answered")
    sync_kyc(t, p, req, expect_results=1, expect_method=first_method(program, scenario, p.complete), expect_questions=questions)
    p.status = want if p.flow else (bb.get("person_status", "") if isinstance(bb, dict) else "")
    return p


def first_method(program: str, scenario: str, complete: bool) -> tuple[str, str]:
    status, questions = F.expected_status(program, scenario, complete)
    if scenario in F.RESTRICTED:
        return "SANCTIONS_SCREEN", "HIT"
    if F.PROGRAMS[program] == "SDD":
        return "SANCTIONS_SCREEN", "PASS"
    if status == "INCOMPLETE":
        return "EID", "INCOMPLETE"
    if status == "CLEARED":
        return "EID", "PASS"
    return "EID", "QUESTIONS" if questions else "FAIL"


def person_problems(b: dict, want: str, program: str) -> list[str]:
    problems = []
    if b.get("person_status") != want:
        problems.append(f"person_status {b.get('person_status')!r}, README says {want}")
    level = F.PROGRAMS[program] if want == "CLEARED" else None
    if b.get("verfication_level") != level:
        problems.append(f"verfication_level {b.get('verfication_level')!r}, expected {level!r}")
    if b.get("verfication_mode") != F.PROGRAMS[program]:
        problems.append(f"verfication_mode {b.get('verfication_mode')!r}, the program's is {F.PROGRAMS[program]}")
    return problems


SIMPLE = ["first_name", "last_name", "birth_date", "client_reference_id", "title", "middle_name", "email",
          "additional_data", "mobile_number", "ip_address"]
UPPER = ["nationality", "contact_type"]


def sent_problems(sent: dict, got: dict) -> list[str]:
    """Fields a valid body sent that the answer does not show as sent (normalized as README says)."""
    problems = []
    for k, v in sent.items():
        if k in SIMPLE and got.get(k) != v:
            problems.append(f"{k} sent {v!r}, shown {got.get(k)!r}")
        elif k in UPPER and got.get(k) != v.upper():
            problems.append(f"{k} sent {v!r}, shown {got.get(k)!r}")
        elif k.endswith("address") and isinstance(v, dict):
            want = {**v, "country": v["country"].upper()} if "country" in v else v
            if got.get(k) != want:
                problems.append(f"{k} sent {v!r}, shown {got.get(k)!r}")
        elif k == "identifications":
            want = [{**i, "govt_id_type": i["govt_id_type"].upper()} for i in v]
            if got.get(k) != want:
                problems.append(f"identifications sent {v!r}, shown {got.get(k)!r}")
    return problems


def sync_kyc(t: "Qolo", p: Person, req: Req, expect_results: Optional[int] = None,
             expect_method: Optional[tuple] = None, expect_questions: Optional[bool] = None,
             answer: Optional[dict] = None) -> Optional[dict]:
    """GET the person's KYC; holds it to what the step before should have left (a flow failure
    otherwise) and takes its results count and pending questions from it."""
    r, out = t.call("GET /api/v1/persons/{guid}/kyc", "readback", "GET", person_path(p.guid, "/kyc"), p.login)
    b = body_of(out)
    if not answered(out):
        return None
    if out.status != 200 or not isinstance(b, dict) or not isinstance(b.get("verificationResults"), list):
        t.engine.flag(t, "readback", req, out, f"GET {PERSONS}/{p.guid}/kyc of a known person did not answer its results")
        p.flow = False
        return None
    results = b["verificationResults"]
    last = results[-1] if results else {}
    problems = []
    if answer is not None and answer != b:
        problems.append("GET .../kyc differs from what Perform KYC answered")
    if p.flow and expect_results is not None and len(results) != expect_results:
        problems.append(f"{len(results)} verificationResults, expected {expect_results}")
    if p.flow and expect_method and (last.get("verification_method"), last.get("response_code")) != expect_method:
        problems.append(f"last result {last.get('verification_method')}/{last.get('response_code')}, expected {'/'.join(expect_method)}")
    questions = last.get("questions") if last.get("response_code") == "QUESTIONS" else []
    if p.flow and expect_questions is not None and bool(questions) != expect_questions:
        problems.append("out-of-wallet questions " + ("missing" if expect_questions else "asked"))
    if questions and not (len(questions) == 3 and all(isinstance(x.get("key"), str) and len(x.get("options") or []) >= 2 for x in questions)):
        problems.append(f"questions are not three with a key and options each: {questions!r}"[:300])
    if problems and p.flow:
        t.flow_failed(req, out, f"person {p.guid} (scenario {p.scenario}): " + "; ".join(problems))
        p.flow = False
    p.results = len(results)
    p.questions = questions or []
    return b


# -- Perform KYC: the documented steps

def pick_flow(t: "Qolo") -> Optional[Person]:
    p = t.any_person(flow=True)
    return p if p is not None else create_valid(t)


def kyc_step(t: "Qolo") -> None:
    """The next documented Perform KYC step for a flow person, held to README's outcome."""
    g = t.g
    p = pick_flow(t)
    if p is None or not p.flow:
        return
    if p.status == "CLEARED":
        step = g.pick(["already-verified", "client", "program", "program", "program-other-top", "program-unknown"])
    elif p.status in F.RESTRICTED.values():
        step = g.pick(["client-refused", "client-refused", "client-override", "document", "rerun"])
    elif p.questions:
        step = g.pick(["answers-right", "answers-right", "answers-wrong", "answers-partial", "answers-unknown-key", "document", "rerun"])
    else:
        step = g.pick(["document", "document", "rerun", "rerun-identifications", "client", "answers-none-pending", "nothing"])
    mode = F.PROGRAMS[p.program]
    body: dict = {}
    if g.chance(0.5):
        body["notes"] = g.pick(["checked by fuzz", "Zoë 😀", "n" * 1000])
    refused: Optional[int] = None  # the status README gives when the step must be refused
    want_status, method, questions, program, scenario, sent = None, None, False, p.program, p.scenario, {}
    if step == "already-verified":
        body["perform_kyc"] = True
        refused = 400
    elif step == "nothing":
        refused = 400
    elif step in ("client", "client-override", "client-refused"):
        cv = {"verification_provider": "FuzzCheck", "verification_provider_refnumber": "ref-" + g.hex_id(8),
              "verification_datetime": "2024-05-01T10:00:00Z", "document_approved": g.pick([True, True, False])}
        if g.chance(0.3):
            cv["verification_level"] = g.pick(["CDD", "EDD", "Level 2"])
        if g.chance(0.2):
            cv["person_status_update"] = g.pick([True, False])
        if step == "client-override":
            cv["override_sanction_check"] = True
        elif step == "client-refused" and g.chance(0.5):
            cv["override_sanction_check"] = False
        if g.chance(0.3):
            cv["document"], sent = F.document(g)
        body["client_verification"] = cv
        if step == "client-refused":
            refused = 400
        else:
            want_status = p.status if cv.get("person_status_update") is False else "CLEARED"
            method = ("CLIENT", "PASS" if cv["document_approved"] else "FAIL")
    elif step.startswith("program"):
        if step == "program-unknown":
            body["program_guid"], refused = g.pick(["00000000-0000-4000-8000-000000000000", g.hex_id(8) + "-0000-4000-8000-" + g.hex_id(12)]), 404
        else:
            same_top = [x for x in F.PROGRAMS if F.TOP[x] == F.TOP[p.program] and x != p.program]
            other_top = [x for x in F.PROGRAMS if F.TOP[x] != F.TOP[p.program]]
            if step == "program-other-top" or not same_top:
                body["program_guid"], refused = g.pick(other_top), 400
            else:
                program = body["program_guid"] = g.pick(same_top)
    elif step.startswith("answers"):
        answers = []
        for i, question in enumerate(p.questions):
            options = question["options"]
            pick = options[0] if step != "answers-wrong" or i else options[1]
            # README promises the option itself; the sandbox also ignores ASCII case and outer spaces
            # (not Unicode case: "SÃO PAULO" fails where "AUSTIN" passes, so only ASCII is varied).
            answers.append({"key": question["key"], "answer": g.pick([pick, pick.upper() if pick.isascii() else pick, f"  {pick} "])})
        if step == "answers-partial":
            answers.pop(g.rng.randrange(len(answers)))
            refused = 400
        elif step == "answers-unknown-key":
            answers.append({"key": "q_" + g.hex_id(8), "answer": "x"})
            refused = 400
        elif step == "answers-none-pending":
            answers = [{"key": "q_" + g.hex_id(8), "answer": "2016 Honda Civic"}]
            refused = 400
        else:
            passed = step == "answers-right" and scenario == "oow-pass"
            want_status, method = ("CLEARED" if passed else "UNVERIFIED"), ("OOW", "PASS" if passed else "FAIL")
        body["answers"] = answers
        if g.chance(0.3) and not refused:
            body["perform_kyc"] = True  # "go on": with answers it asks for no new run
    elif step == "document":
        body["document"], sent = F.document(g)
        passed = scenario != "document-rejected"
        want_status = p.status if p.status in F.RESTRICTED.values() else ("CLEARED" if passed else "UNVERIFIED")
        method = ("DOCUMENT", "PASS" if passed else "FAIL")
    else:  # rerun, rerun-identifications
        body["perform_kyc"] = True
        if step == "rerun-identifications":
            new = g.pick([*F.MAGIC_IDS, "".join(g.pick("12345678") for _ in range(9))])
            body["identifications"] = [{"govt_id_type": g.pick(F.GOVT_ID_TYPES), "govt_id_number": new}]
            if g.chance(0.3):
                del body["perform_kyc"]
    headers = {}
    if not refused and (step.startswith("rerun") or step == "program") and g.chance(0.1):
        forced = g.pick(F.SCENARIOS)
        headers["X-Sandbox-Scenario"] = F.forced_name(forced)
    elif refused and g.chance(0.05):
        headers["X-Sandbox-Scenario"] = "qolo-no-such-scenario"
    if not refused and (step.startswith("rerun") or step == "program"):
        govt = body["identifications"][0]["govt_id_number"] if "identifications" in body else p.govt_id
        missing = None if "identifications" in body and p.missing in ("identifications", "notprovided") else p.missing
        scenario = F.scenario_of(p.last_name, govt)
        if headers.get("X-Sandbox-Scenario"):
            scenario = headers["X-Sandbox-Scenario"][len("qolo-"):]
            scenario = next(s for s in F.SCENARIOS if s.lower() == scenario)
        want_status, questions = F.expected_status(program, scenario, missing is None)
        method = first_method(program, scenario, missing is None)
    before = t.snapshot(p, True) if refused else None
    req, out = t.call("POST /api/v1/persons/{guid}/kyc", f"step:{step}", "POST", person_path(p.guid, "/kyc"), p.login, body, headers)
    if not answered(out):
        p.flow = False
        return
    if refused:
        if out.status != refused:
            t.flow_failed(req, out, f"step {step} on a {p.status} person: README says {refused}")
            if out.succeeded:
                p.flow = False
                sync_kyc(t, p, req)
                return
        t.unchanged(p, before, req, out)
        return
    b = body_of(out)
    if out.status != 200 or not isinstance(b, dict):
        t.flow_failed(req, out, f"step {step} on a {p.status} person (scenario {p.scenario}) did not answer 200")
        p.flow = False
        return
    results = p.results + 1
    # Before updating the model: the level README gives.
    level = mode if want_status == "CLEARED" else None
    if step in ("client", "client-override"):
        level = body["client_verification"].get("verification_level") or (mode if want_status == "CLEARED" else None)
    if step == "program" or step.startswith("rerun"):
        p.program, p.scenario = program, scenario
        mode = F.PROGRAMS[program]
        level = mode if want_status == "CLEARED" else None
        if "identifications" in body:
            p.govt_id = body["identifications"][0]["govt_id_number"]
            if p.missing in ("identifications", "notprovided"):
                p.missing = None
    problems = []
    if b.get("verification_level") != level:
        problems.append(f"verification_level {b.get('verification_level')!r}, expected {level!r}")
    if b.get("verification_mode") != mode:
        problems.append(f"verification_mode {b.get('verification_mode')!r}, expected {mode}")
    if problems:
        t.flow_failed(req, out, f"step {step} (scenario {p.scenario}): " + "; ".join(problems))
        p.flow = False
    kyc = sync_kyc(t, p, req, expect_results=results, expect_method=method,
                   expect_questions=questions if want_status == "UNVERIFIED" or step.startswith("answers") else None, answer=b)
    r2, back = t.call("GET /api/v1/persons/{guid}", "readback", "GET", person_path(p.guid), p.login)
    pb = body_of(back)
    if p.flow and answered(back) and isinstance(pb, dict) and pb.get("person_status") != want_status:
        t.flow_failed(req, back, f"step {step} (scenario {p.scenario}): person_status {pb.get('person_status')!r}, README says {want_status}")
        p.flow = False
    p.status = (pb or {}).get("person_status", "") if isinstance(pb, dict) else ""
    if kyc and sent:
        last = kyc["verificationResults"][-1]
        check_document(t, p, req, last.get("documents") or {}, sent)


def check_document(t: "Qolo", p: Person, req: Req, refs: dict, sent: dict) -> None:
    """Each image sent is served at its docpath, byte for byte, as an image."""
    for side, data in sent.items():
        url = refs.get(f"{side}_docpath")
        if not isinstance(url, str) or "/api/v1/persons/" not in url:
            t.engine.flag(t, "flow", req, Outcome(200, {}, json_bytes(refs), 0), f"a verified document without a {side}_docpath")
            continue
        path = url[url.index("/api/v1/persons/"):]
        p.docs.append((path, data))
        r, out = t.call("GET /api/v1/persons/{guid}/documents/{ref}/{side}", "valid", "GET", path, p.login)
        if answered(out) and (out.status != 200 or out.body != data or not out.content_type.startswith("image/")):
            t.engine.flag(t, "readback", r, out, f"the {side} image sent ({len(data)} bytes) is not served back at its docpath")


# -- Perform KYC: hostile

def kyc_hostile(t: "Qolo") -> None:
    """Perform KYC with bodies that are mutated, carry bad images, or name a bad person; a refusal on
    a known person must leave its results and details as they were."""
    g = t.g
    p = t.any_person() if g.chance(0.85) else None
    login = p.login if p else t.login()
    guid = p.guid if p else g.pick([g.bad_id(), "00000000-0000-4000-8000-000000000000"])
    kind = g.pick(["image", "image", "mutated", "mutated", "mutated", "types", "client-bad", "answers-bad", "scenario"])
    doc, _ = F.document(g)
    body: dict = g.pick([{"perform_kyc": True}, {"document": doc}, {"client_verification": {"override_sanction_check": True, "document": doc}},
                         {"answers": [{"key": (p.questions[0]["key"] if p and p.questions else "q_1"), "answer": "x"}]},
                         {"program_guid": g.pick(list(F.PROGRAMS))}, {"identifications": [{"govt_id_type": "SSN", "govt_id_number": "123456789"}]}])
    headers = {}
    if kind == "image":
        body = {"document": doc} if g.chance(0.7) else {"client_verification": {"override_sanction_check": True, "document": doc}}
        target = body.get("document") or body["client_verification"]["document"]
        side = g.pick(["front", "front", "back", "face_image"])
        tag, target[side] = F.bad_image(g, target["file_type"].upper())
        if g.chance(0.2):
            target["file_type"] = g.pick(["PDF", "WEBP", "TIF", "", "png ", "image/png"])
            tag += "+file_type"
        if g.chance(0.1):
            target.pop(g.pick(["front", "document_type", "file_type"]))
            tag += "+missing"
        variant = "image:" + tag
    elif kind == "types":
        body = {g.pick(["perform_kyc", "notes", "identifications", "answers", "document", "client_verification", "program_guid"]): g.wrong_type()}
        variant = "types"
    elif kind == "client-bad":
        cv = {"verification_datetime": g.pick(["yesterday", "2024-13-01T00:00:00Z", "", "2024-05-01"]),
              "verification_level": g.pick(["x" * 51, 3, None]), "person_status_update": g.pick(["false", 0, None]),
              "verification_provider": g.pick(["p" * 101, {}, "ok"])}
        body = {"client_verification": cv}
        variant = "client-bad"
    elif kind == "answers-bad":
        body = {"answers": g.pick([[{"answer": "x"}], [{"key": None}], ["q_1"], [{"key": "k" * 101, "answer": "a"}], [{"key": "q", "answer": "a" * 201}], {}, [None]])}
        variant = "answers-bad"
    elif kind == "scenario":
        headers["X-Sandbox-Scenario"] = g.pick(["no-such", "", "qolo-cleared ", "QOLO-CLEARED", "x" * 300, "rebilly-approved"])
        body = {"perform_kyc": True, "identifications": [{"govt_id_type": "SSN", "govt_id_number": "123456789"}]}
        variant = "scenario"
    else:
        body, variant = F.mutate(g, body)
    before = t.snapshot(p, g.chance(0.3)) if p else None
    req, out = t.call("POST /api/v1/persons/{guid}/kyc", variant, "POST", person_path(guid, "/kyc"), login, body, headers)
    if p and answered(out):
        if out.succeeded:
            p.flow = False
            sync_kyc(t, p, req)
            rb = body_of(t.call("GET /api/v1/persons/{guid}", "readback", "GET", person_path(p.guid), p.login)[1])
            p.status = rb.get("person_status", "") if isinstance(rb, dict) else ""
        else:
            t.unchanged(p, before, req, out)


# -- persons: hostile create, update, read, search

def create_hostile(t: "Qolo") -> None:
    """CreatePerson with a mutated body (or an unknown program or scenario): a refusal must create no one."""
    g = t.g
    login = t.login()
    marker = "fz-" + g.hex_id(16)
    body, last, govt, missing = F.person_body(g, marker, g.pick(F.SCENARIOS), g.pick(list(F.PROGRAMS)))
    headers = {}
    kind = g.pick(["mutated"] * 6 + ["program", "account", "scenario", "details"])
    if kind == "program":
        body["program_guid"], variant = g.pick(["00000000-0000-4000-8000-000000000000", g.bad_id(), F.CDD.upper(), F.CDD.replace("-", "")]), "program"
    elif kind == "account":
        body.update(create_account=True, account_type=g.pick(["GENERAL", "NOPE", 1]))
        body.pop("account_name", None)
        variant = "account"
    elif kind == "scenario":
        headers["X-Sandbox-Scenario"], variant = g.pick(["no-such", "qolo-cleared;", "hermes-approve", "x" * 500, "QOLO-CLEARED", "qolo-clearéd".encode()]), "scenario"
    elif kind == "details":
        body["person_details"], variant = g.pick([None, [], "x", 1, {"last_name": None}, {}]), "details"
    else:
        keep = ("program_guid",) if g.chance(0.5) else ()
        body, variant = F.mutate(g, body, keep)
    dump = t.dump(login) if g.chance(0.3) else None
    req, out = t.call("POST /api/v1/persons", variant, "POST", PERSONS, login, body, headers)
    t.count_create(login, out)
    if not answered(out):
        return
    b = body_of(out)
    if out.succeeded:
        guid = b.get("person_guid") if isinstance(b, dict) else None
        if not isinstance(guid, str):
            t.engine.flag(t, "bad-json-2xx", req, out, "2xx create without a string person_guid")
            return
        back = t.call("GET /api/v1/persons/{guid}", "readback", "GET", person_path(guid), login)[1]
        if answered(back) and back.status != 200:
            t.engine.flag(t, "readback", req, back, f"created person {guid} but GET answered {back.status}")
        t.add_person(Person(guid, login, F.CDD, marker, flow=False))
        return
    if 400 <= out.status < 500:
        for criteria in ({"client_reference_id": marker}, {"additional_data_value": marker}):
            r, s = t.call("POST /api/v1/persons/search", "after-refused-create", "POST", PERSONS + "/search", login, criteria)
            if answered(s) and s.succeeded:
                t.engine.flag(t, "wrote-state", req, out, f"a refused ({out.status}) create shows up in search {criteria}")
                t.created[login] = None
                return
        if dump is not None:
            after = t.dump(login)
            if after is not None and after != dump:
                from .target import first_difference
                t.engine.flag(t, "wrote-state", req, out, f"a refused ({out.status}) create changed the admin state dump: {first_difference(dump, after)}")
                t.created[login] = None


def update_body(t: "Qolo", p: Person) -> dict:
    g = t.g
    body = {"person_guid": p.guid, **F.optional_details(g)}
    if g.chance(0.3):
        body["additional_data"] = {"fz_marker": p.marker, "note": g.pick(["x", "ü", ""])}
    if g.chance(0.3):
        body[g.pick(["title", "middle_name", "email", "mailing_address", "nationality", "contact_type"])] = None
    if g.chance(0.2):
        body["first_name"] = g.pick(F.FIRST)
    if g.chance(0.1):
        body.update(person_status="CLEARED", verfication_level="EDD", verfication_mode="SDD")  # KYC's, ignored
    return body


def update_valid(t: "Qolo") -> None:
    """UpdatePerson with valid fields: 200, then GetPersonById shows them (null clears), status kept."""
    p = t.any_person() or create_valid(t)
    if p is None:
        return
    body = update_body(t, p)
    req, out = t.call("PUT /api/v1/persons", "valid", "PUT", PERSONS, p.login, body)
    if not answered(out):
        return
    b = body_of(out)
    if out.status != 200 or not isinstance(b, dict):
        if p.flow:
            t.flow_failed(req, out, "a valid UpdatePerson of a known person did not answer 200")
        return
    if p.missing == "first_name" and body.get("first_name"):
        p.missing = None  # the next CDD run has what it lacked
    back = t.call("GET /api/v1/persons/{guid}", "after-update", "GET", person_path(p.guid), p.login)[1]
    bb = body_of(back)
    if not answered(back):
        return
    problems = sent_problems({k: v for k, v in body.items() if v is not None and k != "person_guid"}, bb or {})
    problems += [f"{k} sent null, shown {(bb or {}).get(k)!r}" for k, v in body.items() if v is None and (bb or {}).get(k) is not None]
    if bb != b:
        problems.append("GET differs from what the update answered")
    if p.flow and (bb or {}).get("person_status") != p.status:
        problems.append(f"person_status moved {p.status} -> {(bb or {}).get('person_status')} on an update")
    if problems:
        t.engine.flag(t, "readback", req, back, "after UpdatePerson: " + "; ".join(problems)[:600])


def update_hostile(t: "Qolo") -> None:
    g = t.g
    p = t.any_person() or create_valid(t)
    if p is None:
        return
    body = update_body(t, p)
    body.update({k: v for k, v in F.person_body(g, p.marker, "cleared", p.program)[0]["person_details"].items()
                 if g.chance(0.3) and k not in ("client_reference_id", "additional_data")})
    kind = g.pick(["mutated"] * 5 + ["guid", "unknown"])
    if kind == "guid":
        body["person_guid"], variant = g.pick([g.bad_id(), None, 1, ""]), "guid"
    elif kind == "unknown":
        body["person_guid"], variant = "00000000-0000-4000-8000-" + g.hex_id(12), "unknown-person"
    else:
        body, variant = F.mutate(g, body, ("person_guid",) if g.chance(0.7) else ())
    before = t.snapshot(p, g.chance(0.3))
    req, out = t.call("PUT /api/v1/persons", variant, "PUT", PERSONS, p.login, body)
    if answered(out):
        if out.succeeded:
            p.flow = False  # its facts may have moved
            if not p.last_name or body.get("last_name") is not None:
                p.last_name = None
        else:
            t.unchanged(p, before, req, out)


def read(t: "Qolo") -> None:
    """GetPersonById and GetKycResult: known persons (200, also as an upper-case guid), unknown (404),
    malformed (400), with and without the right login."""
    g = t.g
    p = t.any_person()
    tail = g.pick(["", "/kyc"])
    op = "GET /api/v1/persons/{guid}" + tail
    if p and g.chance(0.6):
        guid, variant = g.pick([(p.guid, "known"), (p.guid.upper(), "known:upper"), (p.guid.replace("-", ""), "known:simple"),
                                ("{" + p.guid + "}", "known:braced")])
        req, out = t.call(op, variant, g.pick(["GET"] * 5 + ["HEAD"]), person_path(guid, tail), p.login)
        if variant in ("known", "known:upper") and req.method == "GET" and answered(out) and out.status != 200:
            t.engine.flag(t, "readback", req, out, f"a known person ({variant}) did not read")
        return
    guid = g.pick([g.bad_id(), "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-4fff-bfff-" + g.hex_id(12), g.weird_string()[:200]])
    t.call(op, "unknown", "GET", person_path(guid, tail), t.login())


def search_valid(t: "Qolo") -> None:
    """SearchPerson: a known person by its marker and other fields, and the whole list against the
    creates the fuzzer saw succeed (more there: a refused create wrote)."""
    g = t.g
    login = t.login()
    p = g.pick(t.own(login, True)) if t.own(login, True) and g.chance(0.6) else None
    if p:
        criteria = g.pick([{"client_reference_id": p.marker}, {"client_reference_id": p.marker.upper()}, {"additional_data_value": p.marker},
                           {"person_guid": p.guid}, {"person_guid": p.guid, "program_guid": p.program}, {"additional_data_key": "fz_marker", "client_reference_id": p.marker}])
        req, out = t.call("POST /api/v1/persons/search", "valid:known", "POST", PERSONS + "/search", login, criteria)
        b = body_of(out)
        if answered(out):
            guids = [x.get("person_guid") for x in (b or {}).get("data", [])] if out.status == 200 and isinstance(b, dict) else []
            if guids != [p.guid] or b.get("count") != 1 or b.get("has_more") is not False:
                t.flow_failed(req, out, f"search {criteria} did not find exactly person {p.guid}")
        return
    total = t.created.get(login, 0)
    limit = g.pick([1, 2, 7, 100, 1000, None])
    start = g.pick([0, 0, 1, 3, 50, None])
    criteria = {k: v for k, v in (("limit", limit), ("start_index", start)) if v is not None}
    req, out = t.call("POST /api/v1/persons/search", "valid:page", "POST", PERSONS + "/search", login, criteria)
    if total is None or total > 1000 or not answered(out):
        return
    limit, start = limit or 100, start or 0
    want = max(0, min(limit, total - start))
    b = body_of(out)
    if want == 0:
        if out.status != 404:
            kind = "wrote-state" if out.succeeded else "flow"
            t.engine.flag(t, kind, req, out, f"{total} successful creates by this login, page from {start}: README says 404, got {out.status}")
        return
    if out.status != 200 or not isinstance(b, dict):
        t.flow_failed(req, out, f"{total} persons created, page {start}+{limit} did not answer 200")
        return
    got = b.get("count")
    shape = (b.get("start_index") == start and b.get("end_index") == start + (got or 0) - 1
             and b.get("has_more") == (start + (got or 0) < total) and len(b.get("data") or []) == got)
    if got != want:
        kind = "wrote-state" if isinstance(got, int) and got > want else "readback"
        t.engine.flag(t, kind, req, out, f"this login's creates succeeded {total} times; page {start}+{limit} lists {got}, expected {want}")
        t.created[login] = None
    elif not shape:
        t.flow_failed(req, out, f"page {start}+{limit} of {total}: start_index/end_index/has_more/data disagree with count {got}")


UNHELD = ["wallet_id", "card_number", "account_guid", "account_type", "min_ledger_balance", "user_guid"]
CRITERIA = ["person_guid", "first_name", "last_name", "title", "client_reference_id", "email_address", "govt_id_number", "birth_date",
            "program_guid", "contact_type", "mobile_number", "home_number", "phone_number", "address_line1", "city", "state",
            "postal_code", "country", "additional_data_key", "additional_data_value"]


def search_hostile(t: "Qolo") -> None:
    g = t.g
    body: dict = {}
    for _ in range(g.rng.randint(1, 4)):
        k = g.pick(CRITERIA + UNHELD + ["limit", "start_index", "unknown", ""])
        if k == "limit":
            body[k] = g.pick([0, 1001, -1, "10", 1.5, 2**64, None, True, 1e308])
        elif k == "start_index":
            body[k] = g.pick([-1, 2**64, "0", 1.5, 10**6, None, 2**63 - 1])
        else:
            body[k] = g.pick([g.weird_string(), g.wrong_type(), g.bad_id(), "Sanctioned", "999000101", "USA"])
    req, out = t.call("POST /api/v1/persons/search", "hostile", "POST", PERSONS + "/search", t.login(), body)
    if answered(out) and out.succeeded and any(k in body and body[k] not in (None,) for k in UNHELD):
        t.flow_failed(req, out, "a wallet/card/account criterion matched someone (README: they match no one)")


# -- documents

def documents(t: "Qolo") -> None:
    """Document images: known (byte for byte), unknown reference or side, another login, no token."""
    g = t.g
    owners = [p for login in t.logins() for p in t.own(login) if p.docs]
    p = g.pick(owners) if owners else None
    if p is None:
        guid, path = g.hex_id(8) + "-0000-4000-8000-" + g.hex_id(12), None
    else:
        path, data = g.pick(p.docs)
        guid = p.guid
    kind = g.pick(["known", "known", "ref", "side", "guid", "other-login", "no-token", "method"]) if path else g.pick(["ref", "guid"])
    login = p.login if p else t.login()
    op = "GET /api/v1/persons/{guid}/documents/{ref}/{side}"
    if kind == "known":
        req, out = t.call(op, "known", "GET", path, login)
        if answered(out) and (out.status != 200 or out.body != data):
            t.engine.flag(t, "readback", req, out, "a stored document image does not read back byte for byte")
        return
    if kind == "ref":
        path = person_path(guid, f"/documents/{q(g.pick([g.bad_id(), g.hex_id(36), '..', 'front']))}/front")
    elif kind == "side":
        path = path.rsplit("/", 1)[0] + "/" + q(g.pick(["FRONT", "selfie", "", "..", "front ", "face-image", "x" * 500]))
    elif kind == "guid":
        path = person_path(g.bad_id(), "/documents/" + g.hex_id(36) + "/front")
    elif kind == "other-login":
        other = g.pick([x for x in t.logins() if x != login] + [t.stranger()])
        req, out = t.call(op, "cross-tenant", "GET", path, other)
        t.accepted(req, out, f"login {other} read a document of {login}'s person {guid}", "cross-tenant")
        return
    elif kind == "no-token":
        req, out = t.call(op, "auth:none", "GET", path, None)
        t.accepted(req, out, "a document image served without a token", "auth-bypass")
        return
    else:
        t.call(op, "method", g.pick(["POST", "PUT", "DELETE", "HEAD"]), path, login)
        return
    t.call(op, kind, "GET", path, login)


# -- notifications

def notification_flow(t: "Qolo") -> None:
    """Subscribe, read, replace, list and delete, each held to its read-back."""
    g = t.g
    login = t.login()
    mine = t.notifications.setdefault(login, [])
    step = g.pick(["create", "create"] + (["get", "put", "delete", "list"] if mine else ["list"]))
    if step == "create":
        body = F.notification_body(g)
        req, out = t.call("POST /api/v1/notifications", "valid", "POST", NOTIFICATIONS, login, body)
        b = body_of(out)
        if not answered(out):
            return
        if out.status != 201 or not isinstance(b, dict) or not isinstance(b.get("notification_guid"), str):
            t.flow_failed(req, out, "a valid subscription was not created (201 with notification_guid)")
            return
        n = Notification(b["notification_guid"], login, b)
        mine.append(n)
        problems = notification_problems(body, b)
        if not out.headers.get("location", "").endswith("/" + n.guid):
            problems.append("Location does not name it")
        if problems:
            t.flow_failed(req, out, "; ".join(problems))
        read_notification(t, n, req)
    elif step == "get":
        read_notification(t, g.pick(mine), None)
    elif step == "put":
        n = g.pick(mine)
        body = F.notification_body(g)
        req, out = t.call("PUT /api/v1/notifications/{guid}", "valid", "PUT", f"{NOTIFICATIONS}/{n.guid}", login, body)
        b = body_of(out)
        if not answered(out):
            return
        if out.status != 200 or not isinstance(b, dict):
            t.flow_failed(req, out, "a valid replacement of a known subscription did not answer 200")
            return
        problems = notification_problems(body, b)
        if problems:
            t.flow_failed(req, out, "; ".join(problems))
        n.body = b
        read_notification(t, n, req)
    elif step == "delete":
        n = g.pick(mine)
        req, out = t.call("DELETE /api/v1/notifications/{guid}", "valid", "DELETE", f"{NOTIFICATIONS}/{n.guid}", login)
        if not answered(out):
            return
        if out.status != 204:
            t.flow_failed(req, out, "deleting a known subscription did not answer 204")
            return
        mine.remove(n)
        r, back = t.call("GET /api/v1/notifications/{guid}", "after-delete", "GET", f"{NOTIFICATIONS}/{n.guid}", login)
        if answered(back) and back.status != 404:
            t.engine.flag(t, "delete-not-effective", req, back, f"DELETE answered 204 but GET answered {back.status}")
    else:
        req, out = t.call("GET /api/v1/notifications", "valid", "GET", NOTIFICATIONS + "?limit=1000", login)
        b = body_of(out)
        if answered(out):
            guids = sorted(x.get("notification_guid") for x in (b or {}).get("data", [])) if isinstance(b, dict) else None
            if out.status != 200 or guids != sorted(n.guid for n in mine):
                kind = "wrote-state" if guids is not None and len(guids) > len(mine) else "readback"
                t.engine.flag(t, kind, req, out, f"the list holds {guids and len(guids)} subscriptions, this login made and kept {len(mine)}")
                mine[:] = [Notification(x["notification_guid"], login, x) for x in (b or {}).get("data", [])] if guids is not None else mine


def notification_problems(sent: dict, got: dict) -> list[str]:
    problems = []
    for k in ("program_guid", "url", "event_type", "headers"):
        if k in sent and got.get(k) != sent[k]:
            problems.append(f"{k} sent {sent[k]!r}, answered {got.get(k)!r}")
    if got.get("active") != sent.get("active", True):
        problems.append(f"active {got.get('active')!r}, expected {sent.get('active', True)!r}")
    return problems


def read_notification(t: "Qolo", n: Notification, checked: Optional[Req]) -> None:
    req, out = t.call("GET /api/v1/notifications/{guid}", "readback" if checked else "known", "GET", f"{NOTIFICATIONS}/{n.guid}", n.login)
    if answered(out) and (out.status != 200 or body_of(out) != n.body):
        t.engine.flag(t, "readback", checked or req, out, f"subscription {n.guid} does not read back as it was answered")


def notification_hostile(t: "Qolo") -> None:
    g = t.g
    login = t.login()
    mine = t.notifications.setdefault(login, [])
    kind = g.pick(["create", "create", "put", "guid", "list-query", "delete-unknown"])
    if kind in ("create", "put"):
        body, variant = F.mutate(g, F.notification_body(g))
        if g.chance(0.3):
            body["url"] = g.pick(["not a url", "ftp://127.0.0.1/", "http://", "", "javascript:alert(1)", "http://127.0.0.1:9/" + "x" * 3000, "//127.0.0.1:9/x"])
            variant += "+url"
        if g.chance(0.2):
            body["event_type"] = g.pick([[], ["card.nope"], ["ALL"], "all", [1], ["x" * 65]])
            variant += "+event_type"
        if kind == "put" and mine:
            n = g.pick(mine)
            before = body_of(t.call("GET /api/v1/notifications/{guid}", "snapshot", "GET", f"{NOTIFICATIONS}/{n.guid}", login)[1])
            req, out = t.call("PUT /api/v1/notifications/{guid}", variant, "PUT", f"{NOTIFICATIONS}/{n.guid}", login, body)
            if answered(out) and out.succeeded:
                n.body = body_of(out)
            elif answered(out) and 400 <= out.status < 500:
                after = body_of(t.call("GET /api/v1/notifications/{guid}", "snapshot", "GET", f"{NOTIFICATIONS}/{n.guid}", login)[1])
                if before != after:
                    t.engine.flag(t, "wrote-state", req, out, f"a refused ({out.status}) replacement changed subscription {n.guid}")
                    n.body = after
            return
        req, out = t.call("POST /api/v1/notifications", variant, "POST", NOTIFICATIONS, login, body)
        b = body_of(out)
        if answered(out) and out.succeeded and isinstance(b, dict) and isinstance(b.get("notification_guid"), str):
            mine.append(Notification(b["notification_guid"], login, b))
        return
    if kind == "guid":
        guid = g.pick([g.bad_id(), "00000000-0000-4000-8000-" + g.hex_id(12)])
        method = g.pick(["GET", "PUT", "DELETE"])
        t.call(f"{method} /api/v1/notifications/{{guid}}", "guid", method, f"{NOTIFICATIONS}/{q(guid)}", login,
               F.notification_body(g) if method == "PUT" else None)
    elif kind == "list-query":
        query = g.pick(["limit=0", "limit=1001", "limit=-1", "limit=x", "start_index=-1", "start_index=99999999999999999999999",
                        "limit=1&start_index=18446744073709551615", "limit=", "limit=1e3", "limit=%00", "start_index=1&start_index=2"])
        t.call("GET /api/v1/notifications", "query", "GET", f"{NOTIFICATIONS}?{query}", login)
    else:
        req, out = t.call("DELETE /api/v1/notifications/{guid}", "unknown", "DELETE", f"{NOTIFICATIONS}/00000000-0000-4000-8000-{g.hex_id(12)}", login)
        t.accepted(req, out, "deleting an unknown subscription answered 2xx")


# -- tenants

def cross_tenant(t: "Qolo") -> None:
    """Another login (one of the fuzzer's, or a fresh one) names this login's person, its KYC,
    documents and subscriptions: every call must be a 404 and change nothing; a fresh login whose
    calls all failed must not have become a tenant."""
    g = t.g
    p = t.any_person()
    owner = p.login if p else t.login()
    fresh = g.chance(0.4)
    other = t.stranger() if fresh else g.pick([x for x in t.logins() if x != owner])
    calls = []
    if p:
        calls += [("GET /api/v1/persons/{guid}", "GET", person_path(p.guid), None),
                  ("GET /api/v1/persons/{guid}/kyc", "GET", person_path(p.guid, "/kyc"), None),
                  ("POST /api/v1/persons/{guid}/kyc", "POST", person_path(p.guid, "/kyc"),
                   g.pick([{"perform_kyc": True}, {"client_verification": {"override_sanction_check": True}}, {"document": F.document(g)[0]}])),
                  ("PUT /api/v1/persons", "PUT", PERSONS, {"person_guid": p.guid, "first_name": "Mallory"}),
                  ("POST /api/v1/persons/search", "POST", PERSONS + "/search", g.pick([{"person_guid": p.guid}, {"client_reference_id": p.marker}]))]
        if p.docs:
            calls.append(("GET /api/v1/persons/{guid}/documents/{ref}/{side}", "GET", g.pick(p.docs)[0], None))
    mine = t.notifications.get(owner) or []
    if mine:
        n = g.pick(mine)
        method = g.pick(["GET", "PUT", "DELETE"])
        calls.append((f"{method} /api/v1/notifications/{{guid}}", method, f"{NOTIFICATIONS}/{n.guid}",
                      F.notification_body(g) if method == "PUT" else None))
    if not calls:
        return
    before = t.snapshot(p, g.chance(0.3)) if p else None
    n_before = [x.body for x in mine]
    tenant, req, out = None, None, None
    for op, method, path, body in g.rng.sample(calls, g.rng.randint(1, len(calls))):
        req, out = t.call(op, "cross-tenant" + (":fresh" if fresh else ""), method, path, other, body)
        if not answered(out):
            continue
        tenant = out.headers.get("x-sandbox-tenant") or tenant
        if out.succeeded:
            t.engine.flag(t, "cross-tenant", req, out, f"login {other} got {out.status} on login {owner}'s {path.split('/')[3]}")
        elif out.status != 404:
            t.flow_failed(req, out, f"another login's id: README says 404 (each login sees only its own), got {out.status}")
    if p and before and req is not None:
        t.unchanged(p, before, req, Outcome(404, {}, b"", 0))  # whatever they answered, the owner's person must be as it was
    for x, b in zip(mine, n_before):
        r, o = t.call("GET /api/v1/notifications/{guid}", "after-cross-tenant", "GET", f"{NOTIFICATIONS}/{x.guid}", owner)
        if answered(o) and (o.status != 200 or body_of(o) != b):
            t.engine.flag(t, "cross-tenant", req, o, f"subscription {x.guid} of {owner} changed or went after calls by {other}")
            x.body = body_of(o) if o.status == 200 else x.body
            if o.status == 404:
                mine.remove(x)
    if fresh and tenant and req is not None:
        r = t.engine.admin("GET", f"/tenants/{tenant}/state")
        if r is not None and r.status_code == 200:
            t.engine.flag(t, "wrote-state", req, out or Outcome(None, {}, b"", 0),
                          f"login {other}, whose every call was refused, became tenant {tenant} (README: failed writes and reads create none)")


# -- auth

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict, key: bytes, alg: str = "HS256") -> str:
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def claims_of(token: str) -> dict:
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:
        return {"sub": "fuzz-a", "iat": 0, "exp": 4102444800, "jti": "x"}


# Odd layouts of a valid token: these may be accepted (only their answer's envelope is checked).
LENIENT = {"lowercase-scheme", "upper-scheme", "spaces"}


def hostile_auth(t: "Qolo") -> None:
    """A call that would succeed, with a token that is missing, forged, unsigned or malformed."""
    g = t.g
    p = t.any_person()
    login = p.login if p else t.login()
    token = t.token(login) or "x.y.z"
    claims = claims_of(token)
    kind = g.pick(["none", "empty", "basic", "token-scheme", "flipped-sig", "other-sub", "alg-none", "wrong-key", "no-sig",
                   "garbage", "unicode", "huge", "two-tokens", "far-future", "lowercase-scheme", "upper-scheme", "spaces", "hermes-hmac"])
    head, body, sig = (token.split(".") + ["", "", ""])[:3]
    value: object
    if kind == "none":
        value = None
    elif kind == "empty":
        value = g.pick(["", "Bearer", "Bearer ", "Bearer    "])
    elif kind == "basic":
        value = "Basic " + base64.b64encode(f"{login}:demo-apikey".encode()).decode()
    elif kind == "token-scheme":
        value = "Token " + token
    elif kind == "flipped-sig":
        value = f"Bearer {head}.{body}.{sig[:-2] + ('A' if sig[-2:-1] != 'A' else 'B') + sig[-1:]}"
    elif kind == "other-sub":
        value = f"Bearer {head}.{b64url(json.dumps({**claims, 'sub': 'fuzz-admin'}).encode())}.{sig}"
    elif kind == "alg-none":
        value = "Bearer " + jwt({**claims, "sub": g.pick([login, "fuzz-admin"])}, b"", "none")
    elif kind == "wrong-key":
        value = "Bearer " + jwt(claims, g.pick([b"secret", b"", b"demo-apikey", b"qolo-jwt"]))
    elif kind == "no-sig":
        value = f"Bearer {head}.{body}"
    elif kind == "garbage":
        value = "Bearer " + g.pick(["a.b.c", "...", "eyJ.eyJ.", g.hex_id(40), "null", "%00"])
    elif kind == "unicode":
        value = ("Bearer " + token + "😀").encode("utf-8")
    elif kind == "huge":
        value = "Bearer " + "A" * g.pick([8192, 65536])
    elif kind == "two-tokens":
        value = f"Bearer {token} {token}"
    elif kind == "far-future":
        value = "Bearer " + jwt({**claims, "exp": 32503680000}, b"secret")
    elif kind == "lowercase-scheme":
        value = "bearer " + token
    elif kind == "upper-scheme":
        value = "BEARER " + token
    elif kind == "hermes-hmac":
        value = 'HMAC client_id="demo-client",ts="1",nonce="n",signature="x"'
    else:
        value = f"Bearer   {token}  "
    headers = {} if value is None else {"Authorization": value}
    target = g.pick(["person", "kyc", "list", "search", "create"] if p else ["list", "search", "create"])
    if target == "person":
        op, method, path, body = "GET /api/v1/persons/{guid}", "GET", person_path(p.guid), None
    elif target == "kyc":
        op, method, path, body = "GET /api/v1/persons/{guid}/kyc", "GET", person_path(p.guid, "/kyc"), None
    elif target == "list":
        op, method, path, body = "GET /api/v1/notifications", "GET", NOTIFICATIONS, None
    elif target == "search":
        op, method, path, body = "POST /api/v1/persons/search", "POST", PERSONS + "/search", {"limit": 5}
    else:
        op, method, path, body = "POST /api/v1/persons", "POST", PERSONS, F.person_body(g, "fz-" + g.hex_id(16), "cleared", F.SDD)[0]
    h = dict(headers)
    data = None
    if body is not None:
        h.update(JSON)
        data = json_bytes(body)
    req = Req(op, "auth:" + kind, method, path, h, data)
    out = t.send(req)
    if target == "create":
        if kind in LENIENT:
            t.count_create(login, out)
        elif out is None or out.status is None or out.succeeded:
            t.created[login] = None
    if kind not in LENIENT:
        t.accepted(req, out, f"a request with a {kind} Authorization header was accepted", "auth-bypass")
    elif answered(out) and out.status == 401:
        t.engine.report(t, "lenient-refused", req, out, f"a valid token laid out as {kind} was refused (ASP.NET's bearer handler accepts it)")


def expired_token(t: "Qolo") -> None:
    """The sandbox clock moves past the tokens' 12 hours: every old token must get 401; log in again."""
    p = t.any_person()
    login = p.login if p else t.login()
    token = t.token(login)
    if not token:
        return
    r = t.engine.admin("POST", "/clock/advance", {"seconds": 43201})
    if r is None or r.status_code >= 300:
        return
    path = person_path(p.guid) if p else NOTIFICATIONS
    req = Req("GET " + ("/api/v1/persons/{guid}" if p else NOTIFICATIONS), "auth:expired", "GET", path, {"Authorization": f"Bearer {token}"})
    out = t.send(req)
    t.accepted(req, out, "a token older than 12 hours (sandbox clock) was accepted", "auth-bypass")
    t.tokens.clear()


def login_hostile(t: "Qolo") -> None:
    g = t.g
    body = {"loginid": t.login(), "apikey": "demo-apikey"}
    kind = g.pick(["mutated", "mutated", "empty-apikey", "method", "broken"])
    if kind == "method":
        t.call("GET /api/v1/auth/login", "method", g.pick(["GET", "PUT", "DELETE"]), "/api/v1/auth/login", None)
        return
    if kind == "broken":
        variant, headers, data, chunked = encode_body(g, body)
        req = Req("POST /api/v1/auth/login", variant, "POST", "/api/v1/auth/login", headers, data, chunked)
        t.send(req)
        return
    if kind == "empty-apikey":
        body["apikey"] = g.pick(["", " ", "\t"])
        variant = "empty-apikey"
    else:
        body, variant = F.mutate(g, body)
    req, out = t.call("POST /api/v1/auth/login", variant, "POST", "/api/v1/auth/login", None, body)
    if kind == "empty-apikey":
        t.accepted(req, out, "a login with an empty apikey was accepted (README: any non-empty apikey)")
    if answered(out) and out.succeeded:
        b = body_of(out)
        if not (isinstance(b, dict) and isinstance(b.get("token"), str)):
            t.engine.flag(t, "bad-json-2xx", req, out, "a 2xx login without a token")


# -- bodies, routes

def broken_body(t: "Qolo") -> None:
    """Valid fields sent as JSON, a form, or broken on purpose (truncated, invalid UTF-8, deep
    nesting, wrong content types, gzip, chunked...) to every call that reads a body."""
    g = t.g
    p = t.any_person()
    login = p.login if p else t.login()
    choices = [("POST /api/v1/persons", "POST", PERSONS, lambda: F.person_body(g, "fz-" + g.hex_id(16), g.pick(F.SCENARIOS), g.pick(list(F.PROGRAMS)))[0]),
               ("POST /api/v1/persons/search", "POST", PERSONS + "/search", lambda: {"limit": 3}),
               ("POST /api/v1/notifications", "POST", NOTIFICATIONS, lambda: F.notification_body(g))]
    if p:
        choices += [("PUT /api/v1/persons", "PUT", PERSONS, lambda: update_body(t, p)),
                    ("POST /api/v1/persons/{guid}/kyc", "POST", person_path(p.guid, "/kyc"), lambda: {"perform_kyc": True, "document": F.document(g)[0]})]
    op, method, path, make = g.pick(choices)
    variant, headers, data, chunked = encode_body(g, make())
    headers.update(t.auth(login))
    on_person = p is not None and (method == "PUT" and path == PERSONS or path.endswith("/kyc"))
    before = t.snapshot(p, g.chance(0.2)) if on_person else None
    req = Req(op, variant, method, path, headers, data, chunked)
    out = t.send(req)
    if path == PERSONS and method == "POST":
        t.count_create(login, out)
        b = body_of(out) if answered(out) and out.succeeded else None
        if isinstance(b, dict) and isinstance(b.get("person_guid"), str):
            t.add_person(Person(b["person_guid"], login, F.CDD, "fz-broken", flow=False))
    if p and before is not None and answered(out):
        if out.succeeded:
            p.flow = False
        else:
            t.unchanged(p, before, req, out)
    if path == NOTIFICATIONS and answered(out) and out.succeeded:
        b = body_of(out)
        if isinstance(b, dict) and isinstance(b.get("notification_guid"), str):
            t.notifications.setdefault(login, []).append(Notification(b["notification_guid"], login, b))


def oversized(t: "Qolo") -> None:
    """A body over --max-body: 413 in the envelope."""
    g = t.g
    variant, headers, data, chunked = oversized_body(g, t.max_body)
    op, method, path = g.pick([("POST /api/v1/persons", "POST", PERSONS), ("POST /api/v1/auth/login", "POST", "/api/v1/auth/login"),
                               ("POST /api/v1/persons/search", "POST", PERSONS + "/search")])
    login = t.login()
    headers.update(t.auth(login))
    req = Req(op, variant, method, path, headers, data, chunked)
    out = t.send(req)
    if path == PERSONS:
        t.count_create(login, out)
    # (bodies.oversized_body's smallest JSON variant comes out a few bytes under the limit)
    if answered(out) and out.status != 413 and len(data) > t.max_body:
        t.flow_failed(req, out, f"a body over --max-body answered {out.status}, README says 413")


def wrong_route(t: "Qolo") -> None:
    g = t.g
    path = g.pick(["/api/v1/nope", "/api/v2/persons", "/API/V1/PERSONS", "/api/v1/persons/", "/api/v1//persons", "/api/v1/persons/search/x",
                   "/api/v1/auth", "/api/v1/persons/" + g.hex_id(36) + "/kyc/x", "/", "/api/v1/notifications/", "/%2e%2e/admin"])
    method = g.pick(["GET", "PUT", "DELETE", "PATCH", "POST", "OPTIONS"])
    body = b"{}" if method in ("PUT", "PATCH", "POST") else None
    t.call(f"{method} other", "route", method, path, t.login(), body)
    # the known routes with methods they do not take
    path, method = g.pick([(PERSONS, "DELETE"), (PERSONS, "GET"), (PERSONS + "/search", "GET"), ("/api/v1/auth/login", "PUT"),
                           (f"{PERSONS}/{g.hex_id(8)}-0000-4000-8000-{g.hex_id(12)}", "DELETE"), (f"{NOTIFICATIONS}/{g.hex_id(36)}", "POST"),
                           (f"{PERSONS}/{g.hex_id(8)}-0000-4000-8000-{g.hex_id(12)}/kyc", "PUT")])
    t.call(f"{method} other", "method", method, path, t.login(), b"{}" if method != "GET" else None)
