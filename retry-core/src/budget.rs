//! [`Budget`]: a shared token bucket that bounds retry amplification (gRPC retry throttling).

#[cfg(loom)]
use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU64, Ordering};

/// Tokens are kept in thousandths, so a `token_ratio` of 0.1 is exact (gRPC keeps three
/// decimal places too).
const SCALE: u64 = 1000;

/// A thread-safe, lock-free token bucket shared by many calls, as in gRPC's retry
/// throttling: it starts full with `max_tokens`; every failed attempt withdraws one
/// token, every accepted success deposits `token_ratio` (up to `max_tokens`); a retry
/// is made only while more than `max_tokens / 2` tokens are left.
///
/// When a dependency is down every call fails, the bucket drains to half, and from then
/// on each call makes a single attempt: retries stop multiplying the load.
///
/// ```
/// use retry_core::{Budget, Policy};
/// use std::time::Duration;
///
/// static BUDGET: Budget = Budget::new(10, 0.1);
///
/// let policy = Policy::constant(Duration::ZERO).max_tries(100);
/// let mut attempts = 0;
/// let result: Result<(), &str> = policy
///     .retry(|| {
///         attempts += 1;
///         Err("down")
///     })
///     .budget(&BUDGET)
///     .call();
/// assert!(result.is_err());
/// // 10 tokens: retries stop once 5 or fewer are left.
/// assert_eq!(attempts, 5);
/// ```
#[derive(Debug)]
pub struct Budget {
    /// Thousandths of a token.
    tokens: AtomicU64,
    max: u64,
    ratio: u64,
}

impl Budget {
    /// A full bucket of `max_tokens`; each success deposits `token_ratio` tokens
    /// (rounded to thousandths; negative or NaN counts as 0).
    #[cfg(not(loom))]
    pub const fn new(max_tokens: u32, token_ratio: f64) -> Budget {
        let max = max_tokens as u64 * SCALE;
        Budget {
            tokens: AtomicU64::new(max),
            max,
            ratio: Self::scale_ratio(token_ratio),
        }
    }

    /// A full bucket (loom build: not `const`).
    #[cfg(loom)]
    pub fn new(max_tokens: u32, token_ratio: f64) -> Budget {
        let max = max_tokens as u64 * SCALE;
        Budget {
            tokens: AtomicU64::new(max),
            max,
            ratio: Self::scale_ratio(token_ratio),
        }
    }

    const fn scale_ratio(token_ratio: f64) -> u64 {
        // `as` saturates: NaN and negatives become 0, huge ratios u64::MAX.
        (token_ratio * SCALE as f64 + 0.5) as u64
    }

    /// The tokens left.
    pub fn tokens(&self) -> f64 {
        self.tokens.load(Ordering::Acquire) as f64 / SCALE as f64
    }

    /// The bucket's size.
    pub fn max_tokens(&self) -> u32 {
        (self.max / SCALE) as u32
    }

    /// Record a failed attempt: one token less (never below zero).
    pub fn withdraw(&self) {
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_sub(SCALE))
            });
    }

    /// Record an accepted success: `token_ratio` tokens more (never above the maximum).
    pub fn deposit(&self) {
        if self.ratio == 0 {
            return;
        }
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < self.max).then(|| t.saturating_add(self.ratio).min(self.max))
            });
    }

    /// Whether a retry may be made now: more than half the tokens are left.
    pub fn allows_retry(&self) -> bool {
        self.tokens.load(Ordering::Acquire) * 2 > self.max
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn starts_full_and_throttles_at_half() {
        let b = Budget::new(10, 0.5);
        assert_eq!(b.tokens(), 10.0);
        for _ in 0..4 {
            b.withdraw();
        }
        assert!(b.allows_retry());
        b.withdraw();
        assert_eq!(b.tokens(), 5.0);
        assert!(!b.allows_retry());
        b.deposit();
        assert!(b.allows_retry());
    }

    #[test]
    fn bounded_both_ways() {
        let b = Budget::new(2, 0.1);
        for _ in 0..10 {
            b.withdraw();
        }
        assert_eq!(b.tokens(), 0.0);
        for _ in 0..1000 {
            b.deposit();
        }
        assert_eq!(b.tokens(), 2.0);
    }

    #[test]
    fn ratio_in_thousandths() {
        let b = Budget::new(10, 0.1);
        b.withdraw();
        for _ in 0..3 {
            b.deposit();
        }
        assert_eq!(b.tokens(), 9.3);
        assert_eq!(Budget::new(1, f64::NAN).ratio, 0);
        assert_eq!(Budget::new(1, -3.0).ratio, 0);
    }

    #[test]
    fn usable_as_static() {
        static B: Budget = Budget::new(4, 1.0);
        B.withdraw();
        assert_eq!(B.tokens(), 3.0);
        assert_eq!(B.max_tokens(), 4);
    }
}
