//! [`Retry`]: one retried call — an [`Engine`] plus predicates, hooks, the clock and
//! the sleeper. The blocking loop ([`Retry::call`]), the async loop
//! ([`Retry::into_future`](core::future::IntoFuture::into_future)) and the `#[retry]`
//! expansion all drive it the same way: attempt, [`after`](Retry::after), sleep or return.

use core::marker::PhantomData;
use core::time::Duration;

use crate::budget::Budget;
use crate::clock::{CanReport, Clock, Report};
use crate::details::Details;
use crate::engine::PolicyRef;
use crate::engine::{BudgetSlot, Builtin, Custom, Decision, Engine, NoBudget, Steps, Stop};
use crate::hooks::{judge, HookSet, Hooks, Judgement, Nop};
use crate::jitter::{JitterRng, JitterSource, Shared};

/// What the loop does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Return the outcome of the last attempt.
    Done,
    /// Sleep this long, then make another attempt.
    Sleep(Duration),
}

/// One retried call: build it with [`Policy::retry`](crate::Policy::retry) or
/// [`Policy::retry_async`](crate::Policy::retry_async), set
/// predicates and hooks, then run it with [`call`](Self::call) or `.await`.
///
/// ```
/// use retry_core::{Jitter, Policy};
/// use std::time::Duration;
///
/// let mut attempts = 0;
/// let result: Result<u32, String> = Policy::constant(Duration::ZERO)
///     .max_tries(5)
///     .retry(|| {
///         attempts += 1;
///         if attempts < 3 { Err(format!("try {attempts} failed")) } else { Ok(attempts) }
///     })
///     .giveup(|e: &String| e.contains("fatal"))
///     .on_backoff(|d: &retry_core::Details<'_, u32, String>| {
///         println!("{} failed after {} tries; waiting {:?}", d.name(), d.tries(), d.wait());
///     })
///     .call();
/// assert_eq!(result, Ok(3));
/// ```
///
/// The type parameters: how the policy is reached (`&Policy` or a constant), the
/// outcome's `Ok` and `Err` types, the operation, the clock, the schedule ([`Builtin`]
/// or `wait`'s), the predicates and hooks, the sleeper, the budget ([`NoBudget`] or
/// `&Budget`) and the per-attempt timeout ([`Nop`] or [`Timed`]). Each builder method
/// changes one of them; the defaults are what [`Policy::retry`](crate::Policy::retry)
/// starts from.
#[must_use = "a Retry does nothing until it is called or awaited"]
pub struct Retry<
    PolicyHandle: PolicyRef,
    Value,
    Error,
    Operation,
    Clocks: Clock,
    Schedule = Builtin,
    Callbacks = Hooks,
    Sleep = Nop,
    Bucket = NoBudget,
    AttemptTimeout = Nop,
    Random = Shared,
> {
    pub(crate) engine: Engine<PolicyHandle, Schedule, Bucket, Random>,
    pub(crate) hooks: Callbacks,
    pub(crate) op: Operation,
    pub(crate) sleeper: Sleep,
    pub(crate) timeout: AttemptTimeout,
    pub(crate) start: Option<Clocks::Instant>,
    /// The name and the current attempt's due time, when something reports them.
    pub(crate) report: Clocks::Report,
    _outcome: PhantomData<fn() -> (Value, Error)>,
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
{
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn from_parts(
        engine: Engine<P, S, B, Rn>,
        hooks: H,
        op: Op,
        sleeper: Sl,
        timeout: To,
        report: C::Report,
        start: Option<C::Instant>,
    ) -> Self {
        Retry {
            engine,
            hooks,
            op,
            sleeper,
            timeout,
            start,
            report,
            _outcome: PhantomData,
        }
    }
}

/// A per-attempt time limit of the async call-site API, and how to make its error.
#[derive(Clone, Copy, Debug)]
pub struct Timed<F> {
    pub(crate) limit: Duration,
    pub(crate) make_error: F,
}

impl<P: PolicyRef, T, E, Op, C: Clock> Retry<P, T, E, Op, C> {
    /// A retried call of `op` under the policy `policy` refers to, with no predicates
    /// or hooks.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn new(policy: P, op: Op) -> Self {
        Retry {
            engine: Engine::with_policy(policy),
            hooks: Hooks::default(),
            op,
            sleeper: Nop,
            timeout: Nop,
            start: None,
            report: C::Report::NEW,
            _outcome: PhantomData,
        }
    }
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
{
    /// The name hooks and events report. A named call keeps its name, start and the
    /// attempt's due time for them (an unnamed call without hooks keeps only what its
    /// policy needs).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn name(self, name: &'static str) -> Retry<P, T, E, Op, C::Reporting, S, H, Sl, B, To, Rn>
    where
        C: CanReport,
    {
        self.reporting().label(name)
    }

    /// The name, kept only if the clock keeps what hooks and events report (what
    /// `#[retry]` passes: `module_path!()::fn_name`).
    #[doc(hidden)]
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn label(mut self, name: &'static str) -> Self {
        self.report.set_name(name);
        self
    }

    /// The same call with the clock that keeps what hooks and events report.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn reporting(self) -> Retry<P, T, E, Op, C::Reporting, S, H, Sl, B, To, Rn>
    where
        C: CanReport,
    {
        let Retry {
            engine,
            hooks,
            op,
            sleeper,
            timeout,
            report,
            ..
        } = self;
        Retry {
            engine,
            hooks,
            op,
            sleeper,
            timeout,
            // Builders run before the first attempt: nothing has started yet.
            start: None,
            report: crate::clock::Reported::from_report(&report),
            _outcome: PhantomData,
        }
    }

    /// Draw jitter from a reproducible sequence.
    pub fn seed(self, seed: u64) -> Retry<P, T, E, Op, C, S, H, Sl, B, To, JitterRng> {
        self.rebuild(|engine, hooks, op, sleeper, timeout| {
            (engine.seed(seed), hooks, op, sleeper, timeout)
        })
    }

    /// Take a retry only while `budget` allows it (see [`Budget`]); any `&Budget` that
    /// outlives the call: a `static`, a field, an `Arc<Budget>`'s contents.
    #[inline]
    pub fn budget(self, budget: &Budget) -> Retry<P, T, E, Op, C, S, H, Sl, &Budget, To, Rn> {
        self.rebuild(|engine, hooks, op, sleeper, timeout| {
            (engine.budget(budget), hooks, op, sleeper, timeout)
        })
    }

    /// A custom schedule; when it ends, so do the retries. The policy's limits and
    /// jitter still apply.
    #[inline]
    pub fn wait<W>(
        self,
        schedule: W,
    ) -> Retry<P, T, E, Op, C, Custom<W::IntoIter>, H, Sl, B, To, Rn>
    where
        W: IntoIterator<Item = Duration>,
    {
        self.rebuild(|engine, hooks, op, sleeper, timeout| {
            (engine.reschedule(schedule), hooks, op, sleeper, timeout)
        })
    }

    /// Sleep with another runtime's timer (no tokio runtime needed then).
    #[inline]
    pub fn sleep<Sl2>(self, sleeper: Sl2) -> Retry<P, T, E, Op, C, S, H, Sl2, B, To, Rn> {
        self.rebuild(|engine, hooks, op, _, timeout| (engine, hooks, op, sleeper, timeout))
    }

    /// Async only: cut off an attempt still running after `limit`; it fails with
    /// `E::from(Timeout)` (or [`timeout_error`](Self::timeout_error)'s error).
    #[inline]
    pub fn timeout(
        self,
        limit: Duration,
    ) -> Retry<P, T, E, Op, C, S, H, Sl, B, Timed<fn(crate::Timeout) -> E>, Rn>
    where
        E: From<crate::Timeout>,
    {
        self.with_timeout(Timed {
            limit,
            make_error: E::from,
        })
    }

    /// Async only: cut off an attempt still running after `limit`, failing it with
    /// `make_error(Timeout)` (for error types that cannot implement `From<Timeout>`).
    #[inline]
    pub fn timeout_error<F: Fn(crate::Timeout) -> E>(
        self,
        limit: Duration,
        make_error: F,
    ) -> Retry<P, T, E, Op, C, S, H, Sl, B, Timed<F>, Rn> {
        self.with_timeout(Timed { limit, make_error })
    }

    /// The same call with its engine, hooks, operation, sleeper and timeout changed by
    /// `change`
    /// (each builder method changes one of the types).
    #[allow(clippy::type_complexity)]
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn rebuild<Op2, S2, H2, Sl2, B2, To2, Rn2>(
        self,
        change: impl FnOnce(
            Engine<P, S, B, Rn>,
            H,
            Op,
            Sl,
            To,
        ) -> (Engine<P, S2, B2, Rn2>, H2, Op2, Sl2, To2),
    ) -> Retry<P, T, E, Op2, C, S2, H2, Sl2, B2, To2, Rn2> {
        let Retry {
            engine,
            hooks,
            op,
            sleeper,
            timeout,
            start,
            report,
            ..
        } = self;
        let (engine, hooks, op, sleeper, timeout) = change(engine, hooks, op, sleeper, timeout);
        Retry {
            engine,
            hooks,
            op,
            sleeper,
            timeout,
            start,
            report,
            _outcome: PhantomData,
        }
    }

    fn with_timeout<To2>(self, timeout: To2) -> Retry<P, T, E, Op, C, S, H, Sl, B, To2, Rn> {
        self.rebuild(|engine, hooks, op, sleeper, _| (engine, hooks, op, sleeper, timeout))
    }

    fn map_hooks<H2>(self, f: impl FnOnce(H) -> H2) -> Retry<P, T, E, Op, C, S, H2, Sl, B, To, Rn> {
        self.rebuild(|engine, hooks, op, sleeper, timeout| (engine, f(hooks), op, sleeper, timeout))
    }
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, G, R, K, A, Bk, X, Y, D, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, Hooks<G, R, K, A, Bk, X, Y, D>, Sl, B, To, Rn>
{
    /// Stop at once, returning the error, when `giveup` says `true`.
    #[inline]
    pub fn giveup<F: Fn(&E) -> bool>(
        self,
        giveup: F,
    ) -> Retry<P, T, E, Op, C, S, Hooks<F, R, K, A, Bk, X, Y, D>, Sl, B, To, Rn> {
        self.map_hooks(|h| h.giveup(giveup))
    }

    /// Stop at once, returning the error, when `retry_if` says `false`.
    #[inline]
    pub fn retry_if<F: Fn(&E) -> bool>(
        self,
        retry_if: F,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, F, K, A, Bk, X, Y, D>, Sl, B, To, Rn> {
        self.map_hooks(|h| h.retry_if(retry_if))
    }

    /// Treat an `Ok` value as a failure when `retry_if_ok` says `true` (Python
    /// `backoff`'s `on_predicate`). If the last attempt's `Ok` is still rejected, that
    /// `Ok` is returned.
    #[inline]
    pub fn retry_if_ok<F: Fn(&T) -> bool>(
        self,
        retry_if_ok: F,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, F, A, Bk, X, Y, D>, Sl, B, To, Rn> {
        self.map_hooks(|h| h.retry_if_ok(retry_if_ok))
    }

    /// A server's hint (e.g. `Retry-After`): wait this instead of the schedule, capped
    /// by `max_delay` and the deadline; no jitter is added.
    #[inline]
    pub fn retry_after<F: Fn(&E) -> Option<Duration>>(
        self,
        retry_after: F,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, K, F, Bk, X, Y, D>, Sl, B, To, Rn> {
        self.map_hooks(|h| h.retry_after(retry_after))
    }

    /// Run before each sleep; [`Details::wait`] is the coming wait.
    #[inline]
    pub fn on_backoff<F: Fn(&Details<'_, T, E>)>(
        self,
        on_backoff: F,
    ) -> Retry<P, T, E, Op, C::Reporting, S, Hooks<G, R, K, A, F, X, Y, D>, Sl, B, To, Rn>
    where
        C: CanReport,
    {
        self.reporting().map_hooks(|h| h.on_backoff(on_backoff))
    }

    /// Run once when the call returns a failed outcome, whatever stopped it.
    #[inline]
    pub fn on_giveup<F: Fn(&Details<'_, T, E>)>(
        self,
        on_giveup: F,
    ) -> Retry<P, T, E, Op, C::Reporting, S, Hooks<G, R, K, A, Bk, F, Y, D>, Sl, B, To, Rn>
    where
        C: CanReport,
    {
        self.reporting().map_hooks(|h| h.on_giveup(on_giveup))
    }

    /// Show errors in `tracing` events by their `Display` (`#[retry]` does this by itself
    /// when the error type has one).
    #[inline]
    pub fn error_display(
        self,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, K, A, Bk, X, Y, crate::hooks::ByDisplay>, Sl, B, To, Rn>
    where
        E: core::fmt::Display,
    {
        self.map_hooks(|h| h.describe(crate::hooks::ByDisplay))
    }

    /// Show errors in `tracing` events by their `Debug`.
    #[inline]
    pub fn error_debug(
        self,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, K, A, Bk, X, Y, crate::hooks::ByDebug>, Sl, B, To, Rn>
    where
        E: core::fmt::Debug,
    {
        self.map_hooks(|h| h.describe(crate::hooks::ByDebug))
    }

    /// How events show errors, picked by `pick` from a stand-in for the error type: what
    /// the `#[retry]` expansion does when the return type holds an `impl Trait`, which it
    /// cannot name (see `__private::describe`).
    #[doc(hidden)]
    #[inline]
    pub fn describe_errors_with<D2: crate::hooks::Describe<E>>(
        self,
        pick: impl FnOnce(crate::hooks::describe::Probe<E>) -> D2,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, K, A, Bk, X, Y, D2>, Sl, B, To, Rn> {
        let describe = pick(crate::hooks::describe::Probe::new());
        self.map_hooks(|h| h.describe(describe))
    }

    /// How events show errors (what the `#[retry]` expansion picks for the error type).
    #[doc(hidden)]
    #[inline]
    pub fn describe_errors<D2: crate::hooks::Describe<E>>(
        self,
        describe: D2,
    ) -> Retry<P, T, E, Op, C, S, Hooks<G, R, K, A, Bk, X, Y, D2>, Sl, B, To, Rn> {
        self.map_hooks(|h| h.describe(describe))
    }

    /// Run once when the call returns an accepted `Ok`.
    #[inline]
    pub fn on_success<F: Fn(&Details<'_, T, E>)>(
        self,
        on_success: F,
    ) -> Retry<P, T, E, Op, C::Reporting, S, Hooks<G, R, K, A, Bk, X, F, D>, Sl, B, To, Rn>
    where
        C: CanReport,
    {
        self.reporting().map_hooks(|h| h.on_success(on_success))
    }
}

impl<
        P: PolicyRef,
        T,
        E,
        Op,
        C: Clock,
        S: Steps,
        H: HookSet<T, E>,
        Sl,
        B: BudgetSlot,
        To,
        Rn: JitterSource,
    > Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
{
    /// Whether the clock must be read: for `max_time`, a hook or tracing. Decided here,
    /// from the policy and the hook types, for every shell alike.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn needs_clock(&self) -> bool {
        C::READS && (self.engine.needs_clock() || H::HOOKED || cfg!(feature = "tracing"))
    }

    /// Mark the start of the first attempt (reads the clock only if something needs it).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn start(&mut self) {
        debug_assert!(
            C::READS || !self.engine.needs_clock(),
            "a loop without a clock under a policy with max_time"
        );
        if self.needs_clock() {
            self.start = C::now();
        }
    }

    /// Time since the first attempt started (zero when nothing needs the clock; for a
    /// constant policy that test folds away).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn elapsed(&self) -> Duration {
        Self::elapsed_since(&self.start, self.needs_clock())
    }

    /// Time since `start`, if the clock is read (`clock`) and the call has started.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn elapsed_since(start: &Option<C::Instant>, clock: bool) -> Duration {
        match start {
            Some(start) if clock => C::since(*start),
            _ => Duration::ZERO,
        }
    }

    /// Attempts made so far.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn tries(&self) -> u32 {
        self.engine.tries()
    }

    /// Report an attempt's outcome; the answer says whether to return it or to sleep
    /// and try again. Runs the predicates, the hooks and the engine, in SPEC order.
    ///
    /// When nothing observes the outcomes (no hook, no budget, no events) the
    /// predicates and the engine's quick path run here, inline, where a constant policy
    /// folds them; everything else goes out of line.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn after(&mut self, outcome: &Result<T, E>) -> Step {
        self.after_under(self.engine.handle(), outcome)
    }

    /// [`after`](Self::after), told the policy handle the call was built with once more:
    /// `#[retry]` passes its constant here, which stays a constant in the function's
    /// loop (the call's own copy, in the future's memory, does not), so the engine's
    /// quick path folds.
    #[doc(hidden)]
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn after_with(&mut self, policy: P, outcome: &Result<T, E>) -> Step {
        debug_assert!(
            *policy.get() == *self.engine.policy()
                && policy.max_tries() == self.engine.tries_limit(),
            "after_with told another policy than the call's"
        );
        self.after_under(policy, outcome)
    }

    /// [`after`](Self::after) under the engine's policy handle `policy`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn after_under(&mut self, policy: P, outcome: &Result<T, E>) -> Step {
        if H::HOOKED || B::PRESENT || cfg!(feature = "tracing") {
            return self.after_slow(outcome);
        }
        // What `decide` does when nothing observes: a failure is told to the engine.
        let error = match judge(&self.hooks, outcome) {
            Judgement::Accepted => return Step::Done,
            Judgement::Stopped => {
                self.engine.stopped();
                return Step::Done;
            }
            Judgement::Failed(error) => error,
        };
        let decision = if Engine::<P, S, B, Rn>::is_quick(policy) {
            let hooks = &self.hooks;
            self.engine
                .failed_quick(policy, || error.and_then(|error| hooks.hint(error)))
        } else {
            self.failed_unobserved(error)
        };
        match decision {
            Decision::Retry(wait) => Step::Sleep(wait),
            Decision::Return(_) => Step::Done,
        }
    }

    /// The engine's general path for a failure (`error`, or a rejected success) of
    /// [`after`](Self::after) when nothing observes it; out of line.
    #[inline(never)]
    fn failed_unobserved(&mut self, error: Option<&E>) -> Decision {
        let clock = self.needs_clock();
        let start = &self.start;
        let hooks = &self.hooks;
        self.engine.failed_at(
            || Self::elapsed_since(start, clock),
            || error.and_then(|error| hooks.hint(error)),
        )
    }

    /// Whether `outcome` is an accepted success that nothing needs to hear of (no
    /// hook, no budget, no `retry_if_ok` to ask): then the call returns it without
    /// consulting the engine.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn settled(&self, outcome: &Result<T, E>) -> bool {
        // With `retry_if_ok` a success is the engine's to judge: the predicate is asked
        // there, once.
        !H::HOOKED && !B::PRESENT && !H::JUDGES_OK && outcome.is_ok()
    }

    /// [`decide`](Self::decide), out of line.
    #[inline(never)]
    fn after_slow(&mut self, outcome: &Result<T, E>) -> Step {
        self.decide(outcome)
    }

    /// [`after`](Self::after) without the shortcut: predicates, hooks, events and the
    /// engine, in SPEC order. Inlined into the out-of-line loops that call it.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn decide(&mut self, outcome: &Result<T, E>) -> Step {
        // Hooks and events read the elapsed time and the attempt's own duration; else
        // the clock is read only when the engine reaches a deadline.
        let reported = H::HOOKED || cfg!(feature = "tracing");
        let elapsed = if reported {
            self.elapsed()
        } else {
            Duration::ZERO
        };
        let attempt = if reported {
            elapsed.saturating_sub(Duration::from_nanos(self.report.due()))
        } else {
            Duration::ZERO
        };
        let clock = self.needs_clock();
        let start = &self.start;
        let since_start = move || {
            if reported {
                elapsed
            } else {
                Self::elapsed_since(start, clock)
            }
        };
        let decision = match judge(&self.hooks, outcome) {
            Judgement::Accepted => {
                self.engine.succeeded();
                if H::HOOKED {
                    let details =
                        self.details(elapsed, attempt, None, Some(Stop::Success), outcome);
                    self.hooks.on_success(&details);
                }
                return Step::Done;
            }
            Judgement::Stopped => Decision::Return(self.engine.stopped()),
            Judgement::Failed(error) => {
                let hooks = &self.hooks;
                self.engine
                    .failed_at(since_start, || error.and_then(|error| hooks.hint(error)))
            }
        };
        match decision {
            Decision::Retry(wait) => {
                if H::HOOKED {
                    let details = self.details(elapsed, attempt, Some(wait), None, outcome);
                    self.hooks.on_backoff(&details);
                }
                #[cfg(feature = "tracing")]
                crate::events::retrying(
                    self.report.name(),
                    self.engine.tries(),
                    wait,
                    elapsed,
                    attempt,
                    &self.hooks,
                    outcome,
                );
                if H::HOOKED || cfg!(feature = "tracing") {
                    let due = elapsed.saturating_add(wait).as_nanos();
                    self.report.set_due(u64::try_from(due).unwrap_or(u64::MAX));
                }
                Step::Sleep(wait)
            }
            Decision::Return(stop) => {
                if H::HOOKED {
                    let details = self.details(elapsed, attempt, None, Some(stop), outcome);
                    self.hooks.on_giveup(&details);
                }
                #[cfg(feature = "tracing")]
                crate::events::giving_up(
                    self.report.name(),
                    self.engine.tries(),
                    stop,
                    elapsed,
                    attempt,
                    &self.hooks,
                    outcome,
                );
                let _ = stop;
                Step::Done
            }
        }
    }

    pub(crate) fn details<'o>(
        &self,
        elapsed: Duration,
        attempt: Duration,
        wait: Option<Duration>,
        stop: Option<Stop>,
        outcome: &'o Result<T, E>,
    ) -> Details<'o, T, E> {
        Details {
            name: self.report.name(),
            tries: self.engine.tries(),
            elapsed,
            wait,
            stop,
            attempt,
            outcome,
            hedge: None,
        }
    }
}
