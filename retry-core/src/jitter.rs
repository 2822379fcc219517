//! Jitter: randomised waits, so that many clients failing together do not retry together.

use core::time::Duration;

use rand::RngCore;

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
    /// AWS's "decorrelated jitter": `min(max_delay, uniform(first, 3 * previous))`, where
    /// `first` is the schedule's first wait and `previous` (the last wait drawn) starts
    /// at `first`. The cap applies after the draw.
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
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// Uniform in `[0, upper]`.
    #[inline]
    pub fn below(&mut self, upper: Duration) -> Duration {
        // The common case, inline: a wait that fits in u64 nanoseconds (under ~584
        // years), drawn with one SplitMix64 step and Lemire's multiply-shift.
        if let Some(n) = upper
            .as_secs()
            .checked_mul(1_000_000_000)
            .and_then(|n| n.checked_add(u64::from(upper.subsec_nanos())))
        {
            if n == 0 {
                return Duration::ZERO;
            }
            if n != u64::MAX {
                let z = self.next();
                return Duration::from_nanos(((u128::from(z) * u128::from(n + 1)) >> 64) as u64);
            }
        }
        let (state, wait) = draw(self.state, upper);
        self.state = state;
        wait
    }

    /// The next output of the generator (seeding it first if need be).
    #[inline(always)]
    fn next(&mut self) -> u64 {
        if self.state == 0 {
            self.state = JitterRng::seeded(fresh_seed()).state;
        }
        self.state = self.state.wrapping_add(GAMMA);
        if self.state == 0 {
            // Keep 0 free as the "unseeded" marker (once in 2^64 draws).
            self.state = GAMMA;
        }
        mix(self.state)
    }
}

/// The process's source of seeds: one SplitMix64 stream, shared lock-free by every
/// thread, whose start is drawn once from `rand`'s thread generator; each call's
/// generator takes the next value. (Cheaper than a thread-local or a fresh draw from
/// `rand` per call; the stream still differs from process to process.)
static SEEDS: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// A seed for one call's generator: the next value of the seed stream.
#[cold]
#[inline(never)]
fn fresh_seed() -> u64 {
    use core::sync::atomic::Ordering::Relaxed;
    let mut s = SEEDS.fetch_add(GAMMA, Relaxed);
    if s == 0 {
        // The first seed of the process: start the stream somewhere random.
        let start = rand::rng().next_u64() | 1;
        let _ = SEEDS.compare_exchange(GAMMA, start.wrapping_add(GAMMA), Relaxed, Relaxed);
        s = start;
    }
    mix(s.wrapping_add(GAMMA))
}

/// SplitMix64's output function.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's increment; odd, so the state runs through every u64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// One draw, uniform in `[0, upper]`, from the state `state` (0: not seeded yet); the
/// new state and the draw. By value, so the callers' state stays in registers.
///
/// The generator is SplitMix64: one add and a mix per draw, where re-seeding a
/// xoshiro from the stored state cost four of those and two more outputs.
#[inline(never)]
fn draw(mut state: u64, upper: Duration) -> (u64, Duration) {
    if state == 0 {
        state = JitterRng::seeded(fresh_seed()).state;
    }
    state = state.wrapping_add(GAMMA);
    if state == 0 {
        // Keep 0 free as the "unseeded" marker (once in 2^64 draws).
        state = GAMMA;
    }
    let z = mix(state);
    let wait = match u64::try_from(upper.as_nanos()) {
        // Lemire's multiply-shift: uniform up to a bias below 2^-64 of the range.
        Ok(u64::MAX) => Duration::from_nanos(z),
        Ok(n) => Duration::from_nanos(((u128::from(z) * u128::from(n + 1)) >> 64) as u64),
        // Above ~584 years the nanoseconds leave u64: a fraction in f64 is fine there.
        Err(_) => {
            let fraction = (z >> 11) as f64 / (1u64 << 53) as f64;
            Duration::try_from_secs_f64(upper.as_secs_f64() * fraction)
                .map_or(upper, |d| d.min(upper))
        }
    };
    (state, wait)
}

impl Default for JitterRng {
    fn default() -> Self {
        Self::new()
    }
}

/// The state jitter keeps across the retries of one call: the generator, and for
/// decorrelated jitter the previous wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JitterState {
    pub(crate) rng: JitterRng,
    /// Decorrelated: the previous drawn wait; zero before the first draw.
    previous: Duration,
}

impl JitterState {
    pub(crate) const fn new(rng: JitterRng) -> Self {
        JitterState {
            rng,
            previous: Duration::ZERO,
        }
    }

    /// Full or equal jitter on the wait `w` (already capped by `max_delay`).
    #[inline]
    pub(crate) fn spread(&mut self, jitter: Jitter, w: Duration) -> Duration {
        match jitter {
            Jitter::None | Jitter::Decorrelated => w,
            Jitter::Full => self.rng.below(w),
            Jitter::Equal => {
                let half = w / 2;
                half + self.rng.below(w - half)
            }
        }
    }

    /// AWS's decorrelated jitter, exactly: `min(cap, uniform(base, 3 * previous))`,
    /// where `previous` starts at `base`. The cap applies after the draw, so deep waits
    /// can sit at the cap.
    #[inline]
    pub(crate) fn decorrelated(&mut self, base: Duration, cap: Duration) -> Duration {
        let previous = if self.previous.is_zero() {
            base
        } else {
            self.previous
        };
        let upper = previous.saturating_mul(3);
        let (low, high) = if upper >= base {
            (base, upper)
        } else {
            (upper, base)
        };
        let wait = low.saturating_add(self.rng.below(high - low)).min(cap);
        self.previous = wait;
        wait
    }

    /// Randomise the schedule's wait `w` (capped by `max_delay`), with `w` as the base
    /// of decorrelated jitter: what the engine does for the first retry.
    #[cfg(test)]
    fn apply(&mut self, jitter: Jitter, w: Duration, max_delay: Duration) -> Duration {
        match jitter {
            Jitter::None => w.min(max_delay),
            Jitter::Decorrelated => self.decorrelated(w, max_delay),
            kind => self.spread(kind, w.min(max_delay)),
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
    fn decorrelated_between_base_and_three_times_previous_then_capped() {
        let mut state = JitterState::new(JitterRng::seeded(3));
        let mut previous = SEC;
        for _ in 0..1000 {
            let w = state.apply(Jitter::Decorrelated, SEC, 20 * SEC);
            assert!(w >= SEC && w <= (previous * 3).min(20 * SEC), "{w:?}");
            previous = w;
        }
    }

    /// AWS's formula, pinned: `wait = min(cap, uniform(base, 3 * prev))`, `prev`
    /// starting at `base`; the cap applies after the draw.
    #[test]
    fn decorrelated_is_aws_formula_seeded() {
        let (base, cap) = (Duration::from_millis(100), Duration::from_secs(2));
        let mut state = JitterState::new(JitterRng::seeded(42));
        let mut reference = JitterRng::seeded(42);
        let mut prev = base;
        let mut at_cap = 0;
        for _ in 0..2000 {
            let expected = (base + reference.below(prev * 3 - base)).min(cap);
            let got = state.decorrelated(base, cap);
            assert_eq!(got, expected);
            at_cap += usize::from(got == cap);
            prev = got;
        }
        // With the cap after the draw, deep waits sit at the cap a good part of the
        // time (capping the range first would make the cap itself almost never drawn).
        assert!(at_cap > 400, "{at_cap} waits at the cap");
        // And the first waits of a seeded sequence are fixed.
        let mut state = JitterState::new(JitterRng::seeded(42));
        let first: Vec<_> = (0..3).map(|_| state.decorrelated(base, cap)).collect();
        let mut reference = JitterRng::seeded(42);
        let w1 = base + reference.below(base * 2);
        let w2 = (base + reference.below(w1 * 3 - base)).min(cap);
        let w3 = (base + reference.below(w2 * 3 - base)).min(cap);
        assert_eq!(first, [w1, w2, w3]);
    }

    #[test]
    fn none_is_exact_and_capped() {
        let mut state = JitterState::new(JitterRng::seeded(4));
        assert_eq!(state.apply(Jitter::None, 3 * SEC, 60 * SEC), 3 * SEC);
        assert_eq!(state.apply(Jitter::None, 90 * SEC, 60 * SEC), 60 * SEC);
    }

    #[test]
    fn every_kind_respects_max_delay() {
        for jitter in [
            Jitter::None,
            Jitter::Full,
            Jitter::Equal,
            Jitter::Decorrelated,
        ] {
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
