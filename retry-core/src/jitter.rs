//! Jitter: randomised waits, so that many clients failing together do not retry together.

use core::time::Duration;

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

/// Where jitter draws its random numbers: [`Shared`] (the default: no state in the
/// call) or a seeded [`JitterRng`] (reproducible waits).
pub trait JitterSource: Copy {
    /// The next uniformly distributed 64 bits.
    fn next_u64(&mut self) -> u64;
}

/// The process's jitter stream: one wyrand sequence (a counter and a one-multiply
/// output function) shared lock-free by every thread, whose start is drawn once from
/// `rand`'s thread generator. A zero-sized handle, so a call keeps no generator state;
/// each draw is one atomic add and one 128-bit multiply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shared;

impl JitterSource for Shared {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        mix(stream_next())
    }
}

/// A small, seedable random source that lives in 8 bytes and never allocates.
///
/// Unseeded ([`new`](Self::new)), it takes its seed from the process's stream the
/// first time a random wait is drawn, so a call that never retries never touches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitterRng {
    // 0 stands for "not seeded yet"; a real state is never 0 (see `seeded`).
    state: u64,
}

impl JitterRng {
    /// Seeded from the process's stream on first use.
    pub const fn new() -> Self {
        JitterRng { state: 0 }
    }

    /// A reproducible sequence.
    pub const fn seeded(seed: u64) -> Self {
        // Keep 0 free as the "unseeded" marker.
        JitterRng {
            state: if seed == 0 { GAMMA } else { seed },
        }
    }

    /// Uniform in `[0, upper]`.
    #[inline]
    pub fn below(&mut self, upper: Duration) -> Duration {
        below(self, upper)
    }
}

impl JitterSource for JitterRng {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        if self.state == 0 {
            self.state = JitterRng::seeded(mix(stream_next())).state;
        }
        self.state = self.state.wrapping_add(GAMMA);
        if self.state == 0 {
            // Keep 0 free as the "unseeded" marker (once in 2^64 draws).
            self.state = GAMMA;
        }
        mix(self.state)
    }
}

/// Uniform in `[0, upper]` nanoseconds, for `upper < u64::MAX`: Lemire's
/// multiply-shift, with a bias below 2^-64 of the range. Zero draws nothing.
#[inline(always)]
pub(crate) fn below_nanos<R: JitterSource>(rng: &mut R, upper: u64) -> u64 {
    if upper == 0 {
        return 0;
    }
    ((u128::from(rng.next_u64()) * u128::from(upper + 1)) >> 64) as u64
}

/// Uniform in `[0, upper]`, exact for any `Duration`.
#[inline]
pub(crate) fn below<R: JitterSource>(rng: &mut R, upper: Duration) -> Duration {
    match u64::try_from(upper.as_nanos()) {
        Ok(u64::MAX) => Duration::from_nanos(rng.next_u64()),
        Ok(n) => Duration::from_nanos(below_nanos(rng, n)),
        // Above ~584 years the nanoseconds leave u64: a fraction in f64 is fine there.
        Err(_) => {
            let fraction = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            Duration::try_from_secs_f64(upper.as_secs_f64() * fraction)
                .map_or(upper, |d| d.min(upper))
        }
    }
}

/// The process's stream (see [`Shared`]).
static STREAM: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// The next state of the process's stream.
#[inline(always)]
fn stream_next() -> u64 {
    let s = STREAM.fetch_add(GAMMA, core::sync::atomic::Ordering::Relaxed);
    if s == 0 {
        return stream_start();
    }
    s.wrapping_add(GAMMA)
}

/// The first draw of the process: start the stream somewhere random.
#[cold]
#[inline(never)]
fn stream_start() -> u64 {
    use core::sync::atomic::Ordering::Relaxed;
    use rand::RngCore;
    let start = rand::rng().next_u64() | 1;
    // Only the first thread's start wins; a thread that raced it keeps its own draw.
    let _ = STREAM.compare_exchange(GAMMA, start.wrapping_add(GAMMA), Relaxed, Relaxed);
    start
}

/// wyrand's output function: one 64x64->128 multiply, folded.
#[inline(always)]
fn mix(z: u64) -> u64 {
    let t = u128::from(z) * u128::from(z ^ 0xE703_7ED1_A0B4_28DB);
    ((t >> 64) as u64) ^ (t as u64)
}

/// wyrand's increment; odd, so the state runs through every u64.
const GAMMA: u64 = 0xA076_1D64_78BD_642F;

impl Default for JitterRng {
    fn default() -> Self {
        Self::new()
    }
}

/// Where decorrelated jitter keeps the previous wait of a call: `u64` nanoseconds, or
/// nowhere (`()`), for a policy known not to use decorrelated jitter (see
/// [`PolicyRef::Memory`](crate::engine::PolicyRef::Memory)).
pub trait WaitMemory: Copy + Default + core::fmt::Debug {
    /// Whether the previous wait is kept.
    const KEEPS: bool;
    /// The previous wait in nanoseconds (saturated); 0 before the first draw.
    fn previous(&self) -> u64;
    /// Keep `nanos` as the previous wait.
    fn remember(&mut self, nanos: u64);
}

impl WaitMemory for u64 {
    const KEEPS: bool = true;
    #[inline(always)]
    fn previous(&self) -> u64 {
        *self
    }
    #[inline(always)]
    fn remember(&mut self, nanos: u64) {
        *self = nanos;
    }
}

impl WaitMemory for () {
    const KEEPS: bool = false;
    #[inline(always)]
    fn previous(&self) -> u64 {
        0
    }
    #[inline(always)]
    fn remember(&mut self, _: u64) {}
}

/// The state jitter keeps across the retries of one call: the generator (zero-sized
/// unless seeded), and for decorrelated jitter the previous wait (`M`: nothing when the
/// policy has no decorrelated jitter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JitterState<R, M = u64> {
    pub(crate) rng: R,
    /// Decorrelated: the previous drawn wait.
    previous: M,
}

impl<R, M: WaitMemory> JitterState<R, M> {
    pub(crate) fn new(rng: R) -> Self {
        JitterState {
            rng,
            previous: M::default(),
        }
    }

    /// The same state with another generator.
    pub(crate) fn with_rng<R2>(self, rng: R2) -> JitterState<R2, M> {
        JitterState {
            rng,
            previous: self.previous,
        }
    }

    /// The same state, keeping the previous wait whatever the policy.
    pub(crate) fn remembering(self) -> JitterState<R, u64> {
        JitterState {
            rng: self.rng,
            previous: self.previous.previous(),
        }
    }
}

impl<R: JitterSource, M: WaitMemory> JitterState<R, M> {
    /// Full or equal jitter on the wait `w` nanoseconds (`< u64::MAX`, already capped
    /// by `max_delay`).
    #[inline(always)]
    pub(crate) fn spread_nanos(&mut self, jitter: Jitter, w: u64) -> u64 {
        match jitter {
            Jitter::None | Jitter::Decorrelated => w,
            Jitter::Full => below_nanos(&mut self.rng, w),
            Jitter::Equal => {
                let half = w / 2;
                half + below_nanos(&mut self.rng, w - half)
            }
        }
    }

    /// Full or equal jitter on the wait `w` (already capped by `max_delay`).
    #[inline]
    pub(crate) fn spread(&mut self, jitter: Jitter, w: Duration) -> Duration {
        match jitter {
            Jitter::None | Jitter::Decorrelated => w,
            Jitter::Full => below(&mut self.rng, w),
            Jitter::Equal => {
                let half = w / 2;
                half + below(&mut self.rng, w - half)
            }
        }
    }

    /// AWS's decorrelated jitter, exactly: `min(cap, uniform(base, 3 * previous))`,
    /// where `previous` starts at `base`. The cap applies after the draw, so deep waits
    /// can sit at the cap.
    #[inline]
    pub(crate) fn decorrelated(&mut self, base: Duration, cap: Duration) -> Duration {
        debug_assert!(
            M::KEEPS,
            "decorrelated jitter under a policy that keeps no wait"
        );
        let previous = match self.previous.previous() {
            0 => base,
            nanos => Duration::from_nanos(nanos),
        };
        let upper = previous.saturating_mul(3);
        let (low, high) = if upper >= base {
            (base, upper)
        } else {
            (upper, base)
        };
        let wait = low
            .saturating_add(below(&mut self.rng, high - low))
            .min(cap);
        self.previous
            .remember(u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX));
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
        let mut state = JitterState::<_>::new(JitterRng::seeded(1));
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
        let mut state = JitterState::<_>::new(JitterRng::seeded(2));
        for _ in 0..1000 {
            let w = state.apply(Jitter::Equal, 4 * SEC, Duration::MAX);
            assert!((2 * SEC..=4 * SEC).contains(&w), "{w:?}");
        }
    }

    #[test]
    fn decorrelated_between_base_and_three_times_previous_then_capped() {
        let mut state = JitterState::<_>::new(JitterRng::seeded(3));
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
        let mut state = JitterState::<_>::new(JitterRng::seeded(42));
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
        let mut state = JitterState::<_>::new(JitterRng::seeded(42));
        let first: Vec<_> = (0..3).map(|_| state.decorrelated(base, cap)).collect();
        let mut reference = JitterRng::seeded(42);
        let w1 = base + reference.below(base * 2);
        let w2 = (base + reference.below(w1 * 3 - base)).min(cap);
        let w3 = (base + reference.below(w2 * 3 - base)).min(cap);
        assert_eq!(first, [w1, w2, w3]);
    }

    #[test]
    fn none_is_exact_and_capped() {
        let mut state = JitterState::<_>::new(JitterRng::seeded(4));
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
            let mut state = JitterState::<_>::new(JitterRng::seeded(5));
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
