//! Brute-force throttling: too many failures for one user or one client address lock it out for a while.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// When failed logins lock a user or address out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures allowed within `window`; the next attempt is refused.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub window: Duration,
    /// How long a lockout lasts.
    pub lockout: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> LockoutPolicy {
        LockoutPolicy { max_failures: 5, window: Duration::from_secs(300), lockout: Duration::from_secs(300) }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
    locked_until: Option<Instant>,
}

/// Failure counters per key (`user:<login>`, `addr:<ip>`).
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    windows: DashMap<String, Window>,
}

impl Throttle {
    /// The time left on the lockout of `key`, if it is locked out.
    pub(crate) fn locked(&self, key: &str, now: Instant) -> Option<Duration> {
        let window = *self.windows.get(key)?;
        window.locked_until.filter(|until| *until > now).map(|until| until - now)
    }

    /// Counts a failure; returns true when this failure starts a lockout.
    pub(crate) fn fail(&self, key: &str, policy: LockoutPolicy, now: Instant) -> bool {
        let mut entry = self.windows.entry(key.to_owned()).or_insert(Window { started: now, failures: 0, locked_until: None });
        let window = entry.value_mut();
        if now.duration_since(window.started) > policy.window || window.locked_until.is_some_and(|until| until <= now) {
            *window = Window { started: now, failures: 0, locked_until: None };
        }
        window.failures += 1;
        if window.failures >= policy.max_failures && window.locked_until.is_none() {
            window.locked_until = Some(now + policy.lockout);
            return true;
        }
        false
    }

    /// Forgets the failures of `key` after a success.
    pub(crate) fn succeed(&self, key: &str) {
        self.windows.remove_if(key, |_, window| window.locked_until.is_none());
    }

    /// Drops expired windows so the map does not grow without bound.
    pub(crate) fn sweep(&self, policy: LockoutPolicy, now: Instant) {
        self.windows.retain(|_, window| {
            let locked = window.locked_until.is_some_and(|until| until > now);
            locked || now.duration_since(window.started) <= policy.window
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_until_the_lockout_ends() {
        let throttle = Throttle::default();
        let policy = LockoutPolicy::default();
        let start = Instant::now();
        for n in 1..=4 {
            assert!(!throttle.fail("user:a", policy, start), "failure {n}");
            assert!(throttle.locked("user:a", start).is_none());
        }
        assert!(throttle.fail("user:a", policy, start));
        assert!(throttle.locked("user:a", start).is_some());
        throttle.succeed("user:a");
        assert!(throttle.locked("user:a", start).is_some(), "a success does not lift a lockout");
        let later = start + policy.lockout + Duration::from_secs(1);
        assert!(throttle.locked("user:a", later).is_none());
        assert!(!throttle.fail("user:a", policy, later), "a new window starts after the lockout");
    }
}
