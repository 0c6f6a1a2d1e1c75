"""OpenAPI: the schema class every view uses and the post-processing that documents the error
envelope on every error answer. Code generators build clients from this schema
(``localbzz/tests/test_generated_client.py`` proves one works), so it must say exactly what the
server takes and answers."""

from __future__ import annotations

from drf_spectacular import openapi

from localbzz.api.errors import ERROR_SCHEMA

_DESCRIPTIONS = {
    "400": "Invalid input (body or query parameters; a body field the operation does not know is `unknown_field`, "
    "named in `details`), or a change the object's state refuses: the message says "
    "what to fix, `details` holds field errors.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Signed in, but without enough access for this.",
    "404": "Nothing with that id exists here (or you cannot see it).",
    "409": "It is still in use by other records, or its state does not allow this; the message says which.",
    "415": "The body's Content-Type is not one this operation takes (see its request body), or it is malformed.",
    "429": "Too many requests; `details.retry_after_seconds` says when to try again.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus: a view with ``patch_is_partial = False`` documents its PATCH
    body as it validates it (every required field required), not as a partial update."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method != "PATCH" or getattr(self.view, "patch_is_partial", True):
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "POST"  # spectacular makes PATCH bodies partial; this one is not
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"


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
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in responses.items():  # every error answers the envelope (views give descriptions)
                if code[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
                    if response.get("description", "No response body") == "No response body":
                        response["description"] = _DESCRIPTIONS.get(code, "The error envelope says what went wrong.")
    return result
