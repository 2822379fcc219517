//! Jitter: randomised waits, so that many clients failing together do not retry together.

use core::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};

/// How a wait from the schedule is randomised.
///
/// `w` is the schedule's wait; every result is then capped by `max_delay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Jitter {
    /// Exactly `w`.
    None,
    /// Uniform in `[0, w]` (the default; AWS's "full jitter").
    #[default]
    Full,
    /// `w/2` plus uniform in `[0, w/2]`.
    Equal,
    /// AWS's "decorrelated jitter": uniform in `[first, 3 * previous]`, where `first` is
    /// the schedule's first wait and `previous` starts at `first`.
    Decorrelated,
}

/// A small, seedable random source that lives in 8 bytes and never allocates.
///
/// Unseeded, it takes its seed from the thread's generator the first time a random
/// wait is drawn, so a call that never retries never touches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitterRng {
    // 0 stands for "not seeded yet"; a real state is never 0 (see `seeded`).
    state: u64,
}

impl JitterRng {
    /// Seeded from the thread's random generator on first use.
    pub const fn new() -> Self {
        JitterRng { state: 0 }
    }

    /// A reproducible sequence.
    pub const fn seeded(seed: u64) -> Self {
        // Keep 0 free as the "unseeded" marker.
        JitterRng {
            state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed },
        }
    }

    /// Uniform in `[0, upper]`.
    pub fn below(&mut self, upper: Duration) -> Duration {
        if upper.is_zero() {
            return Duration::ZERO;
        }
        if self.state == 0 {
            *self = JitterRng::seeded(rand::rng().next_u64());
        }
        let mut rng = SmallRng::seed_from_u64(self.state);
        self.state = rng.next_u64() | 1;
        let nanos = upper.as_nanos();
        match u64::try_from(nanos) {
            Ok(n) => Duration::from_nanos(rng.random_range(0..=n)),
            // Above ~584 years the nanoseconds leave u64: a fraction in f64 is fine there.
            Err(_) => Duration::try_from_secs_f64(upper.as_secs_f64() * rng.random::<f64>())
                .map_or(upper, |d| d.min(upper)),
        }
    }
}

impl Default for JitterRng {
    fn default() -> Self {
        Self::new()
    }
}

/// The state jitter needs across retries (decorrelated jitter remembers its last wait).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JitterState {
    pub(crate) rng: JitterRng,
    /// Decorrelated: the first wait of the schedule and the previous jittered wait.
    first: Option<Duration>,
    previous: Duration,
}

impl JitterState {
    pub(crate) const fn new(rng: JitterRng) -> Self {
        JitterState {
            rng,
            first: None,
            previous: Duration::ZERO,
        }
    }

    /// Randomise the schedule's wait `w`; the result is at most `max_delay`.
    pub(crate) fn apply(&mut self, jitter: Jitter, w: Duration, max_delay: Duration) -> Duration {
        match jitter {
            Jitter::None => w.min(max_delay),
            Jitter::Full => self.rng.below(w.min(max_delay)),
            Jitter::Equal => {
                let w = w.min(max_delay);
                let half = w / 2;
                half + self.rng.below(w - half)
            }
            Jitter::Decorrelated => {
                let first = (*self.first.get_or_insert(w)).min(max_delay);
                let previous = if self.previous.is_zero() {
                    first
                } else {
                    self.previous
                };
                let upper = previous.saturating_mul(3).min(max_delay).max(first);
                let wait = first + self.rng.below(upper - first);
                self.previous = wait;
                wait
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn seeded_is_reproducible() {
        let draw = |seed| {
            let mut rng = JitterRng::seeded(seed);
            (0..5).map(|_| rng.below(SEC)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn full_within_zero_and_wait() {
        let mut state = JitterState::new(JitterRng::seeded(1));
        let waits: Vec<_> = (0..1000)
            .map(|_| state.apply(Jitter::Full, 4 * SEC, Duration::MAX))
            .collect();
        assert!(waits.iter().all(|w| *w <= 4 * SEC));
        // Spread over the range, not stuck at one end.
        assert!(waits.iter().any(|w| *w < SEC));
        assert!(waits.iter().any(|w| *w > 3 * SEC));
    }

    #[test]
    fn equal_within_half_and_wait() {
        let mut state = JitterState::new(JitterRng::seeded(2));
        for _ in 0..1000 {
            let w = state.apply(Jitter::Equal, 4 * SEC, Duration::MAX);
            assert!((2 * SEC..=4 * SEC).contains(&w), "{w:?}");
        }
    }

    #[test]
    fn decorrelated_between_first_and_three_times_previous() {
        let mut state = JitterState::new(JitterRng::seeded(3));
        let mut previous = SEC;
        for _ in 0..1000 {
            // The schedule's later waits do not matter to decorrelated jitter.
            let w = state.apply(Jitter::Decorrelated, SEC, 20 * SEC);
            assert!(w >= SEC && w <= (previous * 3).min(20 * SEC), "{w:?}");
            previous = w;
        }
    }

    #[test]
    fn none_is_exact_and_capped() {
        let mut state = JitterState::new(JitterRng::seeded(4));
        assert_eq!(state.apply(Jitter::None, 3 * SEC, 60 * SEC), 3 * SEC);
        assert_eq!(state.apply(Jitter::None, 90 * SEC, 60 * SEC), 60 * SEC);
    }

    #[test]
    fn every_kind_respects_max_delay() {
        for jitter in [Jitter::None, Jitter::Full, Jitter::Equal, Jitter::Decorrelated] {
            let mut state = JitterState::new(JitterRng::seeded(5));
            for _ in 0..200 {
                assert!(state.apply(jitter, Duration::MAX, 5 * SEC) <= 5 * SEC);
            }
        }
    }

    #[test]
    fn huge_waits_do_not_panic() {
        let mut rng = JitterRng::seeded(9);
        for _ in 0..100 {
            assert!(rng.below(Duration::MAX) <= Duration::MAX);
        }
    }
}
