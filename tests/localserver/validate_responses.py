#!/usr/bin/python3
"""Validate every response the confab-localserver tests recorded against the OpenAPI document.

usage: validate_responses.py --spec SPEC --tool OPENAPI_CHECK DIR

DIR holds one JSON-lines file per test executable (apiclient.cpp writes them): one object per
response with method, path, status, content_type and, for textual bodies, body. Everything is
validated in this one process with the functions of the openapi-check tool:

- paths the document does not describe (/2/users/me, /2/oauth2/*, /_local/*, /avatars/*, ...)
  are skipped and counted;
- responses that never arrived or were cut short on purpose (fault injection) are skipped;
- 304 Not Modified must have no body;
- application/octet-stream downloads are checked by status only (200, or 206 for a range of the
  200 representation);
- a chat activity-stream line is checked as ActivityStreamResponse without `payload`: the document
  has no chat payload schema (spec §4 gives the chat payload; §7 notes the gap);
- every other response must match the schema the document gives for its operation, status and
  content type.

Exit 0 when every documented response matches, 1 otherwise (each failure is printed), 2 on usage
errors or when there is nothing to check.
"""
import argparse
import importlib.machinery
import importlib.util
import json
import pathlib
import sys


def load_tool(path):
    loader = importlib.machinery.SourceFileLoader("openapi_check", str(path))
    spec = importlib.util.spec_from_loader("openapi_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def documented_response(op, status):
    responses = op.get("responses", {})
    return responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")


class Checker:
    def __init__(self, spec, tool):
        self.spec = spec
        self.tool = tool
        self.validators = {}
        self.counts = {"checked": 0, "status_only": 0, "not_modified": 0, "undocumented_path": 0, "transport": 0}
        self.failures = []

    def validator(self, key, schema):
        if key not in self.validators:
            self.validators[key] = self.tool.jsonschema.Draft7Validator(self.tool.inline(schema, self.spec))
        return self.validators[key]

    def fail(self, record, message):
        where = f"{record.get('test')}::{record.get('function')}"
        self.failures.append(f"{where}: {record['method']} {record['path']} {record['status']}: {message}")

    def check(self, record):
        method = record["method"].lower()
        status = str(record["status"])
        template, op = self.tool.find_operation(self.spec, method, record["path"])
        if op is None:
            self.counts["undocumented_path"] += 1
            return
        if record.get("error") or record["status"] == 0:
            self.counts["transport"] += 1
            return
        ctype = (record.get("content_type") or "").split(";")[0].strip().lower()
        if status == "304":
            self.counts["not_modified"] += 1
            if record.get("body_size", 0) != 0:
                self.fail(record, "304 with a body")
            return
        if ctype == "application/octet-stream":
            self.counts["status_only"] += 1
            lookup = "200" if status == "206" else status
            resp = documented_response(op, lookup)
            if resp is None or "application/octet-stream" not in resp.get("content", {}):
                self.fail(record, f"{status} application/octet-stream is not a documented response")
            return
        resp = documented_response(op, status)
        if resp is None:
            self.fail(record, f"{method.upper()} {template} documents no response {status}")
            return
        content = resp.get("content", {})
        if not content:
            self.counts["checked"] += 1
            return
        media = content.get(ctype)
        if media is None:
            self.fail(record, f"content type {ctype or '(none)'} not documented ({', '.join(content)})")
            return
        try:
            body = json.loads(record.get("body", ""))
        except ValueError as e:
            self.fail(record, f"body is not JSON: {e}")
            return
        schema = media.get("schema", {})
        key = (template, method, status, ctype)
        if record.get("stream"):
            # One line of the activity stream: the envelope, without the undocumented chat payload.
            schema = json.loads(json.dumps(self.tool.inline(schema, self.spec)))
            schema.get("properties", {}).get("data", {}).get("properties", {}).pop("payload", None)
            key = key + ("stream",)
            payload = body.get("data", {}).get("payload") if isinstance(body.get("data"), dict) else None
            if payload is not None and not isinstance(payload, dict):
                self.fail(record, "stream payload is not an object")
                return
        errors = sorted(self.validator(key, schema).iter_errors(body), key=lambda e: list(e.path))
        self.counts["checked"] += 1
        for e in errors[:5]:
            path = "/".join(str(p) for p in e.path) or "(root)"
            self.fail(record, f"at {path}: {e.message[:300]}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, type=pathlib.Path)
    parser.add_argument("--tool", required=True, type=pathlib.Path)
    parser.add_argument("directory", type=pathlib.Path)
    args = parser.parse_args(argv)

    tool = load_tool(args.tool)
    spec = json.loads(args.spec.read_text())
    files = sorted(args.directory.glob("*.jsonl"))
    if not files:
        print(f"validate_responses: no recorded responses in {args.directory}", file=sys.stderr)
        return 2
    checker = Checker(spec, tool)
    records = 0
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as e:
                checker.failures.append(f"{path.name}:{number}: not JSON: {e}")
                continue
            records += 1
            checker.check(record)

    c = checker.counts
    print(f"validate_responses: {records} responses in {len(files)} files: {c['checked']} validated against "
          f"the schema, {c['status_only']} downloads checked by status, {c['not_modified']} 304s, "
          f"{c['undocumented_path']} on paths the document does not describe, "
          f"{c['transport']} cut off or dropped on purpose")
    for failure in checker.failures:
        print(f"FAIL {failure}")
    if checker.failures:
        print(f"validate_responses: {len(checker.failures)} failures")
        return 1
    if c["checked"] == 0:
        print("validate_responses: nothing was validated", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
