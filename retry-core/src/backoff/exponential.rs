use core::time::Duration;

use super::duration_from_nanos_saturating;

/// Exponential waits: `factor * base^n` for n = 0, 1, 2, ...
///
/// ```
/// # use retry_core::backoff::Exponential;
/// # use std::time::Duration;
/// let waits: Vec<_> = Exponential::new(2.0, Duration::from_secs(1)).take(4).collect();
/// assert_eq!(waits, [1, 2, 4, 8].map(Duration::from_secs));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exponential {
    base: f64,
    factor: Duration,
    step: u32,
}

impl Exponential {
    /// A schedule starting at `factor` and growing by `base` each step. A `base` below 1
    /// (or NaN) is taken as 1, so waits never shrink.
    pub const fn new(base: f64, factor: Duration) -> Self {
        let base = if base >= 1.0 { base } else { 1.0 };
        Exponential {
            base,
            factor,
            step: 0,
        }
    }

    /// The growth factor per step.
    pub const fn base(&self) -> f64 {
        self.base
    }

    /// The first wait.
    pub const fn factor(&self) -> Duration {
        self.factor
    }

    /// The wait at step `n` (0-based), saturating at [`Duration::MAX`].
    pub fn nth_wait(&self, n: u32) -> Duration {
        let base = self.base;
        if base.fract() == 0.0 && base <= u64::MAX as f64 {
            // Integral bases stay in exact integer arithmetic: 100ms * 2^3 is exactly 800ms.
            let multiplier = (base as u64).checked_pow(n).map_or(u128::MAX, u128::from);
            duration_from_nanos_saturating(self.factor.as_nanos().saturating_mul(multiplier))
        } else {
            let secs = self.factor.as_secs_f64() * base.powf(f64::from(n));
            Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
        }
    }
}

impl Iterator for Exponential {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        let wait = self.nth_wait(self.step);
        self.step = self.step.saturating_add(1);
        Some(wait)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &[u64]) -> Vec<Duration> {
        s.iter().copied().map(Duration::from_secs).collect()
    }

    #[test]
    fn doubles_from_the_factor() {
        let waits: Vec<_> = Exponential::new(2.0, Duration::from_secs(1))
            .take(5)
            .collect();
        assert_eq!(waits, secs(&[1, 2, 4, 8, 16]));
    }

    #[test]
    fn integral_base_is_exact() {
        let waits: Vec<_> = Exponential::new(3.0, Duration::from_millis(100))
            .take(4)
            .collect();
        assert_eq!(
            waits,
            [100, 300, 900, 2700].map(Duration::from_millis).to_vec()
        );
    }

    #[test]
    fn fractional_base() {
        let waits: Vec<_> = Exponential::new(1.5, Duration::from_secs(2))
            .take(3)
            .collect();
        assert_eq!(
            waits,
            [2000, 3000, 4500].map(Duration::from_millis).to_vec()
        );
    }

    #[test]
    fn base_below_one_is_one() {
        let waits: Vec<_> = Exponential::new(0.5, Duration::from_secs(1))
            .take(3)
            .collect();
        assert_eq!(waits, secs(&[1, 1, 1]));
        assert_eq!(Exponential::new(f64::NAN, Duration::from_secs(1)).base(), 1.0);
    }

    #[test]
    fn saturates_instead_of_overflowing() {
        let s = Exponential::new(2.0, Duration::from_secs(1));
        assert_eq!(s.nth_wait(200), Duration::MAX);
        assert_eq!(s.nth_wait(u32::MAX), Duration::MAX);
        let s = Exponential::new(1e300, Duration::MAX);
        assert_eq!(s.nth_wait(5), Duration::MAX);
        let s = Exponential::new(2.5, Duration::MAX);
        assert_eq!(s.nth_wait(3), Duration::MAX);
    }
}
