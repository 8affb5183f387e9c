"""Drives the real pyopsview 6.2.3 client against a Rosetta gateway and prints, as one JSON document,
what it read back. The Rust test (tests/src/opsview/client.rs) asserts on those values.

Usage: pyopsview_scenario.py <base-url> <username> <password>
"""

import json
import sys
import time

from pyopsview import OpsviewClient


def main():
    base, username, password = sys.argv[1], sys.argv[2], sys.argv[3]
    out = {}

    client = OpsviewClient(endpoint=base, username=username, password=password)
    out["token_length"] = len(client.token)
    out["version"] = client.version
    out["info"] = client.info()
    out["user"] = client.user_info()
    out["server_info_keys"] = sorted(client.server_info().keys())

    config = client.config

    # Host groups: a branch with a leaf below it.
    branch = config.hostgroups.create(name="PyBranch", parent={"name": "Opsview"})
    leaf = config.hostgroups.create(name="PyLeaf", parent={"name": "PyBranch"})
    out["hostgroup_leaf"] = {"matpath": leaf["matpath"], "is_leaf": leaf["is_leaf"], "parent": leaf["parent"]["name"]}
    out["hostgroup_branch_children"] = [c["name"] for c in config.hostgroups.find_one(name="PyBranch")["children"]]

    # Host templates.
    template = config.hosttemplates.create(name="PyTemplate", description="made by pyopsview",
                                           service_checks=[{"name": "Connectivity - LAN"}])
    out["template"] = {"name": template["name"], "description": template["description"],
                       "checks": [c["name"] for c in template["service_checks"]]}
    template = config.hosttemplates.update(template["id"], name="PyTemplate", description="changed")
    out["template_updated_description"] = template["description"]

    # Service checks. pyopsview 6.2.3 decodes `stalking` as a boolean first, so the `"stalking": ""`
    # that real Opsview 6.x returns (and Rosetta too, to stay faithful, spec section 5.9) makes every
    # decode of a service check fail: create() raises after the object was created, and list() too.
    try:
        config.servicechecks.create(name="PyCheck", plugin="check_tcp", args="-H $HOSTADDRESS$ -p 22",
                                    service_group={"name": "Network - Base"})
        out["servicecheck_create"] = "decoded"
    except Exception as err:  # noqa: BLE001 - the known client bug
        out["servicecheck_create"] = "failed: " + type(err).__name__
    try:
        list(config.servicechecks.list())
        out["servicecheck_list"] = "decoded"
    except Exception as err:  # noqa: BLE001 - the known client bug
        out["servicecheck_list"] = "failed: " + type(err).__name__
    raw = client.get("/config/servicecheck", params={"s.name": "PyCheck"})["list"][0]
    check = {"id": raw["id"]}
    out["servicecheck"] = {"name": raw["name"], "args": raw["args"], "plugin": raw["plugin"]["name"],
                           "servicegroup": raw["servicegroup"]["name"], "stalking": raw["stalking"]}

    # Hosts: create, find, update, list.
    host = config.hosts.create(name="py-host-1", address="192.0.2.10", host_group={"name": "PyLeaf"},
                               host_templates=[{"name": "PyTemplate"}], monitored_by={"name": "Master Monitoring Server"},
                               hashtags=[{"name": "pytag"}])
    out["host"] = {"id": host["id"], "name": host["name"], "address": host["address"],
                   "hostgroup": host["host_group"]["name"], "templates": [t["name"] for t in host["host_templates"]],
                   "check_interval": host["check_interval"], "hashtags": [k["name"] for k in host["hashtags"]],
                   "enable_snmp": host["enable_snmp"]}
    found = config.hosts.find_one(name="py-host-1")
    out["host_found_id"] = found["id"] if found else None
    host = config.hosts.update(host["id"], name="py-host-1", address="192.0.2.11", host_group={"name": "PyLeaf"},
                               monitored_by={"name": "Master Monitoring Server"}, alias="updated alias")
    out["host_updated"] = {"address": host["address"], "alias": host["alias"]}
    try:
        config.hosts.create(name="py-host-1", address="192.0.2.12", host_group={"name": "PyLeaf"},
                            monitored_by={"name": "Master Monitoring Server"})
        out["duplicate_error"] = None
    except Exception as err:  # noqa: BLE001
        out["duplicate_error"] = str(err)

    # create_many and paging across several pages.
    many = [{"name": "py-bulk-%02d" % n, "address": "192.0.2.%d" % (100 + n), "host_group": {"name": "PyLeaf"},
             "monitored_by": {"name": "Master Monitoring Server"}} for n in range(12)]
    out["create_many"] = config.hosts.create_many(many)
    paged = list(config.hosts.list(rows=5))
    out["paged_names"] = sorted(h["name"] for h in paged)

    # Contacts.
    contact = config.users.create(username="py-user", name="Py User", role={"name": "View all, change none"},
                                     password="py-secret-1", variables=[{"name": "EMAIL", "value": "py@example.com"}])
    out["contact"] = {"username": contact["username"], "name": contact["name"], "role": contact["role"]["name"],
                      "has_password": "password" in contact,
                      "email": [v["value"] for v in contact["variables"] if v["name"] == "EMAIL"]}
    # pyopsview shares one headers dict between all clients, so logging in as another user switches
    # every client over; log the administrator back in afterwards.
    py_user = OpsviewClient(endpoint=base, username="py-user", password="py-secret-1")
    out["contact_login_user"] = py_user.user_info()["name"]
    client = OpsviewClient(endpoint=base, username=username, password=password)
    config = client.config

    # Reload, asynchronously, then poll.
    before = client.reload_status()
    out["before_reload"] = before["configuration_status"]
    started = client.reload(asynchronous=True)
    out["reload_started_status"] = started["server_status"]
    status = client.reload_status()
    for _ in range(100):
        if status["server_status"] != "1":
            break
        time.sleep(0.1)
        status = client.reload_status()
    out["after_reload"] = {"server_status": status["server_status"],
                           "configuration_status": status["configuration_status"]}

    # Deletes.
    for name in ["py-host-1"] + ["py-bulk-%02d" % n for n in range(12)]:
        found = config.hosts.find_one(name=name)
        config.hosts.delete(found["id"])
    config.users.delete(contact["id"])
    config.hosttemplates.delete(template["id"])
    config.servicechecks.delete(check["id"])
    config.hostgroups.delete(leaf["id"])
    config.hostgroups.delete(branch["id"])
    out["hosts_left"] = sorted(h["name"] for h in config.hosts.list())
    out["hostgroup_gone"] = config.hostgroups.find_one(name="PyLeaf") is None

    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
