//! The sans-IO decision engine: told how each attempt ended, it answers "return it" or
//! "sleep this long, then try again". It never sleeps, never reads a clock and never
//! allocates; the blocking loop, the async loop and `#[retry]` are thin shells around it.

use core::time::Duration;

use crate::backoff::Schedule;
use crate::budget::Budget;
use crate::jitter::{Jitter, JitterRng, JitterState};
use crate::policy::Policy;

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then make another attempt.
    Retry(Duration),
    /// Stop and return the last outcome.
    Return(Stop),
}

/// Why the retries ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stop {
    /// `giveup`, `retry_if` or another predicate said stop.
    Predicate,
    /// `max_tries` attempts were made.
    Tries,
    /// `max_time` has passed.
    Deadline,
    /// The shared [`Budget`] has no tokens to spare.
    Budget,
    /// The schedule ran out of waits.
    Exhausted,
}

/// The decision engine of one call: a schedule, the limits of a [`Policy`] and the
/// count of attempts so far.
///
/// ```
/// use retry_core::{Decision, Engine, Jitter, Policy, Stop};
/// use std::time::Duration;
///
/// let policy = Policy::constant(Duration::from_secs(1)).jitter(Jitter::None);
/// let mut engine = Engine::new(&policy);
/// let elapsed = Duration::ZERO; // read it from your clock after each attempt
/// assert_eq!(engine.failed(elapsed, || None), Decision::Retry(Duration::from_secs(1)));
/// // A server's hint replaces the schedule's wait.
/// let hint = || Some(Duration::from_millis(300));
/// assert_eq!(engine.failed(elapsed, hint), Decision::Retry(Duration::from_millis(300)));
/// assert_eq!(engine.failed(elapsed, || None), Decision::Return(Stop::Tries));
/// assert_eq!(engine.tries(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Engine<S = Schedule> {
    schedule: S,
    max_time: Option<Duration>,
    max_delay: Duration,
    /// `None`: no limit.
    max_tries: Option<u32>,
    tries: u32,
    jitter: Jitter,
    jitter_state: JitterState,
    budget: Option<&'static Budget>,
}

impl Engine<Schedule> {
    /// An engine for one call under `policy`, with the policy's own schedule.
    #[inline]
    pub fn new(policy: &Policy) -> Self {
        Engine::with_schedule(policy, policy.schedule)
    }
}

impl<S> Engine<S> {
    /// The same engine with another schedule (`wait = ...`).
    pub fn reschedule<I: IntoIterator<Item = Duration>>(self, schedule: I) -> Engine<I::IntoIter> {
        Engine {
            schedule: schedule.into_iter(),
            max_time: self.max_time,
            max_delay: self.max_delay,
            max_tries: self.max_tries,
            tries: self.tries,
            jitter: self.jitter,
            jitter_state: self.jitter_state,
            budget: self.budget,
        }
    }

    /// Draw jitter from a reproducible sequence.
    pub fn seed(mut self, seed: u64) -> Self {
        self.jitter_state.rng = JitterRng::seeded(seed);
        self
    }

    /// Take a retry only when `budget` allows it; report every attempt to it.
    pub fn budget(mut self, budget: &'static Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Override the attempt limit (`None`: no limit; 0 is taken as 1).
    pub fn max_tries(mut self, max_tries: Option<u32>) -> Self {
        self.max_tries = max_tries.map(|n| n.max(1));
        self
    }
}

impl<S: Iterator<Item = Duration>> Engine<S> {
    /// An engine with a custom schedule (`wait = ...`) and the limits and jitter of
    /// `policy`; when the schedule ends, so do the retries.
    #[inline]
    pub fn with_schedule<I>(policy: &Policy, schedule: I) -> Self
    where
        I: IntoIterator<IntoIter = S>,
    {
        Engine {
            schedule: schedule.into_iter(),
            max_time: policy.max_time,
            max_delay: policy.max_delay,
            max_tries: policy.max_tries,
            tries: 0,
            jitter: policy.jitter,
            jitter_state: JitterState::new(JitterRng::new()),
            budget: None,
        }
    }

    /// Whether decisions depend on the elapsed time: only then must the caller read a clock.
    #[inline]
    pub fn needs_clock(&self) -> bool {
        self.max_time.is_some()
    }

    /// Attempts reported so far.
    #[inline]
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Report an accepted success; the call returns it.
    #[inline]
    pub fn succeeded(&mut self) {
        self.tries = self.tries.saturating_add(1);
        if let Some(budget) = self.budget {
            budget.deposit();
        }
    }

    /// Report a failure that a predicate (`giveup`, `retry_if`) will not retry; the
    /// call returns it.
    #[inline]
    pub fn stopped(&mut self) -> Stop {
        self.record_failure();
        Stop::Predicate
    }

    #[inline]
    fn record_failure(&mut self) {
        self.tries = self.tries.saturating_add(1);
        if let Some(budget) = self.budget {
            budget.withdraw();
        }
    }

    /// Report a failed attempt that may be retried, with the time `elapsed` since the
    /// first attempt started (read after this attempt ended; any value when
    /// [`needs_clock`](Self::needs_clock) is false) and the server's `hint`, which is
    /// asked only when a wait is due.
    ///
    /// The checks run in this order: `max_tries`, `max_time`, budget, schedule; the wait
    /// is the hint (used as given) or the schedule's next wait with jitter, capped by
    /// `max_delay` and by the time left before `max_time`.
    #[inline]
    pub fn failed(
        &mut self,
        elapsed: Duration,
        hint: impl FnOnce() -> Option<Duration>,
    ) -> Decision {
        let limits = Limits {
            max_tries: self.max_tries,
            max_time: self.max_time,
            max_delay: self.max_delay,
            jitter: self.jitter,
            budget: self.budget,
        };
        decide(
            limits,
            &mut self.tries,
            &mut self.schedule,
            &mut self.jitter_state,
            elapsed,
            hint,
        )
    }
}

/// The limits a decision reads: an [`Engine`]'s, or those of a constant policy (the
/// lean state of `#[retry]`, see `__private`).
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_tries: Option<u32>,
    pub(crate) max_time: Option<Duration>,
    pub(crate) max_delay: Duration,
    pub(crate) jitter: Jitter,
    pub(crate) budget: Option<&'static Budget>,
}

/// The decision after a failed attempt that may be retried: [`Engine::failed`], written
/// once for every holder of the state.
#[inline(always)]
pub(crate) fn decide<S: Iterator<Item = Duration>>(
    limits: Limits,
    tries: &mut u32,
    schedule: &mut S,
    jitter_state: &mut JitterState,
    elapsed: Duration,
    hint: impl FnOnce() -> Option<Duration>,
) -> Decision {
    *tries = tries.saturating_add(1);
    if let Some(budget) = limits.budget {
        budget.withdraw();
    }
    if limits.max_tries.is_some_and(|max| *tries >= max) {
        return Decision::Return(Stop::Tries);
    }
    let time_left = match limits.max_time {
        Some(max_time) if elapsed >= max_time => return Decision::Return(Stop::Deadline),
        Some(max_time) => max_time - elapsed,
        None => Duration::MAX,
    };
    if limits.budget.is_some_and(|budget| !budget.allows_retry()) {
        return Decision::Return(Stop::Budget);
    }
    let Some(scheduled) = schedule.next() else {
        return Decision::Return(Stop::Exhausted);
    };
    if limits.jitter == Jitter::Decorrelated {
        jitter_state.note_first(scheduled);
    }
    let wait = match hint() {
        Some(hint) => hint.min(limits.max_delay),
        None => jitter_state.apply(limits.jitter, scheduled, limits.max_delay),
    };
    Decision::Retry(wait.min(time_left))
}

/// What the retry loop tells an engine, and asks it: implemented by [`Engine`] and by
/// the lean state of `#[retry]`, so that both share `retry::after_attempt`.
pub(crate) trait Decide {
    /// Attempts reported so far.
    fn tries(&self) -> u32;
    /// An accepted success.
    fn succeeded(&mut self);
    /// A failure a predicate will not retry.
    fn stopped(&mut self) -> Stop;
    /// A failure that may be retried.
    fn failed(&mut self, elapsed: Duration, hint: impl FnOnce() -> Option<Duration>) -> Decision;
}

impl<S: Iterator<Item = Duration>> Decide for Engine<S> {
    #[inline(always)]
    fn tries(&self) -> u32 {
        Engine::tries(self)
    }

    #[inline(always)]
    fn succeeded(&mut self) {
        Engine::succeeded(self)
    }

    #[inline(always)]
    fn stopped(&mut self) -> Stop {
        Engine::stopped(self)
    }

    #[inline(always)]
    fn failed(&mut self, elapsed: Duration, hint: impl FnOnce() -> Option<Duration>) -> Decision {
        Engine::failed(self, elapsed, hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn run(engine: &mut Engine<impl Iterator<Item = Duration>>, elapsed: Duration) -> Decision {
        engine.failed(elapsed, || None)
    }

    #[test]
    fn order_tries_before_deadline() {
        let policy = Policy::constant(S)
            .jitter(Jitter::None)
            .max_tries(2)
            .max_time(S);
        let mut e = Engine::new(&policy);
        assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(S));
        // Both limits hold: tries is reported, as it is checked first.
        assert_eq!(run(&mut e, 5 * S), Decision::Return(Stop::Tries));
    }

    #[test]
    fn deadline_cuts_the_wait() {
        let policy = Policy::constant(10 * S)
            .jitter(Jitter::None)
            .forever()
            .max_time(25 * S);
        let mut e = Engine::new(&policy);
        assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(10 * S));
        assert_eq!(run(&mut e, 10 * S), Decision::Retry(10 * S));
        assert_eq!(run(&mut e, 20 * S), Decision::Retry(5 * S));
        assert_eq!(run(&mut e, 25 * S), Decision::Return(Stop::Deadline));
        assert_eq!(e.tries(), 4);
    }

    #[test]
    fn hint_overrides_schedule_capped_by_max_delay() {
        let policy = Policy::expo()
            .jitter(Jitter::Full)
            .max_tries(5)
            .max_delay(30 * S);
        let mut e = Engine::new(&policy).seed(1);
        assert_eq!(
            e.failed(Duration::ZERO, || Some(7 * S)),
            Decision::Retry(7 * S)
        );
        assert_eq!(
            e.failed(Duration::ZERO, || Some(3600 * S)),
            Decision::Retry(30 * S)
        );
    }

    #[test]
    fn hint_is_not_asked_when_stopping() {
        let policy = Policy::expo().max_tries(1);
        let mut e = Engine::new(&policy);
        let decision = e.failed(Duration::ZERO, || panic!("hint asked"));
        assert_eq!(decision, Decision::Return(Stop::Tries));
    }

    #[test]
    fn finite_schedule_ends_retries_even_with_a_hint() {
        let policy = Policy::expo().jitter(Jitter::None).forever();
        let mut e = Engine::with_schedule(&policy, [S, 2 * S]);
        assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(S));
        assert_eq!(
            e.failed(Duration::ZERO, || Some(5 * S)),
            Decision::Retry(5 * S)
        );
        assert_eq!(
            e.failed(Duration::ZERO, || Some(5 * S)),
            Decision::Return(Stop::Exhausted)
        );
    }

    #[test]
    fn schedule_advances_on_hinted_retries() {
        let policy = Policy::expo().jitter(Jitter::None).max_tries(4);
        let mut e = Engine::new(&policy);
        assert_eq!(
            e.failed(Duration::ZERO, || Some(S / 2)),
            Decision::Retry(S / 2)
        );
        assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(2 * S));
    }

    #[test]
    fn jitter_applies_to_custom_schedules() {
        let policy = Policy::expo().jitter(Jitter::Full).forever();
        let mut e = Engine::with_schedule(&policy, core::iter::repeat(10 * S)).seed(5);
        let waits: Vec<_> = (0..50)
            .map(|_| match run(&mut e, Duration::ZERO) {
                Decision::Retry(w) => w,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(waits.iter().all(|w| *w <= 10 * S));
        assert!(waits.iter().any(|w| *w != 10 * S));
    }

    #[test]
    fn decorrelated_starts_from_the_first_wait_even_after_a_hint() {
        let policy = Policy::expo().jitter(Jitter::Decorrelated).forever();
        for seed in 0..200 {
            let mut e = Engine::new(&policy).seed(seed);
            // The first retry is hinted; the second draws from [1 s, 3 s] (first = 1 s,
            // the schedule's first wait), not from the schedule's second wait.
            assert_eq!(
                e.failed(Duration::ZERO, || Some(S / 10)),
                Decision::Retry(S / 10)
            );
            match run(&mut e, Duration::ZERO) {
                Decision::Retry(w) => assert!(w >= S && w <= 3 * S, "{w:?}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn predicate_stop_counts_the_attempt() {
        let mut e = Engine::new(&Policy::expo());
        assert_eq!(e.stopped(), Stop::Predicate);
        e.succeeded();
        assert_eq!(e.tries(), 2);
    }

    #[test]
    fn forever_never_stops_on_tries() {
        let policy = Policy::constant(Duration::ZERO)
            .jitter(Jitter::None)
            .forever();
        let mut e = Engine::new(&policy);
        for _ in 0..10_000 {
            assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(Duration::ZERO));
        }
    }

    #[test]
    fn needs_clock_only_with_max_time() {
        assert!(!Engine::new(&Policy::expo()).needs_clock());
        assert!(Engine::new(&Policy::expo().max_time(S)).needs_clock());
    }
}
