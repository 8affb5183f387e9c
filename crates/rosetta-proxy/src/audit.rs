//! Auditing credential translations without write amplification: at most one audit entry per login,
//! mount and interval.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// Remembers when each (mount, login) pair was last audited.
#[derive(Debug)]
pub struct AuditLimiter {
    interval: Duration,
    /// Mount → login → last entry; nested so a known pair is found without building a key.
    last: DashMap<String, DashMap<String, Instant>>,
}

impl AuditLimiter {
    /// A limiter allowing one entry per pair and `interval`.
    pub fn new(interval: Duration) -> AuditLimiter {
        AuditLimiter { interval, last: DashMap::new() }
    }

    /// True when a translation by `login` through `mount` should be audited now (and records it).
    pub fn should_record(&self, mount: &str, login: &str) -> bool {
        let now = Instant::now();
        if let Some(logins) = self.last.get(mount) {
            // The common case, a pair audited less than an interval ago, takes read locks only.
            if logins.get(login).is_some_and(|last| now.duration_since(*last) < self.interval) {
                return false;
            }
        }
        let logins = self.last.entry(mount.to_owned()).or_default();
        let mut recorded = false;
        logins
            .entry(login.to_owned())
            .and_modify(|last| {
                if now.duration_since(*last) >= self.interval {
                    *last = now;
                    recorded = true;
                }
            })
            .or_insert_with(|| {
                recorded = true;
                now
            });
        recorded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_login_mount_and_interval() {
        let limiter = AuditLimiter::new(Duration::from_millis(50));
        assert!(limiter.should_record("/a", "alice"));
        assert!(!limiter.should_record("/a", "alice"));
        assert!(limiter.should_record("/b", "alice"));
        assert!(limiter.should_record("/a", "bob"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.should_record("/a", "alice"));
    }
}
