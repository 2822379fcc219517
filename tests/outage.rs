//! A dependency that is down: 8 threads make 10,000 calls in all, each allowed 4 tries,
//! against an operation that always fails, with zero waits.
//!
//! Without a budget every call makes all its tries: exactly 40,000 attempts, four times
//! the load. With a shared `Budget` of N tokens the retries stop once half the tokens
//! are gone, so the dependency sees at most 10,000 + N/2 attempts — within gRPC's bound
//! of 1.1 x 10,000 + N for a token ratio of 0.1.
//!
//! `cargo test --test outage -- --nocapture` prints both totals.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use retry::{retry, Budget};

const THREADS: u64 = 8;
const CALLS: u64 = 10_000;
const MAX_TRIES: u64 = 4;
const TOKENS: u32 = 100;

static BUDGET: Budget = Budget::new(TOKENS, 0.1);

#[derive(Debug, PartialEq)]
struct Down;

#[retry(constant(0), max_tries = 4)]
fn call_unbudgeted(attempts: &AtomicU64) -> Result<(), Down> {
    attempts.fetch_add(1, Ordering::Relaxed);
    Err(Down)
}

#[retry(constant(0), max_tries = 4, budget = &BUDGET)]
fn call_budgeted(attempts: &AtomicU64) -> Result<(), Down> {
    attempts.fetch_add(1, Ordering::Relaxed);
    Err(Down)
}

/// Runs `CALLS` calls of `call` spread over `THREADS` threads; the total attempts.
fn outage(call: fn(&AtomicU64) -> Result<(), Down>) -> u64 {
    let attempts = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..CALLS / THREADS {
                    assert_eq!(call(&attempts), Err(Down));
                }
            });
        }
    });
    attempts.into_inner()
}

#[test]
fn a_budget_bounds_the_load_on_a_dependency_that_is_down() {
    assert_eq!(CALLS % THREADS, 0);

    let unbudgeted = outage(call_unbudgeted);
    println!("outage without a budget: {CALLS} calls -> {unbudgeted} attempts");
    assert_eq!(unbudgeted, CALLS * MAX_TRIES);

    let budgeted = outage(call_budgeted);
    let bound = CALLS * 11 / 10 + u64::from(TOKENS);
    println!(
        "outage with Budget::new({TOKENS}, 0.1): {CALLS} calls -> {budgeted} attempts (bound {bound})"
    );
    assert!(budgeted >= CALLS, "every call makes its first attempt");
    assert!(budgeted <= bound);
    // Tighter: nothing is ever deposited, and each retry needs more than half the
    // tokens left after its own withdrawal, so at most TOKENS / 2 retries in all.
    assert!(
        budgeted <= CALLS + u64::from(TOKENS / 2),
        "{budgeted} attempts"
    );
    // Every failed attempt withdrew, far more than the bucket held.
    assert_eq!(BUDGET.tokens(), 0.0);
    assert!(!BUDGET.allows_retry());
}
