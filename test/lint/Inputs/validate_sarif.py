#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validates a SARIF log against the SARIF 2.1.0 schema, then prints one line per result.
import json
import sys

import jsonschema


def main(schema_path, log_path):
    with open(schema_path) as f:
        schema = json.load(f)
    with open(log_path) as f:
        log = json.load(f)
    jsonschema.validate(log, schema)
    print("valid SARIF %s, %d run(s)" % (log["version"], len(log["runs"])))
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        print("driver %s %s llvm=%s (%s)" % (driver["name"], driver.get("version", "?"),
                                             driver.get("properties", {}).get("llvmVersion", "?"),
                                             driver.get("fullName", "")))
        rules = driver.get("rules", [])
        for rule in rules:
            print("rule %s: %s <%s>" % (rule["id"], rule["shortDescription"]["text"],
                                        rule.get("helpUri", "")))
        for r in run.get("results", []):
            loc = r["locations"][0]["physicalLocation"] if r.get("locations") else {}
            region = loc.get("region", {})
            line = "result %s %s %s:%d:%d related=%d fixes=%d" % (
                r["level"], r["ruleId"], loc.get("artifactLocation", {}).get("uri", ""),
                region.get("startLine", 0), region.get("startColumn", 0),
                len(r.get("relatedLocations", [])), len(r.get("fixes", [])))
            for fix in r.get("fixes", []):
                line += " fix=%s" % fix.get("properties", {}).get("safety", "?")
            if "baselineState" in r:
                line += " baseline=%s" % r["baselineState"]
            for s in r.get("suppressions", []):
                line += " suppressed=%s:%s" % (s["kind"], s.get("justification", ""))
            if "partialFingerprints" in r:
                line += " fingerprint=%s" % r["partialFingerprints"]["torchLintIdentity/v1"]
            print(line)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
