//! One `const` policy, many users: `#[retry(policy = POLICY)]` on sync and async
//! functions, and the call-site API `POLICY.retry(..).call()` /
//! `POLICY.retry_async(..).await` for closures.
//!
//! ```text
//! cargo run --example shared_policy
//! ```

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use retry::{retry, Details, Jitter, Policy};

/// The house rules for calls to the inventory service: exponential waits from 20 ms,
/// full jitter, at most 4 attempts, 100 ms per wait, 1 s in all.
const POLICY: Policy = Policy::expo()
    .factor(Duration::from_millis(20))
    .jitter(Jitter::Full)
    .max_tries(4)
    .max_delay(Duration::from_millis(100))
    .max_time(Duration::from_secs(1));

#[derive(Debug, PartialEq)]
enum Error {
    Busy,
    NotFound,
}

fn permanent(e: &Error) -> bool {
    *e == Error::NotFound
}

fn log<T, E: std::fmt::Debug>(d: &Details<'_, T, E>) {
    println!(
        "    {}: try {} -> {:?}, waiting {:?}",
        d.name(),
        d.tries(),
        d.outcome().as_ref().err(),
        d.wait().unwrap_or_default()
    );
}

/// Fails with `Busy` while `counter` is below `busy_times`, counting each call.
fn flaky(counter: &AtomicU32, busy_times: u32) -> Result<u32, Error> {
    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
    if n <= busy_times {
        Err(Error::Busy)
    } else {
        Ok(n)
    }
}

static STOCK_CALLS: AtomicU32 = AtomicU32::new(0);
static PRICE_CALLS: AtomicU32 = AtomicU32::new(0);

/// Blocking, under the shared policy; predicates and hooks stay per function.
#[retry(policy = POLICY, giveup = permanent, on_backoff = log)]
fn stock_level(sku: &str) -> Result<u32, Error> {
    if sku.is_empty() {
        return Err(Error::NotFound);
    }
    flaky(&STOCK_CALLS, 2)
}

/// Async, under the same policy.
#[retry(policy = POLICY, giveup = permanent, on_backoff = log)]
async fn price(sku: &str) -> Result<u32, Error> {
    tokio::task::yield_now().await;
    if sku.is_empty() {
        return Err(Error::NotFound);
    }
    flaky(&PRICE_CALLS, 1).map(|n| n * 100)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let waits: Vec<_> = POLICY.jitter(Jitter::None).waits().collect();
    println!("POLICY without jitter would wait {waits:?}");

    println!("#[retry(policy = POLICY)] fn stock_level");
    let stock = stock_level("sku-1");
    println!("  -> {stock:?}");
    assert_eq!(stock, Ok(3));

    println!("#[retry(policy = POLICY)] fn stock_level, unknown item");
    let missing = stock_level("");
    println!("  -> {missing:?} (no retry)");
    assert_eq!(missing, Err(Error::NotFound));

    println!("#[retry(policy = POLICY)] async fn price");
    let p = price("sku-1").await;
    println!("  -> {p:?}");
    assert_eq!(p, Ok(200));

    println!("POLICY.retry(closure).call()");
    let calls = AtomicU32::new(0);
    let reserved = POLICY
        .retry(|| flaky(&calls, 1))
        .giveup(permanent)
        .on_backoff(log)
        .call();
    println!("  -> {reserved:?}");
    assert_eq!(reserved, Ok(2));

    println!("POLICY.retry_async(closure).await, always busy");
    let calls = AtomicU32::new(0);
    let shipped: Result<u32, Error> = POLICY
        .retry_async(|| async { flaky(&calls, u32::MAX) })
        .on_backoff(log)
        .on_giveup(|d: &Details<'_, u32, Error>| {
            println!("    gave up after {} tries, {:?}", d.tries(), d.elapsed())
        })
        .await;
    println!("  -> {shipped:?}");
    assert_eq!(shipped, Err(Error::Busy));
    assert_eq!(calls.load(Ordering::SeqCst), 4, "POLICY allows 4 attempts");
}
