//! Token-bucket rate limits per client address and per principal.

use std::time::{Duration, Instant};

use dashmap::DashMap;

/// A rate: `per_second` tokens refill each second, up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Sustained requests per second; 0 switches the limit off.
    pub per_second: f64,
    /// Requests allowed at once above the sustained rate.
    pub burst: f64,
}

impl Rate {
    /// True when the limit is off.
    pub fn is_off(&self) -> bool {
        self.per_second <= 0.0
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets keyed by address or principal.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: DashMap<String, Bucket>,
}

impl RateLimiter {
    /// Takes one token for `key`; `Err(retry_after)` when the bucket is empty.
    pub fn check(&self, key: &str, rate: Rate, now: Instant) -> Result<(), Duration> {
        if rate.is_off() {
            return Ok(());
        }
        let burst = rate.burst.max(1.0);
        let mut entry = self.buckets.entry(key.to_owned()).or_insert(Bucket { tokens: burst, updated: now });
        let bucket = entry.value_mut();
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate.per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate.per_second))
        }
    }

    /// Forgets buckets idle for longer than `idle` (they would be full again anyway).
    pub fn sweep(&self, idle: Duration, now: Instant) {
        self.buckets.retain(|_, bucket| now.saturating_duration_since(bucket.updated) < idle);
    }

    /// Number of tracked keys.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// True when no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_the_burst_then_refills_at_the_rate() {
        let limiter = RateLimiter::default();
        let rate = Rate { per_second: 10.0, burst: 3.0 };
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("a", rate, start).is_ok());
        }
        let retry = limiter.check("a", rate, start).expect_err("empty");
        assert!(retry <= Duration::from_millis(100));
        assert!(limiter.check("b", rate, start).is_ok(), "keys are independent");
        assert!(limiter.check("a", rate, start + Duration::from_millis(150)).is_ok(), "refilled");
        let off = Rate { per_second: 0.0, burst: 0.0 };
        for _ in 0..100 {
            assert!(limiter.check("a", off, start).is_ok());
        }
        limiter.sweep(Duration::from_secs(1), start + Duration::from_secs(5));
        assert!(limiter.is_empty());
    }
}
