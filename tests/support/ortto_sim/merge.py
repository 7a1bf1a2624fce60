"""``POST /v1/person/merge``: checks, the atomic apply, one answer entry per person in order."""

from __future__ import annotations

from tests.support.ortto_sim.calls import Answer, Call, Errors
from tests.support.ortto_sim.config import OrttoConfig
from tests.support.ortto_sim.fields import BUILT_INS, EMAIL, bad_email, value_problem
from tests.support.ortto_sim.store import OrttoStore, email_key

SUPPRESSED = "Email is suppressed"

Entry = dict[str, object]


class Merges:
    def __init__(self, store: OrttoStore, config: OrttoConfig, errors: Errors) -> None:
        self.store, self.config, self.error = store, config, errors

    def merge(self, call: Call) -> Answer:
        body = call.body
        if not isinstance(body, dict):
            return self.error(400, "invalid request body: expected a JSON object")
        people = body.get("people")
        if not isinstance(people, list):
            return self.error(400, "people is required")
        most = self.config.max_people
        if not 1 <= len(people) <= most:
            return self.error(400, f"people must have between 1 and {most} items")
        problem = _options_problem(body)
        if problem:
            return self.error(400, problem)
        strategy = int(body.get("merge_strategy", 2))
        with self.store.lock:
            checked = [self._check(person) for person in people]
            if all(entry is not None for entry in checked):
                details: list[object] = list(checked)
                first = checked[0]["error"] if checked[0] else ""
                self.store.counters["merges_refused"] += 1
                return self.error(400, f"No valid contacts provided ({first})", details)
            results: list[Entry] = []
            skip_new = body.get("skip_non_existing") is True
            for person, refusal in zip(people, checked, strict=True):
                if refusal is not None:
                    results.append(refusal)
                    continue
                if skip_new and email_key(str(person["fields"][EMAIL])) not in self.store.people:
                    # Not created [the option's documented purpose]; the answer's shape is
                    # unknown [?]: this server says "skipped".
                    self.store.counters["people_skipped"] += 1
                    results.append({"status": "skipped"})
                    continue
                status, stored = self.store.merge(
                    dict(person["fields"]),
                    list(person.get("tags") or []),
                    list(person.get("unset_tags") or []),
                    strategy,
                )
                results.append({"person_id": stored.person_id, "status": status})
            self.store.counters["merges_applied"] += 1
        if body.get("async") is True:
            return 200, self.config.async_answer
        return 200, {"people": results}

    def _check(self, person: object) -> Entry | None:
        """The answer entry of a person that is refused, or None; the caller holds the lock."""
        if not isinstance(person, dict) or not isinstance(person.get("fields"), dict):
            return _invalid("failed to validate person: fields must be an object")
        for name in ("tags", "unset_tags"):
            tags = person.get(name)
            if tags is not None and not (
                isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)
            ):
                return _invalid(f"failed to validate {name}: expected a list of tag names")
        fields: dict[str, object] = person["fields"]
        email = fields.get(EMAIL)
        if email is None:
            return _invalid(f"failed to validate field {EMAIL}: required to merge by")
        if bad_email(email):
            return _invalid(f"failed to validate field {EMAIL}: invalid email address")
        for field_id, value in fields.items():
            if field_id not in BUILT_INS and field_id not in self.store.custom_fields:
                return _invalid(f"failed to validate field {field_id}: field does not exist")
            problem = value_problem(field_id, value, self.config)
            if problem:
                return _invalid(f"failed to validate field {field_id}: {problem}")
        if email_key(str(email)) in self.store.suppressed:
            return {"status": "suppressed", "error": SUPPRESSED}
        return None


def _invalid(reason: str) -> Entry:
    return {"status": "invalid", "error": reason}


def _options_problem(body: dict[str, object]) -> str | None:
    merge_by = body.get("merge_by", [EMAIL])
    if not (
        isinstance(merge_by, list)
        and 1 <= len(merge_by) <= 3
        and all(isinstance(m, str) for m in merge_by)
    ):
        return "merge_by must list 1 to 3 field ids"
    if merge_by != [EMAIL]:
        return f"merge_by {merge_by}: this test server merges by {EMAIL} only"
    for name, allowed in (("merge_strategy", (1, 2, 3)), ("find_strategy", (0, 1, 2))):
        value = body.get(name, allowed[0] if name == "find_strategy" else 2)
        if isinstance(value, bool) or value not in allowed:
            return f"{name} must be one of {list(allowed)}"
    for name in ("async", "skip_non_existing"):
        if not isinstance(body.get(name, False), bool):
            return f"{name} must be a boolean"
    return None
