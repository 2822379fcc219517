use core::fmt;
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
#[derive(Clone, Copy, PartialEq)]
pub struct Exponential {
    base: f64,
    factor: Duration,
    step: u32,
    /// `base` when it is an integer up to `u32::MAX`, else 0: computed once in `new`, so
    /// each wait is integer arithmetic only. A function of `base` (so `PartialEq` is
    /// unchanged) that lives in what was padding (so the size is unchanged).
    int_base: u32,
}

impl fmt::Debug for Exponential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exponential")
            .field("base", &self.base)
            .field("factor", &self.factor)
            .field("step", &self.step)
            .finish()
    }
}

impl Exponential {
    /// A schedule starting at `factor` and growing by `base` each step. A `base` below 1
    /// (or NaN) is taken as 1, so waits never shrink.
    pub const fn new(base: f64, factor: Duration) -> Self {
        let base = if base >= 1.0 { base } else { 1.0 };
        // `as` saturates: the round trip is exact only for an integer up to u32::MAX.
        let int_base = if (base as u32) as f64 == base {
            base as u32
        } else {
            0
        };
        Exponential {
            base,
            factor,
            step: 0,
            int_base,
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

    /// log2 of `base` when it is a power of two up to 2^31 (0 for 1), else `None`.
    pub(crate) const fn pow2_shift(&self) -> Option<u32> {
        if self.int_base != 0 && self.int_base.is_power_of_two() {
            Some(self.int_base.trailing_zeros())
        } else {
            None
        }
    }

    /// The wait at step `n` (0-based), saturating at [`Duration::MAX`].
    #[inline]
    pub fn nth_wait(&self, n: u32) -> Duration {
        // Fast path: an integer base up to u32::MAX, and a result below ~584 years: in
        // u64 nanoseconds, exact, with no 128-bit arithmetic and no float.
        if self.int_base != 0 {
            if let Some(nanos) =
                int_pow(self.int_base, n).and_then(|m| factor_nanos(self.factor)?.checked_mul(m))
            {
                return Duration::from_nanos(nanos);
            }
        }
        self.nth_wait_slow(n)
    }

    /// [`nth_wait`](Self::nth_wait) beyond the fast path.
    #[inline(never)]
    fn nth_wait_slow(&self, n: u32) -> Duration {
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

/// `base^n`, if it fits in a u64; a power of two is a shift.
#[inline]
fn int_pow(base: u32, n: u32) -> Option<u64> {
    if base.is_power_of_two() {
        let shift = u64::from(base.trailing_zeros()) * u64::from(n);
        return (shift < 64).then(|| 1u64 << shift);
    }
    u64::from(base).checked_pow(n)
}

/// `d` in nanoseconds, if that fits in a u64.
#[inline]
fn factor_nanos(d: Duration) -> Option<u64> {
    d.as_secs()
        .checked_mul(1_000_000_000)?
        .checked_add(u64::from(d.subsec_nanos()))
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
        assert_eq!(
            Exponential::new(f64::NAN, Duration::from_secs(1)).base(),
            1.0
        );
    }

    #[test]
    fn integer_fast_path_matches_exact_arithmetic() {
        // The u64 fast path and the u128 fallback agree everywhere, across the boundary.
        let exact = |factor: Duration, base: u64, n: u32| {
            let m = base.checked_pow(n).map_or(u128::MAX, u128::from);
            super::duration_from_nanos_saturating(factor.as_nanos().saturating_mul(m))
        };
        let factors = [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_millis(100),
            Duration::new(1, 999_999_999),
            Duration::from_secs(18_446_744_073),
            Duration::new(18_446_744_073, 709_551_615),
            Duration::new(18_446_744_073, 709_551_616),
            Duration::from_secs(u64::MAX / 3),
            Duration::MAX,
        ];
        for factor in factors {
            for base in [1u64, 2, 3, 10, 1 << 32, u64::MAX] {
                for n in [0, 1, 2, 5, 30, 31, 32, 33, 63, 64, 65, 100, u32::MAX] {
                    let s = Exponential::new(base as f64, factor);
                    assert_eq!(
                        s.nth_wait(n),
                        exact(factor, base as f64 as u64, n),
                        "{factor:?} {base} {n}"
                    );
                }
            }
        }
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
