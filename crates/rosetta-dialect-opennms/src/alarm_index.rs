//! The alarm index: every alarm with its node, in the default alarm order, kept across requests and
//! updated from the store's change feed one alarm at a time (see [`rosetta_store::follow`]). An alarm list
//! then filters on the alarm's own typed fields, walks the index in order (or picks the requested window
//! by partial selection) and builds the full row (service type, last event, categories) and its wire form
//! only for the rows of the page.

use std::cell::OnceCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rosetta_core::visibility::{Visibility, VisibilityClasses};
use rosetta_model::query::{Page, Window};
use rosetta_model::{Alarm, Host, Id};
use rosetta_store::{ChangeSet, Db, Derived, Following, Object, Read};

use crate::entity::alarm::{own_value, AlarmRow, ALARM_SCHEMA};
use crate::filter::PropValue;
use crate::search::{DefaultOrder, Plan};

/// The default alarm order, which is also the order of the index.
pub const ORDER: DefaultOrder = &[("lastEventTime", true), ("id", true)];

/// The alarm index of one store, caught up with its change feed on each use.
pub type AlarmIndexCache = Following<AlarmIndex>;

/// A read lock on the current alarm index (not to be held across an `.await`).
pub type Current<'a> = rosetta_store::follow::Current<'a, AlarmIndex>;

/// One alarm of the index.
#[derive(Debug)]
struct Entry {
    alarm: Arc<Alarm>,
    host: Option<Arc<Host>>,
    /// 0 without a node (visible to every reader of alarms, counted in [`AlarmIndex::unhosted`]), else one
    /// more than the node's class in [`AlarmIndex::classes`].
    bucket: usize,
    /// The alarm's severity id, kept here so a severity filter reads no alarm.
    severity: u8,
}

impl Entry {
    /// The full row, built from the store.
    fn row(&self, store: &impl Read) -> AlarmRow {
        AlarmRow::with_host(store, Arc::clone(&self.alarm), self.host.clone())
    }

    /// The value of a (canonical) property: from the alarm and its node, else from the full row, built
    /// once into `row` when first needed.
    fn value(&self, store: &impl Read, row: &OnceCell<AlarmRow>, id: &str) -> PropValue {
        own_value(&self.alarm, self.host.as_deref(), id)
            .unwrap_or_else(|| (ALARM_SCHEMA.lookup)(row.get_or_init(|| self.row(store)), id))
    }

    /// True when the alarm passes the plan's filter.
    fn passes(&self, store: &impl Read, plan: &Plan, row: &OnceCell<AlarmRow>) -> bool {
        plan.matches(|id| self.value(store, row, id))
    }
}

/// The position of an alarm in [`ORDER`]: newest last event first, then highest id.
type Key = (Reverse<i64>, Reverse<Id>);

fn key_of(alarm: &Alarm) -> Key {
    (Reverse(alarm.last_event_time.millis()), Reverse(alarm.meta.id))
}

/// Every alarm with its node, in [`ORDER`], and the hosts that stand for each visibility class.
#[derive(Debug, Default)]
pub struct AlarmIndex {
    entries: BTreeMap<Key, Entry>,
    /// Each indexed alarm's key, to find its entry again when it changes.
    keys: HashMap<Id, Key>,
    /// The alarms of each class's nodes by severity id.
    classes: VisibilityClasses<[usize; SEVERITIES]>,
    /// The alarms without a node by severity id.
    unhosted: [usize; SEVERITIES],
}

/// Severity ids are 1 (INDETERMINATE) to 7 (CRITICAL).
const SEVERITIES: usize = 8;

impl Derived for AlarmIndex {
    /// Reads every alarm and its node from `db`.
    fn build(db: &Db) -> AlarmIndex {
        let mut index = AlarmIndex::default();
        for alarm in db.all::<Alarm>() {
            index.insert(db, alarm);
        }
        index
    }

    /// Changed alarms, and every alarm of a changed host.
    fn touched(&self, db: &Db, set: &ChangeSet, touched: &mut BTreeSet<Id>) {
        for change in &set.changes {
            if change.kind == Alarm::KIND {
                touched.insert(change.id);
            } else if change.kind == Host::KIND {
                touched.extend(db.children::<Alarm>(change.id).iter().map(|alarm| alarm.meta.id));
            }
        }
    }

    /// Re-reads one alarm: drops what the index held for it and adds what the store has now.
    fn refresh(&mut self, db: &Db, id: Id) {
        if let Some(old) = self.keys.remove(&id).and_then(|key| self.entries.remove(&key)) {
            if let Some(count) = self.counts_mut(old.bucket).get_mut(usize::from(old.severity)) {
                *count = count.saturating_sub(1);
            }
        }
        if let Some(alarm) = db.get::<Alarm>(id) {
            self.insert(db, alarm);
        }
    }
}

impl AlarmIndex {
    /// The number of alarms in the index.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the index holds no alarm.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, store: &impl Read, alarm: Arc<Alarm>) {
        let host = alarm.host.and_then(|id| store.get::<Host>(id));
        let bucket = host.as_ref().map_or(0, |host| self.classes.class_of(host) + 1);
        let severity = alarm.severity.id();
        if let Some(count) = self.counts_mut(bucket).get_mut(usize::from(severity)) {
            *count += 1;
        }
        let key = key_of(&alarm);
        self.keys.insert(alarm.meta.id, key);
        self.entries.insert(key, Entry { alarm, host, bucket, severity });
    }

    /// The alarms of a bucket (see [`Entry::bucket`]) by severity id.
    fn counts_mut(&mut self, bucket: usize) -> &mut [usize; SEVERITIES] {
        match bucket.checked_sub(1) {
            Some(class) => self.classes.value_mut(class),
            None => &mut self.unhosted,
        }
    }

    /// Whether `visibility` lets each bucket through (see [`Entry::bucket`]).
    fn allowed(&self, visibility: &Visibility) -> Vec<bool> {
        [true].into_iter().chain(self.classes.allowed(visibility)).collect()
    }

    /// The alarms `visibility` lets through, in index order.
    fn visible<'a>(&'a self, visibility: &Visibility) -> impl Iterator<Item = &'a Entry> + 'a {
        let allowed = self.allowed(visibility);
        self.entries.values().filter(move |entry| allowed[entry.bucket])
    }

    /// For a plan whose filter reads nothing but the severity (or has no filter): which severity ids
    /// pass it, asked of the filter itself once per severity.
    fn severities(plan: &Plan) -> Option<[bool; SEVERITIES]> {
        if plan.filter_props().any(|id| id != "severity") {
            return None;
        }
        let mut passing = [false; SEVERITIES];
        for (severity, passes) in (0u8..).zip(passing.iter_mut()) {
            *passes = plan.matches(|_| PropValue::Severity(severity));
        }
        Some(passing)
    }

    /// The visible alarms whose severity passes, counted from the per-bucket counts.
    fn count_severities(&self, allowed: &[bool], passing: &[bool; SEVERITIES]) -> usize {
        let mut total = 0;
        let buckets = std::iter::once(&self.unhosted).chain(self.classes.values());
        for (counts, _) in buckets.zip(allowed).filter(|(_, allowed)| **allowed) {
            total += counts.iter().zip(passing).filter(|(_, pass)| **pass).map(|(count, _)| count).sum::<usize>();
        }
        total
    }

    /// A page in index order for a filter on the severity alone: the total from the counts, the page
    /// from a walk that stops at its end.
    fn severity_page(
        &self,
        store: &impl Read,
        visibility: &Visibility,
        passing: &[bool; SEVERITIES],
        window: Window,
    ) -> Page<AlarmRow> {
        let allowed = self.allowed(visibility);
        let total = self.count_severities(&allowed, passing);
        let items = self
            .entries
            .values()
            .filter(|entry| allowed[entry.bucket] && passing.get(usize::from(entry.severity)) == Some(&true))
            .skip(window.offset)
            .take(window.limit.unwrap_or(usize::MAX))
            .map(|entry| entry.row(store))
            .collect();
        Page { items, total }
    }

    /// The visible alarms that pass the plan's filter, ordered by the plan and cut to `window`, with
    /// the count before the cut; the full rows are built for the window only.
    pub fn query(&self, store: &impl Read, visibility: &Visibility, plan: &Plan, window: Window) -> Page<AlarmRow> {
        let end = window.limit.map_or(usize::MAX, |limit| window.offset.saturating_add(limit));
        if plan.order == ORDER {
            if let Some(passing) = AlarmIndex::severities(plan) {
                return self.severity_page(store, visibility, &passing, window);
            }
            // The index order: the matches come out ordered, so the page is the matches from offset to end.
            let mut total = 0;
            let mut items = Vec::new();
            for entry in self.visible(visibility) {
                let row = OnceCell::new();
                if entry.passes(store, plan, &row) {
                    if total >= window.offset && total < end {
                        items.push(row.into_inner().unwrap_or_else(|| entry.row(store)));
                    }
                    total += 1;
                }
            }
            return Page { items, total };
        }
        let matching: Vec<(Vec<PropValue>, &Entry)> = self
            .visible(visibility)
            .filter_map(|entry| {
                let row = OnceCell::new();
                let keep = entry.passes(store, plan, &row);
                keep.then(|| (plan.keys(|id| entry.value(store, &row, id)), entry))
            })
            .collect();
        Page::sorted(matching, window, |left, right| plan.compare_keys(&left.0, &right.0))
            .map(|(_, entry)| entry.row(store))
    }

    /// The number of visible alarms that pass the plan's filter.
    pub fn count(&self, store: &impl Read, visibility: &Visibility, plan: &Plan) -> usize {
        if let Some(passing) = AlarmIndex::severities(plan) {
            return self.count_severities(&self.allowed(visibility), &passing);
        }
        self.visible(visibility).filter(|entry| entry.passes(store, plan, &OnceCell::new())).count()
    }
}

#[cfg(test)]
mod tests {
    use rosetta_auth::{AuthMethod, Principal, TenantScope};
    use rosetta_core::monitoring::{self, CheckResult};
    use rosetta_core::GatewayError;
    use rosetta_model::*;
    use rosetta_store::{Actor, MemoryStore};

    use super::*;
    use crate::filter_params::parse_paging;
    use crate::fiql;

    /// An estate of 3 tenants, 3 host groups and 48 hosts with 4 services each, most of them in a
    /// problem state; alarms get varied severities, tied and distinct times, acknowledgements and
    /// tickets, plus one alarm without a node and one whose node is gone.
    async fn estate() -> Arc<Db> {
        let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
        db.write(Actor::system(), |tx| {
            let root = tx.insert(tenant("root", None)).meta.id;
            assert_eq!(root, ROOT_TENANT);
            let tenants =
                [root, tx.insert(tenant("acme", Some(root))).meta.id, tx.insert(tenant("globex", Some(root))).meta.id];
            let groups: Vec<Id> = (0..3)
                .map(|index| {
                    tx.insert(HostGroup {
                        meta: Meta::new(0),
                        name: format!("Group-{index}"),
                        parent: None,
                        tenant: ROOT_TENANT,
                        description: String::new(),
                        native: Native::new(),
                    })
                    .meta
                    .id
                })
                .collect();
            for index in 0..48usize {
                let host = tx.insert(Host {
                    hostgroups: if index % 5 == 0 { vec![] } else { vec![groups[index % 3], groups[(index / 3) % 3]] },
                    shared_tenants: if index % 7 == 0 { vec![tenants[(index + 1) % 3]] } else { vec![] },
                    check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                    ..Host::new(
                        format!("host-{:02}", 47 - index),
                        format!("10.0.{}.{}", index % 4, index),
                        tenants[index % 3],
                    )
                });
                for slot in 0..4 {
                    tx.insert(Service {
                        check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                        ..Service::new(host.meta.id, ["PING", "HTTP", "SSH", "Disk"][slot])
                    });
                }
            }
            monitoring::start_reload(tx)?;
            monitoring::finish_reload(tx)
        })
        .await
        .expect("estate");
        db.write(Actor::system(), |tx| {
            for (index, service) in tx.all::<Service>().iter().enumerate().filter(|(index, _)| index % 4 != 3) {
                let state = [ServiceState::Critical, ServiceState::Warning, ServiceState::Unknown][index % 3];
                monitoring::submit_result(
                    tx,
                    CheckResult::new(Target::Service(service.meta.id), StateValue::Service(state), "test"),
                )?;
            }
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("results");
        db.write(Actor::system(), |tx| {
            let base = tx.now();
            let alarms = tx.all::<Alarm>();
            for (index, alarm) in alarms.iter().enumerate() {
                let mut alarm = (**alarm).clone();
                alarm.last_event_time = base.plus_millis(((index * 7) % 11) as i64 * 1000);
                alarm.severity = [
                    Severity::Critical,
                    Severity::Major,
                    Severity::Minor,
                    Severity::Warning,
                    Severity::Normal,
                    Severity::Cleared,
                ][index % 6];
                if index % 3 == 0 {
                    alarm.ack_user = Some(["admin", "ops"][index % 2].to_owned());
                    alarm.ack_time = Some(base.plus_millis((index % 5) as i64));
                }
                if index % 10 == 0 {
                    alarm.ticket_id = Some(format!("T-{index}"));
                }
                if index == 1 {
                    alarm.host = None;
                    alarm.service = None;
                }
                if index == 2 {
                    alarm.host = Some(9_999);
                }
                tx.update(alarm);
            }
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("alarms");
        db
    }

    async fn change<T: Object>(db: &Db, id: Id, edit: impl FnOnce(&mut T)) {
        db.write(Actor::system(), |tx| {
            let mut object = (*tx.get::<T>(id).expect("object")).clone();
            edit(&mut object);
            tx.update(object);
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("change");
    }

    fn tenant_id(db: &Db, name: &str) -> Id {
        db.all::<Tenant>().iter().find(|tenant| tenant.name == name).expect("tenant").meta.id
    }

    fn tenant(name: &str, parent: Option<Id>) -> Tenant {
        let kind = if parent.is_some() { TenantKind::Tenant } else { TenantKind::Global };
        Tenant {
            meta: Meta::new(0),
            name: name.to_owned(),
            parent,
            kind,
            description: String::new(),
            native: Native::new(),
        }
    }

    fn principal(db: &Db, access: Vec<TenantAccess>, permission: Permission, hostgroups: Vec<Id>) -> Principal {
        let mut permissions = PermissionSet::empty();
        permissions.insert(permission);
        let role = Role {
            meta: Meta::new(0),
            name: "r".to_owned(),
            description: String::new(),
            permissions,
            hostgroups,
            native: Native::new(),
        };
        let user = User {
            meta: Meta::new(0),
            login: "u".to_owned(),
            fullname: String::new(),
            email: String::new(),
            role: 0,
            tenants: access,
            active: true,
            password_hash: None,
            native: Native::new(),
        };
        let scope = Arc::new(TenantScope::for_user(&user, &db.all::<Tenant>()));
        Principal { user: Arc::new(user), role: Arc::new(role), method: AuthMethod::Basic, scope }
    }

    /// The list as it was computed before the index: every visible alarm's row, filtered, fully sorted
    /// and paged by the schema.
    fn naive(db: &Db, visibility: &Visibility, search: Option<&str>, params: &[(&str, &str)]) -> (Vec<Id>, usize) {
        let rows: Vec<AlarmRow> = db
            .all::<Alarm>()
            .into_iter()
            .map(|alarm| AlarmRow::new(db, alarm))
            .filter(|row| row.host.as_ref().is_none_or(|host| visibility.can_see_host(host)))
            .collect();
        let expr = search.map(|search| fiql::parse(search).expect("fiql"));
        let paging = parse_paging(params).expect("paging");
        let page = ALARM_SCHEMA.query(rows, expr.as_ref(), &paging, ORDER).expect("query");
        (page.items.iter().map(|row| row.alarm.meta.id).collect(), page.total)
    }

    fn indexed(
        index: &AlarmIndex,
        db: &Db,
        visibility: &Visibility,
        search: Option<&str>,
        params: &[(&str, &str)],
    ) -> (Vec<Id>, usize) {
        let expr = search.map(|search| fiql::parse(search).expect("fiql"));
        let paging = parse_paging(params).expect("paging");
        let plan = ALARM_SCHEMA.plan(expr.as_ref(), &paging, ORDER).expect("plan");
        let page =
            index.query(db, visibility, &plan, Window { offset: paging.offset, limit: paging.effective_limit() });
        let counted = index.count(db, visibility, &ALARM_SCHEMA.plan(expr.as_ref(), &paging, &[]).expect("plan"));
        assert_eq!(counted, page.total, "count of {search:?}");
        (page.items.iter().map(|row| row.alarm.meta.id).collect(), page.total)
    }

    #[tokio::test]
    async fn indexed_pages_equal_a_full_filter_sort_and_page() {
        let db = estate().await;
        let alarms = db.count::<Alarm>();
        assert!(alarms > 100, "{alarms} alarms");
        let acme = tenant_id(&db, "acme");
        let group = db.all::<HostGroup>().iter().find(|group| group.name == "Group-1").expect("group").meta.id;
        let principals = [
            principal(
                &db,
                vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                Permission::ViewAll,
                vec![],
            ),
            principal(&db, vec![TenantAccess { tenant: acme, level: TenantLevel::Read }], Permission::ViewAll, vec![]),
            principal(
                &db,
                vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Read }],
                Permission::ViewSome,
                vec![group],
            ),
        ];
        let searches = [
            None,
            Some("severity=ge=MAJOR"),
            Some("severity==MAJOR,severity=le=WARNING"),
            Some("severity=le=MINOR,alarmAckUser==admin"),
            Some("node.label==host-1*;severity!=CLEARED"),
            Some("category.name==Group-2"),
            Some("node.foreignSource==acme,serviceType.name==HTTP"),
            Some("tTicketId!=T-10"),
        ];
        let pagings: [&[(&str, &str)]; 9] = [
            &[],
            &[("limit", "50")],
            &[("limit", "7"), ("offset", "13")],
            &[("limit", "0"), ("orderBy", "severity")],
            &[("limit", "9"), ("offset", "4"), ("orderBy", "severity"), ("order", "desc")],
            &[("limit", "11"), ("orderBy", "node.label"), ("order", "asc")],
            &[("limit", "5"), ("offset", "20"), ("orderBy", "alarmAckTime"), ("order", "desc")],
            &[("limit", "8"), ("offset", "3"), ("orderBy", "serviceType.name"), ("orderBy", "id")],
            &[("limit", "6"), ("offset", "1000")],
        ];
        let index = AlarmIndex::build(db.as_ref());
        let mut nonempty = 0;
        for principal in &principals {
            let visibility = Visibility::new(principal, db.as_ref());
            for search in searches {
                for params in pagings {
                    let want = naive(&db, &visibility, search, params);
                    let got = indexed(&index, &db, &visibility, search, params);
                    assert_eq!(got, want, "search {search:?} paging {params:?}");
                    nonempty += usize::from(!want.0.is_empty());
                }
            }
        }
        assert!(nonempty > 100, "only {nonempty} non-empty pages");
    }

    /// Every kind of user's pages from the cached index equal the full path's after each change.
    fn agree(cache: &AlarmIndexCache, db: &Arc<Db>, step: &str) {
        let acme = tenant_id(db, "acme");
        let group = db.all::<HostGroup>().iter().find(|group| group.name == "Group-1").expect("group").meta.id;
        let root = vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }];
        let principals = [
            principal(db, root.clone(), Permission::ViewAll, vec![]),
            principal(db, vec![TenantAccess { tenant: acme, level: TenantLevel::Read }], Permission::ViewAll, vec![]),
            principal(db, root, Permission::ViewSome, vec![group]),
        ];
        let index = cache.current(db);
        let pagings: [&[(&str, &str)]; 3] =
            [&[("limit", "0")], &[("limit", "7"), ("offset", "5")], &[("limit", "9"), ("orderBy", "severity")]];
        for principal in &principals {
            let visibility = Visibility::new(principal, db.as_ref());
            for search in [None, Some("severity=ge=MAJOR"), Some("node.label==host-1*")] {
                for params in pagings {
                    let want = naive(db, &visibility, search, params);
                    assert_eq!(indexed(&index, db, &visibility, search, params), want, "{step}: {search:?} {params:?}");
                }
            }
        }
    }

    #[tokio::test]
    async fn the_cached_index_follows_alarm_and_host_changes() {
        let db = estate().await;
        let cache = AlarmIndexCache::default();
        agree(&cache, &db, "the start");
        let ids: Vec<Id> = db.all::<Alarm>().iter().map(|alarm| alarm.meta.id).collect();
        change::<Alarm>(&db, ids[5], |alarm| alarm.last_event_time = Timestamp(0)).await;
        agree(&cache, &db, "an alarm moved to the end");
        change::<Alarm>(&db, ids[6], |alarm| alarm.severity = Severity::Critical).await;
        agree(&cache, &db, "a severity change");
        change::<Alarm>(&db, ids[7], |alarm| alarm.host = None).await;
        agree(&cache, &db, "an alarm without its node");
        let host = db.all::<Host>()[0].meta.id;
        let globex = tenant_id(&db, "globex");
        change::<Host>(&db, host, |host| host.tenant = globex).await;
        agree(&cache, &db, "a node moved to another tenant");
        change::<Host>(&db, db.all::<Host>()[1].meta.id, |host| host.hostgroups.clear()).await;
        agree(&cache, &db, "a node left its groups");
        db.write(Actor::system(), |tx| {
            tx.delete::<Alarm>(ids[8]);
            monitoring::delete_host(tx, host).map(drop)
        })
        .await
        .expect("deletes");
        agree(&cache, &db, "an alarm and a node deleted");
        let results = |state| {
            let service = db.all::<Service>()[9].meta.id;
            CheckResult::new(Target::Service(service), StateValue::Service(state), "test")
        };
        db.write(Actor::system(), |tx| monitoring::submit_result(tx, results(ServiceState::Critical)).map(drop))
            .await
            .expect("new alarm");
        agree(&cache, &db, "a new alarm");
        // More change sets than the feed holds, the first changing another alarm: it is missed and rebuilt.
        let burst_host = db.all::<Service>()[9].host;
        let elsewhere = |id: &&Id| db.get::<Alarm>(**id).is_some_and(|a| a.host.is_some_and(|h| h != burst_host));
        let missed = *ids.iter().rev().find(elsewhere).expect("an alarm elsewhere");
        change::<Alarm>(&db, missed, |alarm| alarm.last_event_time = Timestamp(1)).await;
        for round in 0..4_200_u32 {
            let state = if round % 2 == 0 { ServiceState::Warning } else { ServiceState::Critical };
            let write = db.write(Actor::system(), |tx| monitoring::submit_result(tx, results(state)).map(drop));
            write.await.expect("burst");
        }
        agree(&cache, &db, "a burst of changes");
        let other = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
        assert_eq!(cache.current(&other).len(), 0, "another store, another index");
    }
}
