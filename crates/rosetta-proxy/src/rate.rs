//! Per-principal rate limiting: a token bucket per login holding at most one second's worth of requests.

use std::time::Instant;

use dashmap::DashMap;

/// Token buckets keyed by login.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: DashMap<String, (f64, Instant)>,
}

impl RateLimiter {
    /// `rate` requests per second per login, bursts up to `max(rate, 1)`.
    pub fn new(rate: f64) -> RateLimiter {
        RateLimiter { rate, burst: rate.max(1.0), buckets: DashMap::new() }
    }

    /// Takes one token for `login`; false when the bucket is empty.
    pub fn try_acquire(&self, login: &str) -> bool {
        let now = Instant::now();
        let mut bucket = self.buckets.entry(login.to_owned()).or_insert((self.burst, now));
        let (tokens, last) = *bucket;
        let refilled = (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst);
        if refilled < 1.0 {
            *bucket = (refilled, now);
            return false;
        }
        *bucket = (refilled - 1.0, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_gets_its_burst_then_waits() {
        let limiter = RateLimiter::new(2.0);
        assert!(limiter.try_acquire("alice"));
        assert!(limiter.try_acquire("alice"));
        assert!(!limiter.try_acquire("alice"));
        assert!(limiter.try_acquire("bob"), "buckets are per login");
        std::thread::sleep(std::time::Duration::from_millis(600));
        assert!(limiter.try_acquire("alice"));
    }
}
