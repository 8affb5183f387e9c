// Drives the real opennms-js client (npm opennms@2.7.1) against a gateway and prints, as one JSON
// document on stdout, what it read back. Usage: node client.js <base-url> <user> <password>
'use strict';
const { API, Client } = require('opennms/dist/opennms.node.js');

const [baseUrl, user, password] = process.argv.slice(2);
const { Comparators, Filter, Restriction, OrderBy, Orders } = API;

const str = (value) => (value === undefined || value === null ? null : String(value));
const time = (value) => (value && typeof value.valueOf === 'function' ? value.valueOf() : null);
const severity = (value) => (value ? value.label : null);

function alarmView(alarm) {
  return {
    id: alarm.id,
    uei: alarm.uei,
    severity: severity(alarm.severity),
    count: alarm.count,
    nodeId: alarm.nodeId,
    nodeLabel: alarm.nodeLabel,
    ackUser: alarm.ackUser || null,
    acked: !!alarm.ackTime,
    reductionKey: alarm.reductionKey,
    lastEventUei: alarm.lastEvent ? alarm.lastEvent.uei : null,
    serviceName: alarm.service ? alarm.service.name : null,
  };
}

(async () => {
  const out = {};
  const client = await new Client().connect('rosetta', baseUrl, user, password);
  const metadata = client.http.server.metadata;
  out.server = {
    version: metadata.version.displayVersion,
    apiVersion: metadata.apiVersion(),
    type: str(metadata.type && metadata.type.label),
    ticketer: metadata.ticketer(),
  };

  const nodes = await client.nodes().find(new Filter());
  out.nodes = nodes.map((node) => ({
    id: node.id,
    label: node.label,
    foreignSource: node.foreignSource,
    foreignId: node.foreignId,
    location: node.location,
    categories: (node.categories || []).map((category) => category.name),
  }));

  const first = nodes.find((node) => node.label === 'web01');
  const full = await client.nodes().get(first.id, true);
  out.node = {
    id: full.id,
    label: full.label,
    snmpInterfaces: (full.snmpInterfaces || []).length,
    ipInterfaces: (full.ipInterfaces || []).map((iface) => ({
      id: iface.id,
      ipAddress: str(iface.ipAddress && (iface.ipAddress.correctForm ? iface.ipAddress.correctForm() : iface.ipAddress)),
      snmpPrimary: str(iface.snmpPrimary && iface.snmpPrimary.id),
      services: (iface.services || []).map((service) => ({
        id: service.id,
        name: service.type ? service.type.name : null,
        down: !!service.down,
      })),
    })),
  };

  const filter = new Filter()
    .withOrRestriction(new Restriction('severity', Comparators.GE, 'MAJOR'))
    .withAndRestriction(new Restriction('isAcknowledged', Comparators.EQ, 'false'))
    .withOrderBy(new OrderBy('id', Orders.ASC));
  filter.limit = 50;
  const alarms = await client.alarms().find(filter);
  out.alarms = alarms.map(alarmView);

  const target = alarms[0];
  await client.alarms().acknowledge(target.id);
  out.acknowledged = alarmView(await client.alarms().get(target.id));
  await client.alarms().unacknowledge(target.id);
  out.unacknowledged = alarmView(await client.alarms().get(target.id));
  await client.alarms().escalate(target.id);
  out.escalated = alarmView(await client.alarms().get(target.id));
  await client.alarms().clear(target.id);
  out.cleared = alarmView(await client.alarms().get(target.id));
  await client.alarms().acknowledge(alarms[alarms.length - 1].id);
  out.acknowledgedLast = alarmView(await client.alarms().get(alarms[alarms.length - 1].id));

  const eventFilter = new Filter().withOrRestriction(new Restriction('eventUei', Comparators.EQ, 'uei.opennms.org/nodes/nodeDown'));
  const events = await client.events().find(eventFilter);
  out.events = events.map((event) => ({
    id: event.id,
    uei: event.uei,
    severity: severity(event.severity),
    nodeId: event.nodeId,
    nodeLabel: event.nodeLabel,
  }));
  const allEvents = await client.events().find(new Filter());
  out.eventCount = allEvents.length;

  const outages = await client.outages().find(new Filter());
  out.outages = outages.map((outage) => ({
    id: outage.id,
    nodeId: outage.nodeId,
    nodeLabel: outage.nodeLabel,
    open: !outage.ifRegainedService,
  }));
  const interfaces = await client.ipInterfaces().find(new Filter());
  out.ipInterfaces = interfaces.map((iface) => String(iface.ipAddress && iface.ipAddress.correctForm ? iface.ipAddress.correctForm() : iface.ipAddress));
  const services = await client.monitoredServices().find(new Filter());
  out.services = services.map((service) => ({ id: service.id, name: service.type ? service.type.name : null }));
  out.snmpInterfaces = (await client.snmpInterfaces().find(new Filter())).length;
  out.alarmSearchProperties = (await client.alarms().searchProperties()).length;
  out.severityValues = await client.alarms().findValues('severity');

  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
})().catch((err) => {
  process.stderr.write(`opennms-js failed: ${err && err.stack ? err.stack : err}\n`);
  if (err && err.options) {
    process.stderr.write(JSON.stringify(err.options) + '\n');
  }
  process.exit(1);
});
