//! Load: 100,000 concurrent retrying futures, each a spawned task, on a multi-thread
//! tokio runtime with 2 workers, against an operation that fails.
//!
//! Every task first parks inside its first attempt until all 100,000 are alive at once
//! (then the peak memory is taken), and from then on each attempt yields to the
//! scheduler, so the retries of all tasks interleave across both workers. Waits are
//! zero, so no timer is involved and the test runs in seconds.
//!
//! Three scenarios: no budget (each call makes exactly its 4 tries); a budget large
//! enough never to throttle, with one call in ten succeeding on its second attempt (the
//! token count must come out exact: one withdrawal per failed attempt, 0.1 deposited
//! per success); and a small budget that throttles (at most N/2 retries in all).
//!
//! `cargo test --test load -- --nocapture` prints durations and memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use retry::{retry, Budget};
use tokio::sync::watch;

const TASKS: u32 = 100_000;
const MAX_TRIES: u32 = 4;

/// Large enough never to throttle: at most 400,000 of its 1,000,000 tokens go.
static LARGE: Budget = Budget::new(1_000_000, 0.1);
const SMALL_TOKENS: u32 = 1_000;
static SMALL: Budget = Budget::new(SMALL_TOKENS, 0.1);

/// One attempt: counts itself, waits at the gate on the first attempt, else yields;
/// fails with its attempt number, except that one call in ten (when `succeed_some`)
/// succeeds on its second attempt.
async fn attempt(
    n: u32,
    id: u32,
    succeed_some: bool,
    mut gate: watch::Receiver<bool>,
    attempts: &AtomicU64,
) -> Result<u32, u32> {
    attempts.fetch_add(1, Ordering::Relaxed);
    if n == 1 {
        let _ = gate.wait_for(|open| *open).await;
    } else {
        tokio::task::yield_now().await;
    }
    if succeed_some && id % 10 == 0 && n == 2 {
        Ok(n)
    } else {
        Err(n)
    }
}

#[retry(constant(0), max_tries = 4, attempt = n)]
async fn unbudgeted(
    id: u32,
    gate: watch::Receiver<bool>,
    attempts: &'static AtomicU64,
) -> Result<u32, u32> {
    attempt(n, id, false, gate, attempts).await
}

#[retry(constant(0), max_tries = 4, attempt = n, budget = &LARGE)]
async fn large_budget(
    id: u32,
    gate: watch::Receiver<bool>,
    attempts: &'static AtomicU64,
) -> Result<u32, u32> {
    attempt(n, id, true, gate, attempts).await
}

#[retry(constant(0), max_tries = 4, attempt = n, budget = &SMALL)]
async fn small_budget(
    id: u32,
    gate: watch::Receiver<bool>,
    attempts: &'static AtomicU64,
) -> Result<u32, u32> {
    attempt(n, id, false, gate, attempts).await
}

/// A `/proc/self/status` figure in KiB: `VmHWM` (peak resident memory) or `VmRSS`.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .expect("the field is in /proc/self/status");
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .expect("a figure in kB")
}

fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

type Call = fn(
    u32,
    watch::Receiver<bool>,
    &'static AtomicU64,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32, u32>> + Send>>;

/// Spawns `TASKS` calls, waits until every one is parked in its first attempt, opens
/// the gate, and returns each call's outcome (by id) and the total attempts.
fn run(name: &str, call: Call, attempts: &'static AtomicU64) -> Vec<Result<u32, u32>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let before = peak_kib();
    let rss_before = status_kib("VmRSS:");
    let start = Instant::now();
    let outcomes = runtime.block_on(async {
        let (open, gate) = watch::channel(false);
        let tasks: Vec<_> = (0..TASKS)
            .map(|id| tokio::spawn(call(id, gate.clone(), attempts)))
            .collect();
        // All alive at once, each inside its first attempt.
        while attempts.load(Ordering::Relaxed) < u64::from(TASKS) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let rss = status_kib("VmRSS:");
        println!(
            "{name}: {TASKS} tasks parked in their first attempt after {:?}; VmRSS {} MiB -> {} MiB",
            start.elapsed(),
            rss_before / 1024,
            rss / 1024
        );
        open.send(true).unwrap();
        let mut outcomes = Vec::with_capacity(tasks.len());
        for task in tasks {
            outcomes.push(task.await.expect("no task panics"));
        }
        outcomes
    });
    drop(runtime);
    let after = peak_kib();
    let growth = after.saturating_sub(before);
    println!(
        "{name}: all {TASKS} finished in {:?}, {} attempts; VmHWM {} MiB -> {} MiB (growth {} MiB)",
        start.elapsed(),
        attempts.load(Ordering::Relaxed),
        before / 1024,
        after / 1024,
        growth / 1024
    );
    // Generous: a few hundred bytes per task is expected.
    assert!(growth < 2 * 1024 * 1024, "peak memory grew by {growth} KiB");
    outcomes
}

#[test]
fn hundred_thousand_concurrent_retrying_futures() {
    static NONE_ATTEMPTS: AtomicU64 = AtomicU64::new(0);
    static LARGE_ATTEMPTS: AtomicU64 = AtomicU64::new(0);
    static SMALL_ATTEMPTS: AtomicU64 = AtomicU64::new(0);

    // No budget: every call makes exactly MAX_TRIES attempts.
    let outcomes = run(
        "no budget",
        |id, gate, a| Box::pin(unbudgeted(id, gate, a)),
        &NONE_ATTEMPTS,
    );
    assert!(outcomes.iter().all(|o| *o == Err(MAX_TRIES)));
    assert_eq!(
        NONE_ATTEMPTS.load(Ordering::Relaxed),
        u64::from(TASKS * MAX_TRIES)
    );

    // A budget that never throttles: exact accounting.
    let outcomes = run(
        "large budget",
        |id, gate, a| Box::pin(large_budget(id, gate, a)),
        &LARGE_ATTEMPTS,
    );
    let mut successes = 0u64;
    for (id, outcome) in outcomes.iter().enumerate() {
        if id % 10 == 0 {
            assert_eq!(*outcome, Ok(2), "call {id}");
            successes += 1;
        } else {
            assert_eq!(*outcome, Err(MAX_TRIES), "call {id}");
        }
    }
    let total = LARGE_ATTEMPTS.load(Ordering::Relaxed);
    let failed = total - successes;
    assert_eq!(successes, u64::from(TASKS / 10));
    assert_eq!(
        total,
        successes * 2 + (u64::from(TASKS) - successes) * u64::from(MAX_TRIES)
    );
    // In thousandths: one token per failed attempt out, 0.1 per success in.
    let expected = 1_000_000_000 - failed * 1000 + successes * 100;
    println!(
        "large budget: {failed} withdrawals, {successes} deposits -> {} tokens",
        LARGE.tokens()
    );
    assert_eq!(LARGE.tokens(), expected as f64 / 1000.0);

    // A budget that throttles: at most SMALL_TOKENS / 2 retries in all.
    let outcomes = run(
        "small budget",
        |id, gate, a| Box::pin(small_budget(id, gate, a)),
        &SMALL_ATTEMPTS,
    );
    let total = SMALL_ATTEMPTS.load(Ordering::Relaxed);
    let per_call: u64 = outcomes
        .iter()
        .map(|o| match o {
            Err(n) if (1..=MAX_TRIES).contains(n) => u64::from(*n),
            other => panic!("unexpected outcome {other:?}"),
        })
        .sum();
    assert_eq!(per_call, total, "each call's attempts add up");
    println!("small budget: {total} attempts for {TASKS} calls");
    assert!(total >= u64::from(TASKS));
    assert!(total <= u64::from(TASKS) + u64::from(SMALL_TOKENS / 2));
    assert_eq!(SMALL.tokens(), 0.0);
}
