// One step of the bridge scenario through the real opennms-js client (installed by
// tests/clients/opennms/setup.sh; this script loads it from that folder). Prints one JSON document.
// Usage: node opennms_step.js <base-url> <user> <password> <nodes|alarms|ack|outages> [alarm id]
'use strict';
const path = require('path');
const { API, Client } = require(path.join(__dirname, '..', 'opennms', 'node_modules', 'opennms', 'dist', 'opennms.node.js'));

const [baseUrl, user, password, step, arg] = process.argv.slice(2);
const { Filter } = API;

function alarmView(alarm) {
  return {
    id: alarm.id,
    uei: alarm.uei,
    severity: alarm.severity ? alarm.severity.label : null,
    nodeId: alarm.nodeId,
    nodeLabel: alarm.nodeLabel,
    ackUser: alarm.ackUser || null,
    acked: !!alarm.ackTime,
    reductionKey: alarm.reductionKey,
    serviceName: alarm.service ? alarm.service.name : null,
  };
}

async function all(dao) {
  const filter = new Filter();
  filter.limit = 0;
  return dao.find(filter);
}

(async () => {
  const client = await new Client().connect('rosetta', baseUrl, user, password);
  let out;
  if (step === 'nodes') {
    out = (await all(client.nodes())).map((node) => ({
      id: Number(node.id),
      label: node.label,
      foreignSource: node.foreignSource,
      foreignId: node.foreignId,
    }));
  } else if (step === 'alarms') {
    out = (await all(client.alarms())).map(alarmView);
  } else if (step === 'ack') {
    await client.alarms().acknowledge(Number(arg));
    out = alarmView(await client.alarms().get(Number(arg)));
  } else if (step === 'outages') {
    out = (await all(client.outages())).map((outage) => ({
      id: outage.id,
      nodeId: Number(outage.nodeId),
      serviceName: outage.monitoredService && outage.monitoredService.type ? outage.monitoredService.type.name : null,
      open: !outage.ifRegainedService,
    }));
  } else {
    throw new Error(`unknown step ${step}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((err) => {
  process.stderr.write(`opennms-js failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
