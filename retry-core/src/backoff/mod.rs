//! The built-in schedules: each is an endless, `Copy` iterator of waits.
//!
//! Every step is computed with saturating arithmetic: a schedule never panics and
//! never overflows; past [`Duration::MAX`] it stays at [`Duration::MAX`] (the policy's
//! `max_delay` caps what is actually slept).

mod constant;
mod exponential;
mod fibonacci;

pub use constant::Constant;
pub use exponential::Exponential;
pub use fibonacci::Fibonacci;

use core::time::Duration;

/// One of the built-in schedules, as a [`Policy`](crate::Policy) holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// `factor * base^n`.
    Exponential(Exponential),
    /// `factor * fib(n)`.
    Fibonacci(Fibonacci),
    /// The same wait every time.
    Constant(Constant),
}

impl Iterator for Schedule {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        match self {
            Schedule::Exponential(s) => s.next(),
            Schedule::Fibonacci(s) => s.next(),
            Schedule::Constant(s) => s.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl Schedule {
    /// The wait at step `n` (0-based) of this schedule started afresh, as a
    /// [`Policy`](crate::Policy) holds it: what its `n + 1`-th `next()` returns.
    #[inline]
    pub(crate) fn nth_wait(&self, n: u32) -> Duration {
        match self {
            Schedule::Exponential(s) => s.nth_wait(n),
            Schedule::Fibonacci(s) => s.nth_wait(n),
            Schedule::Constant(s) => s.interval(),
        }
    }
}

/// `nanos` as a `Duration`, saturating at [`Duration::MAX`].
pub(crate) fn duration_from_nanos_saturating(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = nanos / NANOS_PER_SEC;
    if secs > u64::MAX as u128 {
        Duration::MAX
    } else {
        Duration::new(secs as u64, (nanos % NANOS_PER_SEC) as u32)
    }
}
