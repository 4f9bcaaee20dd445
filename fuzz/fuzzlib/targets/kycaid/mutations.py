"""Breaking valid KYCAID fields: one to three of them dropped, nulled, of the wrong type, weird
strings, bad dates, ids, enums and countries, or unknown fields added."""

from __future__ import annotations

from ...values import Gen


def mutate(g: Gen, f: dict, id_fields: tuple = ()) -> tuple[dict, str]:
    """Returns (fields, tag): unchanged ("valid") or with one to three fields broken."""
    if g.chance(0.45):
        return f, "valid"
    f = dict(f)
    tags = []
    for _ in range(g.rng.randint(1, 3)):
        op = g.pick(
            [
                "drop",
                "wrong-type",
                "weird-string",
                "null",
                "bad-date",
                "unknown-field",
                "bad-id",
                "bad-enum",
                "country",
            ]
        )
        keys = list(f)
        if op == "drop" and keys:
            f.pop(g.pick(keys))
        elif op == "wrong-type" and keys:
            k = g.pick(keys)
            f[k] = g.wrong_type(f[k])
        elif op == "weird-string" and keys:
            f[g.pick(keys)] = g.weird_string()
        elif op == "null" and keys:
            f[g.pick(keys)] = None
        elif op == "bad-date":
            f[
                g.pick(["dob", "issue_date", "expiry_date", "incorporation_date", "transaction_datetime"])
            ] = g.bad_date()
        elif op == "unknown-field":
            f[g.pick(["sandbox", "id", "applicant", "__proto__", "constructor", "x" * 300, "", "😀"])] = (
                g.wrong_type()
            )
        elif op == "bad-id":
            f[g.pick(list(id_fields) or ["applicant_id"])] = g.pick([g.bad_id(), g.hex_id()])
        elif op == "bad-enum":
            f[g.pick(["type", "gender", "verification_status"])] = g.pick(
                ["person", "OTHER", "", "PERSON ", "ＰＥＲＳＯＮ", 1, ["PERSON"]]
            )
        elif op == "country":
            f[g.pick(["residence_country", "nationality", "country", "registration_country"])] = g.pick(
                ["XX", "ua", "UKR", "U", "", "ÜA"]
            )
        tags.append(op)
    return f, "mutated:" + "+".join(sorted(set(tags)))
