//! Async retries without tokio: `#[retry(sleep = ...)]` and `.sleep(..)` take any
//! `Fn(Duration) -> impl Future<Output = ()>`. Here the executor is a hand-written
//! `block_on` and the timer a helper thread per sleep, std only.
//!
//! ```text
//! cargo run --example custom_sleeper
//! ```

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use retry::{retry, Details, Jitter, Policy};

// ------------------------------------------------------------- a tiny runtime

/// Runs a future to completion on this thread, parking it while the future waits.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            // Spurious wake-ups are fine: the loop just polls again.
            Poll::Pending => thread::park(),
        }
    }
}

/// A sleep: the first poll starts a thread that wakes the task at the deadline.
struct ThreadSleep {
    until: Instant,
    waker: Option<Arc<Mutex<Waker>>>,
}

fn thread_sleep(wait: Duration) -> ThreadSleep {
    ThreadSleep {
        until: Instant::now() + wait,
        waker: None,
    }
}

impl Future for ThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.until {
            return Poll::Ready(());
        }
        match &self.waker {
            // Already ticking: keep the waker current.
            Some(waker) => waker.lock().unwrap().clone_from(cx.waker()),
            None => {
                let waker = Arc::new(Mutex::new(cx.waker().clone()));
                let (until, shared) = (self.until, Arc::clone(&waker));
                thread::spawn(move || {
                    thread::sleep(until.saturating_duration_since(Instant::now()));
                    shared.lock().unwrap().wake_by_ref();
                });
                self.waker = Some(waker);
            }
        }
        Poll::Pending
    }
}

// ---------------------------------------------------------------- the calls

fn log<T, E: std::fmt::Debug>(d: &Details<'_, T, E>) {
    println!(
        "  {} try {} failed: {:?}; sleeping {:?}",
        d.name(),
        d.tries(),
        d.outcome().as_ref().err(),
        d.wait().unwrap_or_default()
    );
}

static JOB_POLLS: AtomicU32 = AtomicU32::new(0);

#[derive(Debug)]
enum JobError {
    NotReady,
    Hung,
}

impl From<retry::Timeout> for JobError {
    fn from(_: retry::Timeout) -> Self {
        JobError::Hung
    }
}

/// The first attempt hangs forever and is cut off by `timeout`, which also uses
/// `thread_sleep` for its timer; the next one is "not ready"; the third succeeds.
#[retry(
    constant("50ms"),
    jitter = none,
    max_tries = 5,
    max_time = "2s",
    timeout = "100ms",
    sleep = thread_sleep,
    on_backoff = log,
)]
async fn job_result(id: u32) -> Result<String, JobError> {
    match JOB_POLLS.fetch_add(1, Ordering::SeqCst) {
        0 => std::future::pending().await,
        1 => Err(JobError::NotReady),
        _ => Ok(format!("job {id}: done")),
    }
}

fn main() {
    let start = Instant::now();
    println!("#[retry(sleep = thread_sleep, timeout = \"100ms\")] async fn job_result");
    let result = block_on(job_result(7));
    println!("  -> {result:?} after {:.0?}", start.elapsed());
    assert_eq!(result.unwrap(), "job 7: done");
    assert_eq!(JOB_POLLS.load(Ordering::SeqCst), 3);

    println!("Policy::retry_async(..).sleep(thread_sleep)");
    let start = Instant::now();
    let tries = AtomicU32::new(0);
    let result: Result<u32, &str> = block_on(async {
        Policy::constant(Duration::from_millis(30))
            .jitter(Jitter::None)
            .max_tries(4)
            .retry_async(|| async {
                let n = tries.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= 2 {
                    Err("busy")
                } else {
                    Ok(n)
                }
            })
            .sleep(thread_sleep)
            .on_backoff(log)
            .await
    });
    let elapsed = start.elapsed();
    println!("  -> {result:?} after {elapsed:.0?}");
    assert_eq!(result, Ok(3));
    assert!(elapsed >= Duration::from_millis(60), "two 30 ms sleeps");
}
