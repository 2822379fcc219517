//! What `#[retry]` expands into. Not a public API: names and signatures may change in
//! any release.

use core::future::Future;

pub use core::time::Duration;

pub use crate::clock::{AsyncClock, StdClock};
pub use crate::engine::{Const, ConstPolicy, PolicyRef};
pub use crate::future::{DefaultSleeper, Sleeper, TimeLimited};
pub use crate::hooks::Nop;
pub use crate::retry::{Retry, Step};
pub use crate::{Jitter, Policy, Timeout};

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
#[inline(always)]
pub fn blocking<R: IsResult, P: PolicyRef>(policy: P) -> Retry<P, R::Ok, R::Err, Nop, StdClock> {
    Retry::new(policy, Nop)
}

/// The retry state of an async function returning `R`.
#[inline(always)]
pub fn asynchronous<R: IsResult, P: PolicyRef>(
    policy: P,
) -> Retry<P, R::Ok, R::Err, Nop, AsyncClock> {
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
