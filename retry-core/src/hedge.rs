//! Hedged attempts: cut tail latency, not only failures.
//!
//! A hedged call starts its first attempt; while an attempt is still running after the
//! hedge delay, it starts another one concurrently (Dean and Barroso's "hedged
//! requests", Polly's hedging strategy, gRPC's hedging policy), and when an attempt fails
//! with a retryable error it starts the next one at once. The first accepted `Ok` is
//! returned and every attempt still running is dropped, which cancels it. A permanent
//! error (`giveup`, `retry_if`) is returned at once and the others are dropped too. When
//! every attempt has failed, the last error is returned.
//!
//! **Only idempotent calls may be hedged**: a hedged call may run its operation several
//! times at once, and an attempt that is dropped may already have had its effect on the
//! server (a `GET`, a read, a `PUT` of the same value: yes; a payment, an append, a `POST`
//! that creates: no).
//!
//! ```
//! use retry_core::{hedge::Inline, Policy};
//! use std::time::Duration;
//!
//! # async fn read_replica(key: &str) -> Result<String, std::io::Error> { Ok(key.to_owned()) }
//! const READS: Policy = Policy::expo().max_tries(3);
//!
//! # #[cfg(feature = "tokio")]
//! async fn read(key: &str) -> Result<String, std::io::Error> {
//!     // At most 3 attempts, a new one 50 ms after the last one started; no allocation.
//!     READS
//!         .retry_async(|| read_replica(key))
//!         .hedge_in(Inline::<3>, Duration::from_millis(50))
//!         .await
//! }
//! # #[cfg(not(feature = "tokio"))] fn main() {}
//! # #[cfg(feature = "tokio")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! # assert_eq!(read("user:42").await.unwrap(), "user:42");
//! # }
//! ```
//!
//! # What each piece decides
//! The one [`Engine`] makes every decision, as in the plain async loop: an attempt that
//! fails goes to [`Engine::failed`] (`max_tries`, `max_time`, the budget), a permanent
//! error to [`Engine::stopped`], the accepted `Ok` to [`Engine::succeeded`], and each
//! hedge to [`Engine::hedge`] (`max_tries` counts the attempts *started*, `max_time`, and
//! the budget: a hedge withdraws one token when it starts, and none is started while the
//! budget does not allow a retry). The schedule's waits, jitter and `retry_after` hints
//! are not used: a retryable failure starts the next attempt at once.
//!
//! # Hooks and events
//! [`Details::attempt`] is the number of the attempt whose outcome a hook sees (1-based,
//! in the order attempts started) and [`Details::cancelled`] how many attempts were still
//! running and were dropped when the call returned (in `on_success` and `on_giveup`).
//! [`Details::tries`] counts the attempts that have ended, so as the call returns the
//! attempts started are `tries() + cancelled()`.
//! `on_backoff` runs when a failure starts the next attempt at once (its wait is zero).
//! With feature `tracing`: an INFO event for each hedge (`"attempt still running;
//! hedging"`), the INFO event of each retried failure, an INFO event naming the winner
//! when a call that started more than one attempt succeeds (`"hedged call succeeded"`,
//! fields `attempt`, `started`, `cancelled`, `elapsed`), and on give-up an ERROR event
//! (a limit) or a WARN event (a predicate) with `cancelled`.
//!
//! # Where the attempts live
//! Attempts run inside the one future, concurrently, polled in place: nothing is spawned.
//! Their storage is the first argument of [`Retry::hedge_in`]:
//! - [`Inline<N>`] (N from 1 to 16): N slots inside the future, no heap allocation; at
//!   most N attempts run at once (a hedge that falls due while N run is skipped, a failure
//!   still starts the next at once). The future holds N attempt futures, so it is about N
//!   times the size of one. Use it when the attempt limit is a constant.
//! - [`Spill`] (what [`Retry::hedge`] uses): for a limit known only at run time. The
//!   first attempt is kept inline, so a call that never hedges allocates nothing; each
//!   further slot is one heap allocation, made once per call the first time that many
//!   attempts run at once and reused after, plus the `Vec` that holds them.
//!
//! # The equivalent code
//! For two attempts, with no predicates, budget or deadline, `.hedge(d)` does what this
//! does by hand with `tokio::select!` (which also drops the loser):
//!
//! ```
//! # #[cfg(not(feature = "tokio"))] fn main() {}
//! # #[cfg(feature = "tokio")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! # use std::time::Duration;
//! # async fn fetch() -> Result<u32, String> { Ok(1) }
//! # let d = Duration::from_millis(50);
//! let first = fetch();
//! tokio::pin!(first);
//! let result = tokio::select! {
//!     result = &mut first => match result {
//!         Ok(value) => Ok(value),
//!         Err(_) => fetch().await, // a failure starts the next attempt at once
//!     },
//!     () = tokio::time::sleep(d) => {
//!         let second = fetch();
//!         tokio::pin!(second);
//!         // The first `Ok` wins; when one attempt fails, the other's outcome is returned.
//!         tokio::select! {
//!             Ok(value) = &mut first => Ok(value),
//!             Ok(value) = &mut second => Ok(value),
//!             else => Err("both failed".to_string()),
//!         }
//!     }
//! };
//! # assert_eq!(result, Ok(1));
//! # }
//! ```
//!
//! [`Details::attempt`]: crate::Details::attempt
//! [`Details::cancelled`]: crate::Details::cancelled
//! [`Details::tries`]: crate::Details::tries

#![allow(clippy::type_complexity)]

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use pin_project_lite::pin_project;

use crate::clock::Clock;
#[cfg(feature = "tracing")]
use crate::clock::Report;
use crate::details::Hedging;
use crate::engine::{BudgetSlot, Decision, Engine, PolicyRef, Steps, Stop};
use crate::future::{AttemptLimit, Sleeper};
use crate::hooks::{judge, HookSet, Judgement, Nop};
use crate::jitter::JitterSource;
use crate::retry::Retry;

impl<P: PolicyRef, S: Steps, B: BudgetSlot, Rn: JitterSource> Engine<P, S, B, Rn> {
    /// Whether a hedge may start now: attempt number `started + 1`, while earlier ones
    /// are still running, `elapsed` after the first attempt started (any value when
    /// [`needs_clock`](Self::needs_clock) is false).
    ///
    /// In this order: `max_tries` (which counts the attempts started, not only those
    /// reported), `max_time`, the budget. A hedge that is allowed withdraws one token from
    /// the budget, so that every attempt beyond the first counts against it; the answer
    /// is then `Retry(Duration::ZERO)`: start it now.
    ///
    /// ```
    /// use retry_core::engine::{Decision, Engine};
    /// use retry_core::{Budget, Policy, Stop};
    /// use std::time::Duration;
    ///
    /// let budget = Budget::new(4, 0.1);
    /// let policy = Policy::expo().max_tries(3);
    /// let mut engine = Engine::new(&policy).budget(&budget);
    /// let now = Duration::ZERO;
    /// assert_eq!(engine.hedge(1, now), Decision::Retry(Duration::ZERO));
    /// assert_eq!(budget.tokens(), 3.0);
    /// // 3 tokens of 4 are more than half: one more hedge is allowed, but the limit is 3.
    /// assert_eq!(engine.hedge(2, now), Decision::Retry(Duration::ZERO));
    /// assert_eq!(engine.hedge(3, now), Decision::Return(Stop::Tries));
    /// ```
    pub fn hedge(&mut self, started: u32, elapsed: Duration) -> Decision {
        if !self.room_for_another(started) {
            return Decision::Return(Stop::Tries);
        }
        if self.policy().max_time.is_some_and(|max| elapsed >= max) {
            return Decision::Return(Stop::Deadline);
        }
        if !self.budget.allows_retry() {
            return Decision::Return(Stop::Budget);
        }
        self.budget.withdraw();
        Decision::Retry(Duration::ZERO)
    }

    /// Whether `max_tries` leaves room for one more attempt after `started` of them.
    #[inline]
    pub(crate) fn room_for_another(&self, started: u32) -> bool {
        self.tries_limit().is_none_or(|max| started < max)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Where a hedged call keeps the attempts that run at once: [`Inline<N>`] or [`Spill`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold hedged attempts",
    label = "not a hedge capacity",
    note = "use `Inline::<N>` with N from 1 to 16 (no allocation), or `Spill` (a limit known at run time)"
)]
pub trait Capacity: sealed::Sealed {
    /// The slots, for attempts of type `A`.
    type Slots<A>: Slots<A>;
}

/// Storage of the running attempts of a hedged call, each pinned in place.
pub trait Slots<A>: sealed::Sealed + Sized {
    /// How many attempts fit at once (`u32::MAX`: as many as the limits allow).
    const CAPACITY: u32;
    /// No attempt.
    fn empty() -> Self;
    /// Puts `attempt` into a free slot; hands it back when every slot is taken.
    fn insert(self: Pin<&mut Self>, attempt: A) -> Result<(), A>;
    /// The first answer of `f` for a running attempt, whose slot is then emptied
    /// (dropping the attempt).
    fn take_first<R>(
        self: Pin<&mut Self>,
        f: &mut impl FnMut(Pin<&mut A>) -> Option<R>,
    ) -> Option<R>;
    /// Drops every attempt; answers how many there were.
    fn clear(self: Pin<&mut Self>) -> u32;
}

/// N attempt slots inside the future (N from 1 to 16): no heap allocation, at most N
/// attempts at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inline<const N: usize>;

/// The slots of a limit known at run time: the first attempt inline, each further slot
/// on the heap, allocated once per call and reused.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spill;

pin_project! {
    /// One slot inside the future, then the others.
    #[derive(Debug)]
    pub struct Link<A, R> {
        #[pin]
        slot: Option<A>,
        #[pin]
        rest: R,
    }
}

/// The end of a list of slots.
#[derive(Clone, Copy, Debug, Default)]
pub struct End;

/// Slots on the heap, each allocated once and pinned in its box.
#[derive(Debug)]
pub struct Heap<A> {
    slots: Vec<Pin<Box<Option<A>>>>,
}

impl<A, R> sealed::Sealed for Link<A, R> {}
impl sealed::Sealed for End {}
impl<A> sealed::Sealed for Heap<A> {}
impl sealed::Sealed for Spill {}
impl<const N: usize> sealed::Sealed for Inline<N> {}

impl<A> Slots<A> for End {
    const CAPACITY: u32 = 0;
    #[inline]
    fn empty() -> Self {
        End
    }
    #[inline]
    fn insert(self: Pin<&mut Self>, attempt: A) -> Result<(), A> {
        Err(attempt)
    }
    #[inline]
    fn take_first<R>(
        self: Pin<&mut Self>,
        _: &mut impl FnMut(Pin<&mut A>) -> Option<R>,
    ) -> Option<R> {
        None
    }
    #[inline]
    fn clear(self: Pin<&mut Self>) -> u32 {
        0
    }
}

impl<A, R: Slots<A>> Slots<A> for Link<A, R> {
    const CAPACITY: u32 = R::CAPACITY.saturating_add(1);

    #[inline]
    fn empty() -> Self {
        Link {
            slot: None,
            rest: R::empty(),
        }
    }

    #[inline]
    fn insert(self: Pin<&mut Self>, attempt: A) -> Result<(), A> {
        let mut this = self.project();
        if this.slot.is_none() {
            this.slot.set(Some(attempt));
            Ok(())
        } else {
            this.rest.insert(attempt)
        }
    }

    #[inline]
    fn take_first<T>(
        self: Pin<&mut Self>,
        f: &mut impl FnMut(Pin<&mut A>) -> Option<T>,
    ) -> Option<T> {
        let mut this = self.project();
        if let Some(attempt) = this.slot.as_mut().as_pin_mut() {
            if let Some(answer) = f(attempt) {
                this.slot.set(None);
                return Some(answer);
            }
        }
        this.rest.take_first(f)
    }

    #[inline]
    fn clear(self: Pin<&mut Self>) -> u32 {
        let mut this = self.project();
        let here = u32::from(this.slot.is_some());
        this.slot.set(None);
        here + this.rest.clear()
    }
}

impl<A> Slots<A> for Heap<A> {
    const CAPACITY: u32 = u32::MAX;

    #[inline]
    fn empty() -> Self {
        Heap { slots: Vec::new() }
    }

    fn insert(self: Pin<&mut Self>, attempt: A) -> Result<(), A> {
        let slots = &mut self.get_mut().slots;
        match slots.iter_mut().find(|slot| slot.is_none()) {
            Some(free) => free.set(Some(attempt)),
            None => slots.push(Box::pin(Some(attempt))),
        }
        Ok(())
    }

    fn take_first<R>(
        self: Pin<&mut Self>,
        f: &mut impl FnMut(Pin<&mut A>) -> Option<R>,
    ) -> Option<R> {
        for slot in &mut self.get_mut().slots {
            if let Some(attempt) = slot.as_mut().as_pin_mut() {
                if let Some(answer) = f(attempt) {
                    slot.set(None);
                    return Some(answer);
                }
            }
        }
        None
    }

    fn clear(self: Pin<&mut Self>) -> u32 {
        let mut dropped = 0;
        for slot in &mut self.get_mut().slots {
            dropped += u32::from(slot.is_some());
            slot.set(None);
        }
        dropped
    }
}

impl Capacity for Spill {
    type Slots<A> = Link<A, Heap<A>>;
}

impl Capacity for Inline<1> {
    type Slots<A> = Link<A, End>;
}

/// `Inline<N>` is one inline slot before `Inline<N - 1>`'s.
macro_rules! inline_capacities {
    ($($n:literal => $smaller:literal),* $(,)?) => {$(
        impl Capacity for Inline<$n> {
            type Slots<A> = Link<A, <Inline<$smaller> as Capacity>::Slots<A>>;
        }
    )*};
}

inline_capacities! {
    2 => 1, 3 => 2, 4 => 3, 5 => 4, 6 => 5, 7 => 6, 8 => 7, 9 => 8, 10 => 9, 11 => 10,
    12 => 11, 13 => 12, 14 => 13, 15 => 14, 16 => 15,
}

/// The largest [`Inline`] capacity.
pub const MAX_INLINE: u32 = 16;

/// The [`Inline`] capacity for a literal attempt limit: `max_tries`, at most
/// [`MAX_INLINE`] (then at most that many attempts run at once).
pub const fn inline_slots(max_tries: u32) -> usize {
    match max_tries {
        0 => 1,
        n if n > MAX_INLINE => MAX_INLINE as usize,
        n => n as usize,
    }
}

/// How a hedged call makes attempt number `n` (1-based): [`Plain`] or [`Numbered`].
pub trait MakeAttempt<Fut> {
    /// Attempt number `n`'s future.
    fn make(&mut self, n: u32) -> Fut;
}

/// An operation that does not need the attempt number: `FnMut() -> Fut`, what
/// [`Policy::retry_async`](crate::Policy::retry_async) takes.
#[derive(Clone, Copy, Debug)]
pub struct Plain<Op>(Op);

impl<Op: FnMut() -> Fut, Fut> MakeAttempt<Fut> for Plain<Op> {
    #[inline]
    fn make(&mut self, _: u32) -> Fut {
        (self.0)()
    }
}

/// An operation told the attempt number: `FnMut(u32) -> Fut` (e.g. to ask another
/// replica on each attempt).
#[derive(Clone, Copy, Debug)]
pub struct Numbered<Op>(Op);

impl<Op: FnMut(u32) -> Fut, Fut> MakeAttempt<Fut> for Numbered<Op> {
    #[inline]
    fn make(&mut self, n: u32) -> Fut {
        (self.0)(n)
    }
}

pin_project! {
    /// One running attempt and its number.
    #[derive(Debug)]
    pub struct Running<F> {
        number: u32,
        #[pin]
        attempt: F,
    }
}

impl<F: Future> Future for Running<F> {
    type Output = (u32, F::Output);

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let number = *this.number;
        this.attempt.poll(cx).map(|outcome| (number, outcome))
    }
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
{
    /// Hedge the call: while an attempt is still running after `delay`, start another one
    /// concurrently, and start the next one at once when an attempt fails with a retryable
    /// error, at most `max_tries` in all; the first accepted `Ok` wins and the others are
    /// dropped (see [the module docs](crate::hedge)). **Only for idempotent operations.**
    ///
    /// The attempt limit may be known only at run time: the first attempt lives in the
    /// future, each further slot is one heap allocation, made once per call (a call that
    /// never hedges allocates nothing). [`hedge_in`](Self::hedge_in)`(Inline::<N>, delay)`
    /// allocates nothing at all.
    ///
    /// ```
    /// use retry_core::Policy;
    /// use std::cell::Cell;
    /// use std::time::Duration;
    /// use tokio::time::{sleep, Instant};
    ///
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let started = Instant::now();
    /// let attempts = Cell::new(0);
    /// let answer: Result<u32, String> = Policy::expo()
    ///     .max_tries(2)
    ///     .retry_async(|| {
    ///         attempts.set(attempts.get() + 1);
    ///         // The first attempt is slow (200 ms), the hedge fast (10 ms).
    ///         let (n, took) = (attempts.get(), if attempts.get() == 1 { 200 } else { 10 });
    ///         async move {
    ///             sleep(Duration::from_millis(took)).await;
    ///             Ok(n)
    ///         }
    ///     })
    ///     .hedge(Duration::from_millis(50))
    ///     .await;
    /// assert_eq!(answer, Ok(2));
    /// assert_eq!(started.elapsed(), Duration::from_millis(60));
    /// # }
    /// ```
    #[inline]
    pub fn hedge<Fut>(
        self,
        delay: Duration,
    ) -> Hedged<P, T, E, Plain<Op>, C, S, H, Sl, B, To, Rn, Fut, Spill>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        Sl: Sleeper,
        To: AttemptLimit<Fut, Sl>,
    {
        self.hedge_in(Spill, delay)
    }

    /// [`hedge`](Self::hedge) with the attempts kept in `capacity`: [`Inline::<N>`](Inline)
    /// (N slots inside the future, no allocation, at most N attempts at once) or
    /// [`Spill`].
    #[inline]
    pub fn hedge_in<K: Capacity, Fut>(
        self,
        capacity: K,
        delay: Duration,
    ) -> Hedged<P, T, E, Plain<Op>, C, S, H, Sl, B, To, Rn, Fut, K>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        Sl: Sleeper,
        To: AttemptLimit<Fut, Sl>,
    {
        let _ = capacity;
        let retry = self.rebuild(|engine, hooks, op, sleeper, timeout| {
            (engine, hooks, Plain(op), sleeper, timeout)
        });
        Hedged::new(retry, delay)
    }
}

impl<P: PolicyRef, T, E, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Nop, C, S, H, Sl, B, To, Rn>
{
    /// Hedge attempts made by `attempt(n)`, where `n` is the attempt's number (1-based, in
    /// start order), kept in `capacity` ([`Inline::<N>`](Inline) or [`Spill`]); otherwise
    /// [`hedge`](Self::hedge). What `#[retry(hedge = ...)]` expands into, and what a call
    /// site uses that sends each attempt elsewhere (another replica, another URL).
    ///
    /// ```
    /// use retry_core::{clock::AsyncClock, future::DefaultSleeper, hedge::Inline, hooks::Nop, Policy, Retry};
    /// use std::time::Duration;
    ///
    /// # #[cfg(not(feature = "tokio"))] fn main() {}
    /// # #[cfg(feature = "tokio")]
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// const POLICY: Policy = Policy::expo().max_tries(3);
    /// let replicas = ["a", "b", "c"];
    /// let answer: Result<&str, ()> = Retry::<_, _, _, _, AsyncClock>::new(&POLICY, Nop)
    ///     .sleep(DefaultSleeper::default())
    ///     .hedge_attempts(Inline::<3>, Duration::from_millis(50), |n| {
    ///         let replica = replicas[n as usize - 1];
    ///         async move { if replica == "a" { Err(()) } else { Ok(replica) } }
    ///     })
    ///     .await;
    /// assert_eq!(answer, Ok("b"));
    /// # }
    /// ```
    #[inline]
    pub fn hedge_attempts<K: Capacity, F, Fut>(
        self,
        capacity: K,
        delay: Duration,
        attempt: F,
    ) -> Hedged<P, T, E, Numbered<F>, C, S, H, Sl, B, To, Rn, Fut, K>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        Sl: Sleeper,
        To: AttemptLimit<Fut, Sl>,
    {
        let _ = capacity;
        let retry = self.rebuild(|engine, hooks, Nop, sleeper, timeout| {
            (engine, hooks, Numbered(attempt), sleeper, timeout)
        });
        Hedged::new(retry, delay)
    }
}

type SlotsOf<K, A> = <K as Capacity>::Slots<Running<A>>;

pin_project! {
    /// The future of a hedged call: [`Retry::hedge`], [`Retry::hedge_in`],
    /// [`Retry::hedge_attempts`]. Its attempts run inside it; dropping it drops them.
    #[must_use = "futures do nothing unless polled"]
    pub struct Hedged<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, K>
    where
        P: PolicyRef,
        C: Clock,
        Sl: Sleeper,
        Fut: Future,
        To: AttemptLimit<Fut, Sl>,
        K: Capacity,
    {
        retry: Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
        delay: Duration,
        // Attempts started and still running.
        started: u32,
        running: u32,
        // `Some` once the engine has said no attempt may start after a failure.
        closed: Option<Stop>,
        // Whether the timer may still start hedges.
        hedging: bool,
        // A hedge is due now (a zero delay).
        due: bool,
        fresh: bool,
        finished: bool,
        #[pin]
        timer: Option<Sl::Sleep>,
        #[pin]
        slots: SlotsOf<K, To::Attempt>,
        _future: PhantomData<fn() -> Fut>,
    }
}

impl<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, K>
    Hedged<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, K>
where
    P: PolicyRef,
    C: Clock,
    Sl: Sleeper,
    Fut: Future,
    To: AttemptLimit<Fut, Sl>,
    K: Capacity,
{
    fn new(retry: Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>, delay: Duration) -> Self {
        Hedged {
            retry,
            delay,
            started: 0,
            running: 0,
            closed: None,
            hedging: true,
            due: false,
            fresh: true,
            finished: false,
            timer: None,
            slots: SlotsOf::<K, To::Attempt>::empty(),
            _future: PhantomData,
        }
    }
}

/// What to do after an attempt ended.
enum Next {
    /// Return this outcome; `None`: it is an accepted success.
    Return(Option<Stop>),
    /// Start the next attempt now.
    Start,
    /// Wait for the attempts still running.
    Wait,
}

impl<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, K> Future
    for Hedged<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, K>
where
    P: PolicyRef,
    Op: MakeAttempt<Fut>,
    Fut: Future<Output = Result<T, E>>,
    C: Clock,
    S: Steps,
    H: HookSet<T, E>,
    Sl: Sleeper,
    B: BudgetSlot,
    Rn: JitterSource,
    To: AttemptLimit<Fut, Sl>,
    K: Capacity,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.project();
        assert!(!*this.finished, "a hedged call polled after it returned");
        if *this.fresh {
            *this.fresh = false;
            this.retry.start();
            launch(this.retry, this.slots.as_mut(), this.started, this.running);
            arm(this.retry, *this.delay, this.timer.as_mut(), this.due);
        }
        loop {
            let ended = this
                .slots
                .as_mut()
                .take_first(&mut |attempt| match attempt.poll(cx) {
                    Poll::Ready(ended) => Some(ended),
                    Poll::Pending => None,
                });
            if let Some((number, outcome)) = ended {
                *this.running -= 1;
                let retry = &mut *this.retry;
                let elapsed = retry.elapsed();
                let next = match judge(&retry.hooks, &outcome) {
                    Judgement::Accepted => {
                        retry.engine.succeeded();
                        Next::Return(None)
                    }
                    Judgement::Stopped => Next::Return(Some(retry.engine.stopped())),
                    // The wait (and so the hint) is not used: the next attempt starts now.
                    Judgement::Failed(_) => match retry.engine.failed(elapsed, || None) {
                        Decision::Retry(_) if this.closed.is_none() => {
                            if retry.engine.room_for_another(*this.started) {
                                Next::Start
                            } else if *this.running > 0 {
                                Next::Wait
                            } else {
                                Next::Return(Some(Stop::Tries))
                            }
                        }
                        Decision::Retry(_) => Next::Wait,
                        Decision::Return(stop) => {
                            *this.closed = Some(stop);
                            *this.hedging = false;
                            Next::Wait
                        }
                    },
                };
                let next = match (next, *this.closed) {
                    (Next::Wait, Some(stop)) if *this.running == 0 => Next::Return(Some(stop)),
                    (next, _) => next,
                };
                match next {
                    Next::Return(stop) => {
                        let cancelled = this.slots.as_mut().clear();
                        *this.running = 0;
                        *this.finished = true;
                        this.timer.set(None);
                        report_end(
                            retry,
                            elapsed,
                            &outcome,
                            number,
                            cancelled,
                            *this.started,
                            stop,
                        );
                        return Poll::Ready(outcome);
                    }
                    Next::Start => {
                        if H::HOOKED {
                            let mut details = retry.details(
                                elapsed,
                                Duration::ZERO,
                                Some(Duration::ZERO),
                                None,
                                &outcome,
                            );
                            details.hedge = Some(Hedging {
                                attempt: number,
                                cancelled: 0,
                            });
                            retry.hooks.on_backoff(&details);
                        }
                        #[cfg(feature = "tracing")]
                        tracing::info!(
                            target: "retry",
                            name = retry.report.name(),
                            attempt = number,
                            wait = ?Duration::ZERO,
                            elapsed = ?elapsed,
                            "attempt failed; retrying"
                        );
                        launch(retry, this.slots.as_mut(), this.started, this.running);
                        if *this.hedging {
                            arm(retry, *this.delay, this.timer.as_mut(), this.due);
                        }
                    }
                    Next::Wait => {}
                }
                continue;
            }

            // No attempt has ended: is a hedge due?
            if !*this.hedging {
                return Poll::Pending;
            }
            if !*this.due {
                let fired = match this.timer.as_mut().as_pin_mut() {
                    Some(timer) => timer.poll(cx).is_ready(),
                    None => false,
                };
                if !fired {
                    return Poll::Pending;
                }
                this.timer.set(None);
            }
            *this.due = false;
            if *this.running >= <SlotsOf<K, To::Attempt> as Slots<_>>::CAPACITY {
                // Every slot is taken: the next failure starts the next attempt.
                return Poll::Pending;
            }
            let retry = &mut *this.retry;
            let elapsed = retry.elapsed();
            match retry.engine.hedge(*this.started, elapsed) {
                Decision::Retry(_) => {
                    #[cfg(feature = "tracing")]
                    tracing::info!(
                        target: "retry",
                        name = retry.report.name(),
                        attempt = *this.started + 1,
                        running = *this.running,
                        elapsed = ?elapsed,
                        "attempt still running; hedging"
                    );
                    launch(retry, this.slots.as_mut(), this.started, this.running);
                    arm(retry, *this.delay, this.timer.as_mut(), this.due);
                }
                Decision::Return(_) => {
                    *this.hedging = false;
                    return Poll::Pending;
                }
            }
        }
    }
}

/// Starts the next attempt in a free slot (the caller has checked there is one).
fn launch<P, T, E, Op, C, S, H, Sl, B, To, Rn, Fut, St>(
    retry: &mut Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
    slots: Pin<&mut St>,
    started: &mut u32,
    running: &mut u32,
) where
    P: PolicyRef,
    C: Clock,
    Op: MakeAttempt<Fut>,
    Fut: Future,
    Sl: Sleeper,
    To: AttemptLimit<Fut, Sl>,
    St: Slots<Running<To::Attempt>>,
{
    *started += 1;
    let attempt = retry.timeout.limit(retry.op.make(*started), &retry.sleeper);
    let inserted = slots.insert(Running {
        number: *started,
        attempt,
    });
    debug_assert!(inserted.is_ok(), "launched with every slot taken");
    *running += u32::from(inserted.is_ok());
}

/// Sets the hedge timer to `delay` from now (a zero delay: a hedge is due at once).
fn arm<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl: Sleeper, B, To, Rn>(
    retry: &Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
    delay: Duration,
    mut timer: Pin<&mut Option<Sl::Sleep>>,
    due: &mut bool,
) {
    if delay.is_zero() {
        // tokio rounds even a zero sleep up to its next 1 ms tick.
        *due = true;
        timer.set(None);
    } else {
        timer.set(Some(retry.sleeper.sleep(delay)));
    }
}

/// The hooks and events of a returning call; `stop` is `None` for an accepted success.
#[allow(clippy::too_many_arguments)]
fn report_end<P, T, E, Op, C, S, H, Sl, B, To, Rn>(
    retry: &Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>,
    elapsed: Duration,
    outcome: &Result<T, E>,
    number: u32,
    cancelled: u32,
    started: u32,
    stop: Option<Stop>,
) where
    P: PolicyRef,
    C: Clock,
    S: Steps,
    H: HookSet<T, E>,
    B: BudgetSlot,
    Rn: JitterSource,
{
    let _ = started;
    if H::HOOKED {
        let mut details = retry.details(
            elapsed,
            Duration::ZERO,
            None,
            Some(stop.unwrap_or(Stop::Success)),
            outcome,
        );
        details.hedge = Some(Hedging {
            attempt: number,
            cancelled,
        });
        match stop {
            None => retry.hooks.on_success(&details),
            Some(_) => retry.hooks.on_giveup(&details),
        }
    }
    #[cfg(feature = "tracing")]
    match stop {
        None if started > 1 => tracing::info!(
            target: "retry",
            name = retry.report.name(),
            attempt = number,
            started,
            cancelled,
            elapsed = ?elapsed,
            "hedged call succeeded"
        ),
        None => {}
        Some(Stop::Predicate) => tracing::warn!(
            target: "retry",
            name = retry.report.name(),
            attempt = number,
            started,
            cancelled,
            elapsed = ?elapsed,
            reason = ?Stop::Predicate,
            "giving up"
        ),
        Some(stop) => tracing::error!(
            target: "retry",
            name = retry.report.name(),
            attempt = number,
            started,
            cancelled,
            elapsed = ?elapsed,
            reason = ?stop,
            "giving up"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Budget, Jitter, Policy};

    #[test]
    fn capacities() {
        assert_eq!(
            <<Inline<1> as Capacity>::Slots<u8> as Slots<u8>>::CAPACITY,
            1
        );
        assert_eq!(
            <<Inline<7> as Capacity>::Slots<u8> as Slots<u8>>::CAPACITY,
            7
        );
        assert_eq!(
            <<Inline<16> as Capacity>::Slots<u8> as Slots<u8>>::CAPACITY,
            16
        );
        assert_eq!(
            <<Spill as Capacity>::Slots<u8> as Slots<u8>>::CAPACITY,
            u32::MAX
        );
        assert_eq!(inline_slots(0), 1);
        assert_eq!(inline_slots(4), 4);
        assert_eq!(inline_slots(100), 16);
    }

    #[test]
    fn inline_slots_fill_reuse_and_clear() {
        let mut slots = core::pin::pin!(<<Inline<2> as Capacity>::Slots<u8>>::empty());
        assert_eq!(slots.as_mut().insert(1), Ok(()));
        assert_eq!(slots.as_mut().insert(2), Ok(()));
        assert_eq!(slots.as_mut().insert(3), Err(3));
        let two = slots.as_mut().take_first(&mut |x| (*x == 2).then_some(*x));
        assert_eq!(two, Some(2));
        assert_eq!(slots.as_mut().insert(4), Ok(()));
        assert_eq!(slots.as_mut().clear(), 2);
        assert_eq!(slots.as_mut().clear(), 0);
    }

    #[test]
    fn spill_slots_grow_and_reuse() {
        let mut slots = core::pin::pin!(<<Spill as Capacity>::Slots<u8>>::empty());
        for n in 0..5 {
            assert_eq!(slots.as_mut().insert(n), Ok(()));
        }
        assert_eq!(
            slots.as_mut().take_first(&mut |x| (*x == 3).then_some(())),
            Some(())
        );
        assert_eq!(slots.as_mut().insert(9), Ok(()));
        assert_eq!(slots.rest.slots.len(), 4, "a free heap slot is reused");
        assert_eq!(slots.as_mut().clear(), 5);
    }

    #[test]
    fn hedge_decisions_in_order() {
        let policy = Policy::constant(Duration::ZERO)
            .jitter(Jitter::None)
            .max_tries(3)
            .max_time(Duration::from_secs(1));
        let mut engine = Engine::new(&policy);
        let start_now = Decision::Retry(Duration::ZERO);
        assert_eq!(engine.hedge(1, Duration::ZERO), start_now);
        assert_eq!(
            engine.hedge(3, Duration::from_secs(5)),
            Decision::Return(Stop::Tries)
        );
        assert_eq!(
            engine.hedge(2, Duration::from_secs(1)),
            Decision::Return(Stop::Deadline)
        );
        // A hedge is not an attempt reported: the count is the caller's.
        assert_eq!(engine.tries(), 0);

        let budget = Budget::new(2, 1.0);
        let mut engine = Engine::new(&policy).budget(&budget);
        // 2 tokens: a hedge is allowed above 1, and takes one.
        assert_eq!(engine.hedge(1, Duration::ZERO), start_now);
        assert_eq!(
            engine.hedge(2, Duration::ZERO),
            Decision::Return(Stop::Budget)
        );
        assert_eq!(budget.tokens(), 1.0);
    }
}
