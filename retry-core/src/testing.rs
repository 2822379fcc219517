//! A testing aid for blocking code: skip and record the sleeps of retry loops on the
//! current thread, so a test of a retried function takes no real time and can assert
//! the schedule. (For async code, use tokio's paused time instead.)
//!
//! ```
//! use retry_core::{testing::FakeSleeps, Jitter, Policy};
//! use std::time::Duration;
//!
//! let sleeps = FakeSleeps::start();
//! let result: Result<(), &str> = Policy::expo()
//!     .jitter(Jitter::None)
//!     .max_tries(4)
//!     .retry(|| Err("down"))
//!     .call();
//! assert!(result.is_err());
//! assert_eq!(sleeps.recorded(), [1, 2, 4].map(Duration::from_secs));
//! assert_eq!(sleeps.total(), Duration::from_secs(7));
//! ```
//!
//! While a [`FakeSleeps`] is alive, the blocking loop's clock is virtual too: it stands
//! still during attempts and moves forward by every skipped sleep, so `max_time` and
//! `Details::elapsed` are exact, as under tokio's paused time.

use core::cell::{Cell, RefCell};
use core::marker::PhantomData;
use core::time::Duration;

thread_local! {
    static ACTIVE: Cell<u32> = const { Cell::new(0) };
    static SKIPPED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
    static RECORDED: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

/// While alive, blocking retry loops on this thread record their sleeps instead of
/// sleeping. Not `Send`: it belongs to the thread that started it.
#[derive(Debug)]
#[must_use = "sleeps are skipped only while the guard is alive"]
pub struct FakeSleeps {
    start: usize,
    _not_send: PhantomData<*const ()>,
}

impl FakeSleeps {
    /// Skip and record sleeps on this thread until the guard is dropped.
    pub fn start() -> FakeSleeps {
        let outermost = ACTIVE.with(|a| {
            a.set(a.get() + 1);
            a.get() == 1
        });
        if outermost {
            // A fresh virtual clock per outermost guard: an earlier test's sleeps (even
            // a saturated total) do not leak into this one.
            SKIPPED.with(|s| s.set(Duration::ZERO));
        }
        FakeSleeps {
            start: RECORDED.with(|r| r.borrow().len()),
            _not_send: PhantomData,
        }
    }

    /// The sleeps skipped since this guard started, in order.
    pub fn recorded(&self) -> Vec<Duration> {
        RECORDED.with(|r| r.borrow()[self.start..].to_vec())
    }

    /// Their sum.
    pub fn total(&self) -> Duration {
        RECORDED.with(|r| r.borrow()[self.start..].iter().sum())
    }
}

impl Drop for FakeSleeps {
    fn drop(&mut self) {
        let left = ACTIVE.with(|a| {
            a.set(a.get() - 1);
            a.get()
        });
        if left == 0 {
            RECORDED.with(|r| r.borrow_mut().clear());
        }
    }
}

/// Sleep on the current thread, or record the sleep if a [`FakeSleeps`] is alive.
/// A zero wait returns at once.
pub fn sleep(wait: Duration) {
    if wait.is_zero() {
        return;
    }
    if ACTIVE.with(Cell::get) > 0 {
        RECORDED.with(|r| r.borrow_mut().push(wait));
        SKIPPED.with(|s| s.set(s.get().saturating_add(wait)));
    } else {
        std::thread::sleep(wait);
    }
}

/// While a [`FakeSleeps`] is alive: the virtual time, the total of sleeps skipped on
/// this thread.
pub(crate) fn virtual_now() -> Option<Duration> {
    (ACTIVE.with(Cell::get) > 0).then(|| SKIPPED.with(Cell::get))
}
