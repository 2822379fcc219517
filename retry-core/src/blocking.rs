//! The blocking loop: `std::thread::sleep` (or [`crate::testing::FakeSleeps`]) and
//! `std::time::Instant`.

use crate::clock::{Clock, Quiet, StdClock};
use crate::engine::{BudgetSlot, PolicyRef, Steps};
use crate::hooks::{HookSet, Nop};
use crate::jitter::JitterSource;
use crate::policy::Policy;
use crate::retry::{Retry, Step};

impl Policy {
    /// Retry the blocking `op` under this policy; add predicates and hooks, then
    /// [`call`](Retry::call) it.
    ///
    /// ```
    /// use retry_core::Policy;
    /// use std::time::Duration;
    ///
    /// let mut tries = 0;
    /// let read = Policy::constant(Duration::from_millis(1))
    ///     .retry(|| {
    ///         tries += 1;
    ///         if tries == 1 { Err("busy") } else { Ok("config") }
    ///     })
    ///     .call();
    /// assert_eq!(read, Ok("config"));
    /// ```
    #[inline]
    pub fn retry<T, E, Op>(&self, op: Op) -> Retry<&Policy, T, E, Op, Quiet<StdClock>>
    where
        Op: FnMut() -> Result<T, E>,
    {
        Retry::new(self, op)
    }
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
where
    Op: FnMut() -> Result<T, E>,
    S: Steps,
    H: HookSet<T, E>,
    B: BudgetSlot,
    Rn: JitterSource,
{
    /// Run the operation until it succeeds or the policy says stop; the last attempt's
    /// outcome is returned unchanged.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn call(self) -> Result<T, E> {
        let Retry {
            engine,
            hooks,
            mut op,
            sleeper,
            timeout,
            report,
            start,
            ..
        } = self;
        Retry::<P, T, E, Nop, C, S, H, Sl, B, To, Rn>::from_parts(
            engine, hooks, Nop, sleeper, timeout, report, start,
        )
        .run(|_| op())
    }
}

impl<P: PolicyRef, T, E, Op, C: Clock, S, H, Sl, B, To, Rn>
    Retry<P, T, E, Op, C, S, H, Sl, B, To, Rn>
where
    S: Steps,
    H: HookSet<T, E>,
    B: BudgetSlot,
    Rn: JitterSource,
{
    /// Run `attempt` (told the attempt number, from 1) until it succeeds or the policy
    /// says stop; the last attempt's outcome is returned unchanged.
    ///
    /// The first attempt and an accepted success are inline; retrying is out of line,
    /// in one function per outcome type and set of hooks that every annotated function
    /// shares (the operation is reached through `dyn FnMut`).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn run<F: FnMut(u32) -> Result<T, E>>(mut self, mut attempt: F) -> Result<T, E> {
        self.start();
        let outcome = attempt(1);
        if self.settled(&outcome) {
            return outcome;
        }
        self.run_slow(&mut attempt, outcome)
    }

    /// The rest of [`run`](Self::run) after a first outcome that the engine must judge.
    #[inline(never)]
    fn run_slow(
        mut self,
        attempt: &mut dyn FnMut(u32) -> Result<T, E>,
        mut outcome: Result<T, E>,
    ) -> Result<T, E> {
        loop {
            match self.decide(&outcome) {
                Step::Done => return outcome,
                // A zero wait is skipped inline: no call, no thread-local lookup.
                Step::Sleep(wait) if wait.is_zero() => {}
                Step::Sleep(wait) => crate::testing::sleep(wait),
            }
            outcome = attempt(self.tries().saturating_add(1));
            if self.settled(&outcome) {
                return outcome;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use core::time::Duration;

    use super::*;
    use crate::testing::FakeSleeps;
    use crate::{Details, Jitter};

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn retries_until_success() {
        let sleeps = FakeSleeps::start();
        let tries = Cell::new(0);
        let out: Result<u32, &str> = Policy::expo()
            .jitter(Jitter::None)
            .max_tries(5)
            .retry(|| {
                tries.set(tries.get() + 1);
                if tries.get() < 4 {
                    Err("no")
                } else {
                    Ok(tries.get())
                }
            })
            .call();
        assert_eq!(out, Ok(4));
        assert_eq!(sleeps.recorded(), [S, 2 * S, 4 * S]);
    }

    #[test]
    fn returns_the_last_error() {
        let _sleeps = FakeSleeps::start();
        let tries = Cell::new(0);
        let out: Result<(), u32> = Policy::expo()
            .retry(|| {
                tries.set(tries.get() + 1);
                Err(tries.get())
            })
            .call();
        assert_eq!(out, Err(3));
    }

    #[test]
    fn giveup_and_retry_if_stop_early() {
        let _sleeps = FakeSleeps::start();
        let tries = Cell::new(0);
        let fail = || {
            tries.set(tries.get() + 1);
            Err::<(), _>(tries.get())
        };
        assert_eq!(
            Policy::expo().retry(fail).giveup(|e| *e == 2).call(),
            Err(2)
        );
        tries.set(0);
        assert_eq!(
            Policy::expo().retry(fail).retry_if(|e| *e < 1).call(),
            Err(1)
        );
    }

    #[test]
    fn retry_if_ok_returns_the_last_ok() {
        let sleeps = FakeSleeps::start();
        let tries = Cell::new(0);
        let out: Result<u32, ()> = Policy::constant(S)
            .jitter(Jitter::None)
            .max_tries(4)
            .retry(|| {
                tries.set(tries.get() + 1);
                Ok(tries.get())
            })
            .retry_if_ok(|v| *v < 10)
            .call();
        assert_eq!(out, Ok(4));
        assert_eq!(sleeps.total(), 3 * S);
    }

    #[test]
    fn hooks_see_details() {
        let _sleeps = FakeSleeps::start();
        let log = std::cell::RefCell::new(Vec::new());
        let tries = Cell::new(0);
        let out: Result<u32, &str> = Policy::constant(S)
            .jitter(Jitter::None)
            .retry(|| {
                tries.set(tries.get() + 1);
                if tries.get() < 2 {
                    Err("x")
                } else {
                    Ok(7)
                }
            })
            .name("demo")
            .on_backoff(|d: &Details<'_, u32, &str>| {
                log.borrow_mut().push(format!(
                    "backoff {} {} {:?} {:?}",
                    d.name(),
                    d.tries(),
                    d.wait(),
                    d.outcome()
                ))
            })
            .on_success(|d: &Details<'_, u32, &str>| {
                log.borrow_mut().push(format!(
                    "success {} {:?} {:?}",
                    d.tries(),
                    d.wait(),
                    d.elapsed()
                ))
            })
            .on_giveup(|_: &Details<'_, u32, &str>| log.borrow_mut().push("giveup".into()))
            .call();
        assert_eq!(out, Ok(7));
        assert_eq!(
            *log.borrow(),
            ["backoff demo 1 Some(1s) Err(\"x\")", "success 2 None 1s"]
        );
    }

    #[test]
    fn on_giveup_runs_once_for_every_stop() {
        let _sleeps = FakeSleeps::start();
        let count = Cell::new(0);
        let _ = Policy::expo()
            .retry(|| Err::<(), _>(()))
            .on_giveup(|_: &Details<'_, (), ()>| count.set(count.get() + 1))
            .call();
        let _ = Policy::expo()
            .retry(|| Err::<(), _>(()))
            .giveup(|_| true)
            .on_giveup(|_: &Details<'_, (), ()>| count.set(count.get() + 1))
            .call();
        assert_eq!(count.get(), 2);
    }

    #[test]
    fn max_time_with_fake_clock() {
        let sleeps = FakeSleeps::start();
        let out: Result<(), ()> = Policy::constant(10 * S)
            .jitter(Jitter::None)
            .forever()
            .max_time(25 * S)
            .retry(|| Err(()))
            .call();
        assert!(out.is_err());
        assert_eq!(sleeps.recorded(), [10 * S, 10 * S, 5 * S]);
    }

    #[test]
    fn custom_schedule_ends_retries() {
        let sleeps = FakeSleeps::start();
        let tries = Cell::new(0);
        let _ = Policy::expo()
            .jitter(Jitter::None)
            .forever()
            .retry(|| {
                tries.set(tries.get() + 1);
                Err::<(), ()>(())
            })
            .wait([S, 3 * S])
            .call();
        assert_eq!(tries.get(), 3);
        assert_eq!(sleeps.recorded(), [S, 3 * S]);
    }

    #[test]
    fn real_sleep_of_zero_returns_at_once() {
        let start = std::time::Instant::now();
        let _ = Policy::constant(Duration::ZERO)
            .max_tries(1000)
            .retry(|| Err::<(), ()>(()))
            .call();
        // Generous bound: 1000 zero waits never sleep.
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
