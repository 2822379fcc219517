//! A retry budget shared by many tasks: when a dependency is down, retries stop
//! multiplying the load on it.
//!
//! ```text
//! cargo run --example budget
//! ```
//!
//! 40 concurrent tasks call a dependency that is down. Each call may make up to
//! 5 attempts; without a budget that is 200 attempts against a service that is
//! already struggling. With `static BUDGET: Budget = Budget::new(10, 0.1)` every
//! failure takes a token, retries stop once half the tokens are gone, and each later
//! call makes a single attempt. Successes pay tokens back, 0.1 each.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use retry::{retry, Budget};

static BUDGET: Budget = Budget::new(10, 0.1);

/// A dependency that counts the attempts it receives.
struct Dependency {
    up: AtomicBool,
    attempts: AtomicUsize,
}

static DEPENDENCY: Dependency = Dependency {
    up: AtomicBool::new(false),
    attempts: AtomicUsize::new(0),
};

#[derive(Debug)]
struct Unavailable;

async fn call_dependency() -> Result<&'static str, Unavailable> {
    DEPENDENCY.attempts.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2)).await;
    if DEPENDENCY.up.load(Ordering::SeqCst) {
        Ok("fresh data")
    } else {
        Err(Unavailable)
    }
}

#[retry(constant("10ms"), max_tries = 5, budget = &BUDGET)]
async fn with_budget() -> Result<&'static str, Unavailable> {
    call_dependency().await
}

#[retry(constant("10ms"), max_tries = 5)]
async fn without_budget() -> Result<&'static str, Unavailable> {
    call_dependency().await
}

/// Runs `calls` concurrent calls of `f`; returns (successes, attempts they made).
async fn wave<F, Fut>(calls: usize, f: F) -> (usize, usize)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<&'static str, Unavailable>> + Send + 'static,
{
    let before = DEPENDENCY.attempts.load(Ordering::SeqCst);
    let tasks: Vec<_> = (0..calls).map(|_| tokio::spawn(f())).collect();
    let mut ok = 0;
    for task in tasks {
        ok += usize::from(task.await.unwrap().is_ok());
    }
    (ok, DEPENDENCY.attempts.load(Ordering::SeqCst) - before)
}

#[tokio::main]
async fn main() {
    const CALLS: usize = 40;

    println!("the dependency is down; {CALLS} concurrent calls, up to 5 attempts each");
    let (_, attempts) = wave(CALLS, without_budget).await;
    println!("  without a budget: {attempts} attempts");
    assert_eq!(attempts, CALLS * 5);

    let (_, attempts) = wave(CALLS, with_budget).await;
    println!(
        "  with Budget::new(10, 0.1): {attempts} attempts; {} tokens left",
        BUDGET.tokens()
    );
    // 5 tokens' worth of retries, then one attempt per call.
    assert!(attempts <= CALLS + 5, "{attempts}");
    assert!(!BUDGET.allows_retry());

    println!("the dependency is back");
    DEPENDENCY.up.store(true, Ordering::SeqCst);
    let mut round = 0;
    while !BUDGET.allows_retry() {
        round += 1;
        let (ok, _) = wave(CALLS, with_budget).await;
        println!(
            "  round {round}: {ok}/{CALLS} calls succeeded; {:.1} tokens, retries {}",
            BUDGET.tokens(),
            if BUDGET.allows_retry() {
                "allowed again"
            } else {
                "still off"
            }
        );
        assert!(round < 10, "the budget should refill");
    }
}
