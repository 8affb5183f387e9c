"""Prints, as JSON, the kinds and key facts of every Kubernetes manifest given on the command line."""
import json
import sys

import yaml

found = []
for path in sys.argv[1:]:
    with open(path) as handle:
        for document in yaml.safe_load_all(handle):
            if not document:
                continue
            item = {"file": path, "kind": document.get("kind"), "name": document.get("metadata", {}).get("name")}
            if document.get("kind") == "Deployment":
                container = document["spec"]["template"]["spec"]["containers"][0]
                item["readiness"] = container["readinessProbe"]["httpGet"]["path"]
                item["liveness"] = container["livenessProbe"]["httpGet"]["path"]
                item["replicas"] = document["spec"]["replicas"]
            if document.get("kind") == "ConfigMap":
                item["data"] = document.get("data", {})
            found.append(item)
print(json.dumps(found))
