//! The annotated async fn's future is `Send` when its body's is; dropping it stops the
//! retries; no call allocates when its arguments are borrowed.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use retry::retry;

#[path = "support/alloc_counter.rs"]
mod alloc_counter;
#[path = "support/block_on.rs"]
mod block_on;

use alloc_counter::allocations;
use block_on::block_on;

// ---------------- Send ----------------

fn assert_send<T: Send>(_: &T) {}

#[retry(expo, max_tries = 4, max_time = "50s", giveup = |e: &String| e.is_empty(), on_backoff = |_d| {})]
async fn send_body(counter: &AtomicU32, name: String) -> Result<u32, String> {
    tokio::task::yield_now().await;
    let n = counter.fetch_add(1, Ordering::SeqCst);
    if n < 1 {
        Err(name)
    } else {
        Ok(n)
    }
}

#[test]
fn future_is_send_when_body_is() {
    let counter = AtomicU32::new(0);
    let fut = send_body(&counter, "x".into());
    assert_send(&fut);
    // And it runs on a multi-thread runtime from a spawned task.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let counter = Arc::new(AtomicU32::new(0));
    let c = counter.clone();
    let out = rt.block_on(async move {
        tokio::spawn(async move { send_body(&c, "y".into()).await })
            .await
            .unwrap()
    });
    assert_eq!(out, Ok(1));
}

// ---------------- drop cancels ----------------

#[retry(constant("10s"), jitter = none, max_tries = 5)]
async fn counted(counter: &AtomicU32) -> Result<(), ()> {
    counter.fetch_add(1, Ordering::SeqCst);
    Err(())
}

#[tokio::test(start_paused = true)]
async fn dropping_mid_sleep_makes_no_further_attempt() {
    let counter = Arc::new(AtomicU32::new(0));
    let c = counter.clone();
    let task = tokio::spawn(async move { counted(&c).await });
    tokio::time::sleep(Duration::from_secs(15)).await; // two attempts: 0 s and 10 s
    assert_eq!(counter.load(Ordering::SeqCst), 2);
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    tokio::time::sleep(Duration::from_secs(100)).await;
    assert_eq!(counter.load(Ordering::SeqCst), 2);
}

// ---------------- allocations ----------------

#[retry(expo(factor = "1us"), max_tries = 4, max_time = "60s", giveup = |e: &&str| e.is_empty(),
        on_backoff = |d| assert!(d.wait().is_some()))]
fn borrowed_sync(counter: &Cell<u32>, key: &str) -> Result<u32, &'static str> {
    counter.set(counter.get() + 1);
    if counter.get() <= 2 || key.is_empty() {
        Err("busy")
    } else {
        Ok(counter.get())
    }
}

#[retry(constant(0), max_tries = 4, max_time = "60s", giveup = |e: &&str| e.is_empty())]
async fn borrowed_async(counter: &Cell<u32>, key: &str) -> Result<u32, &'static str> {
    counter.set(counter.get() + 1);
    if counter.get() <= 2 || key.is_empty() {
        Err("busy")
    } else {
        Ok(counter.get())
    }
}

#[test]
fn no_allocation_with_borrowed_arguments() {
    // Warm up: the thread's random generator is created on its first jitter draw.
    let _ = retry::Policy::expo().waits().count();
    for (start, expected) in [(2, 3), (0, 3)] {
        // start 2: first attempt succeeds; start 0: two failures, then success.
        let counter = Cell::new(start);
        let (out, n) = allocations(|| borrowed_sync(&counter, "k"));
        assert_eq!((out, n), (Ok(expected), 0));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    for (start, expected) in [(2, 3), (0, 3)] {
        let counter = Cell::new(start);
        let (out, n) = allocations(|| rt.block_on(borrowed_async(&counter, "k")));
        assert_eq!((out, n), (Ok(expected), 0));
        let counter = Cell::new(start);
        let (out, n) = allocations(|| block_on(borrowed_async(&counter, "k")));
        assert_eq!((out, n), (Ok(expected), 0));
    }
}

// ---------------- Send with owned arguments that are Send but not Sync ----------------

#[retry(constant(0), max_tries = 2)]
async fn send_owned<T: Clone + Send + std::fmt::Debug>(
    item: T,
    log: std::sync::mpsc::Sender<String>,
) -> Result<(), ()> {
    tokio::task::yield_now().await;
    log.send(format!("{item:?}")).map_err(|_| ())
}

#[retry(constant(0), max_tries = 3)]
async fn cell_argument(counter: Cell<u32>, attempts: &AtomicU32) -> Result<u32, u32> {
    tokio::task::yield_now().await;
    counter.set(counter.get() + 1); // a fresh copy per attempt: always 1
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 2 {
        Err(counter.get())
    } else {
        Ok(counter.get())
    }
}

#[tokio::test]
async fn owned_send_but_not_sync_arguments_keep_the_future_send() {
    // `T: Send` only, and `mpsc::Sender` / `Cell` are Send but not Sync: the attempt owns
    // its copies, so the future is still Send and can be spawned.
    let (tx, rx) = std::sync::mpsc::channel();
    tokio::spawn(send_owned(Cell::new(5u8), tx))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rx.recv().unwrap(), "Cell { value: 5 }");
    let attempts = Arc::new(AtomicU32::new(0));
    let a = attempts.clone();
    let out = tokio::spawn(async move { cell_argument(Cell::new(0), &a).await })
        .await
        .unwrap();
    assert_eq!(out, Ok(1));
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

// --- what the future keeps ---

#[retry(expo(factor = 0), jitter = none, max_tries = 4)]
async fn small(counter: &AtomicU32) -> Result<u32, ()> {
    counter.fetch_add(1, Ordering::Relaxed);
    Err(())
}

#[retry(expo(factor = 0), jitter = none, max_tries = 4, max_time = "5s")]
async fn small_with_deadline(counter: &AtomicU32) -> Result<u32, ()> {
    counter.fetch_add(1, Ordering::Relaxed);
    Err(())
}

/// The same loop by hand: a count and the next wait across tokio's sleep.
async fn small_by_hand(counter: &AtomicU32) -> Result<u32, ()> {
    let mut tries = 1;
    let mut wait = Duration::ZERO;
    loop {
        counter.fetch_add(1, Ordering::Relaxed);
        if tries >= 4 {
            return Err(());
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        wait = wait.saturating_mul(2);
        tries += 1;
    }
}

#[retry(expo(factor = 0), jitter = none, max_tries = 4, on_backoff = |_d| {})]
async fn small_with_hook(counter: &AtomicU32) -> Result<u32, ()> {
    counter.fetch_add(1, Ordering::Relaxed);
    Err(())
}

/// A constant policy without `max_time` and no hook keep no clock, name or due time
/// (not even an empty start: `Unclocked`'s takes no byte), and without decorrelated
/// jitter no previous wait: the engine (policy reference, attempt count) takes no more
/// than the hand loop's count and wait; a deadline adds the start instant (16 B), a
/// hook the name and the due time too. (`.ci/run` runs this test without feature
/// `tracing` too.)
#[test]
fn the_future_keeps_only_what_the_policy_needs() {
    let counter = AtomicU32::new(0);
    let hand = std::mem::size_of_val(&small_by_hand(&counter));
    let annotated = std::mem::size_of_val(&small(&counter));
    let deadline = std::mem::size_of_val(&small_with_deadline(&counter));
    let hooked = std::mem::size_of_val(&small_with_hook(&counter));
    if cfg!(feature = "tracing") {
        // Events report the elapsed time, the name and the attempt's duration of every
        // call: every loop keeps all of them.
        assert_eq!((annotated, deadline), (hooked, hooked));
    } else {
        assert!(
            annotated <= hand,
            "{annotated} B against the hand loop's {hand} B"
        );
        assert!(
            deadline > annotated && deadline <= annotated + 16,
            "{deadline} B with a deadline, {annotated} B without"
        );
        assert!(
            hooked >= deadline + 16,
            "{hooked} B with a hook, {deadline} B without"
        );
    }
    assert_eq!(block_on(small(&counter)), Err(()));
    assert_eq!(counter.load(Ordering::Relaxed), 4);
}

/// At a call site the policy is a run-time value, so the call keeps its start (for a
/// `max_time` it may have); naming it or adding a hook keeps the name and the due time
/// too.
#[test]
fn a_call_site_keeps_its_name_only_when_named() {
    use std::future::IntoFuture;
    let counter = AtomicU32::new(0);
    let policy = retry::Policy::expo().max_tries(2);
    let op = || async { small_by_hand(&counter).await };
    let plain = std::mem::size_of_val(&policy.retry_async(op).into_future());
    let named = std::mem::size_of_val(&policy.retry_async(op).name("fetch").into_future());
    let hooked = std::mem::size_of_val(&policy.retry_async(op).on_giveup(|_| {}).into_future());
    if cfg!(feature = "tracing") {
        assert_eq!((plain, named), (hooked, hooked));
    } else {
        assert!(named >= plain + 16, "{named} B named, {plain} B not");
        assert_eq!(named, hooked);
    }
    let named = block_on(
        policy
            .retry_async(op)
            .name("fetch")
            .sleep(|_| async {})
            .into_future(),
    );
    assert_eq!(named, Err(()));
}
