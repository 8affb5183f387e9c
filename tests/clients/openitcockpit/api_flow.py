"""The official openITCOCKPIT API example (docs `development/api.md`, Python + requests), extended into
a full flow against Rosetta. Prints one JSON document with everything read back; the Rust test asserts.

Usage: api_flow.py <base url> <api key>
"""
import json
import sys
import time

import requests
import urllib3

urllib3.disable_warnings()

base, key = sys.argv[1].rstrip("/"), sys.argv[2]
headers = {"Content-Type": "application/json", "Authorization": "X-OITC-API " + key}
session = requests.Session()
out = {}


def call(method, path, **kwargs):
    response = session.request(method, base + path, headers=headers, verify=False, timeout=10, **kwargs)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body


# --- the official example, verbatim in substance -------------------------------------------------
data = {"Host": {"name": "api host", "address": "127.0.0.1", "container_id": 1, "hosttemplate_id": 1,
                 "notification_interval": None, "check_interval": None, "Hostgroup": [], "retry_interval": None}}
response = requests.post(base + "/hosts/add.json", headers=headers, json=data, verify=False)
if response.status_code != 200:
    print(response.content, file=sys.stderr)
cookies = None
result = {}
if response.content:
    cookies = response.cookies
    result = json.loads(response.content)
if "id" in result:
    print("Host was created successfully. Host ID is: " + str(result["id"]), file=sys.stderr)
else:
    print(result, file=sys.stderr)
out["add"] = {"status": response.status_code, "body": result}
host_id = result.get("id")

# --- not monitored until an export -----------------------------------------------------------------
out["before_export"] = call("GET", "/hosts/index.json?angular=true&scroll=true")[1]
out["not_monitored"] = call("GET", "/hosts/notMonitored.json?angular=true")[1]

out["launch"] = call("POST", "/exports/launchExport.json?angular=true", json={"create_backup": 1, "satellites": []})
for _ in range(50):
    status, broadcast = call("GET", "/exports/broadcast.json?angular=true")
    if broadcast.get("exportFinished"):
        break
    time.sleep(0.2)
out["broadcast"] = broadcast

out["index_scroll"] = call("GET", "/hosts/index.json?angular=true&scroll=true&filter[Hosts.name]=api")[1]
out["index_paging"] = call("GET", "/hosts/index.json?angular=true&scroll=false&limit=1&sort=Hosts.name&direction=asc")[1]

# --- edit: GET the full object, change it, POST it back -------------------------------------------
status, edit = call("GET", "/hosts/edit/%s.json?angular=true" % host_id)
host = edit["host"]["Host"]
host["description"] = "edited by api"
host["priority"] = 4
out["edit_post"] = call("POST", "/hosts/edit/%s.json?angular=true" % host_id, json={"Host": host})
out["edit_after"] = call("GET", "/hosts/edit/%s.json?angular=true" % host_id)[1]["host"]["Host"]

# --- a service, monitored after a second export ---------------------------------------------------
out["service_add"] = call("POST", "/services/add.json?angular=true",
                          json={"Service": {"host_id": host_id, "servicetemplate_id": 1, "name": None}})
service_id = out["service_add"][1].get("id")
call("POST", "/exports/launchExport.json?angular=true", json={"create_backup": 1})
for _ in range(50):
    if call("GET", "/exports/broadcast.json")[1].get("exportFinished"):
        break
    time.sleep(0.2)

host_uuid = out["index_scroll"]["all_hosts"][0]["Host"]["uuid"]
out["result"] = call("GET", "/nagios_module/cmd/submit.json?command=PROCESS_SERVICE_CHECK_RESULT&hostUuid=%s"
                     "&serviceUuid=Ping&status_code=2&plugin_output=CRITICAL+-+down&apikey=%s" % (host_uuid, key))
out["ack"] = call("POST", "/nagios_module/cmd/submit.json",
                  json={"command": "ACKNOWLEDGE_SVC_PROBLEM", "hostUuid": "api host", "serviceUuid": "Ping",
                        "author": "script", "comment": "on it", "sticky": 2})
now = int(time.time())
out["downtime"] = call("POST", "/nagios_module/cmd/submit.json",
                       json={"command": "SCHEDULE_HOST_DOWNTIME", "hostUuid": host_uuid, "start_time": now - 10,
                             "end_time": now + 3600, "author": "script", "comment": "maintenance"})
out["services"] = call("GET", "/services/index.json?angular=true&scroll=true&filter[Hosts.id]=%s" % host_id)[1]
out["downtimes"] = call("GET", "/downtimes/host.json?angular=true&filter[Hosts.name]=api")[1]
out["index_after_actions"] = call("GET", "/hosts/index.json?angular=true&filter[Hosts.id]=%s"
                                  "&includes[]=downtimes&includes[]=acknowledgements" % host_id)[1]

# --- delete: GET is refused, POST works ------------------------------------------------------------
out["delete_get"] = call("GET", "/hosts/delete/%s.json" % host_id)
out["delete"] = call("POST", "/hosts/delete/%s.json" % host_id)
out["after_delete"] = call("GET", "/hosts/index.json?angular=true&scroll=true")[1]

print(json.dumps(out))
