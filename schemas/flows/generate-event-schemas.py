#!/usr/bin/env python3
"""Writes the JSON Schemas of the flow.* and run.* events (schemas/events/{flow,run}.*.v<N>.schema.json).

Version 1 of every event, and version 2 of the trace events (VERSION_2: the fields version 2 adds,
all optional, so a version 1 body is a valid version 2 body and upcasts unchanged).

The flow definition inside flow.draft_saved and flow.published is schemas/flows/flow.schema.json,
bundled under $defs.flow (an embedded resource with its own $id, as JSON Schema 2020-12 bundles);
a contract test checks the bundled copy equals the file. Run again after changing either.
"""
import json
import pathlib

here = pathlib.Path(__file__).parent
flow_schema = json.loads((here / "flow.schema.json").read_text())
events = here.parent / "events"

ID = {"$ref": "#/$defs/id"}
INSTANT = {"$ref": "#/$defs/instant"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
PERSON = {"type": "string", "minLength": 1, "maxLength": 320, "description": "Person id or email address, or a service name."}
ATTEMPT = {"type": "integer", "minimum": 1}
STEP_KIND = {"enum": ["send_email", "http_request", "wait", "branch", "booking_command", "publish_event", "approval"]}
OUTCOME = {"enum": ["approved", "rejected"]}
JSON_OBJECT = {"type": "object", "description": "Any JSON object."}
DEFINITION = {"$ref": "https://almanac.dev/schemas/flows/flow.schema.json"}
ERROR_KIND = {"enum": ["timeout", "network", "rate_limited", "server_error", "client_error", "invalid_input", "rejected", "internal"]}

EVENTS = {
    "flow.created": ("A flow was created (with its first draft).", {"flowId": ID, "name": TEXT, "createdBy": PERSON}, []),
    "flow.draft_saved": ("A valid draft of the flow was saved.",
                         {"flowId": ID, "revision": ATTEMPT, "definition": DEFINITION, "savedBy": PERSON}, []),
    "flow.published": ("The draft became immutable version N; runs pin to it.",
                       {"flowId": ID, "version": ATTEMPT, "definition": DEFINITION, "publishedBy": PERSON}, []),
    "flow.archived": ("No new runs start; running runs finish on their version.", {"flowId": ID, "archivedBy": PERSON}, []),
    "run.started": ("A run started, pinned to a flow version and its trigger.",
                    {"runId": ID, "flowId": ID, "flowVersion": ATTEMPT, "triggerKey": TEXT,
                     "triggerType": {"enum": ["booking_event", "booking_time", "schedule", "manual"]}, "data": JSON_OBJECT}, []),
    "run.step_scheduled": ("A step's job (or a wait's timer) is due at runAt (absent: now).",
                           {"runId": ID, "stepId": ID, "kind": STEP_KIND, "attempt": ATTEMPT, "runAt": INSTANT,
                            "timeoutSeconds": {"type": "integer", "minimum": 0}}, ["runAt"]),
    "run.step_started": ("The runtime took a step's job.", {"runId": ID, "stepId": ID, "attempt": ATTEMPT}, []),
    "run.step_succeeded": ("An attempt succeeded, with its output (secrets redacted).",
                           {"runId": ID, "stepId": ID, "attempt": ATTEMPT, "output": JSON_OBJECT}, []),
    "run.step_failed": ("An attempt failed; willRetry says whether another follows.",
                        {"runId": ID, "stepId": ID, "attempt": ATTEMPT, "willRetry": {"type": "boolean"},
                         "error": {"type": "object", "required": ["kind", "message"], "additionalProperties": False,
                                   "properties": {"kind": ERROR_KIND, "message": TEXT}}}, []),
    "run.step_retry_scheduled": ("The next attempt is due at runAt (backoff with jitter).",
                                 {"runId": ID, "stepId": ID, "kind": STEP_KIND, "attempt": ATTEMPT, "runAt": INSTANT,
                                  "timeoutSeconds": {"type": "integer", "minimum": 0}}, []),
    "run.approval_requested": ("The run waits for an approver's decision until the deadline.",
                               {"runId": ID, "stepId": ID, "approvers": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                                "message": {"type": "string"}, "deadline": INSTANT, "defaultOutcome": OUTCOME}, []),
    "run.approval_decided": ("An approver decided, or the deadline passed (timedOut, default outcome).",
                             {"runId": ID, "stepId": ID, "outcome": OUTCOME, "decidedBy": PERSON, "comment": TEXT,
                              "timedOut": {"type": "boolean"}}, ["decidedBy", "comment"]),
    "run.completed": ("The run reached its end.", {"runId": ID}, []),
    "run.failed": ("The run failed, with the step and the reason.", {"runId": ID, "stepId": ID, "reason": TEXT}, ["stepId"]),
    "run.cancelled": ("The run was cancelled (by a person, or because its booking was cancelled).",
                      {"runId": ID, "reason": TEXT, "cancelledBy": PERSON}, []),
    "run.retried": ("A failed run goes on from its failed step.", {"runId": ID, "fromStepId": ID, "retriedBy": PERSON}, []),
}

DURATION_MS = {"type": "number", "minimum": 0, "description": "How long the attempt ran, in milliseconds."}
FINISHED = {"finishedAt": INSTANT, "durationMs": DURATION_MS}
VERSION_2 = {
    "run.step_started": ("The runtime took a step's job, with when and the step's rendered inputs (secrets redacted).",
                         {"startedAt": INSTANT, "inputs": JSON_OBJECT}),
    "run.step_succeeded": ("An attempt succeeded, with its output (secrets redacted), when it ended and how long it ran.", FINISHED),
    "run.step_failed": ("An attempt failed, when it ended and how long it ran; willRetry says whether another follows.", FINISHED),
}


def write(name, version, description, properties, optional):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://almanac.dev/schemas/events/{name}.v{version}.schema.json",
        "title": f"{name} v{version}",
        "description": description,
        "type": "object",
        "required": [key for key in properties if key not in optional],
        "properties": properties,
        "additionalProperties": False,
        "$defs": {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "Identifier usable as a subject token."},
            "instant": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$",
                        "description": "RFC 3339 instant in UTC."},
        },
    }
    if DEFINITION in properties.values():
        schema["$defs"]["flow"] = flow_schema
    (events / f"{name}.v{version}.schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")


for name, (description, properties, optional) in EVENTS.items():
    write(name, 1, description, properties, optional)
    if name in VERSION_2:
        description_2, added = VERSION_2[name]
        write(name, 2, description_2, {**properties, **added}, optional + list(added))
