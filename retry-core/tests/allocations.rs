//! No heap allocation on any path of a call: first-try success, and two failures then
//! success, blocking and async.

use std::time::Duration;

use retry_core::{Details, Jitter, Policy};

#[path = "../../tests/support/alloc_counter.rs"]
mod alloc_counter;
#[path = "../../tests/support/block_on.rs"]
mod block_on;

use alloc_counter::allocations;
use block_on::block_on;

const POLICY: Policy = Policy::expo()
    .factor(Duration::from_micros(1))
    .jitter(Jitter::Full)
    .max_tries(4)
    .max_time(Duration::from_secs(60));

fn warm_up() {
    // The thread's random generator is created (once per thread) on the first jitter draw.
    let _ = POLICY.waits().count();
}

fn flaky(failures: u32) -> impl FnMut() -> Result<u32, &'static str> {
    let mut calls = 0;
    move || {
        calls += 1;
        if calls <= failures {
            Err("busy")
        } else {
            Ok(calls)
        }
    }
}

#[test]
fn blocking_allocates_nothing() {
    warm_up();
    for failures in [0, 2] {
        let (out, n) = allocations(|| {
            POLICY
                .retry(flaky(failures))
                .giveup(|e| e.is_empty())
                .on_backoff(|d: &Details<'_, u32, &str>| assert!(d.wait().is_some()))
                .call()
        });
        assert_eq!(out, Ok(failures + 1));
        assert_eq!(n, 0, "allocations with {failures} failures");
    }
}

#[test]
fn async_allocates_nothing() {
    warm_up();
    for failures in [0, 2] {
        let mut op = flaky(failures);
        let (out, n) = allocations(|| {
            block_on(std::future::IntoFuture::into_future(
                POLICY
                    .retry_async(|| std::future::ready(op()))
                    .on_success(|d: &Details<'_, u32, &str>| assert!(d.outcome().is_ok()))
                    .sleep(|_| std::future::ready(())),
            ))
        });
        assert_eq!(out, Ok(failures + 1));
        assert_eq!(n, 0, "allocations with {failures} failures");
    }
}

#[cfg(feature = "tokio")]
#[test]
fn async_on_tokio_with_zero_waits_allocates_nothing() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let policy = Policy::constant(Duration::ZERO).max_tries(3);
    for failures in [0, 2] {
        let mut op = flaky(failures);
        let (out, n) = allocations(|| {
            rt.block_on(std::future::IntoFuture::into_future(
                policy.retry_async(|| std::future::ready(op())),
            ))
        });
        assert_eq!(out, Ok(failures + 1));
        assert_eq!(n, 0, "allocations with {failures} failures");
    }
}
