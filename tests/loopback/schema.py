"""Request bodies checked against Discord's own OpenAPI description of its HTTP API v10.

The description is /work/shared/specs/discord-openapi.json (discord/discord-api-spec, a preview;
see /work/shared/specs/README.md). The whole document is registered as one JSON Schema resource
(Draft 2020-12) and each request body is validated against a `$ref` to its operation's
`requestBody` schema, so the document's own `#/components/...` references resolve. Multipart
requests are validated through their `payload_json`, which carries the JSON body.

The description does not model every documented length limit; `limits.py` checks those. Where
the preview disagrees with what Discord accepts, `SPEC_CORRECTIONS` overrides its schema (the
documentation wins, as the spec's README says).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path("/work/shared/specs/discord-openapi.json")
SPEC_URI = "urn:discord-openapi"
# How many problems one request reports at most (a bad body can fail every branch of an anyOf).
MAX_PROBLEMS = 3
# components.schemas entries replaced before validation, each with the reason.
SPEC_CORRECTIONS: dict[str, dict[str, Any]] = {
    # The preview types snowflakes as digit strings only, but Discord reads integer snowflakes in
    # request bodies too (only responses are strings, against 64-bit precision loss in
    # JavaScript), and discord.py sends new attachments as {"id": 0, ...}.
    "SnowflakeType": {
        "anyOf": [
            {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
            {"type": "integer", "minimum": 0},
        ],
    },
}


@dataclass(frozen=True)
class Operation:
    """One documented request body: the path template, the method and a regex for real paths."""

    template: str
    method: str
    pattern: re.Pattern[str]

    @property
    def pointer(self) -> str:
        escaped = self.template.replace("~", "~0").replace("/", "~1")
        return f"#/paths/{escaped}/{self.method.lower()}/requestBody/content/application~1json/schema"


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


class OpenAPISchema:
    """Validates request bodies against the operations of one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        schemas = document.get("components", {}).get("schemas", {})
        for name, corrected in SPEC_CORRECTIONS.items():
            if name in schemas:
                schemas[name] = corrected
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._operations: list[Operation] = []
        for template, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                content = (operation.get("requestBody") or {}).get("content") or {}
                if "application/json" in content:
                    self._operations.append(Operation(template, method.upper(), _template_regex(template)))
        # Literal segments first, so /messages/@original wins over /messages/{message_id}.
        self._operations.sort(key=lambda op: op.template.count("{"))
        self._validators: dict[Operation, Draft202012Validator] = {}

    def operation(self, method: str, path: str) -> Operation | None:
        """The documented operation a request (path after /api/v10) is for, if it takes a body."""
        for op in self._operations:
            if op.method == method and op.pattern.match(path):
                return op
        return None

    def check(self, method: str, path: str, body: Any) -> list[str]:
        """Problems with `body` for this request (empty when valid or the route takes no body)."""
        op = self.operation(method, path)
        if op is None:
            return []
        validator = self._validators.get(op)
        if validator is None:
            schema = {"$ref": f"{SPEC_URI}{op.pointer}"}
            validator = self._validators[op] = Draft202012Validator(schema, registry=self._registry)
        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        return [_describe(op, e) for e in _most_relevant(errors)]


def _most_relevant(errors: list[ValidationError]) -> list[ValidationError]:
    found: list[ValidationError] = []
    for error in errors:
        found.extend(_leaves(error))
    best = best_match(found)
    return [best, *(e for e in found if e is not best)][:MAX_PROBLEMS]


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For an anyOf/oneOf failure, the errors of the branch the body was meant for: a branch
    whose `type` discriminator matched (no error at the key `type`), with the fewest errors."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    depth = len(error.absolute_path)
    meant = [b for b in branches.values()
             if not any(len(e.absolute_path) == depth + 1 and e.absolute_path[-1] == "type" for e in b)]
    if not meant:
        return [error]
    chosen = min(meant, key=len)
    return [leaf for sub in chosen for leaf in _leaves(sub)]


def _describe(op: Operation, error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
    return f"OpenAPI {op.method} {op.template}: {where}: {message}"


@cache
def discord_schema(path: Path = SPEC_PATH) -> OpenAPISchema:
    """Discord's description, parsed once per process."""
    return OpenAPISchema(json.loads(path.read_text(encoding="utf-8")))


__all__ = ["OpenAPISchema", "Operation", "SPEC_PATH", "discord_schema"]
