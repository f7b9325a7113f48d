/// The OpenAPI 3.1 description of the routes, written by hand (a test checks that every route the
/// server answers is in it, and that every path in it is answered).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "AtlasQA",
    "version": "1.0.0",
    "description": "Questions about pathology images, answered from a reference atlas with numbered citations. Reference material to support a pathologist; it suggests and cites, it never diagnoses."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}, {}],
  "paths": {
    "/v1/ask": {
      "post": {
        "summary": "Answer a question about an image, citing atlas passages as [n]",
        "requestBody": {"required": true, "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/AskRequest"}},
          "multipart/form-data": {"schema": {"$ref": "#/components/schemas/AskForm"}}
        }},
        "responses": {
          "200": {"description": "The answer; with stream=true a text/event-stream of events `references`, `delta` ({\"text\"}: the decoder's text as it arrives), `reset` (discard the deltas so far: the decoder failed and the extractive answer follows), then `done` (the checked answer, authoritative) or `error`",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}, "text/event-stream": {"schema": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"}}}]}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"}, "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/retrieve": {
      "post": {
        "summary": "The references a question would get, with per-channel scores",
        "requestBody": {"required": true, "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/AskRequest"}},
          "multipart/form-data": {"schema": {"$ref": "#/components/schemas/AskForm"}}
        }},
        "responses": {
          "200": {"description": "References", "content": {"application/json": {"schema": {
            "type": "object", "required": ["references", "support", "timings_ms"],
            "properties": {
              "references": {"type": "array", "items": {"$ref": "#/components/schemas/Reference"}},
              "support": {"$ref": "#/components/schemas/Support"},
              "language": {"type": "string", "enum": ["en", "zh"]},
              "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}}
            }}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/entries/{id}": {
      "get": {
        "summary": "One atlas entry: passages, images, source",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The entry as ingested", "content": {"application/json": {"schema": {"type": "object"}}}},
          "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/entries/{id}/images/{file}": {
      "get": {
        "summary": "One of an entry's images, as stored (looked up by its stored name; may contain '/')",
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"name": "file", "in": "path", "required": true, "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "The image bytes", "content": {"image/png": {}, "image/jpeg": {}}},
          "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/conversations/{id}": {
      "get": {
        "summary": "A conversation of the caller's (another caller's reads as not found)",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The conversation and its turns", "content": {"application/json": {"schema": {"type": "object",
            "properties": {"id": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
              "turns": {"type": "array", "items": {"type": "object"}}}}}}},
          "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/v1/chat/completions": {
      "post": {
        "summary": "OpenAI-compatible chat: the last user message (text and an image_url data URL) is answered with retrieval",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["messages"],
          "properties": {"model": {"type": ["string", "null"]}, "stream": {"type": ["boolean", "null"]},
            "messages": {"type": "array", "items": {"$ref": "#/components/schemas/ChatMessage"},
              "contains": {"description": "the last user message is the question: its text, its image_url (a data URL), or both",
                "type": "object", "required": ["role", "content"], "properties": {"role": {"const": "user"},
                "content": {"oneOf": [{"type": "string", "pattern": "[^\u0009-\u000d \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"},
                  {"type": "array", "minItems": 1, "contains": {"type": "object", "required": ["type", "text"],
                    "properties": {"type": {"const": "text"}, "text": {"type": "string", "pattern": "[^\u0009-\u000d \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"}}}}]}}}}}}}}},
        "responses": {
          "200": {"description": "A chat.completion with an extra top-level `references`; with stream=true, chat.completion.chunk events then [DONE]",
            "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"}}}]}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"}, "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/models": {
      "get": {"summary": "OpenAI-compatible model list (one model, `atlasqa`)",
        "responses": {"200": {"description": "Models", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/v1/keys": {
      "get": {"summary": "API keys: ids, roles, creation and revocation times, never secrets (admin)",
        "responses": {"200": {"description": "Keys", "content": {"application/json": {"schema": {"type": "object"}}}},
          "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
    },
    "/v1/audit": {
      "get": {"summary": "The audit log, oldest first (admin)",
        "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
          {"name": "key", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Audit records", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
    },
    "/v1/ingest": {
      "post": {
        "summary": "Ingest an atlas in the background (curator): JSON Lines, or a .tar/.tar.gz of a folder atlas or a .jsonl with its images",
        "parameters": [{"name": "strict", "in": "query", "schema": {"type": "boolean"}, "description": "any bad entry fails the job, writing nothing"}],
        "requestBody": {"required": true, "content": {
          "application/x-ndjson": {"schema": {"type": "string"}},
          "application/x-tar": {"schema": {"type": "string", "format": "binary"}},
          "application/gzip": {"schema": {"type": "string", "format": "binary"}},
          "multipart/form-data": {"schema": {"type": "object", "required": ["atlas"], "properties": {"atlas": {"type": "string", "format": "binary"}}}}
        }},
        "responses": {
          "202": {"description": "Queued; `Location` is the job", "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestJob"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}, "501": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/jobs": {
      "get": {"summary": "The caller's ingest jobs, newest first (every job for an admin)",
        "responses": {"200": {"description": "Jobs", "content": {"application/json": {"schema": {"type": "object", "required": ["jobs"],
          "properties": {"jobs": {"type": "array", "items": {"$ref": "#/components/schemas/IngestJob"}}}}}}},
          "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
    },
    "/v1/jobs/{id}": {
      "get": {"summary": "One ingest job: state, progress, summary, error (its submitter or an admin)",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestJob"}}}},
          "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}}}
    },
    "/health": {
      "get": {"summary": "Readiness: 503 until the index is loaded, then 200 with counts", "security": [],
        "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object"}}}},
          "503": {"description": "Loading", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus metrics", "security": [],
        "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {}}}}}
    },
    "/openapi.json": {
      "get": {"summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}
    },
    "/": {
      "get": {"summary": "The web page", "security": [], "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}
    },
    "/assets/app.js": {
      "get": {"summary": "The web page's script", "security": [], "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {}}}}}
    },
    "/assets/app.css": {
      "get": {"summary": "The web page's style", "security": [], "responses": {"200": {"description": "CSS", "content": {"text/css": {}}}}}
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API key from `atlasqa keys create`; not needed on a loopback server without keys"}},
    "responses": {
      "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Busy": {"description": "Busy or still loading; retry after the Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "Support": {"type": "string", "enum": ["strong", "moderate", "weak", "none"]},
      "AskRequest": {"type": "object",
        "anyOf": [{"required": ["question"], "properties": {"question": {"type": "string", "pattern": "[^\u0009-\u000d \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"}}},
          {"required": ["image"], "properties": {"image": {"type": "string", "minLength": 1, "contentEncoding": "base64",
            "pattern": "^(data:[^,]*;base64,)?([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2,3}={0,2})?$"}}}],
        "properties": {
        "question": {"type": ["string", "null"], "description": "needed (not blank) unless an image is given"},
        "image": {"type": ["string", "null"], "description": "base64, or a data URL (data:image/png;base64,…), of a PNG or JPEG (415 otherwise)"},
        "k": {"type": ["integer", "null"], "minimum": 1, "maximum": 9223372036854775807, "description": "at most the server's maximum is used"},
        "conversation": {"type": ["string", "null"], "description": "continue this conversation (ask only)"},
        "stream": {"type": ["boolean", "null"]}}},
      "AskForm": {"type": "object",
        "anyOf": [{"required": ["question"], "properties": {"question": {"type": "string", "pattern": "[^\u0009-\u000d \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"}}},
          {"required": ["image"], "properties": {"image": {"type": "string", "minLength": 1}}}],
        "properties": {
        "question": {"type": "string"}, "image": {"type": "string", "format": "binary"},
        "k": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807}, "conversation": {"type": "string"},
        "stream": {"type": "string", "enum": ["true", "false", "1", "0", ""], "description": "form text; empty is false"}}},
      "ChatMessage": {"type": "object", "required": ["role"], "properties": {
        "role": {"type": "string", "description": "user, assistant or system; the last user message is the question"},
        "content": {"oneOf": [{"type": "string"}, {"type": "null"}, {"type": "array", "items": {"$ref": "#/components/schemas/ChatContentPart"}}]}}},
      "ChatContentPart": {"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string", "description": "text or image_url"},
        "text": {"type": ["string", "null"]},
        "image_url": {"description": "a data URL of a PNG or JPEG (nothing is fetched from the network)",
          "oneOf": [{"type": "string", "pattern": "^data:[^,]*;base64,([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2,3}={0,2})?$"},
            {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "pattern": "^data:[^,]*;base64,([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2,3}={0,2})?$"}}}]}}},
      "Reference": {"type": "object", "required": ["rank", "entry", "passage", "title", "text", "source", "scores"], "properties": {
        "rank": {"type": "integer"}, "entry": {"type": "string"}, "passage": {"type": "string"}, "title": {"type": "string"},
        "heading": {"type": ["string", "null"]}, "text": {"type": "string"}, "source": {"type": "string"},
        "image": {"type": ["object", "null"], "properties": {"file": {"type": "string"},
          "tile": {"type": ["array", "null"], "items": {"type": "integer"}, "minItems": 4, "maxItems": 4}}},
        "scores": {"type": "object", "properties": {"image": {"type": ["number", "null"]}, "text": {"type": ["number", "null"]},
          "lexical": {"type": ["number", "null"]}, "fused": {"type": "number"}}}}},
      "Answer": {"type": "object", "required": ["question", "answer", "citations", "references", "support", "decoder", "language", "timings_ms"], "properties": {
        "question": {"type": "string"}, "answer": {"type": "string"},
        "citations": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}, "entry": {"type": "string"},
          "passage": {"type": "string"}, "title": {"type": "string"}, "source": {"type": "string"}}}},
        "references": {"type": "array", "items": {"$ref": "#/components/schemas/Reference"}},
        "support": {"$ref": "#/components/schemas/Support"},
        "decoder": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["extractive", "openai"]},
          "model": {"type": ["string", "null"]}, "fallback": {"type": "boolean"}, "error": {"type": ["string", "null"]}}},
        "conversation": {"type": ["string", "null"]}, "language": {"type": "string", "enum": ["en", "zh"]},
        "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}}}},
      "IngestJob": {"type": "object", "required": ["id", "kind", "state", "source", "strict", "created", "progress", "queue_position"], "properties": {
        "id": {"type": "string"}, "kind": {"type": "string", "enum": ["ingest"]},
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "source": {"type": "object", "properties": {"name": {"type": "string"}, "bytes": {"type": "integer"},
          "sha256": {"type": "string"}, "format": {"type": "string", "enum": ["folder", "jsonl"]}}},
        "strict": {"type": "boolean"},
        "created": {"type": "string", "format": "date-time"}, "started": {"type": ["string", "null"], "format": "date-time"},
        "finished": {"type": ["string", "null"], "format": "date-time"},
        "progress": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}, "images": {"type": "integer"},
          "entries_per_second": {"type": "number"}, "images_per_second": {"type": "number"}}},
        "queue_position": {"type": "integer", "description": "1 = next to run; 0 once running or finished"},
        "summary": {"type": ["object", "null"], "description": "as `atlasqa ingest --json`: entries {in_atlas, ingested, unchanged, failed, not_in_atlas, pruned}, passages, images, tiles, problems [{file, line, entry, message}], seconds, images_per_second"},
        "error": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}]}}}
    }
  }
}
"""#
}
