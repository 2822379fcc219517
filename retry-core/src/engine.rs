//! The one sans-IO decision engine: told how each attempt ended, it answers "return it"
//! or "sleep this long, then try again". It never sleeps, never reads a clock and never
//! allocates; the blocking loop, the async loop, the call-site API and `#[retry]` are
//! thin shells around it.
//!
//! An [`Engine`] reads its [`Policy`] by reference (a `static` or a promoted `const`
//! under `#[retry]`, any `&Policy` at a call site) and holds only what changes during
//! one call: the attempt count, the jitter state and, for a custom schedule, the
//! schedule itself. What state a policy needs is decided here, by types: a built-in
//! schedule keeps no state (its wait is a function of the attempt count), a budget is
//! a type parameter that is either [`NoBudget`] or `&Budget`.

use core::time::Duration;

use crate::budget::Budget;
use crate::jitter::{Jitter, JitterRng, JitterSource, JitterState, Shared, WaitMemory};
use crate::policy::Policy;

pub use crate::retry::Step;

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
    /// An attempt succeeded (and `retry_if_ok` accepted it): what `on_success` is told.
    Success,
}

impl Stop {
    /// Whether a limit ended the retries (`max_tries`, `max_time`, the budget, the
    /// schedule), rather than a predicate calling the error permanent or a success.
    pub const fn is_limit(self) -> bool {
        matches!(
            self,
            Stop::Tries | Stop::Deadline | Stop::Budget | Stop::Exhausted
        )
    }
}

/// Where the waits of an [`Engine`] come from: the policy's own schedule
/// ([`Builtin`]) or a custom one ([`Custom`], `wait = ...`).
pub trait Steps {
    /// Whether these are the policy's own waits ([`Builtin`]).
    const BUILTIN: bool = false;
    /// The scheduled wait before retry number `step` (0-based) in nanoseconds, or
    /// `u64::MAX` when it does not fit there (then [`exact_wait`](Self::exact_wait)
    /// gives it); `None` ends the retries.
    fn next_nanos(&mut self, policy: &Policy, step: u32) -> Option<u64>;
    /// The wait [`next_nanos`](Self::next_nanos) just scheduled, exactly.
    fn exact_wait(&self, policy: &Policy, step: u32) -> Duration;
    /// The schedule's first wait: the base of decorrelated jitter. Asked only after
    /// [`next_nanos`](Self::next_nanos) has returned a wait.
    fn first_wait(&self, policy: &Policy) -> Duration;
}

/// The policy's own schedule: each wait is a function of the step, so no state is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Builtin;

impl Steps for Builtin {
    const BUILTIN: bool = true;

    #[inline(always)]
    fn next_nanos(&mut self, policy: &Policy, step: u32) -> Option<u64> {
        Some(policy.plan.wait(step).unwrap_or(u64::MAX))
    }

    #[inline]
    fn exact_wait(&self, policy: &Policy, step: u32) -> Duration {
        policy.schedule.nth_wait(step)
    }

    #[inline]
    fn first_wait(&self, policy: &Policy) -> Duration {
        policy.schedule.nth_wait(0)
    }
}

/// A custom schedule (`wait = ...`): an iterator of waits, its first wait once drawn
/// and the last one.
#[derive(Clone, Debug)]
pub struct Custom<I> {
    waits: I,
    first: Option<Duration>,
    last: Duration,
}

impl<I: Iterator<Item = Duration>> Steps for Custom<I> {
    #[inline]
    fn next_nanos(&mut self, _: &Policy, _: u32) -> Option<u64> {
        let wait = self.waits.next()?;
        self.first.get_or_insert(wait);
        self.last = wait;
        Some(u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX))
    }

    #[inline]
    fn exact_wait(&self, _: &Policy, _: u32) -> Duration {
        self.last
    }

    #[inline]
    fn first_wait(&self, _: &Policy) -> Duration {
        self.first.unwrap_or_default()
    }
}

/// Whether an [`Engine`] reports to a shared [`Budget`]: [`NoBudget`] or `&Budget`.
pub trait BudgetSlot: Copy {
    /// Whether there is a budget (a constant, so the success path can skip it).
    const PRESENT: bool;
    /// Record a failed attempt.
    fn withdraw(self);
    /// Record an accepted success.
    fn deposit(self);
    /// Whether a retry may be made now.
    fn allows_retry(self) -> bool;
}

/// No budget: every retry the limits allow is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoBudget;

impl BudgetSlot for NoBudget {
    const PRESENT: bool = false;
    #[inline(always)]
    fn withdraw(self) {}
    #[inline(always)]
    fn deposit(self) {}
    #[inline(always)]
    fn allows_retry(self) -> bool {
        true
    }
}

impl BudgetSlot for &Budget {
    const PRESENT: bool = true;
    #[inline]
    fn withdraw(self) {
        Budget::withdraw(self)
    }
    #[inline]
    fn deposit(self) {
        Budget::deposit(self)
    }
    #[inline]
    fn allows_retry(self) -> bool {
        Budget::allows_retry(self)
    }
}

/// How an [`Engine`] reaches its [`Policy`]: by reference (`&Policy`, any lifetime),
/// or as a compile-time constant ([`Const`]), so that every decision about it folds.
pub trait PolicyRef: Copy {
    /// Where an engine under this policy keeps the previous wait for decorrelated
    /// jitter: `u64`, or `()` for a policy known to have none ([`Undecorrelated`]).
    type Memory: WaitMemory;
    /// The policy.
    fn get(&self) -> &Policy;
    /// The attempt limit (`None`: no limit): the policy's, unless overridden.
    #[inline(always)]
    fn max_tries(&self) -> Option<u32> {
        self.get().max_tries
    }
}

/// A policy with its attempt limit set apart: what `#[retry]` makes of literal keys with
/// `max_tries = EXPR`, so that the rest stays a constant and the call keeps 16 bytes
/// instead of a whole `Policy`.
#[derive(Clone, Copy, Debug)]
pub struct WithMaxTries<P> {
    policy: P,
    max_tries: u32,
}

impl<P: PolicyRef> WithMaxTries<P> {
    /// `policy` with at most `max_tries` attempts (0 is taken as 1, as
    /// [`Policy::max_tries`] does).
    #[inline(always)]
    pub fn new(policy: P, max_tries: u32) -> Self {
        WithMaxTries {
            policy,
            max_tries: max_tries.max(1),
        }
    }
}

impl<P: PolicyRef> PolicyRef for WithMaxTries<P> {
    type Memory = P::Memory;
    #[inline(always)]
    fn get(&self) -> &Policy {
        self.policy.get()
    }
    #[inline(always)]
    fn max_tries(&self) -> Option<u32> {
        Some(self.max_tries)
    }
}

impl PolicyRef for &Policy {
    type Memory = u64;
    #[inline(always)]
    fn get(&self) -> &Policy {
        self
    }
}

/// A policy without decorrelated jitter: its engine keeps no previous wait (8 B less in
/// every call's state). What `#[retry]` makes of literal keys that do not ask for
/// decorrelated jitter; the expansion checks that word in a constant
/// (`__private::literal_needs`), so a mismatch does not compile.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Undecorrelated<P>(P);

impl<P: PolicyRef> Undecorrelated<P> {
    /// `policy`, whose jitter is not [`Jitter::Decorrelated`].
    #[inline(always)]
    pub const fn new(policy: P) -> Self {
        Undecorrelated(policy)
    }
}

impl<P: PolicyRef> PolicyRef for Undecorrelated<P> {
    type Memory = ();
    #[inline(always)]
    fn get(&self) -> &Policy {
        self.0.get()
    }
    #[inline(always)]
    fn max_tries(&self) -> Option<u32> {
        self.0.max_tries()
    }
}

/// An engine's own copy (see [`Engine::max_tries`]).
impl PolicyRef for Policy {
    type Memory = u64;
    #[inline(always)]
    fn get(&self) -> &Policy {
        self
    }
}

/// A policy known at compile time, as a type: the engine reads it through a zero-sized
/// [`Const`] handle, so every decision about it can fold (at the price of code per type).
pub trait ConstPolicy {
    /// The policy.
    const POLICY: Policy;
}

/// The [`PolicyRef`] of a [`ConstPolicy`]: a zero-sized handle to `K::POLICY`.
pub struct Const<K>(core::marker::PhantomData<fn() -> K>);

impl<K> Const<K> {
    /// The handle.
    #[inline(always)]
    pub const fn new() -> Self {
        Const(core::marker::PhantomData)
    }
}

impl<K> Clone for Const<K> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Const<K> {}

impl<K> Default for Const<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> core::fmt::Debug for Const<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Const")
    }
}

impl<K: ConstPolicy> PolicyRef for Const<K> {
    type Memory = u64;
    #[inline(always)]
    fn get(&self) -> &Policy {
        &K::POLICY
    }
}

/// The decision engine of one call under a [`Policy`]: the count of attempts so far,
/// the jitter state and the schedule's position.
///
/// ```
/// use retry_core::engine::{Decision, Engine};
/// use retry_core::{Jitter, Policy, Stop};
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
pub struct Engine<PolicyHandle: PolicyRef, Schedule = Builtin, Bucket = NoBudget, Random = Shared> {
    policy: PolicyHandle,
    tries: u32,
    jitter: JitterState<Random, PolicyHandle::Memory>,
    steps: Schedule,
    pub(crate) budget: Bucket,
}

impl<'p> Engine<&'p Policy> {
    /// An engine for one call under `policy`, with the policy's own schedule.
    #[inline(always)]
    pub fn new(policy: &'p Policy) -> Self {
        Engine::with_policy(policy)
    }

    /// An engine with a custom schedule (`wait = ...`) and the limits and jitter of
    /// `policy`; when the schedule ends, so do the retries.
    #[inline]
    pub fn with_schedule<W>(
        policy: &'p Policy,
        schedule: W,
    ) -> Engine<&'p Policy, Custom<W::IntoIter>>
    where
        W: IntoIterator<Item = Duration>,
    {
        Engine::new(policy).reschedule(schedule)
    }
}

impl<P: PolicyRef> Engine<P> {
    /// An engine for one call under the policy `policy` refers to.
    #[inline(always)]
    pub fn with_policy(policy: P) -> Self {
        Engine {
            policy,
            tries: 0,
            jitter: JitterState::new(Shared),
            steps: Builtin,
            budget: NoBudget,
        }
    }
}

impl<P: PolicyRef, S, B, R> Engine<P, S, B, R> {
    /// The same engine with another schedule (`wait = ...`).
    #[inline]
    pub fn reschedule<W>(self, schedule: W) -> Engine<P, Custom<W::IntoIter>, B, R>
    where
        W: IntoIterator<Item = Duration>,
    {
        Engine {
            policy: self.policy,
            tries: self.tries,
            jitter: self.jitter,
            steps: Custom {
                waits: schedule.into_iter(),
                first: None,
                last: Duration::ZERO,
            },
            budget: self.budget,
        }
    }

    /// Take a retry only when `budget` allows it; report every attempt to it.
    #[inline]
    pub fn budget(self, budget: &Budget) -> Engine<P, S, &Budget, R> {
        Engine {
            policy: self.policy,
            tries: self.tries,
            jitter: self.jitter,
            steps: self.steps,
            budget,
        }
    }

    /// Draw jitter from a reproducible sequence (by default it comes from the
    /// process's shared stream, and the engine keeps no generator).
    pub fn seed(self, seed: u64) -> Engine<P, S, B, JitterRng> {
        Engine {
            policy: self.policy,
            tries: self.tries,
            jitter: self.jitter.with_rng(JitterRng::seeded(seed)),
            steps: self.steps,
            budget: self.budget,
        }
    }

    /// Override the attempt limit (`None`: no limit; 0 is taken as 1): the engine then
    /// follows its own copy of the policy.
    pub fn max_tries(self, max_tries: Option<u32>) -> Engine<Policy, S, B, R> {
        let mut policy = *self.policy.get();
        policy.max_tries = self.policy.max_tries();
        let policy = match max_tries {
            Some(n) => policy.max_tries(n),
            None => policy.forever(),
        };
        Engine {
            policy,
            tries: self.tries,
            jitter: self.jitter.remembering(),
            steps: self.steps,
            budget: self.budget,
        }
    }

    /// The policy this engine follows.
    #[inline(always)]
    pub fn policy(&self) -> &Policy {
        self.policy.get()
    }

    /// The attempt limit this engine follows (`None`: no limit).
    #[inline(always)]
    pub fn tries_limit(&self) -> Option<u32> {
        self.policy.max_tries()
    }

    /// Attempts reported so far.
    #[inline(always)]
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Whether decisions depend on the elapsed time: only then must the caller read a clock.
    #[inline(always)]
    pub fn needs_clock(&self) -> bool {
        self.policy.get().max_time.is_some()
    }
}

impl<P: PolicyRef, S: Steps, B: BudgetSlot, R: JitterSource> Engine<P, S, B, R> {
    /// Whether an accepted success needs reporting: only to a budget (the count of
    /// attempts matters only to hooks, which call [`succeeded`](Self::succeeded)).
    pub const REPORTS_SUCCESS: bool = B::PRESENT;

    /// Report an accepted success; the call returns it.
    #[inline]
    pub fn succeeded(&mut self) {
        self.tries = self.tries.saturating_add(1);
        self.budget.deposit();
    }

    /// Report a failure that a predicate (`giveup`, `retry_if`) will not retry; the
    /// call returns it.
    #[inline]
    pub fn stopped(&mut self) -> Stop {
        self.tries = self.tries.saturating_add(1);
        self.budget.withdraw();
        Stop::Predicate
    }

    /// Report a failed attempt that may be retried, with the time `elapsed` since the
    /// first attempt started (read after this attempt ended; any value when
    /// [`needs_clock`](Self::needs_clock) is false) and the server's `hint`, which is
    /// asked only when a wait is due.
    ///
    /// The checks run in this order: `max_tries`, `max_time`, budget, schedule; the wait
    /// is the hint (used as given) or the schedule's next wait with jitter, capped by
    /// `max_delay` and by the time left before `max_time`.
    #[inline(always)]
    pub fn failed(
        &mut self,
        elapsed: Duration,
        hint: impl FnOnce() -> Option<Duration>,
    ) -> Decision {
        self.failed_at(|| elapsed, hint)
    }

    /// [`failed`](Self::failed), reading the elapsed time only when a deadline needs it.
    #[inline(always)]
    pub(crate) fn failed_at(
        &mut self,
        elapsed: impl FnOnce() -> Duration,
        hint: impl FnOnce() -> Option<Duration>,
    ) -> Decision {
        self.tries = self.tries.saturating_add(1);
        self.budget.withdraw();
        if self.policy.max_tries().is_some_and(|max| self.tries >= max) {
            return Decision::Return(Stop::Tries);
        }
        if Self::is_quick(self.policy) {
            return self.quick_wait(self.policy, hint);
        }
        self.failed_general(elapsed, self.tries - 1, hint)
    }

    /// The handle of this engine's policy, to keep in a local: a loop that asks
    /// [`is_quick`](Self::is_quick) and [`failed_quick`](Self::failed_quick) with it sees
    /// a constant policy as a constant, whatever happens to the engine's memory.
    #[inline(always)]
    pub(crate) fn handle(&self) -> P {
        self.policy
    }

    /// Whether [`failed_quick`](Self::failed_quick) decides the failures of an engine
    /// under `policy` (its [`handle`](Self::handle)): the policy's own integer schedule,
    /// jitter none or full, no deadline, no budget (what `Plan::quick` and the types say).
    #[inline(always)]
    pub(crate) fn is_quick(policy: P) -> bool {
        S::BUILTIN && !B::PRESENT && policy.get().plan.quick
    }

    /// [`failed`](Self::failed) when [`is_quick`](Self::is_quick) (`handle` is this
    /// engine's [`handle`](Self::handle)): the attempt limit, then a shift, a cap and
    /// perhaps one draw. Small enough to sit inline in a loop, where a constant policy
    /// folds it.
    #[inline(always)]
    pub(crate) fn failed_quick(
        &mut self,
        handle: P,
        hint: impl FnOnce() -> Option<Duration>,
    ) -> Decision {
        debug_assert!(Self::is_quick(handle));
        self.tries = self.tries.saturating_add(1);
        if handle.max_tries().is_some_and(|max| self.tries >= max) {
            return Decision::Return(Stop::Tries);
        }
        self.quick_wait(handle, hint)
    }

    /// The wait of [`failed_quick`](Self::failed_quick), the failure counted and the
    /// attempt limit checked: the hint, or a shift, a cap and perhaps one draw.
    #[inline(always)]
    fn quick_wait(&mut self, handle: P, hint: impl FnOnce() -> Option<Duration>) -> Decision {
        let policy = handle.get();
        let step = self.tries - 1;
        if let Some(hint) = hint() {
            return Decision::Retry(hint.min(policy.max_delay));
        }
        if let Some(wait) = policy.plan.integer_wait(step) {
            let wait = wait.min(policy.plan.delay);
            let wait = if policy.plan.full {
                crate::jitter::below_nanos(&mut self.jitter.rng, wait)
            } else {
                wait
            };
            return Decision::Retry(from_nanos(wait));
        }
        Decision::Retry(self.exact_wait(step))
    }

    /// [`failed`](Self::failed) past the quick path and the attempt limit. Inline, so
    /// that what the loops pass for the elapsed time folds.
    #[inline(always)]
    fn failed_general(
        &mut self,
        elapsed: impl FnOnce() -> Duration,
        step: u32,
        hint: impl FnOnce() -> Option<Duration>,
    ) -> Decision {
        let policy = self.policy.get();
        let time_left = match policy.max_time {
            Some(max_time) => match max_time.checked_sub(elapsed()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Decision::Return(Stop::Deadline),
            },
            None => None,
        };
        if !self.budget.allows_retry() {
            return Decision::Return(Stop::Budget);
        }
        let Some(scheduled) = self.steps.next_nanos(policy, step) else {
            return Decision::Return(Stop::Exhausted);
        };
        let wait = match hint() {
            Some(hint) => hint.min(policy.max_delay),
            // The common case in u64 nanoseconds: no 128-bit or Duration arithmetic.
            None if scheduled != u64::MAX && policy.jitter != Jitter::Decorrelated => {
                let capped = scheduled.min(policy.plan.delay);
                from_nanos(self.jitter.spread_nanos(policy.jitter, capped))
            }
            None => self.exact_wait(step),
        };
        Decision::Retry(match time_left {
            Some(left) => wait.min(left),
            None => wait,
        })
    }

    /// The jittered, capped wait of retry `step` in `Duration` arithmetic: waits of
    /// 584 years and more, and decorrelated jitter.
    #[inline(never)]
    fn exact_wait(&mut self, step: u32) -> Duration {
        let policy = self.policy.get();
        let scheduled = self.steps.exact_wait(policy, step);
        match policy.jitter {
            Jitter::None => scheduled.min(policy.max_delay),
            Jitter::Decorrelated => {
                let first = self.steps.first_wait(policy);
                self.jitter.decorrelated(first, policy.max_delay)
            }
            kind => self.jitter.spread(kind, scheduled.min(policy.max_delay)),
        }
    }
}

/// `nanos` as a `Duration`, with zero (the common zero-wait case) a constant.
#[inline(always)]
fn from_nanos(nanos: u64) -> Duration {
    if nanos == 0 {
        Duration::ZERO
    } else {
        Duration::from_nanos(nanos)
    }
}

impl Policy {
    /// The waits this policy would sleep if every attempt failed instantly, jitter
    /// included (unseeded), capped by `max_delay` and the time left before `max_time`;
    /// it ends where the retries would.
    pub fn waits(&self) -> Waits<&Policy> {
        Waits::new(Engine::new(self))
    }

    /// Like [`waits`](Self::waits), with reproducible jitter.
    ///
    /// ```
    /// # use retry_core::Policy;
    /// let a: Vec<_> = Policy::expo().max_tries(6).waits_seeded(42).collect();
    /// let b: Vec<_> = Policy::expo().max_tries(6).waits_seeded(42).collect();
    /// assert_eq!(a, b);
    /// assert_eq!(a.len(), 5);
    /// ```
    pub fn waits_seeded(&self, seed: u64) -> Waits<&Policy, Builtin, NoBudget, JitterRng> {
        Waits::new(Engine::new(self).seed(seed))
    }
}

/// The waits of a policy, from [`Policy::waits`]: what a retry loop would sleep if
/// every attempt failed instantly.
#[derive(Clone, Debug)]
pub struct Waits<P: PolicyRef, S = Builtin, B = NoBudget, R = Shared> {
    engine: Engine<P, S, B, R>,
    elapsed: Duration,
    done: bool,
}

impl<P: PolicyRef, S: Steps, B: BudgetSlot, R: JitterSource> Waits<P, S, B, R> {
    /// The waits an engine would decide, each attempt taking no time.
    pub fn new(engine: Engine<P, S, B, R>) -> Self {
        Waits {
            engine,
            elapsed: Duration::ZERO,
            done: false,
        }
    }
}

impl<P: PolicyRef, S: Steps, B: BudgetSlot, R: JitterSource> Iterator for Waits<P, S, B, R> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.done {
            return None;
        }
        match self.engine.failed(self.elapsed, || None) {
            Decision::Retry(wait) => {
                self.elapsed = self.elapsed.saturating_add(wait);
                Some(wait)
            }
            Decision::Return(_) => {
                self.done = true;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn run<P: PolicyRef, S: Steps, B: BudgetSlot, R: JitterSource>(
        engine: &mut Engine<P, S, B, R>,
        elapsed: Duration,
    ) -> Decision {
        engine.failed(elapsed, || None)
    }

    #[test]
    fn quick_path_waits_past_u64_nanoseconds() {
        // 2^k days overflows u64 nanoseconds (584 years) from k = 18: the quick path hands
        // those steps to the exact computation, capped as every other wait.
        let day = Duration::from_secs(86_400);
        for jitter in [Jitter::None, Jitter::Full] {
            let policy = Policy::expo()
                .factor(day)
                .jitter(jitter)
                .max_tries(22)
                .max_delay(Duration::MAX);
            let handle: &Policy = &policy;
            assert!(Engine::<&Policy>::is_quick(handle));
            assert_eq!(policy.plan.integer_wait(17).map(|_| ()), Some(()));
            assert_eq!(policy.plan.integer_wait(18), None);
            let mut e = Engine::new(&policy);
            for step in 0..21 {
                let expected = policy.schedule.nth_wait(step);
                match run(&mut e, Duration::ZERO) {
                    Decision::Retry(wait) if jitter == Jitter::None => assert_eq!(wait, expected),
                    Decision::Retry(wait) => assert!(wait <= expected, "step {step}"),
                    other => panic!("step {step}: {other:?}"),
                }
            }
            assert_eq!(run(&mut e, Duration::ZERO), Decision::Return(Stop::Tries));
        }
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
    fn decorrelated_custom_schedule_uses_its_first_wait() {
        let policy = Policy::expo().jitter(Jitter::Decorrelated).forever();
        let mut e = Engine::with_schedule(&policy, core::iter::repeat(2 * S)).seed(3);
        for _ in 0..100 {
            match run(&mut e, Duration::ZERO) {
                Decision::Retry(w) => assert!(w >= 2 * S, "{w:?}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn predicate_stop_counts_the_attempt() {
        let policy = Policy::expo();
        let mut e = Engine::new(&policy);
        assert_eq!(e.stopped(), Stop::Predicate);
        e.succeeded();
        assert_eq!(e.tries(), 2);
    }

    #[test]
    fn budget_is_told_every_attempt() {
        let budget = Budget::new(10, 1.0);
        let policy = Policy::constant(S).jitter(Jitter::None).forever();
        let mut e = Engine::new(&policy).budget(&budget);
        for _ in 0..4 {
            assert_eq!(run(&mut e, Duration::ZERO), Decision::Retry(S));
        }
        // 10 - 5 = 5 tokens: not above half, so the fifth failure is not retried.
        assert_eq!(run(&mut e, Duration::ZERO), Decision::Return(Stop::Budget));
        e.succeeded();
        assert_eq!(budget.tokens(), 6.0);
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
