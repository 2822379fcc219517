//! [`Details`]: what a hook is told about the call.

use core::fmt;
use core::time::Duration;

use crate::engine::Stop;

/// What a hook of a hedged call is told beyond the plain [`Details`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hedging {
    /// The attempt whose outcome this is, 1-based in start order.
    pub(crate) attempt: u32,
    /// Attempts still running that were dropped as the call returned.
    pub(crate) cancelled: u32,
}

/// What `on_backoff`, `on_giveup` and `on_success` are told.
pub struct Details<'a, T, E> {
    pub(crate) name: &'static str,
    pub(crate) tries: u32,
    pub(crate) elapsed: Duration,
    pub(crate) wait: Option<Duration>,
    pub(crate) stop: Option<Stop>,
    pub(crate) attempt: Duration,
    pub(crate) outcome: &'a Result<T, E>,
    pub(crate) hedge: Option<Hedging>,
}

impl<'a, T, E> Details<'a, T, E> {
    /// The retried function: `module_path!()::fn_name` under `#[retry]`, or the name
    /// given to the call-site API (`"retry"` by default).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Attempts made so far, 1-based: 1 after the first attempt.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Time since the first attempt started, read after the last attempt ended.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The wait before the next attempt: `Some` in `on_backoff` only.
    pub fn wait(&self) -> Option<Duration> {
        self.wait
    }

    /// Why the call ended: `Some` in `on_giveup` (the predicate or limit that stopped
    /// it) and `on_success` ([`Stop::Success`]); `None` in `on_backoff`.
    pub fn stop(&self) -> Option<Stop> {
        self.stop
    }

    /// How long the last attempt itself took: from when it was due to start (the call's
    /// start, or the end of the wait before it) to when it ended. Zero when nothing
    /// reads the clock, and in a hedged call (where attempts overlap); never more than
    /// [`elapsed`](Self::elapsed).
    pub fn attempt_duration(&self) -> Duration {
        self.attempt
    }

    /// The last attempt's outcome.
    pub fn outcome(&self) -> &'a Result<T, E> {
        self.outcome
    }

    /// The attempt whose outcome this is, 1-based in start order: [`tries`](Self::tries)
    /// except in a [hedged](crate::hedge) call, whose attempts may end out of order.
    pub fn attempt(&self) -> u32 {
        self.hedge.map_or(self.tries, |h| h.attempt)
    }

    /// Attempts still running that a [hedged](crate::hedge) call dropped as it returned
    /// (in `on_success` and `on_giveup`); 0 otherwise.
    pub fn cancelled(&self) -> u32 {
        self.hedge.map_or(0, |h| h.cancelled)
    }
}

impl<T, E> fmt::Debug for Details<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Details")
            .field("name", &self.name)
            .field("tries", &self.tries)
            .field("elapsed", &self.elapsed)
            .field("wait", &self.wait)
            .field("stop", &self.stop)
            .field("attempt_duration", &self.attempt)
            .field("ok", &self.outcome.is_ok())
            .finish()
    }
}
