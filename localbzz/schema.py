"""OpenAPI post-processing: every operation documents the error envelope it can answer."""

from __future__ import annotations

from localbzz.api import ERROR_SCHEMA

_DESCRIPTIONS = {
    "400": "Invalid input (body or query parameters), or a change the object's state refuses: the message says "
    "what to fix, `details` holds field errors.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Signed in, but without enough access for this.",
    "404": "Nothing with that id exists here (or you cannot see it).",
    "409": "It is still in use by other records, or its state does not allow this; the message says which.",
    "415": "The body's Content-Type is not one this operation takes (see its request body), or it is malformed.",
    "429": "Too many requests; `details.retry_after_seconds` says when to try again.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["401", "403", "429"]
            takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method in {"post", "put", "patch", "delete"} or takes_query:
                wanted.append("400")
            if method == "delete":
                wanted.append("409")
            if operation.get("requestBody"):
                wanted.append("415")
            if "{" in path:
                wanted.append("404")
            if not operation.get("security") and operation.get("security") is not None:
                wanted = [code for code in wanted if code not in {"401", "403"}]
            for code in wanted:
                responses.setdefault(
                    code, {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
