"""One step of the bridge scenario through the real pyopsview client (installed by
tests/clients/opsview/setup.sh; run with that folder's .venv python). Prints one JSON document.

Usage: opsview_step.py <base-url> <username> <password> <step> [args...]
Steps: hosts | critical <host> <service> | status <host> | downtimes | events <host>
"""

import json
import sys

from pyopsview import OpsviewClient


def main():
    base, username, password, step = sys.argv[1:5]
    args = sys.argv[5:]
    client = OpsviewClient(endpoint=base, username=username, password=password)
    if step == "hosts":
        out = [{"id": int(h["id"]), "name": h["name"], "address": h["address"],
                "hostgroup": h["host_group"]["name"] if h.get("host_group") else None}
               for h in client.config.hosts.list()]
    elif step == "critical":
        host, service = args
        out = client.post("/status", params={"svc.hostname": host, "svc.servicename": service,
                                              "new_state": 2, "comment": "CRITICAL - from Opsview"})
    elif step == "status":
        out = client.get("/status/service", params={"hostname": args[0]})
    elif step == "downtimes":
        out = client.get("/downtime")
    elif step == "events":
        out = client.get("/event", params={"host": args[0], "rows": "all"})
    else:
        raise SystemExit("unknown step " + step)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
