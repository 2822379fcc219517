use core::time::Duration;

/// Fibonacci waits: `factor * fib(n)`: 1, 1, 2, 3, 5, 8, ... times `factor`.
///
/// ```
/// # use retry_core::backoff::Fibonacci;
/// # use std::time::Duration;
/// let waits: Vec<_> = Fibonacci::new(Duration::from_secs(1)).take(5).collect();
/// assert_eq!(waits, [1, 1, 2, 3, 5].map(Duration::from_secs));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fibonacci {
    factor: Duration,
    current: Duration,
    next: Duration,
}

impl Fibonacci {
    /// A schedule of `factor * fib(n)`.
    pub const fn new(factor: Duration) -> Self {
        Fibonacci {
            factor,
            current: factor,
            next: factor,
        }
    }

    /// The unit the Fibonacci numbers multiply.
    pub const fn factor(&self) -> Duration {
        self.factor
    }

    /// The wait at step `n` (0-based) of a fresh schedule: `factor * fib(n + 1)`,
    /// saturating at [`Duration::MAX`]. Computed from `factor` alone, so a holder of a
    /// constant policy can keep just a step count (the lean state of `#[retry]`).
    pub(crate) fn nth_wait(&self, n: u32) -> Duration {
        // Past 200 steps every wait has saturated (fib(201) ns is beyond Duration::MAX),
        // or is zero with a zero factor.
        let (mut current, mut next) = (self.factor, self.factor);
        for _ in 0..n.min(200) {
            (current, next) = (next, current.saturating_add(next));
        }
        current
    }
}

impl Iterator for Fibonacci {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        let wait = self.current;
        self.current = self.next;
        self.next = wait.saturating_add(self.next);
        Some(wait)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_sequence() {
        let waits: Vec<_> = Fibonacci::new(Duration::from_secs(1)).take(8).collect();
        assert_eq!(
            waits,
            [1, 1, 2, 3, 5, 8, 13, 21].map(Duration::from_secs).to_vec()
        );
    }

    #[test]
    fn scaled_by_factor() {
        let waits: Vec<_> = Fibonacci::new(Duration::from_millis(10)).take(5).collect();
        assert_eq!(
            waits,
            [10, 10, 20, 30, 50].map(Duration::from_millis).to_vec()
        );
    }

    #[test]
    fn nth_wait_matches_the_iterator() {
        for factor in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_secs(1),
            Duration::MAX,
        ] {
            let mut fresh = Fibonacci::new(factor);
            for (n, wait) in fresh.take(300).enumerate() {
                assert_eq!(fresh.nth_wait(n as u32), wait, "{factor:?} {n}");
            }
            assert_eq!(fresh.nth_wait(u32::MAX), fresh.nth(299).unwrap());
        }
    }

    #[test]
    fn saturates() {
        let mut s = Fibonacci::new(Duration::from_secs(u64::MAX / 4));
        let last = s.nth(50).unwrap();
        assert_eq!(last, Duration::MAX);
        assert_eq!(s.next(), Some(Duration::MAX));
    }
}
