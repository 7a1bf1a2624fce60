"""Routing of ``/v1/...`` and the read and list calls of the contract."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from tests.support.autopilot_sim.calls import Answer, Call, error
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.store import SimContact, SimStore
from tests.support.autopilot_sim.upserts import Upserts

PAGE = 100


Handler = Callable[[Call], Answer]


class Api:
    def __init__(self, store: SimStore, config: SimConfig, keys: KeyRing) -> None:
        self.store = store
        self.config = config
        self.upserts = Upserts(store, config, keys)
        seg = r"(?P<{}>[^/]+)"
        who = seg.format("who")
        lid = seg.format("list_id")
        bookmark = r"(?:/(?P<bookmark>[^/]+))?"
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile("/account"), self.account),
            ("GET", re.compile("/lists"), self.get_lists),
            ("POST", re.compile("/list"), self.create_list),
            ("POST", re.compile(f"/list/{lid}/contact/{who}"), self.add_member),
            ("GET", re.compile(f"/list/{lid}/contact/{who}"), self.get_member),
            ("DELETE", re.compile(f"/list/{lid}/contact/{who}"), self.remove_member),
            ("GET", re.compile(f"/list/{lid}/contacts{bookmark}"), self.list_contacts),
            ("POST", re.compile("/contact"), self.upserts.one),
            ("POST", re.compile("/contacts"), self.upserts.many),
            ("GET", re.compile("/contacts/custom_fields"), self.custom_fields),
            ("GET", re.compile(f"/contacts{bookmark}"), self.all_contacts),
            ("GET", re.compile(f"/contact/{who}"), self.get_contact),
            ("DELETE", re.compile(f"/contact/{who}"), self.delete_contact),
            ("POST", re.compile(f"/contact/{who}/unsubscribe"), self.unsubscribe),
        ]

    def route(self, method: str, path: str, body: object, key: str) -> Answer:
        path_matched = False
        for verb, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            path_matched = True
            if verb == method:
                params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                return handler(Call(body, key, params))
        return error(405, "Method not allowed.") if path_matched else error(404, "Not found.")

    def account(self, call: Call) -> Answer:
        return 200, {"accountId": "account_SIMULATED", "name": "Autopilot test server"}

    def get_lists(self, call: Call) -> Answer:
        with self.store.lock:
            items = [{"list_id": i.list_id, "title": i.title} for i in self.store.lists.values()]
        return 200, {"lists": items}

    def create_list(self, call: Call) -> Answer:
        body = call.body
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return error(400, "A list name is required.")
        with self.store.lock:
            taken = any(i.title == name for i in self.store.lists.values())
            if taken and self.config.list_title_conflict:
                return error(409, "A list with this name already exists.")
            return 200, {"list_id": self.store.create_list(name).list_id}

    def add_member(self, call: Call) -> Answer:
        with self.store.lock:
            target = self.store.lists.get(call.params["list_id"])
            found = self.store.find(call.params["who"])
            if target is None:
                return error(404, "List could not be found.")
            if found is None:
                return error(404, "Contact could not be found.")
            if found[0] in target.members:
                return 200, {"not_modified": True}
            target.members[found[0]] = None
            return 200, {}

    def get_member(self, call: Call) -> Answer:
        with self.store.lock:
            target = self.store.lists.get(call.params["list_id"])
            found = self.store.find(call.params["who"])
            if target is None:
                return error(404, "List could not be found.")
            if found is None or found[0] not in target.members:
                return error(404, "Contact is not a member of this list.")
            return 200, self._view(*found)

    def remove_member(self, call: Call) -> Answer:
        with self.store.lock:
            target = self.store.lists.get(call.params["list_id"])
            found = self.store.find(call.params["who"])
            if target is None:
                return error(404, "List could not be found.")
            if found is None:
                return error(404, "Contact could not be found.")
            if found[0] not in target.members:
                return error(404, "Contact is not a member of this list.")
            del target.members[found[0]]
            return 200, {}

    def list_contacts(self, call: Call) -> Answer:
        with self.store.lock:
            target = self.store.lists.get(call.params["list_id"])
            if target is None:
                return error(404, "List could not be found.")
            return self._page(list(target.members), call.params.get("bookmark"))

    def all_contacts(self, call: Call) -> Answer:
        with self.store.lock:
            return self._page(list(self.store.contacts), call.params.get("bookmark"))

    def custom_fields(self, call: Call) -> Answer:
        with self.store.lock:
            fields = [{"name": n, "fieldType": t} for n, t in self.store.custom_fields.items()]
        return 200, fields

    def get_contact(self, call: Call) -> Answer:
        with self.store.lock:
            found = self.store.find(call.params["who"])
            if found is None:
                return error(404, "Contact could not be found.")
            return 200, self._view(*found)

    def delete_contact(self, call: Call) -> Answer:
        who = call.params["who"]
        with self.store.lock:
            found = self.store.find(who)
            if found is None:
                return error(404, "Contact could not be found.")
            del self.store.contacts[found[0]]
            for item in self.store.lists.values():
                item.members.pop(found[0], None)
            return 204, None

    def unsubscribe(self, call: Call) -> Answer:
        with self.store.lock:
            found = self.store.find(call.params["who"])
            if found is None:
                return error(404, "Contact could not be found.")
            found[1].unsubscribed = True
            return 200, {}

    def _page(self, keys: list[str], bookmark: str | None) -> Answer:
        offset = 0
        if bookmark is not None:
            if not re.fullmatch(r"bm\d+", bookmark):
                return error(400, "Invalid bookmark.")
            offset = int(bookmark[2:])
        page = [self._view(k, self.store.contacts[k]) for k in keys[offset : offset + PAGE]]
        answer: dict[str, object] = {"contacts": page, "total_contacts": len(keys)}
        if offset + PAGE < len(keys):
            answer["bookmark"] = f"bm{offset + PAGE}"
        return 200, answer

    def _view(self, key: str, contact: SimContact) -> dict[str, object]:
        custom = []
        for custom_key, value in contact.custom.items():
            kind, _, rest = custom_key.partition("--")
            custom.append({"kind": rest.replace("--", " "), "value": value, "fieldType": kind})
        return {
            "contact_id": contact.contact_id,
            **contact.fields,
            "custom_fields": custom,
            "lists": self.store.member_lists(key),
            "unsubscribed": contact.unsubscribed,
        }
