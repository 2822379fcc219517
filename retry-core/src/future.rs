//! The async loop: a hand-written (safe, via `pin-project-lite`) state machine, so the
//! future has a name, a small size and no allocation.

use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{ready, Context, Poll};
use core::time::Duration;

use pin_project_lite::pin_project;

use crate::clock::{AsyncClock, Clock};
use crate::hooks::{HookSet, Hooks};
use crate::policy::Policy;
use crate::retry::{Retry, Step};

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
    ) -> Retry<T, E, Op, AsyncClock, crate::backoff::Schedule, Hooks, DefaultSleeper>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        Retry::<T, E, Op, AsyncClock>::new(self, op).sleep(DefaultSleeper::default())
    }
}

impl<T, E, Op, C: Clock, S, H, Sl> Retry<T, E, Op, C, S, H, Sl> {
    /// Sleep with another runtime's timer (no tokio runtime needed then).
    pub fn sleep<Sl2>(self, sleeper: Sl2) -> Retry<T, E, Op, C, S, H, Sl2> {
        let Retry {
            engine,
            hooks,
            op,
            name,
            start,
            ..
        } = self;
        Retry::from_parts(engine, hooks, op, sleeper, name, start)
    }
}

pin_project! {
    /// The future of an async retried call (`.await` on a [`Retry`]).
    #[must_use = "futures do nothing unless polled"]
    pub struct RetryFuture<T, E, Op, C, S, H, Sl, Fut>
    where
        C: Clock,
        Sl: Sleeper,
    {
        retry: Retry<T, E, Op, C, S, H, Sl>,
        #[pin]
        state: State<Fut, Sl::Sleep>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<Fut, Sleep> {
        Start,
        Idle,
        Attempt { #[pin] fut: Fut },
        Sleeping { #[pin] sleep: Sleep },
    }
}

impl<T, E, Op, Fut, C, S, H, Sl> IntoFuture for Retry<T, E, Op, C, S, H, Sl>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Iterator<Item = Duration>,
    H: HookSet<T, E>,
    Sl: Sleeper,
{
    type Output = Result<T, E>;
    type IntoFuture = RetryFuture<T, E, Op, C, S, H, Sl, Fut>;

    fn into_future(self) -> Self::IntoFuture {
        RetryFuture {
            retry: self,
            state: State::Start,
        }
    }
}

impl<T, E, Op, Fut, C, S, H, Sl> Future for RetryFuture<T, E, Op, C, S, H, Sl, Fut>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Iterator<Item = Duration>,
    H: HookSet<T, E>,
    Sl: Sleeper,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Start => {
                    // Straight to the first attempt (no stop in `Idle`).
                    this.retry.start();
                    let fut = (this.retry.op)();
                    this.state.set(State::Attempt { fut });
                }
                StateProj::Idle => {
                    let fut = (this.retry.op)();
                    this.state.set(State::Attempt { fut });
                }
                StateProj::Attempt { fut } => {
                    let outcome = ready!(fut.poll(cx));
                    match this.retry.after(&outcome) {
                        Step::Done => {
                            this.state.set(State::Idle);
                            return Poll::Ready(outcome);
                        }
                        // A zero wait skips the timer: tokio rounds even a zero sleep up
                        // to its next 1 ms tick.
                        Step::Sleep(wait) if wait.is_zero() => this.state.set(State::Idle),
                        Step::Sleep(wait) => {
                            let sleep = this.retry.sleeper.sleep(wait);
                            this.state.set(State::Sleeping { sleep });
                        }
                    }
                }
                StateProj::Sleeping { sleep } => {
                    ready!(sleep.poll(cx));
                    this.state.set(State::Idle);
                }
            }
        }
    }
}
