#!/usr/bin/env python3
"""Checks recorded control-API exchanges against docs/openapi.yaml.

Usage: openapi-check.py SPEC EXCHANGES
EXCHANGES holds one JSON object per line: {"method", "path", "status", "contentType", "body"}
with the concrete path (e.g. /v1/devices/1-2). Each is matched to the spec's path template
and operation; the status must be documented for it, and a JSON body must validate against
the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Prints one line per
mismatch and exits 1 if there is any.
"""
import json
import re
import sys

import jsonschema
import yaml


def template_regex(template):
    parts = ["[^/]+" if p.startswith("{") else re.escape(p) for p in template.split("/")]
    return re.compile("^" + "/".join(parts) + "$")


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    templates = [(template_regex(t), t) for t in spec["paths"]]
    problems = []
    checked = 0
    for line in open(sys.argv[2]):
        exchange = json.loads(line)
        path = exchange["path"].split("?")[0]
        matches = [t for regex, t in templates if regex.match(path)]
        where = f'{exchange["method"]} {exchange["path"]} -> {exchange["status"]}'
        if not matches:
            # Any unknown path: 404 with the Error body.
            if exchange["status"] != 404:
                problems.append(f"{where}: no such path in the spec, yet not 404")
                continue
            matches, exchange["method"] = ["/v1/status"], "GET"
            exchange["status"] = 403  # validated as the Error schema, like every error
        template = None
        # The most specific template: the one with the fewest parameters.
        template = min(matches, key=lambda t: t.count("{"))
        operation = spec["paths"][template].get(exchange["method"].lower())
        if operation is None:
            if exchange["status"] != 405:
                problems.append(f"{where}: method not in the spec, yet not 405")
            continue
        response = operation["responses"].get(str(exchange["status"]))
        if response is None:
            problems.append(f"{where}: status not documented for {template}")
            continue
        if "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
        media = exchange["contentType"].split(";")[0].strip()
        content = response.get("content", {}).get(media)
        if content is None:
            problems.append(f"{where}: content type {media} not documented")
            continue
        if media in ("application/json", "application/x-ndjson"):
            bodies = [exchange["body"]] if media == "application/json" else [
                json.loads(l) for l in exchange["body"].splitlines() if l.strip()]
            schema = dict(content["schema"])
            schema["components"] = spec["components"]
            validator = jsonschema.Draft202012Validator(schema)
            for body in bodies:
                document = json.loads(body) if isinstance(body, str) else body
                for error in validator.iter_errors(document):
                    problems.append(f"{where}: {error.json_path}: {error.message}")
        checked += 1
    for problem in problems:
        print(problem)
    print(f"{checked} exchanges checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
