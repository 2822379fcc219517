//! What `#[retry]` expands into. Not a public API: names and signatures may change in
//! any release.
//!
//! Everything the expansion does with the function's return type `R` goes through
//! `IsResult`, spanned at the user's return type: when `R` is not a `Result`, that one
//! unmet bound is the only error. Every predicate and hook goes through a function of
//! `check` that returns an `impl Fn..` of the right shape whatever it was given: a
//! value of the wrong type is one error at the user's token, never a follow-up error
//! about the builder.

use core::future::Future;

pub use core::time::Duration;

pub use crate::clock::{AsyncClock, Clock, Quiet, StdClock, Unclocked};
pub use crate::engine::{PolicyRef, Undecorrelated, WithMaxTries};
pub use crate::future::{DefaultSleeper, Sleeper, TimeLimited};
pub use crate::hooks::{describe, Nop};
pub use crate::policy::{KeySchedule, KeyTries, Keys};
pub use crate::retry::{Retry, Step};
pub use crate::{hedge, Jitter, Policy, Timeout};

/// The return type of a retried function.
#[diagnostic::on_unimplemented(
    message = "#[retry] needs a function that returns a `Result`, but it returns `{Self}`",
    label = "not a `Result`",
    note = "type aliases such as `std::io::Result<T>` and `anyhow::Result<T>` work too"
)]
pub trait IsResult: Sized {
    /// `T` of `Result<T, E>`.
    type Ok;
    /// `E` of `Result<T, E>`.
    type Err;
    /// The same value, as a `Result`.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
    /// The same value, as the function's return type.
    fn from_result(result: Result<Self::Ok, Self::Err>) -> Self;
    /// The same value, as a `Result`.
    fn as_result(&self) -> &Result<Self::Ok, Self::Err>;
}

impl<T, E> IsResult for Result<T, E> {
    type Ok = T;
    type Err = E;
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn into_result(self) -> Self {
        self
    }
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn from_result(result: Self) -> Self {
        result
    }
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn as_result(&self) -> &Self {
        self
    }
}

/// The retry state of a blocking function returning `R`, reading the clock `C`
/// ([`SyncClock`]).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn blocking<R: IsResult, P: PolicyRef, C: Clock>(policy: P) -> Retry<P, R::Ok, R::Err, Nop, C> {
    Retry::new(policy, Nop)
}

/// The retry state of an async function returning `R`, reading the clock `C`
/// ([`AsyncClockFor`]).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn asynchronous<R: IsResult, P: PolicyRef, C: Clock>(
    policy: P,
) -> Retry<P, R::Ok, R::Err, Nop, C> {
    Retry::new(policy, Nop)
}

/// Whether a constant policy has a deadline: the expansion asks it in a constant, so a
/// loop whose policy has none keeps no start instant.
pub const fn deadline(policy: &Policy) -> bool {
    policy.time_limit().is_some()
}

/// Checks, in a constant, the expansion's word on its constant policy: whether it has a
/// deadline (`deadline`), so a literal can pick the clock (cheaper to compile than a
/// constant expression in a type), and whether it has decorrelated jitter
/// (`decorrelated`; without it the engine keeps no previous wait, [`Undecorrelated`]).
/// A wrong word fails to compile.
pub const fn literal_needs(policy: &Policy, deadline: bool, decorrelated: bool) {
    assert!(
        self::deadline(policy) == deadline,
        "the expansion's clock does not match its policy's max_time"
    );
    assert!(
        matches!(policy.jitter_kind(), Jitter::Decorrelated) == decorrelated,
        "the expansion's jitter state does not match its policy's jitter"
    );
}

/// What a loop must keep for its clock: `DEADLINE` (the policy has `max_time`, or is
/// not known until run time) and `HOOKS` (an `on_*` hook reads times).
pub struct Needs<const DEADLINE: bool, const HOOKS: bool>;

/// The clocks of [`Needs`]: nothing kept without a deadline or a hook; the start only
/// for a deadline; start, name and the attempt's due time for hooks. With feature
/// `tracing`, whose events report all of them, always the last.
pub trait PickClock {
    /// For blocking loops.
    type Sync: Clock;
    /// For async loops.
    type Async: Clock;
}

#[cfg(not(feature = "tracing"))]
impl PickClock for Needs<false, false> {
    type Sync = Unclocked;
    type Async = Unclocked;
}

#[cfg(not(feature = "tracing"))]
impl PickClock for Needs<true, false> {
    type Sync = Quiet<StdClock>;
    type Async = Quiet<AsyncClock>;
}

#[cfg(feature = "tracing")]
impl<const DEADLINE: bool> PickClock for Needs<DEADLINE, false> {
    type Sync = StdClock;
    type Async = AsyncClock;
}

impl<const DEADLINE: bool> PickClock for Needs<DEADLINE, true> {
    type Sync = StdClock;
    type Async = AsyncClock;
}

/// The clock of a blocking loop that needs what [`Needs`] says.
pub type SyncClock<const DEADLINE: bool, const HOOKS: bool> =
    <Needs<DEADLINE, HOOKS> as PickClock>::Sync;

/// The clock of an async loop that needs what [`Needs`] says.
pub type AsyncClockFor<const DEADLINE: bool, const HOOKS: bool> =
    <Needs<DEADLINE, HOOKS> as PickClock>::Async;

/// The `Result` the runtime judges for a function returning `R`: `R` itself, named
/// through [`IsResult`] (what a blocking attempt's closure returns).
pub type Outcome<R> = Result<<R as IsResult>::Ok, <R as IsResult>::Err>;

/// A blocking attempt's outcome `R`, as its [`Outcome`] (the same value).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn into_outcome<R: IsResult>(outcome: R) -> Outcome<R> {
    outcome.into_result()
}

/// The last attempt's outcome, as the function's return type.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn outcome<R: IsResult>(result: Result<R::Ok, R::Err>) -> R {
    R::from_result(result)
}

/// An async attempt's outcome, as the `Result` the runtime judges.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn as_result<R: IsResult>(outcome: &R) -> &Result<R::Ok, R::Err> {
    outcome.as_result()
}

/// One async attempt; naming `R` lets `?` in the body infer its error type.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn attempt_async<R, F: Future<Output = R>>(f: F) -> F {
    f
}

/// A copy of an owned argument for one attempt. The bound is checked by a trait the
/// expansion declares per argument, whose message names the argument.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn clone_arg<T: Clone>(value: &T) -> PerAttempt<T> {
    PerAttempt(value.clone())
}

/// One attempt's copy of an owned argument. Not `Copy`, so that the attempt's closure
/// or async block takes it by value (`.take()`), even when the argument is `Copy`: the
/// attempt's future then owns its copy instead of borrowing one.
pub struct PerAttempt<T>(T);

impl<T> PerAttempt<T> {
    /// The copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn take(self) -> T {
        self.0
    }
}

/// Whether a wait is worth sleeping: not zero. By value, so that the expansion does not
/// borrow its wait (a borrowed local stays in the future across the sleep).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn nonzero(wait: Duration) -> bool {
    !wait.is_zero()
}

/// The error type of an attempt cut off by `timeout` without `timeout_error`.
#[diagnostic::on_unimplemented(
    message = "`timeout` needs to build a `{Self}` for an attempt it cuts off, but `{Self}` cannot be made from `retry::Timeout`",
    label = "`{Self}` does not implement `From<retry::Timeout>`",
    note = "add `timeout_error = |_timeout| <a {Self}>` to #[retry], or implement `From<retry::Timeout>` for `{Self}`"
)]
pub trait FromTimeout {
    /// The error.
    fn from_timeout(timeout: Timeout) -> Self;
}

#[diagnostic::do_not_recommend]
impl<E: From<Timeout>> FromTimeout for E {
    #[inline]
    fn from_timeout(timeout: Timeout) -> Self {
        E::from(timeout)
    }
}

/// `attempt`, cut off after `limit` with the error `make_error(Timeout)`.
#[inline]
pub fn timed<T, E, F, S, M>(
    sleeper: &S,
    limit: Duration,
    attempt: F,
    make_error: M,
) -> TimeLimited<F, S::Sleep, M>
where
    F: Future<Output = Result<T, E>>,
    S: Sleeper,
    M: FnOnce(Timeout) -> E,
{
    TimeLimited::new(attempt, sleeper.sleep(limit), make_error)
}

/// The values of the keys, each checked against the function's return type `R`: one
/// function per key, named as the key, whose bounds are the only place a value of the
/// wrong type is reported (at the value). What the builder then gets is chosen by
/// method resolution (`Checked::value`): the value itself when it has the right type,
/// else a stand-in of the right type, so that the builder reports nothing more.
pub mod check {
    use core::marker::PhantomData;
    use core::time::Duration;

    use super::{FromTimeout, IsResult};
    use crate::{Details, Timeout};

    /// A checked value, and which shape `K` it was checked for. `Checked(f).value()`
    /// finds `Passes::value` on `Checked` itself when `f` has the shape, else
    /// `StandIn::value` on `&Checked`.
    pub struct Checked<F, K>(F, PhantomData<fn() -> K>);

    /// The shape `Fn(&A) -> bool`.
    pub struct PredicateOn<A>(PhantomData<fn(&A)>);
    /// The shape `Fn(&E) -> Option<Duration>`.
    pub struct HintOn<E>(PhantomData<fn(&E)>);
    /// The shape `Fn(&Details<'_, T, E>)`.
    pub struct HookOn<T, E>(PhantomData<fn(&T, &E)>);

    /// A value that has the type its key takes: it is used as it is.
    pub trait Passes<Out> {
        /// The value.
        fn value(self) -> Out;
    }

    /// A value of the wrong type (already reported): a stand-in of the right type.
    pub trait StandIn<Out> {
        /// The stand-in.
        fn value(self) -> Out;
    }

    macro_rules! shape {
        ($(#[$doc:meta])* $name:ident<$($p:ident),*>($arg:ty) -> $ret:ty, $out:ident, $stand_in:expr) => {
            $(#[$doc])*
            pub trait $name<$($p),*>: Fn($arg) -> $out {}
            impl<$($p,)* F: Fn($arg) -> $out> $name<$($p),*> for F {}
            impl<$($p,)* F: Fn($arg) -> $out> Passes<F> for Checked<F, $ret> {
                #[cfg_attr(debug_assertions, inline)]
                #[cfg_attr(not(debug_assertions), inline(always))]
                fn value(self) -> F {
                    self.0
                }
            }
            impl<$($p,)* F> StandIn<fn($arg) -> $out> for &Checked<F, $ret> {
                fn value(self) -> fn($arg) -> $out {
                    $stand_in
                }
            }
        };
    }

    /// What a predicate returns.
    #[diagnostic::on_unimplemented(
        message = "a predicate (`giveup`, `retry_if`, `retry_if_ok`) returns `bool`, but this one returns `{Self}`",
        label = "returns `{Self}`, not `bool`"
    )]
    pub trait Verdict {}
    impl Verdict for bool {}

    /// What `retry_after` returns.
    #[diagnostic::on_unimplemented(
        message = "`retry_after` returns `Option<Duration>`, but this one returns `{Self}`",
        label = "returns `{Self}`, not `Option<Duration>`"
    )]
    pub trait Hint {}
    impl Hint for Option<Duration> {}

    /// What a hook returns.
    #[diagnostic::on_unimplemented(
        message = "a hook (`on_backoff`, `on_giveup`, `on_success`) returns `()`, but this one returns `{Self}`",
        label = "returns `{Self}`, not `()`"
    )]
    pub trait Done {}
    impl Done for () {}

    /// A stand-in only exists in a program that does not compile; if one ever runs,
    /// method resolution chose it for a value of the right type, which is a bug.
    #[cold]
    fn stand_in_called() -> ! {
        panic!("#[retry] called the stand-in for a key value of the wrong type: please report this bug")
    }

    type Option2 = Option<Duration>;
    type Unit = ();

    shape!(
        /// `Fn(&A) -> bool`.
        Predicate<A>(&A) -> PredicateOn<A>, bool, |_| stand_in_called()
    );
    shape!(
        /// `Fn(&E) -> Option<Duration>`.
        HintFn<E>(&E) -> HintOn<E>, Option2, |_| stand_in_called()
    );
    shape!(
        /// `Fn(&Details<'_, T, E>)`.
        HookFn<T, E>(&Details<'_, T, E>) -> HookOn<T, E>, Unit, |_| stand_in_called()
    );

    /// `giveup = F`: `Fn(&E) -> bool`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn giveup<R: IsResult, F: Fn(&R::Err) -> O, O: Verdict>(
        f: F,
    ) -> Checked<F, PredicateOn<R::Err>> {
        Checked(f, PhantomData)
    }

    /// `retry_if = F`: `Fn(&E) -> bool`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn retry_if<R: IsResult, F: Fn(&R::Err) -> O, O: Verdict>(
        f: F,
    ) -> Checked<F, PredicateOn<R::Err>> {
        Checked(f, PhantomData)
    }

    /// `retry_if_ok = F`: `Fn(&T) -> bool`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn retry_if_ok<R: IsResult, F: Fn(&R::Ok) -> O, O: Verdict>(
        f: F,
    ) -> Checked<F, PredicateOn<R::Ok>> {
        Checked(f, PhantomData)
    }

    /// `retry_after = F`: `Fn(&E) -> Option<Duration>`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn retry_after<R: IsResult, F: Fn(&R::Err) -> O, O: Hint>(
        f: F,
    ) -> Checked<F, HintOn<R::Err>> {
        Checked(f, PhantomData)
    }

    /// `on_backoff = F`: `Fn(&Details<'_, T, E>)`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn on_backoff<R: IsResult, F: Fn(&Details<'_, R::Ok, R::Err>) -> O, O: Done>(
        f: F,
    ) -> Checked<F, HookOn<R::Ok, R::Err>> {
        Checked(f, PhantomData)
    }

    /// `on_giveup = F`: `Fn(&Details<'_, T, E>)`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn on_giveup<R: IsResult, F: Fn(&Details<'_, R::Ok, R::Err>) -> O, O: Done>(
        f: F,
    ) -> Checked<F, HookOn<R::Ok, R::Err>> {
        Checked(f, PhantomData)
    }

    /// `on_success = F`: `Fn(&Details<'_, T, E>)`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn on_success<R: IsResult, F: Fn(&Details<'_, R::Ok, R::Err>) -> O, O: Done>(
        f: F,
    ) -> Checked<F, HookOn<R::Ok, R::Err>> {
        Checked(f, PhantomData)
    }

    /// `wait = W`: `IntoIterator<Item = Duration>`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn wait<W: IntoIterator<Item = Duration>>(w: W) -> W::IntoIter {
        w.into_iter()
    }

    /// `timeout_error = F`: `FnOnce(Timeout) -> E`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn timeout_error<R: IsResult, F: FnOnce(Timeout) -> R::Err>(f: F) -> F {
        f
    }

    /// `timeout` without `timeout_error`: `E::from(Timeout)`; `E` is inferred, so that
    /// the one bound is reported at the `timeout` key.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn timeout<E: FromTimeout>() -> fn(Timeout) -> E {
        E::from_timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_on_a_literal_policy_is_checked() {
        const NONE: Policy = Policy::expo();
        const SOME: Policy = Policy::expo().max_time(Duration::from_secs(5));
        const DECORRELATED: Policy = Policy::expo().jitter(Jitter::Decorrelated);
        const _: () = literal_needs(&NONE, false, false);
        const _: () = literal_needs(&SOME, true, false);
        const _: () = literal_needs(&DECORRELATED, false, true);
        for (policy, deadline, decorrelated, what) in [
            (
                SOME,
                false,
                false,
                "a policy with max_time said to have none",
            ),
            (
                NONE,
                true,
                false,
                "a policy without max_time said to have one",
            ),
            (
                DECORRELATED,
                false,
                false,
                "decorrelated jitter said to be absent",
            ),
            (NONE, false, true, "full jitter said to be decorrelated"),
        ] {
            let wrong = std::panic::catch_unwind(|| literal_needs(&policy, deadline, decorrelated));
            assert!(wrong.is_err(), "{what}");
        }
    }
}
