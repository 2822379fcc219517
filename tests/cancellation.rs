//! Cancellation and panics, through `#[retry]`.
//!
//! - Dropping a retrying future, while it sleeps between attempts or while an attempt
//!   runs, ends the retries: no attempt starts afterwards, however far time moves on,
//!   and the running attempt's future is dropped with it.
//! - A panic in the body, in a predicate (`giveup`) or in a hook (`on_backoff`)
//!   propagates unchanged, payload included, out of a blocking call and out of a
//!   spawned task, and leaves the shared `Budget` with exactly the tokens of the
//!   attempts that completed.
//!
//! Async tests run under tokio's paused clock: time moves only when every task waits.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use retry::{retry, Budget, Details};
use tokio::time::{advance, sleep, timeout, Instant};

const S: Duration = Duration::from_secs(1);

/// The message of a panic payload (`panic!("literal")` or `panic!("{}", ..)`).
fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<not a string>"
    }
}

/// Sets a flag when dropped: shows that a cancelled attempt's future was dropped.
struct DropFlag(Arc<AtomicU32>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

// ---------------- dropping the future ----------------

static SLEEPING_BUDGET: Budget = Budget::new(10, 0.1);

/// Fails fast; waits 1 s, then 2 s, then 4 s between attempts.
#[retry(expo, jitter = none, max_tries = 10, budget = &SLEEPING_BUDGET)]
async fn fails_then_sleeps(attempts: Arc<AtomicU32>) -> Result<(), String> {
    attempts.fetch_add(1, Ordering::SeqCst);
    Err("down".to_string())
}

#[tokio::test(start_paused = true)]
async fn dropped_while_sleeping_makes_no_further_attempt() {
    let attempts = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    // Attempts at 0 s and 1 s; at 2.5 s the future sleeps until 3 s and is dropped.
    let outcome = timeout(S * 5 / 2, fails_then_sleeps(attempts.clone())).await;
    assert!(outcome.is_err(), "the call should still be retrying");
    assert_eq!(start.elapsed(), S * 5 / 2);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // Let any timer the dropped future left behind fire, many times over.
    sleep(S * 3600).await;
    advance(S * 3600).await;
    tokio::task::yield_now().await;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // Two failed attempts, two tokens; nothing more.
    assert_eq!(SLEEPING_BUDGET.tokens(), 8.0);
}

/// Each attempt takes 10 s; the retries would wait 1 s between them.
#[retry(constant(1), jitter = none, max_tries = 5)]
async fn slow_attempts(attempts: Arc<AtomicU32>, dropped: Arc<AtomicU32>) -> Result<(), String> {
    attempts.fetch_add(1, Ordering::SeqCst);
    let _flag = DropFlag(dropped.clone());
    sleep(S * 10).await;
    Err("slow".to_string())
}

#[tokio::test(start_paused = true)]
async fn dropped_during_an_attempt_makes_no_further_attempt() {
    let attempts = Arc::new(AtomicU32::new(0));
    let dropped = Arc::new(AtomicU32::new(0));
    // Attempt 1 runs 0..10 s, the wait 10..11 s, attempt 2 from 11 s: cut at 15 s.
    let outcome = timeout(S * 15, slow_attempts(attempts.clone(), dropped.clone())).await;
    assert!(outcome.is_err());
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // The first attempt finished; the second was dropped mid-way, with the call.
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
    sleep(S * 3600).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn aborted_task_makes_no_further_attempt() {
    let attempts = Arc::new(AtomicU32::new(0));
    let dropped = Arc::new(AtomicU32::new(0));
    let task = tokio::spawn(slow_attempts(attempts.clone(), dropped.clone()));
    // Into the first attempt: 5 s of its 10.
    sleep(S * 5).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    task.abort();
    let error = task.await.unwrap_err();
    assert!(error.is_cancelled());
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    sleep(S * 3600).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
}

// ---------------- panics, blocking ----------------

static BODY_BUDGET: Budget = Budget::new(10, 0.1);

#[retry(constant(0), max_tries = 5, budget = &BODY_BUDGET)]
fn body_panics(attempts: &AtomicU32) -> Result<(), String> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if n == 3 {
        panic!("body exploded on attempt {n}");
    }
    Err(format!("failure {n}"))
}

#[test]
fn panic_in_the_body_propagates() {
    let attempts = AtomicU32::new(0);
    let payload = catch_unwind(AssertUnwindSafe(|| body_panics(&attempts))).unwrap_err();
    assert_eq!(message(&*payload), "body exploded on attempt 3");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    // Attempts 1 and 2 failed and withdrew; the panicking attempt never reported.
    assert_eq!(BODY_BUDGET.tokens(), 8.0);
}

static GIVEUP_BUDGET: Budget = Budget::new(10, 0.1);

fn giveup_explodes(error: &String) -> bool {
    if error == "boom" {
        panic!("giveup exploded");
    }
    false
}

#[retry(constant(0), max_tries = 5, giveup = giveup_explodes, budget = &GIVEUP_BUDGET)]
fn predicate_panics(attempts: &AtomicU32) -> Result<(), String> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    Err(if n == 2 { "boom" } else { "down" }.to_string())
}

#[test]
fn panic_in_a_predicate_propagates() {
    let attempts = AtomicU32::new(0);
    let payload = catch_unwind(AssertUnwindSafe(|| predicate_panics(&attempts))).unwrap_err();
    assert_eq!(message(&*payload), "giveup exploded");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // The predicate runs before the attempt is counted: only attempt 1 withdrew.
    assert_eq!(GIVEUP_BUDGET.tokens(), 9.0);
}

static HOOK_BUDGET: Budget = Budget::new(10, 0.1);

fn on_backoff_explodes(details: &Details<'_, (), String>) {
    if details.tries() == 2 {
        panic!("on_backoff exploded after {} tries", details.tries());
    }
}

#[retry(constant(0), max_tries = 5, on_backoff = on_backoff_explodes, budget = &HOOK_BUDGET)]
fn hook_panics(attempts: &AtomicU32) -> Result<(), String> {
    attempts.fetch_add(1, Ordering::SeqCst);
    Err("down".to_string())
}

#[test]
fn panic_in_a_hook_propagates() {
    let attempts = AtomicU32::new(0);
    let payload = catch_unwind(AssertUnwindSafe(|| hook_panics(&attempts))).unwrap_err();
    assert_eq!(message(&*payload), "on_backoff exploded after 2 tries");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // on_backoff runs after the decision: both attempts withdrew.
    assert_eq!(HOOK_BUDGET.tokens(), 8.0);
}

// ---------------- panics, async (spawned tasks) ----------------

static ASYNC_BODY_BUDGET: Budget = Budget::new(10, 0.1);

#[retry(constant("1s"), jitter = none, max_tries = 5, budget = &ASYNC_BODY_BUDGET)]
async fn async_body_panics(attempts: Arc<AtomicU32>) -> Result<(), String> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    sleep(S).await;
    if n == 2 {
        panic!("async body exploded");
    }
    Err("down".to_string())
}

#[tokio::test(start_paused = true)]
async fn panic_in_an_async_body_propagates() {
    let attempts = Arc::new(AtomicU32::new(0));
    let error = tokio::spawn(async_body_panics(attempts.clone()))
        .await
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(message(&*error.into_panic()), "async body exploded");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(ASYNC_BODY_BUDGET.tokens(), 9.0);
    sleep(S * 3600).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

static ASYNC_GIVEUP_BUDGET: Budget = Budget::new(10, 0.1);

#[retry(
    constant("1s"),
    jitter = none,
    max_tries = 5,
    giveup = |e: &String| if e == "boom" { panic!("async giveup exploded") } else { false },
    budget = &ASYNC_GIVEUP_BUDGET
)]
async fn async_predicate_panics(attempts: Arc<AtomicU32>) -> Result<(), String> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    Err(if n == 3 { "boom" } else { "down" }.to_string())
}

#[tokio::test(start_paused = true)]
async fn panic_in_an_async_predicate_propagates() {
    let attempts = Arc::new(AtomicU32::new(0));
    let error = tokio::spawn(async_predicate_panics(attempts.clone()))
        .await
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(message(&*error.into_panic()), "async giveup exploded");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(ASYNC_GIVEUP_BUDGET.tokens(), 8.0);
}

static ASYNC_HOOK_BUDGET: Budget = Budget::new(10, 0.1);

#[retry(
    constant("1s"),
    jitter = none,
    max_tries = 5,
    on_backoff = |d: &Details<'_, (), String>| if d.tries() == 1 { panic!("async on_backoff exploded") },
    budget = &ASYNC_HOOK_BUDGET
)]
async fn async_hook_panics(attempts: Arc<AtomicU32>) -> Result<(), String> {
    attempts.fetch_add(1, Ordering::SeqCst);
    Err("down".to_string())
}

#[tokio::test(start_paused = true)]
async fn panic_in_an_async_hook_propagates() {
    let attempts = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    let error = tokio::spawn(async_hook_panics(attempts.clone()))
        .await
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(message(&*error.into_panic()), "async on_backoff exploded");
    // The hook ran before the first sleep: no time passed, one attempt, one token.
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert_eq!(ASYNC_HOOK_BUDGET.tokens(), 9.0);
    sleep(S * 3600).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
}

/// A panic in one call leaves the budget usable by the next: it still counts and
/// still throttles exactly.
#[test]
fn budget_keeps_counting_after_a_panic() {
    static SHARED: Budget = Budget::new(6, 0.5);

    #[retry(constant(0), max_tries = 10, budget = &SHARED)]
    fn call(attempts: &AtomicU32, panic_on: u32) -> Result<(), String> {
        let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if n == panic_on {
            panic!("attempt {n}");
        }
        Err("down".to_string())
    }

    let attempts = AtomicU32::new(0);
    let payload = catch_unwind(AssertUnwindSafe(|| call(&attempts, 2))).unwrap_err();
    assert_eq!(message(&*payload), "attempt 2");
    assert_eq!(SHARED.tokens(), 5.0);
    // 5 tokens: attempts withdraw to 4 (retry: above 3), then to 3 (stop).
    let attempts = AtomicU32::new(0);
    assert!(call(&attempts, 0).is_err());
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(SHARED.tokens(), 3.0);
}
