//! The circuit breaker of one upstream: after `failure_threshold` consecutive failures it opens and
//! refuses requests at once; after the cool-down it lets one trial request through (half-open), and a
//! success (or a passing health check) closes it again.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::BreakerConfig;

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests flow; counts consecutive failures.
    Closed {
        /// Consecutive failures so far.
        failures: u32,
    },
    /// Requests are refused until the instant.
    Open {
        /// When a trial request may go through.
        until: Instant,
    },
    /// One trial request is in flight.
    HalfOpen,
}

/// A circuit breaker.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<BreakerState>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: &BreakerConfig) -> Breaker {
        Breaker {
            threshold: config.failure_threshold,
            cooldown: Duration::from_millis(config.cooldown_ms),
            state: Mutex::new(BreakerState::Closed { failures: 0 }),
        }
    }

    /// True when a request may go to the upstream now. Moves an open breaker whose cool-down is over
    /// to half-open and lets exactly that request through.
    pub fn allow(&self) -> bool {
        let mut state = self.lock();
        match *state {
            BreakerState::Closed { .. } => true,
            BreakerState::Open { until } if Instant::now() >= until => {
                *state = BreakerState::HalfOpen;
                true
            }
            BreakerState::Open { .. } | BreakerState::HalfOpen => false,
        }
    }

    /// Records an upstream success: the breaker closes.
    pub fn success(&self) {
        *self.lock() = BreakerState::Closed { failures: 0 };
    }

    /// Records an upstream failure (connection error, timeout, 5xx from a dead upstream); returns true
    /// when this failure opened the breaker.
    pub fn failure(&self) -> bool {
        if self.threshold == 0 {
            return false;
        }
        let mut state = self.lock();
        let open = BreakerState::Open { until: Instant::now() + self.cooldown };
        match *state {
            BreakerState::Closed { failures } if failures + 1 >= self.threshold => {
                *state = open;
                true
            }
            BreakerState::Closed { failures } => {
                *state = BreakerState::Closed { failures: failures + 1 };
                false
            }
            BreakerState::HalfOpen => {
                *state = open;
                true
            }
            BreakerState::Open { .. } => false,
        }
    }

    /// Locks the state; poisoning is ignored because every update is one assignment.
    fn lock(&self) -> MutexGuard<'_, BreakerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        *self.lock()
    }

    /// True while requests are refused.
    pub fn is_open(&self) -> bool {
        !matches!(self.state(), BreakerState::Closed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_half_opens_after_the_cooldown() {
        let breaker = Breaker::new(&BreakerConfig { failure_threshold: 2, cooldown_ms: 20 });
        assert!(breaker.allow());
        assert!(!breaker.failure());
        assert!(breaker.failure());
        assert!(!breaker.allow());
        std::thread::sleep(Duration::from_millis(30));
        assert!(breaker.allow(), "one trial after the cool-down");
        assert!(!breaker.allow(), "only one trial");
        assert!(breaker.failure(), "a failed trial opens it again");
        std::thread::sleep(Duration::from_millis(30));
        assert!(breaker.allow());
        breaker.success();
        assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
    }
}
