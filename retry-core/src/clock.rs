//! Monotonic clocks for the blocking and the async loop.

use core::time::Duration;

/// A monotonic clock: `std`'s for blocking code, tokio's for async code, so that
/// tests under tokio's paused time are exact.
pub trait Clock {
    /// A point in time.
    type Instant: Copy;
    /// Now.
    fn now() -> Self::Instant;
    /// Time since `start`.
    fn since(start: Self::Instant) -> Duration;
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

    #[inline]
    fn now() -> StdInstant {
        match crate::testing::virtual_now() {
            Some(now) => StdInstant::Fake(now),
            None => StdInstant::Real(std::time::Instant::now()),
        }
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
impl Clock for TokioClock {
    type Instant = tokio::time::Instant;

    #[inline]
    fn now() -> Self::Instant {
        tokio::time::Instant::now()
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
