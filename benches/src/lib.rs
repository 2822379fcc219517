//! The contenders of the side-by-side benchmarks, shared by the wall-clock bench
//! (`benches/wall.rs`), the instruction counter (`src/bin/instructions.rs`) and the
//! allocation counter (`src/bin/allocations.rs`).
//!
//! Every contender retries the same trivial operation, [`op`], under the same policy:
//! exponential, base 2, no jitter, 4 tries. The first-try scenarios use a 1 ms factor
//! (never slept, as the first attempt succeeds); the retry scenarios use a zero factor,
//! so what is measured is the machinery of a retry, not a sleep.
//!
//! A contender is a plain `fn(&Bench) -> u32` making one complete call; the harnesses
//! call it through a pointer, which costs every contender the same.

use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The error of the trivial operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// The trivial operation's state: after each [`reset`](Flaky::reset), its first
/// `failures` calls fail.
#[derive(Debug)]
pub struct Flaky {
    calls: Cell<u32>,
    failures: u32,
}

impl Flaky {
    /// An operation that fails `failures` times after each reset, then succeeds.
    pub const fn new(failures: u32) -> Self {
        Flaky {
            calls: Cell::new(0),
            failures,
        }
    }

    /// Start a new call: the next `failures` attempts fail.
    #[inline(always)]
    pub fn reset(&self) {
        self.calls.set(0);
    }
}

/// The trivial operation every contender retries: one counter update and a compare.
/// Never inlined, so that it costs every contender the same.
#[inline(never)]
pub fn op(flaky: &Flaky) -> Result<u32, Busy> {
    let n = flaky.calls.get() + 1;
    flaky.calls.set(n);
    if n <= flaky.failures {
        Err(Busy)
    } else {
        Ok(n)
    }
}

/// The bare async function: the same operation as an `async fn`.
pub async fn op_async(flaky: &Flaky) -> Result<u32, Busy> {
    op(flaky)
}

/// Total attempts, the first included.
pub const TRIES: u32 = 4;

/// The value a contender hands back, so that the optimiser keeps the call.
#[inline(always)]
pub fn value(outcome: Result<u32, Busy>) -> u32 {
    outcome.unwrap_or(u32::MAX)
}

/// `backoff` has no attempt limit of its own: this adapter gives it one (4 tries = 3
/// waits), as a user of that crate would write it.
#[derive(Debug)]
pub struct MaxRetries<B> {
    inner: B,
    left: u32,
}

impl<B> MaxRetries<B> {
    /// `inner`, ending after `retries` waits.
    pub fn new(inner: B, retries: u32) -> Self {
        MaxRetries {
            inner,
            left: retries,
        }
    }
}

impl<B: backoff::backoff::Backoff> backoff::backoff::Backoff for MaxRetries<B> {
    fn reset(&mut self) {
        self.inner.reset();
    }

    fn next_backoff(&mut self) -> Option<Duration> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        self.inner.next_backoff()
    }
}

/// `backoff`'s exponential schedule: the given factor, multiplier 2, no randomisation,
/// no time limit, 3 waits.
#[inline]
pub fn backoff_policy(factor: Duration) -> MaxRetries<backoff::ExponentialBackoff> {
    let inner = backoff::ExponentialBackoffBuilder::new()
        .with_initial_interval(factor)
        .with_multiplier(2.0)
        .with_randomization_factor(0.0)
        .with_max_elapsed_time(None)
        .build();
    MaxRetries::new(inner, TRIES - 1)
}

/// The error inside `backoff`'s wrapper.
#[inline]
pub fn backoff_error<E>(error: backoff::Error<E>) -> E {
    match error {
        backoff::Error::Permanent(e) | backoff::Error::Transient { err: e, .. } => e,
    }
}

/// Polls `fut` once with a no-op waker; for the first-try scenarios, where no contender
/// ever waits, so no executor is needed (and none is measured).
#[inline(always)]
pub fn poll_once<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a first-try contender did not finish in one poll"),
    }
}

/// The same contenders under a policy with the given factor.
macro_rules! contenders {
    ($(#[$doc:meta])* $module:ident, millis = $millis:literal, factor = $factor:tt) => {
        $(#[$doc])*
        pub mod $module {
            use std::time::Duration;

            use super::{backoff_error, backoff_policy, op, op_async, Busy, Flaky, TRIES};

            /// The first wait.
            pub const FACTOR: Duration = Duration::from_millis($millis);

            /// The policy of the call-site API.
            pub const POLICY: retry::Policy = retry::Policy::expo()
                .base(2.0)
                .factor(FACTOR)
                .jitter(retry::Jitter::None)
                .max_tries(TRIES);

            /// backon's builder (no jitter by default).
            pub const BACKON: backon::ExponentialBuilder = backon::ExponentialBuilder::new()
                .with_min_delay(FACTOR)
                .with_factor(2.0)
                .with_max_times(TRIES as usize - 1);

            /// A retry loop as one would write it by hand; a zero wait is not slept.
            pub fn hand_loop(flaky: &Flaky) -> Result<u32, Busy> {
                let mut tries = 1;
                let mut wait = FACTOR;
                loop {
                    match op(flaky) {
                        Ok(v) => return Ok(v),
                        Err(e) if tries >= TRIES => return Err(e),
                        Err(_) => {
                            if !wait.is_zero() {
                                std::thread::sleep(wait);
                            }
                            wait = wait.saturating_mul(2);
                            tries += 1;
                        }
                    }
                }
            }

            /// `#[retry]`.
            #[retry::retry(expo(base = 2, factor = $factor), jitter = none, max_tries = 4)]
            pub fn attribute(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(policy = POLICY)]
            pub fn attribute_const(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(policy = super::runtime_policy(FACTOR))]
            pub fn attribute_runtime(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(expo(base = 2, factor = $factor), jitter = none, max_tries = super::tries())]
            pub fn attribute_expr(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            /// The call-site API.
            pub fn call_site(flaky: &Flaky) -> Result<u32, Busy> {
                POLICY.retry(|| op(flaky)).call()
            }

            /// backon, blocking.
            pub fn backon(flaky: &Flaky) -> Result<u32, Busy> {
                use backon::BlockingRetryable;
                (|| op(flaky)).retry(BACKON).call()
            }

            /// backoff, blocking.
            pub fn backoff(flaky: &Flaky) -> Result<u32, Busy> {
                backoff::retry(backoff_policy(FACTOR), || {
                    op(flaky).map_err(backoff::Error::transient)
                })
                .map_err(backoff_error)
            }

            /// jimmycuadra's `retry`.
            pub fn retry_jimmy(flaky: &Flaky) -> Result<u32, Busy> {
                let schedule = retry_jimmy::delay::Exponential::from_millis($millis);
                retry_jimmy::retry(schedule.take(TRIES as usize - 1), || op(flaky))
                    .map_err(|e| e.error)
            }

            /// A retry loop as one would write it by hand; a zero wait is not slept.
            pub async fn hand_loop_async(flaky: &Flaky) -> Result<u32, Busy> {
                let mut tries = 1;
                let mut wait = FACTOR;
                loop {
                    match op_async(flaky).await {
                        Ok(v) => return Ok(v),
                        Err(e) if tries >= TRIES => return Err(e),
                        Err(_) => {
                            if !wait.is_zero() {
                                tokio::time::sleep(wait).await;
                            }
                            wait = wait.saturating_mul(2);
                            tries += 1;
                        }
                    }
                }
            }

            /// `#[retry]` on an `async fn`.
            #[retry::retry(expo(base = 2, factor = $factor), jitter = none, max_tries = 4)]
            pub async fn attribute_async(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(policy = POLICY)]
            pub async fn attribute_const_async(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(policy = super::runtime_policy(FACTOR))]
            pub async fn attribute_runtime_async(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            #[retry::retry(expo(base = 2, factor = $factor), jitter = none, max_tries = super::tries())]
            pub async fn attribute_expr_async(flaky: &Flaky) -> Result<u32, Busy> {
                op(flaky)
            }

            /// The call-site API, async.
            pub async fn call_site_async(flaky: &Flaky) -> Result<u32, Busy> {
                POLICY.retry_async(|| op_async(flaky)).await
            }

            /// backon, async (tokio's sleep).
            pub fn backon_async(flaky: &Flaky) -> impl std::future::Future<Output = Result<u32, Busy>> + '_ {
                use backon::Retryable;
                (move || op_async(flaky)).retry(BACKON)
            }

            /// tokio-retry2.
            pub fn tokio_retry2(flaky: &Flaky) -> impl std::future::Future<Output = Result<u32, Busy>> + '_ {
                let schedule = tokio_retry2::strategy::ExponentialFactorBackoff::from_millis($millis, 2.0);
                tokio_retry2::Retry::spawn(schedule.take(TRIES as usize - 1), move || async move {
                    op(flaky).map_err(tokio_retry2::RetryError::transient)
                })
            }

            /// backoff, async (tokio's sleep).
            pub async fn backoff_async(flaky: &Flaky) -> Result<u32, Busy> {
                backoff::future::retry(backoff_policy(FACTOR), || async move {
                    op(flaky).map_err(backoff::Error::transient)
                })
                .await
            }

            /// tryhard (tokio's sleep).
            pub fn tryhard(flaky: &Flaky) -> impl std::future::Future<Output = Result<u32, Busy>> + '_ {
                tryhard::retry_fn(move || op_async(flaky))
                    .retries(TRIES - 1)
                    .exponential_backoff(FACTOR)
            }
        }
    };
}

/// The benchmark's policy as a runtime value (`#[retry(policy = EXPR)]` with an
/// expression the optimiser cannot fold).
#[inline(never)]
pub fn runtime_policy(factor: Duration) -> retry::Policy {
    black_box(
        retry::Policy::expo()
            .base(2.0)
            .factor(factor)
            .jitter(retry::Jitter::None)
            .max_tries(TRIES),
    )
}

/// The attempt limit as a runtime value (`max_tries = EXPR`).
#[inline(never)]
pub fn tries() -> u32 {
    black_box(TRIES)
}

pub mod population;

contenders!(
    /// The first-try scenarios: factor 1 ms (never slept: the first attempt succeeds).
    first_try,
    millis = 1,
    factor = "1ms"
);

contenders!(
    /// The retry scenarios: factor zero, so every wait is zero and nothing sleeps
    /// but what a contender's own machinery does with a zero wait.
    zero_wait,
    millis = 0,
    factor = "0ms"
);

/// Other shapes of `#[retry]` on the trivial operation, for the table of future sizes.
pub mod variants {
    use super::{op, Busy, Flaky};

    /// The default jitter (full): the state keeps a random generator.
    #[retry::retry(expo(base = 2, factor = "1ms"), max_tries = 4)]
    pub async fn full_jitter(flaky: &Flaky) -> Result<u32, Busy> {
        op(flaky)
    }

    /// `max_time`: the state keeps the start instant.
    #[retry::retry(expo(base = 2, factor = "1ms"), jitter = none, max_tries = 4, max_time = "1s")]
    pub async fn max_time(flaky: &Flaky) -> Result<u32, Busy> {
        op(flaky)
    }

    /// A constant named by its path (`policy = path::CONST`).
    #[retry::retry(policy = super::first_try::POLICY)]
    pub async fn policy_expression(flaky: &Flaky) -> Result<u32, Busy> {
        op(flaky)
    }
}

/// What every contender is handed: the operations' states and an executor.
#[derive(Debug)]
pub struct Bench {
    /// Succeeds at once.
    pub first_try: Flaky,
    /// Fails twice, then succeeds.
    pub two_failures: Flaky,
    /// A current-thread tokio runtime with its timer, for the async retry scenario.
    pub runtime: tokio::runtime::Runtime,
}

impl Bench {
    /// The states and a fresh runtime.
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread tokio runtime");
        Bench {
            first_try: Flaky::new(0),
            two_failures: Flaky::new(2),
            runtime,
        }
    }
}

impl Default for Bench {
    fn default() -> Self {
        Self::new()
    }
}

/// One contender of a scenario: a name and one complete call.
#[derive(Clone, Copy, Debug)]
pub struct Contender {
    /// The name in the tables.
    pub name: &'static str,
    /// One complete call.
    pub run: fn(&Bench) -> u32,
}

/// A scenario: what is measured, and who runs it.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// The short name (a criterion group, an argument of the harnesses).
    pub name: &'static str,
    /// What it measures, for the tables.
    pub title: &'static str,
    /// The calls the table is relative to (the first contender).
    pub baseline: &'static str,
    /// How many calls a per-call figure is divided further by (e.g. per retry, per wait).
    pub per: u32,
    /// The contenders; the first is the baseline.
    pub contenders: &'static [Contender],
}

macro_rules! contender {
    ($name:literal, |$bench:ident| $body:expr) => {
        Contender {
            name: $name,
            run: |$bench: &Bench| -> u32 { $body },
        }
    };
}

/// Sync, the first attempt succeeds.
pub const SYNC_FIRST_TRY: Scenario = Scenario {
    name: "sync_first_try",
    title: "sync, first attempt succeeds",
    baseline: "bare call",
    per: 1,
    contenders: &[
        contender!("bare call", |b| {
            b.first_try.reset();
            value(op(black_box(&b.first_try)))
        }),
        contender!("hand-written loop", |b| {
            b.first_try.reset();
            value(first_try::hand_loop(black_box(&b.first_try)))
        }),
        contender!("#[retry], literal keys", |b| {
            b.first_try.reset();
            value(first_try::attribute(black_box(&b.first_try)))
        }),
        contender!("#[retry(policy = CONST)]", |b| {
            b.first_try.reset();
            value(first_try::attribute_const(black_box(&b.first_try)))
        }),
        contender!("#[retry(policy = runtime value)]", |b| {
            b.first_try.reset();
            value(first_try::attribute_runtime(black_box(&b.first_try)))
        }),
        contender!("#[retry(max_tries = EXPR)]", |b| {
            b.first_try.reset();
            value(first_try::attribute_expr(black_box(&b.first_try)))
        }),
        contender!("POLICY.retry(..).call()", |b| {
            b.first_try.reset();
            value(first_try::call_site(black_box(&b.first_try)))
        }),
        contender!("backon", |b| {
            b.first_try.reset();
            value(first_try::backon(black_box(&b.first_try)))
        }),
        contender!("backoff", |b| {
            b.first_try.reset();
            value(first_try::backoff(black_box(&b.first_try)))
        }),
        contender!("retry (jimmycuadra)", |b| {
            b.first_try.reset();
            value(first_try::retry_jimmy(black_box(&b.first_try)))
        }),
    ],
};

/// Async, the first attempt succeeds: one poll with a no-op waker, no executor.
pub const ASYNC_FIRST_TRY: Scenario = Scenario {
    name: "async_first_try",
    title: "async, first attempt succeeds (one poll, no executor)",
    baseline: "bare async fn",
    per: 1,
    contenders: &[
        contender!("bare async fn", |b| {
            b.first_try.reset();
            value(poll_once(op_async(black_box(&b.first_try))))
        }),
        contender!("hand-written loop", |b| {
            b.first_try.reset();
            value(poll_once(first_try::hand_loop_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("#[retry], literal keys", |b| {
            b.first_try.reset();
            value(poll_once(first_try::attribute_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("#[retry(policy = CONST)]", |b| {
            b.first_try.reset();
            value(poll_once(first_try::attribute_const_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("#[retry(policy = runtime value)]", |b| {
            b.first_try.reset();
            value(poll_once(first_try::attribute_runtime_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("#[retry(max_tries = EXPR)]", |b| {
            b.first_try.reset();
            value(poll_once(first_try::attribute_expr_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("POLICY.retry_async(..).await", |b| {
            b.first_try.reset();
            value(poll_once(first_try::call_site_async(black_box(
                &b.first_try,
            ))))
        }),
        contender!("backon", |b| {
            b.first_try.reset();
            value(poll_once(first_try::backon_async(black_box(&b.first_try))))
        }),
        contender!("tokio-retry2", |b| {
            b.first_try.reset();
            value(poll_once(first_try::tokio_retry2(black_box(&b.first_try))))
        }),
        contender!("backoff", |b| {
            b.first_try.reset();
            value(poll_once(first_try::backoff_async(black_box(&b.first_try))))
        }),
        contender!("tryhard", |b| {
            b.first_try.reset();
            value(poll_once(first_try::tryhard(black_box(&b.first_try))))
        }),
    ],
};

/// Sync, two failures then success, every wait zero.
pub const SYNC_TWO_RETRIES: Scenario = Scenario {
    name: "sync_two_retries",
    title: "sync, two failures then success, zero waits (per retry)",
    baseline: "bare call x3",
    per: 2,
    contenders: &[
        contender!("bare call x3", |b| {
            let f = black_box(&b.two_failures);
            f.reset();
            let _ = op(f);
            let _ = op(f);
            value(op(f))
        }),
        contender!("hand-written loop", |b| {
            b.two_failures.reset();
            value(zero_wait::hand_loop(black_box(&b.two_failures)))
        }),
        contender!("#[retry], literal keys", |b| {
            b.two_failures.reset();
            value(zero_wait::attribute(black_box(&b.two_failures)))
        }),
        contender!("#[retry(policy = CONST)]", |b| {
            b.two_failures.reset();
            value(zero_wait::attribute_const(black_box(&b.two_failures)))
        }),
        contender!("#[retry(policy = runtime value)]", |b| {
            b.two_failures.reset();
            value(zero_wait::attribute_runtime(black_box(&b.two_failures)))
        }),
        contender!("#[retry(max_tries = EXPR)]", |b| {
            b.two_failures.reset();
            value(zero_wait::attribute_expr(black_box(&b.two_failures)))
        }),
        contender!("POLICY.retry(..).call()", |b| {
            b.two_failures.reset();
            value(zero_wait::call_site(black_box(&b.two_failures)))
        }),
        contender!("backon", |b| {
            b.two_failures.reset();
            value(zero_wait::backon(black_box(&b.two_failures)))
        }),
        contender!("backoff", |b| {
            b.two_failures.reset();
            value(zero_wait::backoff(black_box(&b.two_failures)))
        }),
        contender!("retry (jimmycuadra)", |b| {
            b.two_failures.reset();
            value(zero_wait::retry_jimmy(black_box(&b.two_failures)))
        }),
    ],
};

/// Async, two failures then success, every wait zero, on a current-thread tokio
/// runtime (the peers sleep on its timer).
pub const ASYNC_TWO_RETRIES: Scenario = Scenario {
    name: "async_two_retries",
    title:
        "async, two failures then success, zero waits, tokio current-thread block_on (per retry)",
    baseline: "bare async fn x3",
    per: 2,
    contenders: &[
        contender!("bare async fn x3", |b| {
            let f = black_box(&b.two_failures);
            f.reset();
            value(b.runtime.block_on(async {
                let _ = op_async(f).await;
                let _ = op_async(f).await;
                op_async(f).await
            }))
        }),
        contender!("hand-written loop", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::hand_loop_async(black_box(&b.two_failures))),
            )
        }),
        contender!("#[retry], literal keys", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::attribute_async(black_box(&b.two_failures))),
            )
        }),
        contender!("#[retry(policy = CONST)]", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::attribute_const_async(black_box(&b.two_failures))),
            )
        }),
        contender!("#[retry(policy = runtime value)]", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::attribute_runtime_async(black_box(
                        &b.two_failures,
                    ))),
            )
        }),
        contender!("#[retry(max_tries = EXPR)]", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::attribute_expr_async(black_box(&b.two_failures))),
            )
        }),
        contender!("POLICY.retry_async(..).await", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::call_site_async(black_box(&b.two_failures))),
            )
        }),
        contender!("backon", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::backon_async(black_box(&b.two_failures))),
            )
        }),
        contender!("tokio-retry2", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::tokio_retry2(black_box(&b.two_failures))),
            )
        }),
        contender!("backoff", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::backoff_async(black_box(&b.two_failures))),
            )
        }),
        contender!("tryhard", |b| {
            b.two_failures.reset();
            value(
                b.runtime
                    .block_on(zero_wait::tryhard(black_box(&b.two_failures))),
            )
        }),
    ],
};

/// The nanoseconds of a wait, folded into the `u32` a contender returns.
#[inline(always)]
fn fold(total: u32, wait: Option<Duration>) -> u32 {
    total.wrapping_add(wait.map_or(u32::MAX, |w| w.subsec_nanos()))
}

/// The waits of one call under our policy: the engine a retry loop drives, told of 3
/// failures (each decision is one wait).
#[inline(always)]
fn engine_waits(policy: &retry::Policy) -> u32 {
    let mut engine = retry::engine::Engine::new(policy);
    let mut total = 0;
    for _ in 0..TRIES - 1 {
        let wait = match engine.failed(Duration::ZERO, || None) {
            retry::engine::Decision::Retry(wait) => Some(wait),
            retry::engine::Decision::Return(_) => None,
        };
        total = fold(total, wait);
    }
    total
}

/// The engine's waits without jitter, each then drawn uniformly in `[0, wait]` by `rand`'s
/// `SmallRng` (a thread-local generator, seeded once per thread): full jitter as it
/// would cost with `rand`'s generator and its `random_range` instead of the engine's
/// own stream.
#[inline(always)]
fn engine_waits_rand(policy: &retry::Policy) -> u32 {
    use rand::{Rng, SeedableRng};
    thread_local! {
        static RNG: std::cell::RefCell<rand::rngs::SmallRng> =
            std::cell::RefCell::new(rand::rngs::SmallRng::from_rng(&mut rand::rng()));
    }
    let mut engine = retry::engine::Engine::new(policy);
    let mut total = 0;
    for _ in 0..TRIES - 1 {
        let wait = match engine.failed(Duration::ZERO, || None) {
            retry::engine::Decision::Retry(wait) => Some(RNG.with_borrow_mut(|rng| {
                Duration::from_nanos(rng.random_range(0..=wait.as_nanos() as u64))
            })),
            retry::engine::Decision::Return(_) => None,
        };
        total = fold(total, wait);
    }
    total
}

/// Draws the first 3 waits of a schedule.
#[inline(always)]
fn draw3(mut next: impl FnMut() -> Option<Duration>) -> u32 {
    let mut total = 0;
    for _ in 0..TRIES - 1 {
        total = fold(total, next());
    }
    total
}

/// A policy with jitter as a value the optimiser cannot see through.
const ONE_WAIT: retry::Policy = first_try::POLICY;

/// The same with full jitter.
const ONE_WAIT_FULL: retry::Policy = first_try::POLICY.jitter(retry::Jitter::Full);

/// The cost of computing one wait: set up one call's schedule and draw its 3 waits
/// (factor 1 ms), per wait. With and without each crate's own jitter.
pub const ONE_WAIT_SCENARIO: Scenario = Scenario {
    name: "one_wait",
    title: "computing one wait: one call's schedule set up, 3 waits drawn (per wait)",
    baseline: "nothing",
    per: 3,
    contenders: &[
        contender!("nothing", |_b| black_box(0)),
        contender!("retry: Engine, no jitter", |_b| engine_waits(black_box(
            &ONE_WAIT
        ))),
        contender!("retry: Engine, full jitter", |_b| {
            engine_waits(black_box(&ONE_WAIT_FULL))
        }),
        contender!(
            "retry: Engine, no jitter + rand SmallRng draw (full jitter by rand)",
            |_b| engine_waits_rand(black_box(&ONE_WAIT))
        ),
        contender!("backon, no jitter", |_b| {
            use backon::BackoffBuilder;
            let mut backoff = black_box(first_try::BACKON).build();
            draw3(|| backoff.next())
        }),
        contender!("backon, jitter", |_b| {
            use backon::BackoffBuilder;
            let mut backoff = black_box(first_try::BACKON).with_jitter().build();
            draw3(|| backoff.next())
        }),
        contender!("tokio-retry2, no jitter", |_b| {
            let mut schedule =
                tokio_retry2::strategy::ExponentialFactorBackoff::from_millis(black_box(1), 2.0)
                    .take(TRIES as usize - 1);
            draw3(|| schedule.next())
        }),
        contender!("tokio-retry2, jitter", |_b| {
            let mut schedule =
                tokio_retry2::strategy::ExponentialFactorBackoff::from_millis(black_box(1), 2.0)
                    .map(tokio_retry2::strategy::jitter)
                    .take(TRIES as usize - 1);
            draw3(|| schedule.next())
        }),
        contender!("backoff, no randomisation", |_b| {
            use backoff::backoff::Backoff;
            let mut schedule = backoff_policy(black_box(first_try::FACTOR));
            draw3(|| schedule.next_backoff())
        }),
        contender!("backoff, randomisation 0.5", |_b| {
            use backoff::backoff::Backoff;
            let inner = backoff::ExponentialBackoffBuilder::new()
                .with_initial_interval(black_box(first_try::FACTOR))
                .with_multiplier(2.0)
                .with_randomization_factor(0.5)
                .with_max_elapsed_time(None)
                .build();
            let mut schedule = MaxRetries::new(inner, TRIES - 1);
            draw3(|| schedule.next_backoff())
        }),
        contender!("retry (jimmycuadra), no jitter", |_b| {
            let mut schedule =
                retry_jimmy::delay::Exponential::from_millis(black_box(1)).take(TRIES as usize - 1);
            draw3(|| schedule.next())
        }),
        contender!("retry (jimmycuadra), jitter", |_b| {
            let mut schedule = retry_jimmy::delay::Exponential::from_millis(black_box(1))
                .map(retry_jimmy::delay::jitter)
                .take(TRIES as usize - 1);
            draw3(|| schedule.next())
        }),
        contender!("tryhard, no jitter", |_b| {
            use tryhard::backoff_strategies::BackoffStrategy;
            let mut schedule =
                tryhard::backoff_strategies::ExponentialBackoff::new(black_box(first_try::FACTOR));
            let mut attempt = 0;
            draw3(|| {
                attempt += 1;
                Some(BackoffStrategy::<Busy>::delay(
                    &mut schedule,
                    attempt,
                    &Busy,
                ))
            })
        }),
    ],
};

/// Every scenario, in table order.
pub const SCENARIOS: &[Scenario] = &[
    SYNC_FIRST_TRY,
    ASYNC_FIRST_TRY,
    SYNC_TWO_RETRIES,
    ASYNC_TWO_RETRIES,
    ONE_WAIT_SCENARIO,
];

/// The scenario called `name`.
pub fn scenario(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// Runs `contender` once per element; what the harnesses time or count.
#[inline(never)]
pub fn run_many(contender: fn(&Bench) -> u32, bench: &Bench, n: u64) -> u32 {
    let run = black_box(contender);
    let mut acc = 0u32;
    for _ in 0..n {
        acc = acc.wrapping_add(black_box(run(bench)));
    }
    acc
}

/// A contender's name as a file name: the criterion benchmark id, so the report can
/// find criterion's estimates.
pub fn slug(name: &str) -> String {
    let mut slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while slug.contains("__") {
        slug = slug.replace("__", "_");
    }
    slug.trim_matches('_').to_string()
}
