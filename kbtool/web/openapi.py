"""The OpenAPI 3.1 document of the API, served at `/api/openapi.json`.

Parameters come from the routes' own declarations (`search_routes.SEARCH_PARAMS`), so the
document cannot drift from what a request is checked against; the response shapes are written
here (and checked against real answers by the tests).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kbtool import __version__
from kbtool.events.model import (
    CATEGORIES,
    FILTERS,
    KINDS,
    MAX_EVENT_BYTES,
    MAX_FILTER_CHARS,
    MAX_ID_CHARS,
    MAX_QUERY_CHARS,
    MAX_RANK,
    MAX_RESULTS,
    MAX_TEXT_CHARS,
)
from kbtool.web.inputs import MAX_BODY_BYTES, MAX_URL_BYTES, Param, no_arguments
from kbtool.web.search_routes import SEARCH_PARAMS

_NULLABLE_STRING = {"type": ["string", "null"]}

HIT = {
    "type": "object",
    "required": ["id", "path", "title", "score", "snippet", "owner", "overdue", "url", "status"],
    "properties": {
        "id": {**_NULLABLE_STRING, "description": "The procedure's id, e.g. KB-0042."},
        "path": {"type": "string", "description": "Path under the procedures folder."},
        "title": {"type": "string"},
        "summary": _NULLABLE_STRING,
        "score": {"type": "number"},
        "snippet": {
            "type": "string",
            "description": "A line of the procedure; the words that matched are in **double"
            " asterisks**. Plain text: escape it before showing it as HTML.",
        },
        "owner": {
            **_NULLABLE_STRING,
            "description": "Who answers for it today: the owner, or the backup acting for an"
            " owner who is away or has left.",
        },
        "overdue": {"type": "boolean", "description": "Overdue for review."},
        "url": {
            **_NULLABLE_STRING,
            "description": "Its page on the site, relative to the site's root.",
        },
        "status": {"type": "string", "enum": ["draft", "published", "retired"]},
        "service": _NULLABLE_STRING,
        "exact": {"type": "boolean", "description": "Matched by its id or an error code."},
        "owner_name": {**_NULLABLE_STRING, "description": "The roster's name for `owner`."},
        "recorded_owner": {**_NULLABLE_STRING, "description": "The owner in the front matter."},
        "backup": _NULLABLE_STRING,
        "acting_owner": _NULLABLE_STRING,
        "owner_away": {
            "type": "boolean",
            "description": "The recorded owner is away or has left (the procedure is orphaned).",
        },
        "orphan_reason": _NULLABLE_STRING,
        "review_status": _NULLABLE_STRING,
    },
}

SEARCH_RESULT = {
    "type": "object",
    "required": ["query", "corrected_query", "did_you_mean", "total", "results"],
    "properties": {
        "query": {"type": "string", "description": "The query as sent."},
        "corrected_query": {
            **_NULLABLE_STRING,
            "description": "What was searched instead, when typos were corrected (show"
            " 'showing results for …'; search again with as_typed=true to search as typed).",
        },
        "did_you_mean": {"type": "array", "items": {"type": "string"}},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "total": {"type": "integer", "description": "How many procedures matched in all."},
        "notes": {"type": "array", "items": {"type": "string"}},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
    },
}

PROCEDURE = {
    "type": "object",
    "required": ["id", "path", "title", "steps", "escalation", "owner", "backup", "review"],
    "properties": {
        "id": _NULLABLE_STRING,
        "path": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "summary": _NULLABLE_STRING,
        "service": _NULLABLE_STRING,
        "audience": _NULLABLE_STRING,
        "status": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "error_codes": {"type": "array", "items": {"type": "string"}},
        "steps": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Each numbered step as written, in Markdown (sub-bullets included).",
        },
        "escalation": {"type": "string"},
        "escalate_to": _NULLABLE_STRING,
        "escalate_to_contact": {
            "type": ["object", "null"],
            "description": "Who `escalate_to` means in the roster: a role (its people"
            " available today, the owner's team first), a team (its lead), a person, or"
            " 'unknown'.",
            "properties": {
                "kind": {"type": "string", "enum": ["role", "team", "person", "unknown"]},
                "name": {"type": "string"},
                "email": _NULLABLE_STRING,
                "people": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "handle": {"type": "string"},
                            "name": {"type": "string"},
                            "email": _NULLABLE_STRING,
                            "phone": _NULLABLE_STRING,
                            "chat": _NULLABLE_STRING,
                        },
                    },
                },
            },
        },
        "owner": _NULLABLE_STRING,
        "owner_name": _NULLABLE_STRING,
        "backup": _NULLABLE_STRING,
        "backup_name": _NULLABLE_STRING,
        "acting_owner": _NULLABLE_STRING,
        "orphaned": {"type": "boolean"},
        "orphan_reason": _NULLABLE_STRING,
        "review": {
            "type": "object",
            "properties": {
                "status": {"type": "string"},
                "reviewed": _NULLABLE_STRING,
                "due": _NULLABLE_STRING,
                "days_left": {"type": ["integer", "null"]},
                "overdue": {"type": "boolean"},
            },
        },
        "superseded_by": {
            **_NULLABLE_STRING,
            "description": "A retired procedure's replacement (its id).",
        },
        "origins": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Where each value the front matter does not give came from, by"
            " field: 'default for email/**' (kbtool.toml [[defaults]]) or 'standing backup of"
            " jdoe' (the roster).",
        },
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "version", "index", "site"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "version": {"type": "string"},
        "problem": {"type": "string"},
        "index": {
            "type": ["object", "null"],
            "properties": {
                "generation": {"type": "string"},
                "procedures": {"type": "integer"},
                "built": _NULLABLE_STRING,
                "as_of": {"type": "string", "description": "The date freshness is judged at."},
            },
        },
        "site": {
            "type": "object",
            "properties": {"present": {"type": "boolean"}, "built": _NULLABLE_STRING},
        },
        "events": {"$ref": "#/components/schemas/EventsStatus"},
    },
}

EVENTS_STATUS = {
    "type": "object",
    "required": ["enabled", "recording", "problem"],
    "properties": {
        "enabled": {"type": "boolean", "description": "`[events] enabled` in kbtool.toml."},
        "recording": {
            "type": "boolean",
            "description": "Events are being written now. False with a `problem` when the"
            " database cannot be written (locked, corrupt, full, unreachable): events are kept"
            " in memory meanwhile and searches are not affected.",
        },
        "problem": _NULLABLE_STRING,
        "pending": {"type": "integer", "description": "Events waiting to be written."},
        "dropped": {"type": "integer", "description": "Events this process could not keep."},
        "accepted": {"type": "boolean"},
        "types": {"type": "array", "items": {"type": "string"}},
        "categories": {"type": "array", "items": {"type": "string"}},
    },
}

EVENT = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "description": "One event. Which fields each type takes (others are refused): search:"
    " query, results, filters, corrected, search_id; result_opened: procedure, rank,"
    " search_id, query; page_view: procedure; solved: procedure, solved, search_id;"
    " problem_report: procedure, category, text. The time is the server's. E-mail addresses,"
    " phone numbers and long numbers in free text are redacted before anything is stored.",
    "properties": {
        "type": {"type": "string", "enum": list(KINDS)},
        "channel": {"type": "string", "enum": ["site", "api"], "default": "site"},
        "query": {"type": "string", "maxLength": MAX_QUERY_CHARS},
        "corrected": {"type": "string", "maxLength": MAX_QUERY_CHARS},
        "results": {"type": "integer", "minimum": 0, "maximum": MAX_RESULTS},
        "filters": {
            "type": "object",
            "additionalProperties": {"type": "string", "maxLength": MAX_FILTER_CHARS},
            "propertyNames": {"enum": list(FILTERS)},
        },
        "search_id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{8,64}$",
            "description": "A random token per search, tying opened results to it.",
        },
        "procedure": {
            "type": "string",
            "maxLength": MAX_ID_CHARS,
            "description": "A procedure the knowledge base has (its id, any case).",
        },
        "rank": {"type": "integer", "minimum": 1, "maximum": MAX_RANK},
        "solved": {"type": "boolean", "description": "The answer to 'Did this solve it?'."},
        "category": {"type": "string", "enum": list(CATEGORIES)},
        "text": {"type": "string", "maxLength": MAX_TEXT_CHARS},
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "message": {"type": "string", "description": "What was wrong and what to do instead."},
        "parameter": {"type": "string"},
    },
}


def _schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": param.kind}
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.kind == "string":
        schema["maxLength"] = param.max_length
    if param.default is not None:
        schema["default"] = param.default
    return schema


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def document() -> dict[str, Any]:
    query_parameters = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description,
            "schema": _schema(p),
            **({"example": p.example} if p.example is not None else {}),
        }
        for p in SEARCH_PARAMS.params
    ]
    body_schema = {
        "type": "object",
        "required": [p.name for p in SEARCH_PARAMS.params if p.required],
        "additionalProperties": False,
        "properties": {
            p.name: {**_schema(p), "description": p.description} for p in SEARCH_PARAMS.params
        },
    }
    no_query = _error("A query string: this endpoint takes no parameters.")
    search_errors = {
        "400": _error("A bad parameter: unknown, repeated, of the wrong type or out of range."),
        "503": _error("No usable search index yet: run `kbtool index`."),
    }
    body_search_errors = {
        **search_errors,
        "400": _error(
            "A bad parameter: unknown, repeated, of the wrong type or out of range; or a query"
            " string (the parameters go in the body)."
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kbtool knowledge base API",
            "version": __version__,
            "description": "Search the service desk's procedures and read one, as the site's"
            " search box and `kbtool search --json` do. Authentication belongs in front of the"
            " server (a reverse proxy with single sign-on).",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search the procedures",
                    "operationId": "search",
                    "parameters": query_parameters,
                    "responses": {
                        "200": _ok("SearchResult", "The ranked procedures."),
                        **search_errors,
                        "414": _error(f"The request is longer than {MAX_URL_BYTES} bytes."),
                    },
                },
                "post": {
                    "summary": "Search with a ticket's whole text",
                    "operationId": "searchText",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": body_schema}},
                    },
                    "responses": {
                        "200": _ok("SearchResult", "The ranked procedures."),
                        **body_search_errors,
                        "413": _error(f"The body is larger than {MAX_BODY_BYTES} bytes."),
                        "415": _error("The body is not application/json."),
                    },
                },
            },
            "/api/procedures/{id}": {
                "get": {
                    "summary": "One procedure: steps, escalation, people, review state",
                    "operationId": "procedure",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "An id (any case) or a path under the procedures"
                            " folder.",
                            "schema": {"type": "string", "maxLength": 300},
                            "example": "KB-0042",
                        }
                    ],
                    "responses": {
                        "200": _ok("Procedure", "The procedure, as `kbtool show --json`."),
                        "400": _error("An empty or overlong id, or a query string."),
                        "404": _error("No procedure has this id or path."),
                        "503": _error("No usable search index yet: run `kbtool index`."),
                    },
                }
            },
            "/api/health": {
                "get": {
                    "summary": "Whether search answers, and when index and site were built",
                    "operationId": "health",
                    "responses": {
                        "200": _ok("Health", "Search answers."),
                        "503": _ok("Health", "Search does not answer; `problem` says why."),
                    },
                }
            },
            "/api/events": {
                "get": {
                    "summary": "Whether events are recorded, and the types accepted",
                    "operationId": "eventsInfo",
                    "responses": {"200": _ok("EventsStatus", "What is recorded."), "400": no_query},
                },
                "post": {
                    "summary": "Record a search, an opened result, a page view or feedback",
                    "operationId": "recordEvent",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Event"}}
                        },
                    },
                    "responses": {
                        "202": _ok(
                            "EventsStatus",
                            "Queued for writing (`recording` says if"
                            " the database is being written now).",
                        ),
                        "400": _error(
                            "An unknown type, field or procedure; a value of the"
                            " wrong type, too long or with control characters; a query string."
                        ),
                        "413": _error(f"The body is larger than {MAX_EVENT_BYTES} bytes."),
                        "415": _error("The body is not application/json."),
                        "503": _error("Events are switched off (`[events] enabled = false`)."),
                    },
                },
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": {"description": "The OpenAPI document."}, "400": no_query},
                }
            },
        },
        "components": {
            "schemas": {
                "Hit": HIT,
                "SearchResult": SEARCH_RESULT,
                "Procedure": PROCEDURE,
                "Health": HEALTH,
                "EventsStatus": EVENTS_STATUS,
                "Event": EVENT,
                "Error": ERROR,
            }
        },
    }


async def openapi(request: Request) -> Response:
    no_arguments(request)
    return JSONResponse(document())


routes = [Route("/api/openapi.json", openapi, methods=["GET", "HEAD"])]
