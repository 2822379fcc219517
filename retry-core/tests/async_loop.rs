//! The async loop under tokio's paused clock: the virtual time of every attempt is exact.
#![cfg(feature = "tokio")]

use std::cell::{Cell, RefCell};
use std::time::Duration;

use retry_core::{Details, Jitter, Policy};
use tokio::time::Instant;

const S: Duration = Duration::from_secs(1);

/// Runs `policy` against an op that fails `failures` times, recording when each
/// attempt started (relative to the start) and what `hint` each error carries.
async fn attempt_times(
    policy: Policy,
    failures: u32,
    hint: impl Fn(&u32) -> Option<Duration>,
) -> (Result<u32, u32>, Vec<Duration>) {
    let start = Instant::now();
    let times = RefCell::new(Vec::new());
    let result = policy
        .retry_async(|| {
            times.borrow_mut().push(start.elapsed());
            let n = times.borrow().len() as u32;
            async move {
                if n <= failures {
                    Err(n)
                } else {
                    Ok(n)
                }
            }
        })
        .retry_after(hint)
        .await;
    (result, times.into_inner())
}

#[tokio::test(start_paused = true)]
async fn constant_one_second_four_tries() {
    let policy = Policy::constant(S).jitter(Jitter::None).max_tries(4);
    let start = Instant::now();
    let (result, times) = attempt_times(policy, u32::MAX, |_| None).await;
    assert_eq!(result, Err(4));
    assert_eq!(times, [0, 1, 2, 3].map(Duration::from_secs));
    assert_eq!(start.elapsed(), 3 * S);
}

#[tokio::test(start_paused = true)]
async fn expo_without_jitter() {
    let policy = Policy::expo().jitter(Jitter::None).max_tries(5);
    let (result, times) = attempt_times(policy, 3, |_| None).await;
    assert_eq!(result, Ok(4));
    assert_eq!(times, [0, 1, 3, 7].map(Duration::from_secs));
}

#[tokio::test(start_paused = true)]
async fn max_time_cuts_the_last_sleep() {
    let policy = Policy::constant(10 * S)
        .jitter(Jitter::None)
        .forever()
        .max_time(25 * S);
    let start = Instant::now();
    let (result, times) = attempt_times(policy, u32::MAX, |_| None).await;
    assert_eq!(result, Err(4));
    assert_eq!(times, [0, 10, 20, 25].map(Duration::from_secs));
    // No attempt after the deadline, and no sleep past it.
    assert_eq!(start.elapsed(), 25 * S);
}

#[tokio::test(start_paused = true)]
async fn retry_after_overrides_and_is_capped() {
    let policy = Policy::expo()
        .jitter(Jitter::Full)
        .max_tries(4)
        .max_delay(30 * S);
    // Hints: 5 s after the first failure, 1 h (capped to 30 s) after the second,
    // none after the third (the jittered schedule, at most 4 s).
    let hint = |n: &u32| match n {
        1 => Some(5 * S),
        2 => Some(3600 * S),
        _ => None,
    };
    let (result, times) = attempt_times(policy, 3, hint).await;
    assert_eq!(result, Ok(4));
    assert_eq!(times[..3], [0, 5, 35].map(Duration::from_secs));
    assert!(times[3] >= 35 * S && times[3] <= 39 * S, "{:?}", times[3]);
}

#[tokio::test(start_paused = true)]
async fn hints_are_capped_by_the_deadline() {
    let policy = Policy::expo().forever().max_time(10 * S);
    let (result, times) = attempt_times(policy, u32::MAX, |_| Some(3600 * S)).await;
    assert_eq!(result, Err(2));
    assert_eq!(times, [0, 10].map(Duration::from_secs));
}

#[tokio::test(start_paused = true)]
async fn zero_wait_makes_no_timer_call() {
    // tokio would round a zero sleep up to its next 1 ms tick; the loop skips it.
    let policy = Policy::constant(Duration::ZERO).max_tries(4);
    let start = Instant::now();
    let (result, times) = attempt_times(policy, 3, |_| None).await;
    assert_eq!(result, Ok(4));
    assert_eq!(times, [Duration::ZERO; 4]);
    assert_eq!(start.elapsed(), Duration::ZERO);

    // And a custom sleeper is never called for it.
    let sleeps = Cell::new(0);
    let result: Result<(), ()> = Policy::constant(Duration::ZERO)
        .max_tries(3)
        .retry_async(|| async { Err(()) })
        .sleep(|_| {
            sleeps.set(sleeps.get() + 1);
            async {}
        })
        .await;
    assert!(result.is_err());
    assert_eq!(sleeps.get(), 0);
}

#[tokio::test(start_paused = true)]
async fn hooks_and_details_under_paused_time() {
    let log = RefCell::new(Vec::new());
    let tries = Cell::new(0);
    let result: Result<u32, String> = Policy::constant(2 * S)
        .jitter(Jitter::None)
        .max_tries(3)
        .retry_async(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move { Err(format!("fail {n}")) }
        })
        .name("fetch")
        .on_backoff(|d: &Details<'_, u32, String>| {
            log.borrow_mut()
                .push((d.tries(), d.elapsed(), d.wait(), d.name()))
        })
        .on_giveup(|d: &Details<'_, u32, String>| {
            log.borrow_mut()
                .push((d.tries(), d.elapsed(), d.wait(), d.name()))
        })
        .await;
    assert_eq!(result, Err("fail 3".to_string()));
    assert_eq!(
        *log.borrow(),
        [
            (1, Duration::ZERO, Some(2 * S), "fetch"),
            (2, 2 * S, Some(2 * S), "fetch"),
            (3, 4 * S, None, "fetch"),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn attempt_duration_counts_toward_max_time() {
    // Each attempt takes 4 s; with max_time 10 s: attempts start at 0, 5, 10 (wait 1 s
    // each); the third ends at 14 s > 10 s, so no fourth.
    let policy = Policy::constant(S)
        .jitter(Jitter::None)
        .forever()
        .max_time(10 * S);
    let start = Instant::now();
    let times = RefCell::new(Vec::new());
    let result: Result<(), ()> = policy
        .retry_async(|| {
            times.borrow_mut().push(start.elapsed());
            async {
                tokio::time::sleep(4 * S).await;
                Err(())
            }
        })
        .await;
    assert!(result.is_err());
    assert_eq!(*times.borrow(), [0, 5, 10].map(Duration::from_secs));
}

#[test]
fn custom_sleeper_needs_no_tokio_runtime() {
    // A tiny executor: poll until ready; the sleeper is instant and counts calls.
    let sleeps = Cell::new(Duration::ZERO);
    let tries = Cell::new(0);
    // The builder borrows its policy, so the policy outlives it.
    let policy = Policy::expo().jitter(Jitter::None).max_tries(3);
    let fut = policy.retry_async(|| {
        tries.set(tries.get() + 1);
        let n = tries.get();
        async move {
            if n < 3 {
                Err(n)
            } else {
                Ok(n)
            }
        }
    });
    let fut = fut.sleep(|d| {
        sleeps.set(sleeps.get() + d);
        std::future::ready(())
    });
    let result = block_on(std::future::IntoFuture::into_future(fut));
    assert_eq!(result, Ok(3));
    assert_eq!(sleeps.get(), 3 * S);
}

#[path = "../../tests/support/block_on.rs"]
mod block_on;
use block_on::block_on;

#[derive(Debug, PartialEq)]
enum Slow {
    TimedOut,
}

impl From<retry_core::Timeout> for Slow {
    fn from(_: retry_core::Timeout) -> Self {
        Slow::TimedOut
    }
}

/// The call-site API cuts off a slow attempt like the attribute's `timeout` key: the
/// attempt fails with `E::from(Timeout)` at exactly the limit, and the next one runs.
#[tokio::test(start_paused = true)]
async fn call_site_timeout_cuts_slow_attempts() {
    let start = Instant::now();
    let tries = Cell::new(0);
    let policy = Policy::constant(S).jitter(Jitter::None).max_tries(3);
    let result: Result<u32, Slow> = policy
        .retry_async(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move {
                // The first two attempts hang for a minute; the third answers at once.
                if n < 3 {
                    tokio::time::sleep(60 * S).await;
                }
                Ok(n)
            }
        })
        .timeout(2 * S)
        .await;
    assert_eq!(result, Ok(3));
    // Two cut-off attempts of 2 s each and two waits of 1 s.
    assert_eq!(start.elapsed(), 6 * S);

    // `timeout_error` builds the error for types without `From<Timeout>`.
    let result: Result<(), &str> = policy
        .retry_async(|| async {
            tokio::time::sleep(60 * S).await;
            Ok(())
        })
        .timeout_error(S / 2, |_| "too slow")
        .await;
    assert_eq!(result, Err("too slow"));
}

/// `Details` tells each hook why the call ended and how long the attempt itself took.
#[tokio::test(start_paused = true)]
async fn details_give_the_stop_reason_and_the_attempt_duration() {
    let seen = RefCell::new(Vec::new());
    let tries = Cell::new(0);
    let policy = Policy::constant(S).jitter(Jitter::None).max_tries(3);
    let result: Result<u32, u32> = policy
        .retry_async(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move {
                tokio::time::sleep(S * 3 / 10).await;
                if n < 2 {
                    Err(n)
                } else {
                    Ok(n)
                }
            }
        })
        .on_backoff(|d: &Details<'_, u32, u32>| {
            seen.borrow_mut()
                .push(("backoff", d.stop(), d.attempt_duration(), d.elapsed()))
        })
        .on_success(|d: &Details<'_, u32, u32>| {
            seen.borrow_mut()
                .push(("success", d.stop(), d.attempt_duration(), d.elapsed()))
        })
        .await;
    assert_eq!(result, Ok(2));
    let ms = Duration::from_millis;
    assert_eq!(
        *seen.borrow(),
        [
            ("backoff", None, ms(300), ms(300)),
            (
                "success",
                Some(retry_core::Stop::Success),
                ms(300),
                ms(1600)
            ),
        ]
    );
    // A give-up is told the limit that ended it.
    let stop = Cell::new(None);
    let _: Result<(), ()> = policy
        .retry_async(|| async { Err(()) })
        .on_giveup(|d: &Details<'_, (), ()>| stop.set(d.stop()))
        .await;
    assert_eq!(stop.get(), Some(retry_core::Stop::Tries));
}
