//! What `#[retry]` expands into. Not a public API: names and signatures may change in
//! any release.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

pub use core::time::Duration;

pub use crate::clock::{AsyncClock, StdClock};
pub use crate::future::{DefaultSleeper, Sleeper};
pub use crate::hooks::Nop;
pub use crate::retry::{Retry, Step};
pub use crate::{Jitter, Policy, Timeout};

use core::marker::PhantomData;

use crate::backoff::Schedule;
use crate::clock::Clock;
use crate::engine::{decide, Decide, Decision, Limits, Stop};
use crate::hooks::HookSet;
use crate::jitter::{JitterRng, JitterState};
use crate::retry::after_attempt;

/// The return type of a retried function.
#[diagnostic::on_unimplemented(
    message = "#[retry] needs a function that returns a `Result`, but it returns `{Self}`",
    label = "not a `Result`",
    note = "type aliases such as `std::io::Result<T>` and `anyhow::Result<T>` work too"
)]
pub trait IsResult {
    /// `T` of `Result<T, E>`.
    type Ok;
    /// `E` of `Result<T, E>`.
    type Err;
}

impl<T, E> IsResult for Result<T, E> {
    type Ok = T;
    type Err = E;
}

/// The retry state of a blocking function returning `R`.
#[inline]
pub fn blocking<R: IsResult>(policy: &Policy) -> Retry<R::Ok, R::Err, Nop, StdClock> {
    Retry::new(policy, Nop)
}

/// The retry state of an async function returning `R`.
#[inline]
pub fn asynchronous<R: IsResult>(policy: &Policy) -> Retry<R::Ok, R::Err, Nop, AsyncClock> {
    Retry::new(policy, Nop)
}

/// Runs one blocking attempt; naming `R` lets `?` in the body infer its error type.
#[inline(always)]
pub fn attempt<R, F: FnOnce() -> R>(f: F) -> R {
    f()
}

/// One async attempt; naming `R` lets `?` in the body infer its error type.
#[inline(always)]
pub fn attempt_async<R, F: Future<Output = R>>(f: F) -> F {
    f
}

/// A per-attempt copy of an owned argument.
#[diagnostic::on_unimplemented(
    message = "#[retry] runs the body once per attempt, so it clones owned arguments, but `{Self}` is not `Clone`",
    label = "this argument is owned and not `Clone`",
    note = "take this argument by reference (`&{Self}`), or make its type `Clone`"
)]
pub trait CloneArg: Sized {
    /// The copy.
    fn clone_arg(&self) -> Self;
}

impl<T: Clone> CloneArg for T {
    #[inline(always)]
    fn clone_arg(&self) -> Self {
        self.clone()
    }
}

/// A copy of an owned argument for one attempt.
#[inline(always)]
pub fn clone_arg<T: CloneArg>(value: &T) -> PerAttempt<T> {
    PerAttempt(value.clone_arg())
}

/// One attempt's copy of an owned argument. Not `Copy`, so that the attempt's closure
/// or async block takes it by value (`.take()`), even when the argument is `Copy`: the
/// attempt's future then owns its copy instead of borrowing one.
pub struct PerAttempt<T>(T);

impl<T> PerAttempt<T> {
    /// The copy.
    #[inline(always)]
    pub fn take(self) -> T {
        self.0
    }
}

/// Sleep between blocking attempts.
#[inline]
pub fn sleep_blocking(wait: Duration) {
    // A zero wait returns at once (checked here too, so that no call is made for it).
    if !wait.is_zero() {
        crate::testing::sleep(wait)
    }
}

/// Whether a wait is worth sleeping: not zero. By value, so that the expansion does not
/// borrow its wait (a borrowed local stays in the future across the sleep).
#[inline(always)]
pub fn nonzero(wait: Duration) -> bool {
    !wait.is_zero()
}

/// The error type of an attempt cut off by `timeout` without `timeout_error`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be made from `retry::Timeout`, which `timeout` needs for an attempt it cuts off",
    label = "`timeout` cannot build this error: add `timeout_error = ...` or implement `From<retry::Timeout>`",
    note = "implement `From<retry::Timeout>` for it, or add `timeout_error = |_timeout| <an error value>` to #[retry]"
)]
pub trait FromTimeout {
    /// The error.
    fn from_timeout(timeout: Timeout) -> Self;
}

#[diagnostic::do_not_recommend]
impl<E: From<Timeout>> FromTimeout for E {
    fn from_timeout(timeout: Timeout) -> Self {
        E::from(timeout)
    }
}

/// `E::from(Timeout)`.
pub fn from_timeout<E: FromTimeout>(timeout: Timeout) -> E {
    E::from_timeout(timeout)
}

/// Runs `attempt`, cutting it off after `limit` with the error `make_error(Timeout)`.
pub async fn timed<T, E, F, S, M>(
    sleeper: &S,
    limit: Duration,
    attempt: F,
    make_error: M,
) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
    S: Sleeper,
    M: FnOnce(Timeout) -> E,
{
    let mut attempt = pin!(attempt);
    let mut timer = pin!(sleeper.sleep(limit));
    let mut make_error = Some(make_error);
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = attempt.as_mut().poll(cx) {
            return Poll::Ready(outcome);
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => match make_error.take() {
                Some(make_error) => Poll::Ready(Err(make_error(Timeout))),
                None => Poll::Pending,
            },
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

// The lean state: when every setting of the attribute is a literal, the policy and the
// name are a `static` of the expansion (`Spec`), and the per-call state holds only what
// changes: the attempt count, the schedule's step, the jitter state (none for `jitter =
// none`, the generator alone for full and equal jitter) and the start instant (only when
// something reads the clock). It makes the same decisions as `Retry` (the shared `decide` and
// `after_attempt`); it is smaller (the future of an annotated `async fn`) and cheaper
// to set up (nothing is written before the first attempt but what changes).

/// The constant settings of a retried function whose attribute holds only literals: a
/// `static` of the expansion.
pub struct Spec {
    /// The policy, built from the attribute's keys.
    pub policy: Policy,
    /// `module_path!()::fn_name`.
    pub name: &'static str,
}

/// `K` of [`Lean`] when only the `tracing` feature may need the clock.
pub const CLOCK_FOR_TRACING: usize = if cfg!(feature = "tracing") { 1 } else { 0 };

/// The per-call state of a function under a constant policy. `J` is 1 when the policy
/// draws full or equal jitter (the random generator's state), `D` is 1 for decorrelated
/// jitter (the generator and the waits it remembers); both are 0 for `Jitter::None`.
/// `K` is 1 when the clock is read (`max_time`, a hook or tracing). One type for every
/// function with the same result and hook types, so that the generic code is
/// instantiated once, not per function.
pub struct Lean<T, E, C: Clock, H, const J: usize, const D: usize, const K: usize> {
    tries: u32,
    step: u32,
    rng: [JitterRng; J],
    decorrelated: [JitterState; D],
    start: [C::Instant; K],
    hooks: H,
    _outcome: PhantomData<fn() -> (T, E)>,
}

/// The lean state of one call under `spec` (checked against `J`, `D` and `K` in debug
/// builds), taking the predicates and hooks of `retry` (built from `&spec.policy`; its
/// engine is dropped unused). Reads the clock when `K` is 1: this is where the call
/// starts.
#[inline]
pub fn lean<const J: usize, const D: usize, const K: usize, T, E, C: Clock, H>(
    spec: &'static Spec,
    retry: Retry<T, E, Nop, C, Schedule, H, Nop>,
) -> Lean<T, E, C, H, J, D, K> {
    debug_assert!(J + D <= 1 && K <= 1);
    debug_assert!(
        match spec.policy.jitter {
            Jitter::None => true,
            Jitter::Full | Jitter::Equal => J + D == 1,
            Jitter::Decorrelated => D == 1,
        },
        "the jitter state does not fit the policy's jitter"
    );
    debug_assert!(
        K == 1 || (spec.policy.max_time.is_none() && CLOCK_FOR_TRACING == 0),
        "a policy with max_time, or tracing, needs K = 1 (as do hooks)"
    );
    let _ = spec;
    Lean {
        tries: 0,
        step: 0,
        rng: [JitterRng::new(); J],
        decorrelated: [JitterState::new(JitterRng::new()); D],
        start: core::array::from_fn(|_| C::now()),
        hooks: retry.hooks,
        _outcome: PhantomData,
    }
}

impl<T, E, C: Clock, H: HookSet<T, E>, const J: usize, const D: usize, const K: usize>
    Lean<T, E, C, H, J, D, K>
{
    /// Like [`Retry::start`]; the clock was read (if at all) by [`lean`].
    #[inline(always)]
    pub fn start(&mut self) {}

    /// Attempts made so far.
    #[inline(always)]
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Like [`Retry::after`], under `spec` (the one given to [`lean`]: the expansion
    /// names its `static` here, so the policy is a constant where it is read).
    #[inline]
    pub fn after(&mut self, spec: &'static Spec, outcome: &Result<T, E>) -> Step {
        let elapsed = match self.start.first() {
            Some(start) => C::since(*start),
            None => Duration::ZERO,
        };
        let mut engine = LeanEngine::<J, D> {
            policy: &spec.policy,
            tries: &mut self.tries,
            step: &mut self.step,
            rng: &mut self.rng,
            decorrelated: &mut self.decorrelated,
        };
        after_attempt(&mut engine, &self.hooks, spec.name, elapsed, outcome)
    }
}

/// The engine view of a [`Lean`]: its mutable state, and the limits of its policy.
struct LeanEngine<'a, const J: usize, const D: usize> {
    policy: &'static Policy,
    tries: &'a mut u32,
    step: &'a mut u32,
    rng: &'a mut [JitterRng; J],
    decorrelated: &'a mut [JitterState; D],
}

impl<const J: usize, const D: usize> Decide for LeanEngine<'_, J, D> {
    #[inline(always)]
    fn tries(&self) -> u32 {
        *self.tries
    }

    #[inline(always)]
    fn succeeded(&mut self) {
        // No budget on this path (a budget is an expression: see the expansion).
        *self.tries = self.tries.saturating_add(1);
    }

    #[inline(always)]
    fn stopped(&mut self) -> Stop {
        *self.tries = self.tries.saturating_add(1);
        Stop::Predicate
    }

    #[inline(always)]
    fn failed(&mut self, elapsed: Duration, hint: impl FnOnce() -> Option<Duration>) -> Decision {
        let policy = self.policy;
        let limits = Limits {
            max_tries: policy.max_tries,
            max_time: policy.max_time,
            max_delay: policy.max_delay,
            jitter: policy.jitter,
            budget: None,
        };
        let mut cursor = Cursor {
            schedule: &policy.schedule,
            step: &mut *self.step,
        };
        // Full and equal jitter use only the generator of a jitter state; no jitter,
        // none of it.
        let mut scratch = JitterState::new(self.rng.first().copied().unwrap_or_default());
        let jitter_state = match self.decorrelated.first_mut() {
            Some(state) => state,
            None => &mut scratch,
        };
        let decision = decide(
            limits,
            &mut *self.tries,
            &mut cursor,
            jitter_state,
            elapsed,
            hint,
        );
        if let Some(rng) = self.rng.first_mut() {
            *rng = scratch.rng;
        }
        decision
    }
}

/// A constant schedule's waits from a step count: what the schedule's own `next()`
/// would return, without holding its state.
struct Cursor<'a> {
    schedule: &'a Schedule,
    step: &'a mut u32,
}

impl Iterator for Cursor<'_> {
    type Item = Duration;

    #[inline(always)]
    fn next(&mut self) -> Option<Duration> {
        let wait = self.schedule.nth_wait(*self.step);
        *self.step = self.step.saturating_add(1);
        Some(wait)
    }
}
