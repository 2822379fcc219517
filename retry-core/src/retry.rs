//! [`Retry`]: one retried call — an [`Engine`] plus predicates, hooks and the clock.
//! The blocking loop ([`Retry::call`]), the async loop ([`Retry::into_future`]) and the
//! `#[retry]` expansion all drive it the same way: attempt, [`after`](Retry::after),
//! sleep or return.

use core::marker::PhantomData;
use core::time::Duration;

use crate::backoff::Schedule;
use crate::budget::Budget;
use crate::clock::Clock;
use crate::details::Details;
use crate::engine::{Decide, Decision, Engine};
use crate::hooks::{HookSet, Hooks, Nop};
use crate::policy::Policy;

/// What the loop does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Return the outcome of the last attempt.
    Done,
    /// Sleep this long, then make another attempt.
    Sleep(Duration),
}

/// One retried call: build it with [`Policy::retry`] or [`Policy::retry_async`], set
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
#[must_use = "a Retry does nothing until it is called or awaited"]
pub struct Retry<T, E, Op, C: Clock, S = Schedule, H = Hooks, Sl = Nop> {
    pub(crate) engine: Engine<S>,
    pub(crate) hooks: H,
    pub(crate) op: Op,
    pub(crate) sleeper: Sl,
    pub(crate) name: &'static str,
    pub(crate) start: Option<C::Instant>,
    _outcome: PhantomData<fn() -> (T, E)>,
}

impl<T, E, Op, C: Clock> Retry<T, E, Op, C> {
    /// A retried call of `op` under `policy`, with no predicates or hooks.
    #[inline]
    pub fn new(policy: &Policy, op: Op) -> Self {
        Retry {
            engine: Engine::new(policy),
            hooks: Hooks::default(),
            op,
            sleeper: Nop,
            name: "retry",
            start: None,
            _outcome: PhantomData,
        }
    }
}

impl<T, E, Op, C: Clock, S, H, Sl> Retry<T, E, Op, C, S, H, Sl> {
    pub(crate) fn from_parts(
        engine: Engine<S>,
        hooks: H,
        op: Op,
        sleeper: Sl,
        name: &'static str,
        start: Option<C::Instant>,
    ) -> Self {
        Retry {
            engine,
            hooks,
            op,
            sleeper,
            name,
            start,
            _outcome: PhantomData,
        }
    }
}

impl<T, E, Op, C: Clock, S, G, R, K, A, B, X, Y, Sl>
    Retry<T, E, Op, C, S, Hooks<G, R, K, A, B, X, Y>, Sl>
{
    /// The name hooks and events report (`#[retry]` passes `module_path!()::fn_name`).
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// Draw jitter from a reproducible sequence.
    pub fn seed(mut self, seed: u64) -> Self {
        self.engine = self.engine.seed(seed);
        self
    }

    /// Take a retry only while `budget` allows it (see [`Budget`]).
    pub fn budget(mut self, budget: &'static Budget) -> Self {
        self.engine = self.engine.budget(budget);
        self
    }

    /// Override the policy's attempt limit (`None`: no limit).
    pub fn max_tries(mut self, max_tries: Option<u32>) -> Self {
        self.engine = self.engine.max_tries(max_tries);
        self
    }

    /// A custom schedule; when it ends, so do the retries. The policy's limits and
    /// jitter still apply.
    pub fn wait<W>(
        self,
        schedule: W,
    ) -> Retry<T, E, Op, C, W::IntoIter, Hooks<G, R, K, A, B, X, Y>, Sl>
    where
        W: IntoIterator<Item = Duration>,
    {
        Retry {
            engine: self.engine.reschedule(schedule),
            hooks: self.hooks,
            op: self.op,
            sleeper: self.sleeper,
            name: self.name,
            start: self.start,
            _outcome: PhantomData,
        }
    }

    /// Stop at once, returning the error, when `giveup` says `true`.
    pub fn giveup<F: Fn(&E) -> bool>(
        self,
        giveup: F,
    ) -> Retry<T, E, Op, C, S, Hooks<F, R, K, A, B, X, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup,
            retry_if: h.retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after: h.retry_after,
            on_backoff: h.on_backoff,
            on_giveup: h.on_giveup,
            on_success: h.on_success,
        })
    }

    /// Stop at once, returning the error, when `retry_if` says `false`.
    pub fn retry_if<F: Fn(&E) -> bool>(
        self,
        retry_if: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, F, K, A, B, X, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after: h.retry_after,
            on_backoff: h.on_backoff,
            on_giveup: h.on_giveup,
            on_success: h.on_success,
        })
    }

    /// Treat an `Ok` value as a failure when `retry_if_ok` says `true` (Python
    /// `backoff`'s `on_predicate`). If the last attempt's `Ok` is still rejected, that
    /// `Ok` is returned.
    pub fn retry_if_ok<F: Fn(&T) -> bool>(
        self,
        retry_if_ok: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, R, F, A, B, X, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if: h.retry_if,
            retry_if_ok,
            retry_after: h.retry_after,
            on_backoff: h.on_backoff,
            on_giveup: h.on_giveup,
            on_success: h.on_success,
        })
    }

    /// A server's hint (e.g. `Retry-After`): wait this instead of the schedule, capped
    /// by `max_delay` and the deadline; no jitter is added.
    pub fn retry_after<F: Fn(&E) -> Option<Duration>>(
        self,
        retry_after: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, R, K, F, B, X, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if: h.retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after,
            on_backoff: h.on_backoff,
            on_giveup: h.on_giveup,
            on_success: h.on_success,
        })
    }

    /// Run before each sleep; [`Details::wait`] is the coming wait.
    pub fn on_backoff<F: Fn(&Details<'_, T, E>)>(
        self,
        on_backoff: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, R, K, A, F, X, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if: h.retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after: h.retry_after,
            on_backoff,
            on_giveup: h.on_giveup,
            on_success: h.on_success,
        })
    }

    /// Run once when the call returns a failed outcome, whatever stopped it.
    pub fn on_giveup<F: Fn(&Details<'_, T, E>)>(
        self,
        on_giveup: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, R, K, A, B, F, Y>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if: h.retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after: h.retry_after,
            on_backoff: h.on_backoff,
            on_giveup,
            on_success: h.on_success,
        })
    }

    /// Run once when the call returns an accepted `Ok`.
    pub fn on_success<F: Fn(&Details<'_, T, E>)>(
        self,
        on_success: F,
    ) -> Retry<T, E, Op, C, S, Hooks<G, R, K, A, B, X, F>, Sl> {
        self.map_hooks(|h| Hooks {
            giveup: h.giveup,
            retry_if: h.retry_if,
            retry_if_ok: h.retry_if_ok,
            retry_after: h.retry_after,
            on_backoff: h.on_backoff,
            on_giveup: h.on_giveup,
            on_success,
        })
    }

    fn map_hooks<H2>(
        self,
        f: impl FnOnce(Hooks<G, R, K, A, B, X, Y>) -> H2,
    ) -> Retry<T, E, Op, C, S, H2, Sl> {
        Retry {
            engine: self.engine,
            hooks: f(self.hooks),
            op: self.op,
            sleeper: self.sleeper,
            name: self.name,
            start: self.start,
            _outcome: PhantomData,
        }
    }
}

impl<T, E, Op, C: Clock, S: Iterator<Item = Duration>, H: HookSet<T, E>, Sl>
    Retry<T, E, Op, C, S, H, Sl>
{
    /// Whether the clock must be read: for `max_time`, a hook or tracing.
    #[inline]
    fn needs_clock(&self) -> bool {
        self.engine.needs_clock() || H::HOOKED || cfg!(feature = "tracing")
    }

    /// Mark the start of the first attempt (reads the clock only if something needs it).
    #[inline]
    pub fn start(&mut self) {
        if self.needs_clock() {
            self.start = Some(C::now());
        }
    }

    /// Attempts made so far.
    #[inline]
    pub fn tries(&self) -> u32 {
        self.engine.tries()
    }

    /// Report an attempt's outcome; the answer says whether to return it or to sleep
    /// and try again. Runs the predicates, the hooks and the engine, in SPEC order.
    #[inline]
    pub fn after(&mut self, outcome: &Result<T, E>) -> Step {
        // The common case first, inline: an accepted success with no hook reads no clock.
        if !H::HOOKED {
            if let Ok(value) = outcome {
                if !self.hooks.rejects_ok(value) {
                    self.engine.succeeded();
                    return Step::Done;
                }
            }
        }
        let elapsed = self.start.map_or(Duration::ZERO, C::since);
        after_attempt(&mut self.engine, &self.hooks, self.name, elapsed, outcome)
    }
}

/// The body of [`Retry::after`], shared with the lean state of `#[retry]`: predicates,
/// hooks, events and the engine, in SPEC order. `elapsed` is read after the attempt (or
/// zero when nothing needs the clock).
#[inline]
pub(crate) fn after_attempt<T, E, H: HookSet<T, E>, D: Decide>(
    engine: &mut D,
    hooks: &H,
    name: &'static str,
    elapsed: Duration,
    outcome: &Result<T, E>,
) -> Step {
    let details = |tries: u32, wait: Option<Duration>| Details {
        name,
        tries,
        elapsed,
        wait,
        outcome,
    };
    let decision = match outcome {
        Ok(value) => {
            if !hooks.rejects_ok(value) {
                engine.succeeded();
                hooks.on_success(&details(engine.tries(), None));
                return Step::Done;
            }
            engine.failed(elapsed, || None)
        }
        Err(error) => {
            if hooks.stops_on(error) {
                Decision::Return(engine.stopped())
            } else {
                engine.failed(elapsed, || hooks.hint(error))
            }
        }
    };
    match decision {
        Decision::Retry(wait) => {
            hooks.on_backoff(&details(engine.tries(), Some(wait)));
            #[cfg(feature = "tracing")]
            tracing::info!(
                name = name,
                attempt = engine.tries(),
                wait = ?wait,
                elapsed = ?elapsed,
                "attempt failed; retrying"
            );
            Step::Sleep(wait)
        }
        Decision::Return(_stop) => {
            hooks.on_giveup(&details(engine.tries(), None));
            #[cfg(feature = "tracing")]
            tracing::error!(
                name = name,
                attempt = engine.tries(),
                elapsed = ?elapsed,
                reason = ?_stop,
                "giving up"
            );
            Step::Done
        }
    }
}
