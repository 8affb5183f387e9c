"""One step of the bridge scenario the way the official openITCOCKPIT Python example talks to the API
(`requests`, `Authorization: X-OITC-API <key>`; run with tests/clients/openitcockpit/.venv python).
Prints one JSON document.

Usage: oitc_step.py <base-url> <api key> <step> [args...]
Steps: create <name> <address> | index <host id> | downtime <host uuid> | result <host uuid> <service> <code>
"""
import json
import sys
import time

import requests

base, key, step = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
args = sys.argv[4:]
headers = {"Content-Type": "application/json", "Authorization": "X-OITC-API " + key}


def call(method, path, **kwargs):
    response = requests.request(method, base + path, headers=headers, verify=False, timeout=10, **kwargs)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def export():
    call("POST", "/exports/launchExport.json?angular=true", json={"create_backup": 1, "satellites": []})
    for _ in range(100):
        if call("GET", "/exports/broadcast.json?angular=true")[1].get("exportFinished"):
            return True
        time.sleep(0.1)
    return False


out = {}
if step == "create":
    name, address = args
    data = {"Host": {"name": name, "address": address, "container_id": 1, "hosttemplate_id": 1,
                     "notification_interval": None, "check_interval": None, "Hostgroup": [],
                     "retry_interval": None}}
    response = requests.post(base + "/hosts/add.json", headers=headers, json=data, verify=False)
    out["host"] = [response.status_code, response.json()]
    host_id = response.json().get("id")
    out["service"] = call("POST", "/services/add.json?angular=true",
                          json={"Service": {"host_id": host_id, "servicetemplate_id": 1, "name": None}})
    out["exported"] = export()
    out["view"] = call("GET", "/hosts/view/%s.json?angular=true" % host_id)[1]
elif step == "index":
    host_id = args[0]
    out["hosts"] = call("GET", "/hosts/index.json?angular=true&filter[Hosts.id]=%s"
                        "&includes[]=downtimes&includes[]=acknowledgements" % host_id)[1]
    out["services"] = call("GET", "/services/index.json?angular=true&scroll=true&filter[Hosts.id]=%s" % host_id)[1]
elif step == "downtime":
    now = int(time.time())
    out["downtime"] = call("POST", "/nagios_module/cmd/submit.json",
                           json={"command": "SCHEDULE_HOST_DOWNTIME", "hostUuid": args[0], "start_time": now - 10,
                                 "end_time": now + 3600, "author": "oitc", "comment": "bridge maintenance"})
    out["downtimes"] = call("GET", "/downtimes/host.json?angular=true")[1]
elif step == "result":
    host_uuid, service, code = args
    out["result"] = call("GET", "/nagios_module/cmd/submit.json?command=PROCESS_SERVICE_CHECK_RESULT"
                         "&hostUuid=%s&serviceUuid=%s&status_code=%s&plugin_output=recovered" % (host_uuid, service, code))
else:
    raise SystemExit("unknown step " + step)
print(json.dumps(out))
