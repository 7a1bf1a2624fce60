"""Routing of ``/v1/...`` (every call is POST) and the custom-field calls."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.ortto_sim.calls import Answer, Call, Errors
from tests.support.ortto_sim.config import OrttoConfig
from tests.support.ortto_sim.merge import Merges
from tests.support.ortto_sim.store import FieldError, OrttoStore

Handler = Callable[[Call], Answer]


class Api:
    def __init__(self, store: OrttoStore, config: OrttoConfig, errors: Errors) -> None:
        self.store, self.config, self.error = store, config, errors
        self.merges = Merges(store, config, errors)
        self._routes: dict[str, Handler] = {
            "/person/merge": self.merges.merge,
            "/person/custom-field/get": self.get_fields,
            "/person/custom-field/create": self.create_field,
        }

    def route(self, method: str, path: str, body: object, key: str) -> Answer:
        handler = self._routes.get(path)
        if handler is None:
            return self.error(404, "not found")
        if method != "POST":
            return self.error(405, "method not allowed")
        return handler(Call(body, key))

    def get_fields(self, call: Call) -> Answer:
        if call.body is not None and not isinstance(call.body, dict):
            return self.error(400, "invalid request body: expected a JSON object")
        with self.store.lock:
            made = list(self.store.custom_fields.values())
        listed = [
            {
                "field": {"id": f.field_id, "name": f.name, "display_type": f.display_type},
                "tracked_value": False,
            }
            for f in made
        ]
        return 200, {"fields": listed}

    def create_field(self, call: Call) -> Answer:
        body = call.body
        if not isinstance(body, dict):
            return self.error(400, "invalid request body: expected a JSON object")
        try:
            made = self.store.create_field(
                str(body.get("type")), body.get("name"), self.config.max_custom_fields
            )
        except FieldError as exc:
            return self.error(400, str(exc))
        return 200, {
            "name": made.name,
            "field_id": made.field_id,
            "display_type": made.display_type,
        }
