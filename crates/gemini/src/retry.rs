//! When to try a failed call again, and how long to wait first.
//!
//! Transient failures (per-minute quota, overload, 500/503/504, timeouts, connection errors) are retried;
//! everything a user must fix first (bad key, invalid argument, not found, per-day quota) is not. A 429
//! waits exactly the server's `RetryInfo.retryDelay`; other failures back off exponentially from
//! `base_delay`, capped at `max_delay`, with jitter so parallel generations do not retry in lockstep.
//! One deadline bounds all attempts and waits together: a wait that would cross it is not started, and
//! the last error is returned instead. Every retry is announced before its wait, so the UI can show
//! "retrying in 2 s (quota)".

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::Error;

/// How persistent the client is. All delays are injectable so tests run in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Wait before the first retry; doubles per retry.
    pub base_delay: Duration,
    /// Cap for the exponential wait (a server-given `retryDelay` is honoured even if longer).
    pub max_delay: Duration,
    /// Bound on the whole call: all attempts and waits.
    pub deadline: Duration,
    /// Randomize each backoff wait within [half, full].
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// Four attempts, 1 s doubling to at most 20 s, all within 5 minutes (a 4K Pro render alone can
    /// take a minute or more).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
            deadline: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry (a single attempt, still bounded by `deadline`).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// Backoff before retry number `retry` (1 = first retry), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    fn jittered(&self, d: Duration) -> Duration {
        if !self.jitter || d.is_zero() {
            return d;
        }
        let half = d / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Why a retry happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryReason {
    /// 429 with a per-minute quota.
    Quota,
    /// 503, model overloaded.
    Overloaded,
    /// 500, 502, 504-like server failures.
    ServerError,
    /// The attempt took longer than the request timeout (or 504 DEADLINE_EXCEEDED).
    Timeout,
    /// The connection failed or was reset.
    Network,
}

impl RetryReason {
    /// The reason to retry `err`, or `None` when retrying cannot help.
    pub fn of(err: &Error) -> Option<RetryReason> {
        if !err.is_retryable() {
            return None;
        }
        Some(match err {
            Error::Quota { .. } => RetryReason::Quota,
            Error::Overloaded => RetryReason::Overloaded,
            Error::Timeout => RetryReason::Timeout,
            Error::Network(_) => RetryReason::Network,
            _ => RetryReason::ServerError,
        })
    }
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetryReason::Quota => "quota",
            RetryReason::Overloaded => "model overloaded",
            RetryReason::ServerError => "server error",
            RetryReason::Timeout => "timeout",
            RetryReason::Network => "network",
        })
    }
}

/// Announces a retry, before its wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// Number of the attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// Wait before that attempt.
    pub delay: Duration,
    pub reason: RetryReason,
    /// The failure's message, for a tooltip.
    pub message: String,
}

impl fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "retrying in {:.1} s ({}), attempt {}",
            self.delay.as_secs_f64(),
            self.reason,
            self.attempt
        )
    }
}

/// Bookkeeping of one call's attempts.
#[derive(Debug)]
pub(crate) struct Retrier<'a> {
    policy: &'a RetryPolicy,
    start: Instant,
    attempt: u32,
}

impl<'a> Retrier<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy) -> Self {
        Retrier {
            policy,
            start: Instant::now(),
            attempt: 1,
        }
    }

    /// Time left before the deadline.
    pub(crate) fn remaining(&self) -> Duration {
        self.policy.deadline.saturating_sub(self.start.elapsed())
    }

    /// Time the next attempt may take: the request timeout, or less near the deadline.
    pub(crate) fn attempt_budget(&self, request_timeout: Duration) -> Duration {
        request_timeout.min(self.remaining())
    }

    /// Decides after a failure: `Ok(notice)` means wait `notice.delay` and try again; `Err` is the
    /// error to return.
    pub(crate) fn next(&mut self, err: Error) -> Result<RetryNotice, Error> {
        let Some(reason) = RetryReason::of(&err) else {
            return Err(err);
        };
        if self.attempt >= self.policy.max_attempts.max(1) {
            return Err(err);
        }
        let delay = match &err {
            Error::Quota {
                retry_after: Some(d),
                ..
            } => *d,
            _ => self.policy.jittered(self.policy.backoff(self.attempt)),
        };
        // A wait that ends past the deadline leaves no time for the attempt: give up now, with the
        // real error rather than a vaguer timeout.
        if delay >= self.remaining() {
            return Err(err);
        }
        self.attempt += 1;
        Ok(RetryNotice {
            attempt: self.attempt,
            delay,
            reason,
            message: err.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            deadline: Duration::from_secs(60),
            jitter: false,
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = policy();
        let delays: Vec<_> = (1..=4).map(|n| p.backoff(n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 350, 350]);
        assert_eq!(
            RetryPolicy {
                max_delay: Duration::MAX,
                ..p
            }
            .backoff(200),
            Duration::from_millis(100).saturating_mul(1 << 30)
        );
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = RetryPolicy {
            jitter: true,
            ..policy()
        };
        for _ in 0..100 {
            let d = p.jittered(Duration::from_millis(200));
            assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
        }
    }

    #[test]
    fn classifies_and_counts_attempts() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..policy()
        };
        let mut r = Retrier::new(&p);
        let n = r.next(Error::Overloaded).unwrap();
        assert_eq!(
            (n.attempt, n.delay, n.reason),
            (2, Duration::from_millis(100), RetryReason::Overloaded)
        );
        let n = r
            .next(Error::Server {
                status: 500,
                message: "x".into(),
            })
            .unwrap();
        assert_eq!((n.attempt, n.reason), (3, RetryReason::ServerError));
        assert_eq!(
            r.next(Error::Overloaded),
            Err(Error::Overloaded),
            "attempts exhausted"
        );
        assert_eq!(n.to_string(), "retrying in 0.2 s (server error), attempt 3");
    }

    #[test]
    fn quota_waits_the_server_delay_and_per_day_never_retries() {
        let p = policy();
        let mut r = Retrier::new(&p);
        let q = Error::Quota {
            per_day: false,
            retry_after: Some(Duration::from_millis(1234)),
            message: String::new(),
        };
        assert_eq!(r.next(q).unwrap().delay, Duration::from_millis(1234));
        let day = Error::Quota {
            per_day: true,
            retry_after: None,
            message: String::new(),
        };
        assert_eq!(r.next(day.clone()), Err(day));
        for fatal in [
            Error::InvalidKey,
            Error::InvalidArgument {
                message: String::new(),
            },
            Error::NotFound {
                message: String::new(),
            },
        ] {
            assert_eq!(r.next(fatal.clone()), Err(fatal));
        }
    }

    #[test]
    fn deadline_stops_a_wait_that_would_cross_it() {
        let p = RetryPolicy {
            deadline: Duration::from_millis(500),
            ..policy()
        };
        let mut r = Retrier::new(&p);
        let q = Error::Quota {
            per_day: false,
            retry_after: Some(Duration::from_secs(26)),
            message: "m".into(),
        };
        assert_eq!(r.next(q.clone()), Err(q));
        assert!(r.attempt_budget(Duration::from_secs(100)) <= Duration::from_millis(500));
    }
}
