//! Every key of the attribute, on a blocking fn (sleeps recorded with `FakeSleeps`) and
//! on an async fn (under tokio's paused clock): attempts and (virtual) time asserted.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use retry::testing::FakeSleeps;
use retry::{retry, Budget, Details, Policy};
use tokio::time::Instant;

const S: Duration = Duration::from_secs(1);
const MS: Duration = Duration::from_millis(1);

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs(*s)).collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Error {
    Busy(u32),
    Fatal,
    Slow(Duration),
    TimedOut,
}

impl From<retry::Timeout> for Error {
    fn from(_: retry::Timeout) -> Self {
        Error::TimedOut
    }
}

/// Counts attempts; attempt n fails with `Busy(n)` while n < succeed_at.
fn step(counter: &Cell<u32>, succeed_at: u32) -> Result<u32, Error> {
    counter.set(counter.get() + 1);
    let n = counter.get();
    if n >= succeed_at {
        Ok(n)
    } else {
        Err(Error::Busy(n))
    }
}

/// Runs a blocking retried call under FakeSleeps: (result, attempts, sleeps).
fn sync_run<T>(f: impl FnOnce(&Cell<u32>) -> T) -> (T, u32, Vec<Duration>) {
    let sleeps = FakeSleeps::start();
    let counter = Cell::new(0);
    let out = f(&counter);
    (out, counter.get(), sleeps.recorded())
}

// ---------------- schedules ----------------

#[retry(expo, jitter = none, max_tries = 5)]
fn expo_default(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(expo(base = 3, factor = "100ms"), jitter = none, max_tries = 4)]
fn expo_args(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(expo(base = 1.5), jitter = none, max_tries = 4)]
fn expo_float_base(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(fibo, jitter = none, max_tries = 6)]
fn fibo_default(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(fibo(factor = 2), jitter = none, max_tries = 4)]
fn fibo_args(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant("250ms"), jitter = none)]
fn constant_literal(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(interval = "1m30s"), jitter = none, max_tries = 2, max_delay = "2m")]
fn constant_named(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(step_size), jitter = none, max_tries = 3)]
fn constant_expr(c: &Cell<u32>, step_size: Duration) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(wait = [S, 5 * S, S], jitter = none, forever)]
fn wait_custom(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(wait = schedule.iter().copied(), jitter = none)]
fn wait_from_argument(c: &Cell<u32>, schedule: &[Duration]) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn schedules_sync() {
    assert_eq!(sync_run(expo_default).2, secs(&[1, 2, 4, 8]));
    assert_eq!(sync_run(expo_args).2, [100, 300, 900].map(|m| m * MS));
    assert_eq!(
        sync_run(expo_float_base).2,
        [1000, 1500, 2250].map(|m| m * MS)
    );
    assert_eq!(sync_run(fibo_default).2, secs(&[1, 1, 2, 3, 5]));
    assert_eq!(sync_run(fibo_args).2, secs(&[2, 2, 4]));
    // Defaults: 3 tries.
    let (out, tries, sleeps) = sync_run(constant_literal);
    assert_eq!((out, tries), (Err(Error::Busy(3)), 3));
    assert_eq!(sleeps, [250 * MS, 250 * MS]);
    assert_eq!(sync_run(constant_named).2, secs(&[90]));
    assert_eq!(sync_run(|c| constant_expr(c, 7 * MS)).2, [7 * MS, 7 * MS]);
    // A custom schedule that ends, ends the retries.
    let (_, tries, sleeps) = sync_run(wait_custom);
    assert_eq!((tries, sleeps), (4, secs(&[1, 5, 1])));
    let (_, tries, sleeps) = sync_run(|c| wait_from_argument(c, &[S, 2 * S, 3 * S, 4 * S]));
    assert_eq!((tries, sleeps), (3, secs(&[1, 2])));
}

#[retry(expo, jitter = none, max_tries = 4)]
async fn expo_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(fibo(factor = "1s"), jitter = none, max_tries = 5)]
async fn fibo_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(wait = [3 * S, S], jitter = none, max_tries = 10)]
async fn wait_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

/// Attempts and virtual time of an async call.
async fn timed<F: std::future::Future>(f: F) -> (F::Output, Duration) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed())
}

#[tokio::test(start_paused = true)]
async fn schedules_async() {
    let c = Cell::new(0);
    let (out, t) = timed(expo_async(&c)).await;
    assert_eq!((out, c.get(), t), (Err(Error::Busy(4)), 4, 7 * S));
    let c = Cell::new(0);
    let (_, t) = timed(fibo_async(&c)).await;
    assert_eq!((c.get(), t), (5, 7 * S));
    let c = Cell::new(0);
    let (_, t) = timed(wait_async(&c)).await;
    assert_eq!((c.get(), t), (3, 4 * S));
}

// ---------------- jitter ----------------

#[retry(constant(8), jitter = full, max_tries = 30)]
fn jitter_full(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(8), jitter = equal, max_tries = 30)]
fn jitter_equal(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(2), jitter = decorrelated, max_tries = 30, max_delay = 20)]
fn jitter_decorrelated(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(8), max_tries = 30)]
fn jitter_default(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn jitter_kinds() {
    let (_, _, full) = sync_run(jitter_full);
    assert!(full.iter().all(|w| *w <= 8 * S));
    assert!(
        full.iter().any(|w| *w < 4 * S),
        "full jitter spreads over [0, 8s]"
    );
    let (_, _, default) = sync_run(jitter_default);
    assert!(default.iter().all(|w| *w <= 8 * S) && default.iter().any(|w| *w != 8 * S));
    let (_, _, equal) = sync_run(jitter_equal);
    assert!(equal.iter().all(|w| *w >= 4 * S && *w <= 8 * S));
    let (_, _, decorrelated) = sync_run(jitter_decorrelated);
    // Each wait is drawn up to three times the previous one: the call keeps it (from the
    // base alone, every wait would be at most 6 s; 29 draws all that low are ~1e-11).
    assert!(decorrelated.iter().any(|w| *w > 6 * S), "{decorrelated:?}");
    let mut previous = 2 * S;
    for w in decorrelated {
        assert!(w >= 2 * S && w <= (3 * previous).min(20 * S), "{w:?}");
        previous = w;
    }
}

#[retry(constant(8), jitter = equal, max_tries = 5)]
async fn jitter_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn jitter_async_bounds() {
    let c = Cell::new(0);
    let (_, t) = timed(jitter_async(&c)).await;
    assert!(t >= 16 * S && t <= 32 * S, "{t:?}");
}

// ---------------- limits ----------------

#[retry(constant(0), max_tries = 1)]
fn one_try(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(0), max_tries = limits.0)]
fn tries_from_argument(c: &Cell<u32>, limits: (u32, u32)) -> Result<u32, Error> {
    step(c, u32::MAX)
}

/// `max_tries = EXPR` beside literal keys: the rest of the policy stays a constant, and
/// its deadline still applies.
#[retry(constant("2s"), jitter = none, max_tries = tries, max_time = "3s")]
async fn tries_expression_and_deadline(c: &Cell<u32>, tries: u32) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn a_tries_expression_keeps_the_other_keys() {
    // Attempts at 0 and 2 s; the wait after the second is cut to the 1 s left.
    let c = Cell::new(0);
    let (_, t) = timed(tries_expression_and_deadline(&c, 5)).await;
    assert_eq!((c.get(), t), (3, 3 * S));
    let c = Cell::new(0);
    let (_, t) = timed(tries_expression_and_deadline(&c, 2)).await;
    assert_eq!((c.get(), t), (2, 2 * S));
    // 0 is taken as 1, as `Policy::max_tries` takes it.
    let c = Cell::new(0);
    let (_, t) = timed(tries_expression_and_deadline(&c, 0)).await;
    assert_eq!((c.get(), t), (1, Duration::ZERO));
    assert_eq!(sync_run(|c| tries_from_argument(c, (0, 0))).1, 1);
}

#[retry(constant(0), forever, max_time = 10)]
fn forever_until_deadline(c: &Cell<u32>) -> Result<u32, Error> {
    // Each attempt "takes" 1 s of virtual time.
    retry::testing::sleep(S);
    step(c, u32::MAX)
}

#[retry(constant(0), forever)]
fn forever_until_success(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 500)
}

#[retry(constant("10s"), jitter = none, forever, max_time = "25s")]
fn deadline(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(expo, jitter = none, max_tries = 6, max_delay = "3s")]
fn capped(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(expo, jitter = none, max_tries = 6, max_delay = cap, max_time = budget_time)]
fn limits_from_expressions(
    c: &Cell<u32>,
    cap: Duration,
    budget_time: Duration,
) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn limits_sync() {
    assert_eq!(sync_run(one_try).1, 1);
    assert_eq!(sync_run(|c| tries_from_argument(c, (7, 0))).1, 7);
    let (_, tries, _) = sync_run(forever_until_deadline);
    assert_eq!(
        tries, 10,
        "attempts end at 1,2,..,10 s; the 10th reaches the deadline"
    );
    assert_eq!(sync_run(forever_until_success).0, Ok(500));
    let (_, tries, sleeps) = sync_run(deadline);
    assert_eq!((tries, sleeps), (4, secs(&[10, 10, 5])));
    assert_eq!(sync_run(capped).2, secs(&[1, 2, 3, 3, 3]));
    let (_, tries, sleeps) = sync_run(|c| limits_from_expressions(c, 2 * S, 5 * S));
    assert_eq!((tries, sleeps), (4, secs(&[1, 2, 2])));
}

#[retry(constant("10s"), jitter = none, forever, max_time = "25s")]
async fn deadline_async(
    c: &Cell<u32>,
    times: &RefCell<Vec<Duration>>,
    start: Instant,
) -> Result<u32, Error> {
    times.borrow_mut().push(start.elapsed());
    step(c, u32::MAX)
}

#[retry(expo, jitter = none, max_tries = 5, max_delay = 2)]
async fn capped_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn limits_async() {
    let c = Cell::new(0);
    let times = RefCell::new(Vec::new());
    let (_, t) = timed(deadline_async(&c, &times, Instant::now())).await;
    assert_eq!(*times.borrow(), secs(&[0, 10, 20, 25]));
    assert_eq!(t, 25 * S);
    let c = Cell::new(0);
    let (_, t) = timed(capped_async(&c)).await;
    assert_eq!(t, (1 + 2 + 2 + 2) * S);
}

// ---------------- predicates ----------------

fn is_fatal(e: &Error) -> bool {
    *e == Error::Fatal
}

#[retry(constant(0), max_tries = 5, giveup = is_fatal)]
fn giveup_path(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    if c.get() == 2 {
        Err(Error::Fatal)
    } else {
        Err(Error::Busy(c.get()))
    }
}

#[retry(constant(0), max_tries = 5, retry_if = |e| matches!(e, Error::Busy(n) if *n < 3))]
fn retry_if_closure(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(0), max_tries = 6, retry_if_ok = |v: &u32| *v < 4)]
fn retry_if_ok_value(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    if c.get() == 1 {
        Err(Error::Busy(1))
    } else {
        Ok(c.get())
    }
}

#[retry(constant(0), max_tries = 3, retry_if_ok = |v: &u32| *v < 100)]
fn retry_if_ok_exhausted(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 0)
}

#[retry(expo, jitter = full, max_tries = 4, max_delay = "30s", retry_after = |e: &Error| match e {
    Error::Slow(d) => Some(*d),
    _ => None,
})]
fn retry_after_hint(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    match c.get() {
        1 => Err(Error::Slow(7 * S)),
        2 => Err(Error::Slow(3600 * S)),
        _ => Ok(c.get()),
    }
}

#[test]
fn predicates_sync() {
    let (out, tries, _) = sync_run(giveup_path);
    assert_eq!((out, tries), (Err(Error::Fatal), 2));
    let (out, tries, _) = sync_run(retry_if_closure);
    assert_eq!((out, tries), (Err(Error::Busy(3)), 3));
    let (out, tries, _) = sync_run(retry_if_ok_value);
    assert_eq!((out, tries), (Ok(4), 4));
    // The last Ok is returned when retry_if_ok still rejects it.
    let (out, tries, _) = sync_run(retry_if_ok_exhausted);
    assert_eq!((out, tries), (Ok(3), 3));
    // Hints are used as given (no jitter), capped by max_delay.
    let (out, _, sleeps) = sync_run(retry_after_hint);
    assert_eq!((out, sleeps), (Ok(3), secs(&[7, 30])));
}

#[retry(constant(1), jitter = none, max_tries = 5, giveup = |e: &Error| *e == Error::Busy(2))]
async fn giveup_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(1), jitter = none, max_tries = 5, retry_if_ok = |v: &u32| *v < 3,
        retry_after = |e: &Error| if *e == Error::Busy(1) { Some(S / 2) } else { None })]
async fn predicates_async_fn(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    if c.get() == 1 {
        Err(Error::Busy(1))
    } else {
        Ok(c.get())
    }
}

#[tokio::test(start_paused = true)]
async fn predicates_async() {
    let c = Cell::new(0);
    let (out, t) = timed(giveup_async(&c)).await;
    assert_eq!((out, c.get(), t), (Err(Error::Busy(2)), 2, S));
    let c = Cell::new(0);
    let (out, t) = timed(predicates_async_fn(&c)).await;
    assert_eq!((out, c.get(), t), (Ok(3), 3, S / 2 + S));
}

// ---------------- hooks ----------------

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(kind: &str, d: &Details<'_, u32, Error>) {
    LOG.with(|l| {
        l.borrow_mut().push(format!(
            "{kind} {} tries={} elapsed={:?} wait={:?} ok={}",
            d.name(),
            d.tries(),
            d.elapsed(),
            d.wait(),
            d.outcome().is_ok()
        ))
    });
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

#[retry(constant(2), jitter = none, max_tries = 3,
        on_backoff = |d| log("backoff", d), on_giveup = |d| log("giveup", d), on_success = |d| log("success", d))]
fn hooked(c: &Cell<u32>, succeed_at: u32) -> Result<u32, Error> {
    step(c, succeed_at)
}

#[retry(constant(2), jitter = none, max_tries = 3,
        on_backoff = |d| log("backoff", d), on_giveup = |d| log("giveup", d), on_success = |d| log("success", d))]
async fn hooked_async(c: &Cell<u32>, succeed_at: u32) -> Result<u32, Error> {
    step(c, succeed_at)
}

#[test]
fn hooks_sync() {
    take_log();
    let _ = sync_run(|c| hooked(c, 2));
    assert_eq!(
        take_log(),
        [
            "backoff keys::hooked tries=1 elapsed=0ns wait=Some(2s) ok=false",
            "success keys::hooked tries=2 elapsed=2s wait=None ok=true",
        ]
    );
    let _ = sync_run(|c| hooked(c, 99));
    assert_eq!(
        take_log(),
        [
            "backoff keys::hooked tries=1 elapsed=0ns wait=Some(2s) ok=false",
            "backoff keys::hooked tries=2 elapsed=2s wait=Some(2s) ok=false",
            "giveup keys::hooked tries=3 elapsed=4s wait=None ok=false",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn hooks_async() {
    take_log();
    hooked_async(&Cell::new(0), 99).await.unwrap_err();
    assert_eq!(
        take_log(),
        [
            "backoff keys::hooked_async tries=1 elapsed=0ns wait=Some(2s) ok=false",
            "backoff keys::hooked_async tries=2 elapsed=2s wait=Some(2s) ok=false",
            "giveup keys::hooked_async tries=3 elapsed=4s wait=None ok=false",
        ]
    );
    hooked_async(&Cell::new(0), 1).await.unwrap();
    assert_eq!(
        take_log(),
        ["success keys::hooked_async tries=1 elapsed=0ns wait=None ok=true"]
    );
}

/// Each hook alone, literal keys: the clock is read because a hook is set, whatever
/// the hook (the runtime decides, not the macro), so `elapsed` is right in each.
#[retry(constant(2), jitter = none, max_tries = 3, on_success = |d| log("success", d))]
fn only_success(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 3)
}

#[retry(constant(2), jitter = none, max_tries = 3, on_giveup = |d| log("giveup", d))]
fn only_giveup(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 99)
}

#[retry(constant(2), jitter = none, max_tries = 3, on_backoff = |d| log("backoff", d))]
fn only_backoff(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 3)
}

#[retry(constant(2), jitter = none, max_tries = 3, on_success = |d| log("success", d))]
async fn only_success_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 3)
}

#[retry(constant(2), jitter = none, max_tries = 3, on_giveup = |d| log("giveup", d))]
async fn only_giveup_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, 99)
}

#[test]
fn elapsed_is_right_in_each_hook_alone() {
    take_log();
    let _ = sync_run(only_success);
    let _ = sync_run(only_giveup);
    let _ = sync_run(only_backoff);
    assert_eq!(
        take_log(),
        [
            "success keys::only_success tries=3 elapsed=4s wait=None ok=true",
            "giveup keys::only_giveup tries=3 elapsed=4s wait=None ok=false",
            "backoff keys::only_backoff tries=1 elapsed=0ns wait=Some(2s) ok=false",
            "backoff keys::only_backoff tries=2 elapsed=2s wait=Some(2s) ok=false",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn elapsed_is_right_in_each_hook_alone_async() {
    take_log();
    only_success_async(&Cell::new(0)).await.unwrap();
    only_giveup_async(&Cell::new(0)).await.unwrap_err();
    assert_eq!(
        take_log(),
        [
            "success keys::only_success_async tries=3 elapsed=4s wait=None ok=true",
            "giveup keys::only_giveup_async tries=3 elapsed=4s wait=None ok=false",
        ]
    );
}

// ---------------- budget ----------------

static SYNC_BUDGET: Budget = Budget::new(10, 0.5);
static ASYNC_BUDGET: Budget = Budget::new(10, 0.5);

#[retry(constant(0), max_tries = 100, budget = &SYNC_BUDGET)]
fn budgeted(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(0), max_tries = 100, budget = &ASYNC_BUDGET)]
async fn budgeted_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn budget_sync() {
    // 10 tokens: after 5 failures 5 are left, which is not above half: stop.
    assert_eq!(sync_run(budgeted).1, 5);
    // Now every call makes a single attempt.
    assert_eq!(sync_run(budgeted).1, 1);
    assert_eq!(SYNC_BUDGET.tokens(), 4.0);
}

#[tokio::test(start_paused = true)]
async fn budget_async() {
    let c = Cell::new(0);
    budgeted_async(&c).await.unwrap_err();
    assert_eq!(c.get(), 5);
}

// ---------------- timeout, timeout_error, sleep ----------------

#[retry(constant(1), jitter = none, max_tries = 3, timeout = "5s")]
async fn slow_then_fast(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    if c.get() < 3 {
        tokio::time::sleep(60 * S).await;
    }
    Ok(c.get())
}

#[derive(Debug, PartialEq)]
struct Foreign(&'static str);

#[retry(constant(1), jitter = none, max_tries = 2, timeout = Duration::from_secs(2), timeout_error = |_| Foreign("timed out"))]
async fn always_slow(c: &Cell<u32>) -> Result<u32, Foreign> {
    c.set(c.get() + 1);
    tokio::time::sleep(60 * S).await;
    Ok(0)
}

#[tokio::test(start_paused = true)]
async fn timeouts() {
    let c = Cell::new(0);
    let (out, t) = timed(slow_then_fast(&c)).await;
    // Two attempts cut off at 5 s, 1 s waits, then success.
    assert_eq!((out, t), (Ok(3), 5 * S + S + 5 * S + S));
    let c = Cell::new(0);
    let (out, t) = timed(always_slow(&c)).await;
    assert_eq!(
        (out, c.get(), t),
        (Err(Foreign("timed out")), 2, 2 * S + S + 2 * S)
    );
}

static CUSTOM_SLEEPS: AtomicU32 = AtomicU32::new(0);

async fn counting_sleep(d: Duration) {
    CUSTOM_SLEEPS.fetch_add(d.as_secs() as u32, Ordering::SeqCst);
}

#[retry(constant(3), jitter = none, max_tries = 3, sleep = counting_sleep)]
async fn custom_sleep(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(3), jitter = none, max_tries = 2, sleep = |d: Duration| async move { CUSTOM_SLEEPS.fetch_add(100 * d.as_secs() as u32, Ordering::SeqCst); })]
async fn custom_sleep_closure(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn sleep_key_needs_no_tokio_runtime() {
    let c = Cell::new(0);
    let out = block_on(custom_sleep(&c));
    assert_eq!((out, c.get()), (Err(Error::Busy(3)), 3));
    assert_eq!(CUSTOM_SLEEPS.load(Ordering::SeqCst), 6);
    let c = Cell::new(0);
    block_on(custom_sleep_closure(&c)).unwrap_err();
    assert_eq!(CUSTOM_SLEEPS.load(Ordering::SeqCst), 306);
}

// ---------------- policy, crate, attempt ----------------

const QUICK: Policy = Policy::constant(Duration::from_secs(2))
    .jitter(retry::Jitter::None)
    .max_tries(4);

#[retry(policy = QUICK, giveup = is_fatal)]
fn with_policy(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(policy = QUICK)]
async fn with_policy_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

fn policy_for(tries: u32) -> Policy {
    QUICK.max_tries(tries)
}

#[retry(policy = policy_for(n))]
fn with_policy_expr(c: &Cell<u32>, n: u32) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn policy_key() {
    let (_, tries, sleeps) = sync_run(with_policy);
    assert_eq!((tries, sleeps), (4, secs(&[2, 2, 2])));
    assert_eq!(sync_run(|c| with_policy_expr(c, 2)).1, 2);
    let c = Cell::new(0);
    let (_, t) = timed(with_policy_async(&c)).await;
    assert_eq!((c.get(), t), (4, 6 * S));
}

/// A `static` policy with a deadline, and a `const` one behind a module path: the
/// expansion asks each in a constant whether it has `max_time`.
static WITH_DEADLINE: Policy = Policy::constant(Duration::from_secs(2))
    .jitter(retry::Jitter::None)
    .forever()
    .max_time(Duration::from_secs(5));

mod policies {
    use super::*;
    pub const NO_DEADLINE: Policy = QUICK;
}

#[retry(policy = WITH_DEADLINE)]
async fn with_static_deadline(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(policy = policies::NO_DEADLINE)]
fn with_module_policy(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

/// A policy passed in: a run-time value, whatever its name.
#[retry(policy = policy)]
async fn with_policy_argument(c: &Cell<u32>, policy: Policy) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn static_module_and_argument_policies() {
    // Attempts at 0, 2 and 4 s; the wait after the third is cut to the 1 s left, and the
    // fourth ends at the deadline.
    let c = Cell::new(0);
    let (_, t) = timed(with_static_deadline(&c)).await;
    assert_eq!((c.get(), t), (4, 5 * S));
    let (_, tries, sleeps) = sync_run(with_module_policy);
    assert_eq!((tries, sleeps), (4, secs(&[2, 2, 2])));
    let c = Cell::new(0);
    let (_, t) = timed(with_policy_argument(
        &c,
        WITH_DEADLINE.max_time(Duration::from_secs(3)),
    ))
    .await;
    assert_eq!((c.get(), t), (3, 3 * S));
}

mod reexported {
    //! A crate that re-exports the facade under another path.
    pub mod deps {
        pub use ::retry as retry_facade;
    }
}

#[retry(crate = "reexported::deps::retry_facade", constant(0), max_tries = 2)]
fn via_reexport(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(constant(0), max_tries = 3, attempt = n)]
fn with_attempt(urls: &[&str], used: &RefCell<Vec<String>>) -> Result<u32, Error> {
    // Fail over to the next URL on later attempts.
    let url = urls[(n as usize - 1) % urls.len()];
    used.borrow_mut().push(url.to_string());
    if n < 3 {
        Err(Error::Busy(n))
    } else {
        Ok(n)
    }
}

#[retry(constant(0), max_tries = 3, attempt = attempt_no)]
async fn with_attempt_async(seen: &RefCell<Vec<u32>>) -> Result<u32, Error> {
    seen.borrow_mut().push(attempt_no);
    if attempt_no < 2 {
        Err(Error::Busy(attempt_no))
    } else {
        Ok(attempt_no)
    }
}

#[tokio::test(start_paused = true)]
async fn crate_and_attempt_keys() {
    assert_eq!(sync_run(via_reexport).1, 2);
    let used = RefCell::new(Vec::new());
    assert_eq!(with_attempt(&["a", "b"], &used), Ok(3));
    assert_eq!(*used.borrow(), ["a", "b", "a"]);
    let seen = RefCell::new(Vec::new());
    assert_eq!(with_attempt_async(&seen).await, Ok(2));
    assert_eq!(*seen.borrow(), [1, 2]);
}

// ---------------- bare #[retry]: every default ----------------

#[retry]
fn all_defaults(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[test]
fn bare_attribute_uses_defaults() {
    let (_, tries, sleeps) = sync_run(all_defaults);
    assert_eq!(tries, 3);
    // expo 1 s, 2 s with full jitter.
    assert!(sleeps[0] <= S && sleeps[1] <= 2 * S);
}

// ---------------- the remaining keys on async fns ----------------

#[retry(constant(1), jitter = none, max_tries = 5, retry_if = |e| matches!(e, Error::Busy(n) if *n < 2))]
async fn retry_if_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(crate = "reexported::deps::retry_facade", constant(1), jitter = none, max_tries = 2)]
async fn via_reexport_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[retry(expo(factor = "500ms"), jitter = none, max_tries = 3)]
async fn expo_args_async(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn remaining_keys_async() {
    let c = Cell::new(0);
    let (out, t) = timed(retry_if_async(&c)).await;
    assert_eq!((out, c.get(), t), (Err(Error::Busy(2)), 2, S));
    let c = Cell::new(0);
    let (_, t) = timed(via_reexport_async(&c)).await;
    assert_eq!((c.get(), t), (2, S));
    let c = Cell::new(0);
    let (_, t) = timed(expo_args_async(&c)).await;
    assert_eq!((c.get(), t), (3, S + S / 2));
}

#[path = "support/block_on.rs"]
mod block_on;
use block_on::block_on;

// ---------------- SPEC §3's example, word for word ----------------

#[retry(constant("10s"), jitter = none, max_time = "25s")]
async fn spec_deadline_example(times: &RefCell<Vec<Duration>>, start: Instant) -> Result<(), ()> {
    times.borrow_mut().push(start.elapsed());
    Err(())
}

#[retry(constant("10s"), jitter = none, max_time = "25s")]
fn spec_deadline_example_sync(c: &Cell<u32>) -> Result<u32, Error> {
    step(c, u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn max_time_without_max_tries_is_the_limit() {
    // A time budget without max_tries: the budget is the limit, not the default 3 tries.
    let times = RefCell::new(Vec::new());
    spec_deadline_example(&times, Instant::now())
        .await
        .unwrap_err();
    assert_eq!(*times.borrow(), secs(&[0, 10, 20, 25]));
    let (_, tries, sleeps) = sync_run(spec_deadline_example_sync);
    assert_eq!((tries, sleeps), (4, secs(&[10, 10, 5])));
}

// ---------------- hedge ----------------

/// Attempt 1 takes 200 ms, later ones 10 ms: with `hedge = "50ms"` the second attempt
/// starts at 50 ms and wins at 60 ms; the first is dropped.
#[retry(hedge = "50ms", max_tries = 3, attempt = n)]
async fn hedged(started: &Cell<u32>, dropped: &Cell<u32>) -> Result<u32, Error> {
    started.set(started.get() + 1);
    struct Guard<'a>(&'a Cell<u32>);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let _guard = Guard(dropped);
    let took = if n == 1 { 200 } else { 10 };
    tokio::time::sleep(Duration::from_millis(took)).await;
    Ok(n)
}

#[tokio::test(start_paused = true)]
async fn hedge_starts_a_second_attempt_and_the_first_ok_wins() {
    let (started, dropped) = (Cell::new(0), Cell::new(0));
    let start = tokio::time::Instant::now();
    assert_eq!(hedged(&started, &dropped).await, Ok(2));
    assert_eq!(start.elapsed(), Duration::from_millis(60));
    assert_eq!(started.get(), 2);
    // Both attempts' futures are gone: the winner finished, the slow one was dropped.
    assert_eq!(dropped.get(), 2);
}

/// A hedged fn with an owned argument and an expression limit (slots on the heap).
#[retry(hedge = Duration::from_millis(20), max_tries = limit, retry_if = |e: &Error| *e != Error::Fatal)]
async fn hedged_owned(name: String, limit: u32, calls: &Cell<u32>) -> Result<String, Error> {
    calls.set(calls.get() + 1);
    if calls.get() < 3 {
        Err(Error::Busy(calls.get()))
    } else {
        Ok(format!("{name} {}", calls.get()))
    }
}

#[tokio::test(start_paused = true)]
async fn hedge_starts_the_next_attempt_at_once_after_a_failure() {
    let calls = Cell::new(0);
    let start = tokio::time::Instant::now();
    assert_eq!(
        hedged_owned("db".to_string(), 5, &calls).await,
        Ok("db 3".to_string())
    );
    // Failures start the next attempt at once: no schedule wait.
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(calls.get(), 3);
}

thread_local! {
    static JUDGED: Cell<u32> = const { Cell::new(0) };
}

fn judge_ok(v: &u32) -> bool {
    JUDGED.with(|j| j.set(j.get() + 1));
    *v < 3
}

#[retry(constant(0), max_tries = 5, retry_if_ok = judge_ok)]
fn judged_once_sync(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    Ok(c.get())
}

#[retry(constant(0), max_tries = 5, retry_if_ok = judge_ok)]
async fn judged_once_async(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    Ok(c.get())
}

#[test]
fn each_outcome_is_judged_once() {
    // Values 1 and 2 are rejected, 3 accepted: three attempts, three verdicts.
    JUDGED.with(|j| j.set(0));
    let c = Cell::new(0);
    assert_eq!(judged_once_sync(&c), Ok(3));
    assert_eq!(
        JUDGED.with(Cell::get),
        3,
        "sync: retry_if_ok asked once per attempt"
    );

    JUDGED.with(|j| j.set(0));
    let c = Cell::new(0);
    let out = block_on::block_on(judged_once_async(&c));
    assert_eq!(out, Ok(3));
    assert_eq!(
        JUDGED.with(Cell::get),
        3,
        "async: retry_if_ok asked once per attempt"
    );

    JUDGED.with(|j| j.set(0));
    let c = Cell::new(0);
    let out = retry::Policy::constant(std::time::Duration::ZERO)
        .max_tries(5)
        .retry(|| judged_once_sync_body(&c))
        .retry_if_ok(judge_ok)
        .call();
    assert_eq!(out, Ok(3));
    assert_eq!(
        JUDGED.with(Cell::get),
        3,
        "call site: retry_if_ok asked once per attempt"
    );
}

fn judged_once_sync_body(c: &Cell<u32>) -> Result<u32, Error> {
    c.set(c.get() + 1);
    Ok(c.get())
}
