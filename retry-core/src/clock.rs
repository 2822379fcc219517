//! Monotonic clocks for the blocking and the async loop.

use core::time::Duration;

/// A monotonic clock: `std`'s for blocking code, tokio's for async code, so that
/// tests under tokio's paused time are exact.
pub trait Clock {
    /// A point in time.
    type Instant: Copy;
    /// What a call keeps for hooks and events: [`Reported`], or nothing (`()`).
    type Report: Report;
    /// Whether this clock is read at all ([`Unclocked`] is not).
    const READS: bool = true;
    /// Now; `None` from a clock that is never read ([`Unclocked`]).
    fn now() -> Option<Self::Instant>;
    /// Time since `start`.
    fn since(start: Self::Instant) -> Duration;
}

/// The name hooks and events report for a call that was not named.
const UNNAMED: &str = "retry";

/// What a call keeps for hooks and events, beside its start: its name and when its
/// current attempt was due to start. `()` keeps nothing, for a loop that reports nothing.
pub trait Report: Copy {
    /// Nothing reported yet; the name `"retry"`.
    const NEW: Self;
    /// The name hooks and events report.
    fn name(&self) -> &'static str;
    /// Set the name.
    fn set_name(&mut self, name: &'static str);
    /// When the current attempt was due to start, in nanoseconds since the first did.
    fn due(&self) -> u64;
    /// Set [`due`](Self::due).
    fn set_due(&mut self, nanos: u64);
}

/// The name and the current attempt's due time, for hooks and events.
#[derive(Clone, Copy, Debug)]
pub struct Reported {
    name: &'static str,
    due: u64,
}

impl Report for Reported {
    const NEW: Self = Reported {
        name: UNNAMED,
        due: 0,
    };
    #[inline(always)]
    fn name(&self) -> &'static str {
        self.name
    }
    #[inline(always)]
    fn set_name(&mut self, name: &'static str) {
        self.name = name;
    }
    #[inline(always)]
    fn due(&self) -> u64 {
        self.due
    }
    #[inline(always)]
    fn set_due(&mut self, nanos: u64) {
        self.due = nanos;
    }
}

impl Report for () {
    const NEW: Self = ();
    #[inline(always)]
    fn name(&self) -> &'static str {
        UNNAMED
    }
    #[inline(always)]
    fn set_name(&mut self, _: &'static str) {}
    #[inline(always)]
    fn due(&self) -> u64 {
        0
    }
    #[inline(always)]
    fn set_due(&mut self, _: u64) {}
}

/// A clock with a twin that keeps what hooks and events report: what a call-site
/// [`Retry`](crate::Retry) switches to when it is named or given a hook.
pub trait CanReport: Clock {
    /// The twin.
    type Reporting: Clock<Report = Reported>;
}

impl CanReport for StdClock {
    type Reporting = StdClock;
}

impl<C: Clock<Report = Reported>> CanReport for Quiet<C> {
    type Reporting = C;
}

impl Reported {
    /// What `report` kept (the name `"retry"` and no due time, if it kept nothing).
    #[inline(always)]
    pub(crate) fn from_report(report: &impl Report) -> Self {
        Reported {
            name: report.name(),
            due: report.due(),
        }
    }
}

/// The clock `C`, for a loop with no hook: it is read for `max_time` only, and the call
/// keeps no name and no due time (with feature `tracing`, whose events report them, it
/// keeps both).
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet<C>(core::marker::PhantomData<C>);

impl<C: Clock> Clock for Quiet<C> {
    type Instant = C::Instant;
    #[cfg(not(feature = "tracing"))]
    type Report = ();
    #[cfg(feature = "tracing")]
    type Report = Reported;
    #[inline(always)]
    fn now() -> Option<Self::Instant> {
        C::now()
    }
    #[inline(always)]
    fn since(start: Self::Instant) -> Duration {
        C::since(start)
    }
}

/// No clock, for a loop that needs none: its policy is a constant without `max_time`,
/// and no hook or event reports times. Never read; the call keeps nothing for it (its
/// start, an `Option<NoInstant>`, takes no bytes).
#[derive(Clone, Copy, Debug, Default)]
pub struct Unclocked;

/// The instant of [`Unclocked`]: there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoInstant {}

impl Clock for Unclocked {
    type Instant = NoInstant;
    type Report = ();
    const READS: bool = false;
    #[inline(always)]
    fn now() -> Option<NoInstant> {
        None
    }
    #[inline(always)]
    fn since(start: NoInstant) -> Duration {
        match start {}
    }
}

/// `std::time::Instant`; while a [`crate::testing::FakeSleeps`] is alive on the
/// thread, a virtual clock that moves only by the sleeps it skips.
#[derive(Clone, Copy, Debug, Default)]
pub struct StdClock;

/// A reading of [`StdClock`].
#[derive(Clone, Copy, Debug)]
pub enum StdInstant {
    /// The real monotonic clock.
    Real(std::time::Instant),
    /// The virtual clock of [`crate::testing::FakeSleeps`]: sleeps skipped so far.
    Fake(Duration),
}

impl Clock for StdClock {
    type Instant = StdInstant;
    type Report = Reported;

    #[inline]
    fn now() -> Option<StdInstant> {
        Some(match crate::testing::virtual_now() {
            Some(now) => StdInstant::Fake(now),
            None => StdInstant::Real(std::time::Instant::now()),
        })
    }

    #[inline]
    fn since(start: StdInstant) -> Duration {
        match start {
            StdInstant::Real(start) => start.elapsed(),
            StdInstant::Fake(start) => crate::testing::virtual_now()
                .unwrap_or(start)
                .saturating_sub(start),
        }
    }
}

/// `tokio::time::Instant`: follows tokio's paused and advanced time in tests.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

#[cfg(feature = "tokio")]
impl CanReport for TokioClock {
    type Reporting = TokioClock;
}

#[cfg(feature = "tokio")]
impl Clock for TokioClock {
    type Instant = tokio::time::Instant;
    type Report = Reported;

    #[inline]
    fn now() -> Option<Self::Instant> {
        Some(tokio::time::Instant::now())
    }

    #[inline]
    fn since(start: Self::Instant) -> Duration {
        start.elapsed()
    }
}

/// The clock of the async loop: tokio's with feature `tokio`, else `std`'s.
#[cfg(feature = "tokio")]
pub type AsyncClock = TokioClock;
/// The clock of the async loop: tokio's with feature `tokio`, else `std`'s.
#[cfg(not(feature = "tokio"))]
pub type AsyncClock = StdClock;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclocked_start_takes_no_byte() {
        assert_eq!(
            core::mem::size_of::<Option<<Unclocked as Clock>::Instant>>(),
            0
        );
        assert!(Unclocked::now().is_none());
    }
}
