//! The async loop: a hand-written (safe, via `pin-project-lite`) state machine, so the
//! future has a name, a small size and no allocation.

use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{ready, Context, Poll};
use core::time::Duration;

use pin_project_lite::pin_project;

use crate::clock::{AsyncClock, Clock, Quiet};
use crate::engine::PolicyRef;
use crate::engine::{BudgetSlot, Builtin, Steps};
use crate::hooks::{HookSet, Hooks, Nop};
use crate::jitter::JitterSource;
use crate::policy::Policy;
pub use crate::retry::Timed;
use crate::retry::{Retry, Step};
use crate::Timeout;

/// How the async loop sleeps: any `Fn(Duration) -> impl Future<Output = ()>`, or
/// [`TokioSleeper`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot sleep: enable the `tokio` feature, or name a sleep function: `sleep = my_runtime_sleep` in #[retry], `.sleep(my_runtime_sleep)` on a call-site `Retry`",
    label = "no sleeper"
)]
pub trait Sleeper {
    /// The sleep future.
    type Sleep: Future<Output = ()>;
    /// Sleep for `wait`.
    fn sleep(&self, wait: Duration) -> Self::Sleep;
}

impl<F, Fut> Sleeper for F
where
    F: Fn(Duration) -> Fut,
    Fut: Future<Output = ()>,
{
    type Sleep = Fut;

    #[inline]
    fn sleep(&self, wait: Duration) -> Fut {
        self(wait)
    }
}

/// `tokio::time::sleep`.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    type Sleep = tokio::time::Sleep;

    #[inline]
    fn sleep(&self, wait: Duration) -> tokio::time::Sleep {
        tokio::time::sleep(wait)
    }
}

/// The sleeper of [`Policy::retry_async`]: tokio's with feature `tokio`; without it,
/// none, and `.sleep(..)` must name one.
#[cfg(feature = "tokio")]
pub type DefaultSleeper = TokioSleeper;
/// The sleeper of [`Policy::retry_async`]: tokio's with feature `tokio`; without it,
/// none, and `.sleep(..)` must name one.
#[cfg(not(feature = "tokio"))]
pub type DefaultSleeper = crate::hooks::Nop;

impl Policy {
    /// Retry the async `op` under this policy: `op` is called for each attempt and
    /// returns that attempt's future. Add predicates and hooks, then `.await` it.
    ///
    /// ```
    /// use retry_core::Policy;
    /// use std::time::Duration;
    ///
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut tries = 0;
    /// let body = Policy::expo()
    ///     .factor(Duration::from_millis(1))
    ///     .retry_async(|| {
    ///         tries += 1;
    ///         let ok = tries > 1;
    ///         async move { if ok { Ok("body") } else { Err("503") } }
    ///     })
    ///     .giveup(|e: &&str| e.starts_with('4'))
    ///     .await;
    /// assert_eq!(body, Ok("body"));
    /// # }
    /// ```
    #[inline]
    pub fn retry_async<T, E, Op, Fut>(
        &self,
        op: Op,
    ) -> Retry<&Policy, T, E, Op, Quiet<AsyncClock>, Builtin, Hooks, DefaultSleeper>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        Retry::new(self, op).sleep(DefaultSleeper::default())
    }
}

/// How one attempt of the async call-site API runs: as it is ([`Nop`]), or cut off
/// after a time limit ([`Timed`]).
pub trait AttemptLimit<Fut: Future, Sl: Sleeper> {
    /// The attempt's future.
    type Attempt: Future<Output = Fut::Output>;
    /// Wrap one attempt.
    fn limit(&self, attempt: Fut, sleeper: &Sl) -> Self::Attempt;
}

impl<Fut: Future, Sl: Sleeper> AttemptLimit<Fut, Sl> for Nop {
    type Attempt = Fut;
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn limit(&self, attempt: Fut, _: &Sl) -> Fut {
        attempt
    }
}

impl<T, E, Fut, Sl, F> AttemptLimit<Fut, Sl> for Timed<F>
where
    Fut: Future<Output = Result<T, E>>,
    Sl: Sleeper,
    F: Fn(Timeout) -> E + Clone,
{
    type Attempt = TimeLimited<Fut, Sl::Sleep, F>;
    #[inline]
    fn limit(&self, attempt: Fut, sleeper: &Sl) -> Self::Attempt {
        TimeLimited::new(attempt, sleeper.sleep(self.limit), self.make_error.clone())
    }
}

pin_project! {
    /// An attempt cut off when its timer fires first, failing with `make_error(Timeout)`.
    #[must_use = "futures do nothing unless polled"]
    pub struct TimeLimited<Fut, Timer, M> {
        #[pin]
        attempt: Fut,
        #[pin]
        timer: Timer,
        make_error: Option<M>,
    }
}

impl<Fut, Timer, M> TimeLimited<Fut, Timer, M> {
    /// `attempt`, cut off when `timer` completes first.
    #[inline]
    pub fn new(attempt: Fut, timer: Timer, make_error: M) -> Self {
        TimeLimited {
            attempt,
            timer,
            make_error: Some(make_error),
        }
    }
}

impl<T, E, Fut, Timer, M> Future for TimeLimited<Fut, Timer, M>
where
    Fut: Future<Output = Result<T, E>>,
    Timer: Future<Output = ()>,
    M: FnOnce(Timeout) -> E,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let this = self.project();
        if let Poll::Ready(outcome) = this.attempt.poll(cx) {
            return Poll::Ready(outcome);
        }
        ready!(this.timer.poll(cx));
        match this.make_error.take() {
            Some(make_error) => Poll::Ready(Err(make_error(Timeout))),
            None => Poll::Pending,
        }
    }
}

pin_project! {
    /// The future of an async retried call (`.await` on a [`Retry`]).
    #[must_use = "futures do nothing unless polled"]
    pub struct RetryFuture<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut>
    where
        P: PolicyRef,
        C: Clock,
        Sl: Sleeper,
        Fut: Future,
        To: AttemptLimit<Fut, Sl>,
    {
        retry: Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
        #[pin]
        state: State<To::Attempt, Sl::Sleep>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<Attempt, Sleep> {
        Start,
        Idle,
        Attempt { #[pin] fut: Attempt },
        Sleeping { #[pin] sleep: Sleep },
    }
}

impl<P: PolicyRef, T, E, Op, Fut, C, S, H, Sl, B, To, Rn> IntoFuture
    for Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Steps,
    H: HookSet<T, E>,
    Sl: Sleeper,
    B: BudgetSlot,
    Rn: JitterSource,
    To: AttemptLimit<Fut, Sl>,
{
    type Output = Result<T, E>;
    type IntoFuture = RetryFuture<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut>;

    fn into_future(self) -> Self::IntoFuture {
        RetryFuture {
            retry: self,
            state: State::Start,
        }
    }
}

impl<P: PolicyRef, T, E, Op, Fut, C, S, H, Sl, B, To, Rn> Future
    for RetryFuture<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Steps,
    H: HookSet<T, E>,
    Sl: Sleeper,
    B: BudgetSlot,
    Rn: JitterSource,
    To: AttemptLimit<Fut, Sl>,
{
    type Output = Result<T, E>;

    /// The first attempt and an accepted success are inline; judging a failure,
    /// sleeping and the later attempts are out of line.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.as_mut().project();
        if matches!(*this.state, State::Start) {
            this.retry.start();
            Self::launch(this.retry, this.state.as_mut());
        }
        let outcome = match this.state.as_mut().project() {
            StateProj::Attempt { fut } => ready!(fut.poll(cx)),
            _ => return self.poll_slow(cx, None),
        };
        if this.retry.settled(&outcome) {
            this.state.set(State::Idle);
            return Poll::Ready(outcome);
        }
        self.poll_slow(cx, Some(outcome))
    }
}

impl<P: PolicyRef, T, E, Op, Fut, C, S, H, Sl, B, To, Rn>
    RetryFuture<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Steps,
    H: HookSet<T, E>,
    Sl: Sleeper,
    B: BudgetSlot,
    Rn: JitterSource,
    To: AttemptLimit<Fut, Sl>,
{
    /// Start the next attempt.
    #[inline]
    fn launch(
        retry: &mut Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
        mut state: Pin<&mut State<To::Attempt, Sl::Sleep>>,
    ) {
        let fut = retry.timeout.limit((retry.op)(), &retry.sleeper);
        state.set(State::Attempt { fut });
    }

    /// The rest of [`poll`](Future::poll): `outcome` is an attempt's outcome that the
    /// engine must judge, if one just ended.
    #[inline(never)]
    fn poll_slow(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut outcome: Option<Result<T, E>>,
    ) -> Poll<Result<T, E>> {
        let mut this = self.project();
        loop {
            if let Some(outcome) = outcome.take() {
                match this.retry.decide(&outcome) {
                    Step::Done => {
                        this.state.set(State::Idle);
                        return Poll::Ready(outcome);
                    }
                    // A zero wait skips the timer: tokio rounds even a zero sleep up to
                    // its next 1 ms tick.
                    Step::Sleep(wait) if wait.is_zero() => this.state.set(State::Idle),
                    Step::Sleep(wait) => {
                        let sleep = this.retry.sleeper.sleep(wait);
                        this.state.set(State::Sleeping { sleep });
                    }
                }
            }
            match this.state.as_mut().project() {
                // Every state, `Start` included (though `poll` starts the call itself).
                StateProj::Start | StateProj::Idle => {
                    if matches!(*this.state, State::Start) {
                        this.retry.start();
                    }
                    Self::launch(this.retry, this.state.as_mut());
                }
                StateProj::Attempt { fut } => outcome = Some(ready!(fut.poll(cx))),
                StateProj::Sleeping { sleep } => {
                    ready!(sleep.poll(cx));
                    this.state.set(State::Idle);
                }
            }
        }
    }
}
