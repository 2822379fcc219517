//! Extreme values end to end: any base, factor, `max_delay`, `max_time` and `max_tries`
//! (zero, `u32::MAX`, `Duration::MAX` included) through the public API — the blocking
//! loop under [`FakeSleeps`], the async loop under tokio's paused clock, the [`Engine`]
//! with a [`Budget`], the `waits` iterator — never panics or overflows, and every wait
//! stays within `max_delay` and the time left before `max_time`.
//!
//! (`properties.rs` checks the schedules and the engine step by step; these drive the
//! loops the way a caller does and check what hooks, clocks and budgets see.)

use std::cell::RefCell;
use std::time::Duration;

use proptest::prelude::*;
use retry_core::engine::{Decision, Engine};
use retry_core::testing::FakeSleeps;
use retry_core::{Budget, Details, Jitter, Policy, Stop};

#[path = "support/strategies.rs"]
mod strategies;
use strategies::*;

/// Runs `case` on a thread of its own: `FakeSleeps` keeps its virtual clock in
/// thread-locals, and one case's `Duration::MAX` sleeps must not leak into the next
/// (see `fake_clock_runs_after_a_saturated_run`).
fn on_fresh_thread<R: Send>(case: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| match s.spawn(case).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Attempts after which a test's own `giveup` stops a loop that nothing else would.
const LIMIT: u32 = 40;

fn any_tries() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(u32::MAX),
        Just(u32::MAX - 1),
        0u32..60
    ]
}

#[derive(Clone, Copy, Debug)]
struct Setup {
    kind: u8,
    base: f64,
    factor: Duration,
    jitter: Jitter,
    tries: Option<u32>,
    max_delay: Duration,
    max_time: Option<Duration>,
}

impl Setup {
    fn policy(&self) -> Policy {
        let policy = match self.kind {
            0 => Policy::expo().base(self.base).factor(self.factor),
            1 => Policy::fibo().factor(self.factor),
            _ => Policy::constant(self.factor),
        };
        let policy = policy.jitter(self.jitter).max_delay(self.max_delay);
        let policy = match self.tries {
            Some(tries) => policy.max_tries(tries),
            None => policy.forever(),
        };
        match self.max_time {
            Some(max_time) => policy.max_time(max_time),
            None => policy,
        }
    }

    /// The attempt limit as the loop applies it (0 means 1).
    fn tries_limit(&self) -> u32 {
        self.tries.map_or(u32::MAX, |t| t.max(1))
    }
}

fn any_setup() -> impl Strategy<Value = Setup> {
    (
        0u8..3,
        any_base(),
        any_duration(),
        any_jitter(),
        proptest::option::weighted(0.8, any_tries()),
        any_duration(),
        proptest::option::of(any_duration()),
    )
        .prop_map(
            |(kind, base, factor, jitter, tries, max_delay, max_time)| Setup {
                kind,
                base,
                factor,
                jitter,
                tries,
                max_delay,
                max_time,
            },
        )
}

/// What `on_backoff` saw: tries so far, elapsed, the wait.
type Backoff = (u32, Duration, Duration);

/// Checks one run's backoffs against the setup's caps; `elapsed_exact`: the clock is
/// virtual and moves only by the waits (blocking loop under `FakeSleeps`).
fn check_backoffs(
    setup: &Setup,
    backoffs: &[Backoff],
    attempts: u32,
    elapsed_exact: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        backoffs.len() as u32 + 1,
        attempts,
        "one backoff before each retry"
    );
    prop_assert!(attempts <= setup.tries_limit());
    prop_assert!(attempts <= LIMIT);
    let mut slept = Duration::ZERO;
    let mut schedule = setup.policy().schedule();
    let mut last_elapsed = Duration::ZERO;
    for (i, &(tries, elapsed, wait)) in backoffs.iter().enumerate() {
        prop_assert_eq!(tries, i as u32 + 1);
        prop_assert!(elapsed >= last_elapsed, "the clock went back");
        last_elapsed = elapsed;
        if elapsed_exact {
            prop_assert_eq!(elapsed, slept, "elapsed is the sum of the waits so far");
        }
        prop_assert!(
            wait <= setup.max_delay,
            "{:?} > max_delay {:?}",
            wait,
            setup.max_delay
        );
        let time_left = setup
            .max_time
            .map_or(Duration::MAX, |t| t.saturating_sub(elapsed));
        if let Some(max_time) = setup.max_time {
            prop_assert!(
                elapsed < max_time,
                "retried at {:?}, past max_time {:?}",
                elapsed,
                max_time
            );
        }
        prop_assert!(wait <= time_left, "{:?} goes past the deadline", wait);
        let scheduled = schedule.next().expect("built-in schedules are endless");
        if setup.jitter == Jitter::None {
            prop_assert_eq!(wait, scheduled.min(setup.max_delay).min(time_left));
        }
        slept = slept.saturating_add(wait);
    }
    Ok(())
}

/// Whether the run stopped because of a limit of the setup, not the test's own cut-off.
fn check_stop(setup: &Setup, attempts: u32, elapsed_at_end: Duration) -> Result<(), TestCaseError> {
    if attempts < LIMIT && attempts < setup.tries_limit() {
        // Neither the cut-off nor max_tries: it must be the deadline.
        let max_time = setup.max_time;
        prop_assert!(
            max_time.is_some_and(|t| elapsed_at_end >= t),
            "stopped after {} attempts at {:?} with no limit reached",
            attempts,
            elapsed_at_end
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    /// The blocking loop, end to end, under the virtual clock of `FakeSleeps`.
    #[test]
    fn blocking_loop_respects_every_cap(setup in any_setup(), seed in any::<u64>()) {
        on_fresh_thread(|| {
            let sleeps = FakeSleeps::start();
            let backoffs = RefCell::new(Vec::<Backoff>::new());
            let end = RefCell::new(None);
            let mut attempts = 0u32;
            let result: Result<(), u32> = setup
                .policy()
                .retry(|| {
                    attempts += 1;
                    Err(attempts)
                })
                .seed(seed)
                .giveup(|n: &u32| *n >= LIMIT)
                .on_backoff(|d: &Details<'_, (), u32>| {
                    backoffs.borrow_mut().push((d.tries(), d.elapsed(), d.wait().expect("on_backoff has a wait")));
                })
                .on_giveup(|d: &Details<'_, (), u32>| *end.borrow_mut() = Some((d.tries(), d.elapsed())))
                .call();
            prop_assert_eq!(result, Err(attempts), "the last error is returned unchanged");
            let backoffs = backoffs.into_inner();
            check_backoffs(&setup, &backoffs, attempts, true)?;
            let (tries, elapsed) = end.into_inner().expect("on_giveup ran");
            prop_assert_eq!(tries, attempts);
            let slept = backoffs.iter().fold(Duration::ZERO, |sum, b| sum.saturating_add(b.2));
            prop_assert_eq!(elapsed, slept);
            check_stop(&setup, attempts, elapsed)?;
            // FakeSleeps skips zero waits, and records the rest in order.
            let nonzero: Vec<Duration> = backoffs.iter().map(|b| b.2).filter(|w| !w.is_zero()).collect();
            prop_assert_eq!(sleeps.recorded(), nonzero);
            Ok(())
        })?;
    }

    /// A server hint of any size is used as given (no jitter), capped by `max_delay`
    /// and the deadline.
    #[test]
    fn hints_are_capped_exactly(setup in any_setup(), hint in any_duration(), seed in any::<u64>()) {
        on_fresh_thread(|| {
            let _sleeps = FakeSleeps::start();
            let backoffs = RefCell::new(Vec::<Backoff>::new());
            let mut attempts = 0u32;
            let _ = setup
                .policy()
                .retry(|| {
                    attempts += 1;
                    Err::<(), u32>(attempts)
                })
                .seed(seed)
                .giveup(|n: &u32| *n >= LIMIT)
                .retry_after(|_: &u32| Some(hint))
                .on_backoff(|d: &Details<'_, (), u32>| {
                    backoffs.borrow_mut().push((d.tries(), d.elapsed(), d.wait().unwrap_or(Duration::MAX)));
                })
                .call();
            for &(_, elapsed, wait) in backoffs.borrow().iter() {
                let time_left = setup.max_time.map_or(Duration::MAX, |t| t.saturating_sub(elapsed));
                prop_assert_eq!(wait, hint.min(setup.max_delay).min(time_left));
            }
            prop_assert_eq!(backoffs.borrow().len() as u32 + 1, attempts);
            Ok(())
        })?;
    }

    /// The `waits` iterator of any policy ends where its limits say and never overflows,
    /// even summing `Duration::MAX` waits.
    #[test]
    fn waits_iterator_never_overflows(setup in any_setup(), seed in any::<u64>()) {
        let policy = setup.policy();
        let waits: Vec<Duration> = policy.waits_seeded(seed).take(500).collect();
        prop_assert!((waits.len() as u64) < u64::from(setup.tries_limit()));
        let mut elapsed = Duration::ZERO;
        for wait in &waits {
            prop_assert!(*wait <= setup.max_delay);
            if let Some(max_time) = setup.max_time {
                prop_assert!(elapsed.saturating_add(*wait) <= max_time);
            }
            elapsed = elapsed.saturating_add(*wait);
        }
        prop_assert_eq!(waits, policy.waits_seeded(seed).take(500).collect::<Vec<_>>());
    }

    /// The engine with a custom schedule of extreme waits: the retries end exactly when
    /// the schedule does, unless a limit comes first.
    #[test]
    fn custom_schedules_end_the_retries(
        setup in any_setup(),
        schedule in prop::collection::vec(any_duration(), 0..30),
        seed in any::<u64>(),
    ) {
        let setup = Setup { max_time: None, ..setup };
        let policy = setup.policy();
        let mut engine = Engine::with_schedule(&policy, schedule.clone()).seed(seed);
        let mut retries = 0usize;
        let stop = loop {
            match engine.failed(Duration::ZERO, || None) {
                Decision::Retry(wait) => {
                    prop_assert!(wait <= setup.max_delay);
                    retries += 1;
                }
                Decision::Return(stop) => break stop,
            }
        };
        let by_tries = (setup.tries_limit() - 1) as usize;
        prop_assert_eq!(retries, schedule.len().min(by_tries));
        prop_assert_eq!(stop, if by_tries <= schedule.len() { Stop::Tries } else { Stop::Exhausted });
        prop_assert_eq!(engine.tries() as usize, retries + 1);
    }

    /// `Engine::max_tries` overrides with any value, zero and `u32::MAX` included.
    #[test]
    fn engine_max_tries_override(tries in proptest::option::of(any_tries())) {
        let policy = Policy::constant(Duration::MAX).jitter(Jitter::None).max_tries(7);
        let mut engine = Engine::new(&policy).max_tries(tries);
        let limit = tries.map_or(u32::MAX, |t| t.max(1)).min(LIMIT);
        for attempt in 1..=limit {
            let decision = engine.failed(Duration::ZERO, || None);
            if attempt == tries.map_or(0, |t| t.max(1)) {
                prop_assert_eq!(decision, Decision::Return(Stop::Tries));
            } else {
                prop_assert_eq!(decision, Decision::Retry(Policy::DEFAULT_MAX_DELAY));
            }
        }
    }

    /// A budget of any size and ratio, driven by a random sequence of outcomes,
    /// matches an exact model kept in thousandths of a token.
    #[test]
    fn budget_matches_its_model(
        max in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), 0u32..20],
        thousandths in prop_oneof![Just(0u64), Just(1), Just(1000), Just(u64::from(u32::MAX)), 0u64..3000],
        ops in prop::collection::vec(any::<bool>(), 0..200),
    ) {
        let budget = Budget::new(max, thousandths as f64 / 1000.0);
        let cap = u64::from(max) * 1000;
        let mut model = cap;
        prop_assert_eq!(budget.max_tokens(), max);
        for success in ops {
            if success {
                budget.deposit();
                model = (model + thousandths).min(cap);
            } else {
                budget.withdraw();
                model = model.saturating_sub(1000);
            }
            prop_assert_eq!(budget.tokens(), model as f64 / 1000.0);
            prop_assert_eq!(budget.allows_retry(), model * 2 > cap);
        }
    }

    /// The blocking loop with a budget: every failed attempt withdraws one token, and no
    /// retry is made at or below half.
    #[test]
    fn blocking_loop_with_any_budget(
        max in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), 0u32..30],
        tries in any_tries(),
        calls in 1usize..6,
    ) {
        on_fresh_thread(|| {
        let _sleeps = FakeSleeps::start();
        let budget: &'static Budget = Box::leak(Box::new(Budget::new(max, 0.1)));
        let cap = u64::from(max) * 1000;
        let mut model = cap;
        for _ in 0..calls {
            let mut attempts = 0u32;
            let result: Result<(), u32> = Policy::constant(Duration::ZERO)
                .max_tries(tries)
                .retry(|| {
                    attempts += 1;
                    Err(attempts)
                })
                .giveup(|n: &u32| *n >= LIMIT)
                .budget(budget)
                .call();
            prop_assert_eq!(result, Err(attempts));
            // Replay the rule: withdraw, then retry only above half.
            let mut expected = 0u32;
            loop {
                expected += 1;
                model = model.saturating_sub(1000);
                if expected >= tries.max(1) || expected >= LIMIT || model * 2 <= cap {
                    break;
                }
            }
            prop_assert_eq!(attempts, expected);
            prop_assert_eq!(budget.tokens(), model as f64 / 1000.0);
        }
        Ok(())
        })?;
    }
}

#[cfg(feature = "tokio")]
proptest! {
    // Each case builds a runtime; fewer cases, the same caps.
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// The async loop under tokio's paused clock: sleeps of any length (tokio clamps a
    /// `Duration::MAX` sleep to its far future) never panic, every wait is within its
    /// caps, and no attempt starts after the deadline (beyond tokio's 1 ms tick).
    #[test]
    fn async_loop_respects_every_cap(setup in any_setup(), seed in any::<u64>()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let backoffs = RefCell::new(Vec::<Backoff>::new());
        let starts = RefCell::new(Vec::<Duration>::new());
        let result = runtime.block_on(async {
            let start = tokio::time::Instant::now();
            setup
                .policy()
                .retry_async(|| {
                    starts.borrow_mut().push(start.elapsed());
                    let n = starts.borrow().len() as u32;
                    async move { Err::<(), u32>(n) }
                })
                .seed(seed)
                .giveup(|n: &u32| *n >= LIMIT)
                .on_backoff(|d: &Details<'_, (), u32>| {
                    backoffs.borrow_mut().push((d.tries(), d.elapsed(), d.wait().unwrap_or(Duration::MAX)));
                })
                .await
        });
        let starts = starts.into_inner();
        let attempts = starts.len() as u32;
        prop_assert_eq!(result, Err(attempts));
        check_backoffs(&setup, &backoffs.borrow(), attempts, false)?;
        if let Some(max_time) = setup.max_time {
            let tick = Duration::from_millis(1);
            for start in &starts {
                prop_assert!(*start <= max_time.saturating_add(tick), "attempt at {:?} after max_time {:?}", start, max_time);
            }
        }
    }
}

/// The largest values at once, spelled out: nothing overflows, the caps hold.
#[test]
fn everything_at_the_maximum() {
    let sleeps = FakeSleeps::start();
    let policy = Policy::expo()
        .base(f64::MAX)
        .factor(Duration::MAX)
        .jitter(Jitter::Decorrelated)
        .max_tries(u32::MAX)
        .max_delay(Duration::MAX)
        .max_time(Duration::MAX);
    let mut attempts = 0u32;
    let result: Result<(), u32> = policy
        .retry(|| {
            attempts += 1;
            Err(attempts)
        })
        .giveup(|n: &u32| *n >= LIMIT)
        .call();
    // The first wait is Duration::MAX (capped by the time left: all of it); after it the
    // virtual clock stands at Duration::MAX, the deadline.
    assert_eq!(result, Err(2));
    assert_eq!(sleeps.recorded(), [Duration::MAX]);
}

/// Zero everywhere: one attempt per call never sleeps, never divides by zero.
#[test]
fn everything_at_zero() {
    let sleeps = FakeSleeps::start();
    let policy = Policy::expo()
        .base(0.0)
        .factor(Duration::ZERO)
        .max_tries(0)
        .max_delay(Duration::ZERO)
        .max_time(Duration::ZERO);
    let result: Result<(), &str> = policy.retry(|| Err("down")).call();
    assert_eq!(result, Err("down"));
    let forever = Policy::fibo()
        .factor(Duration::ZERO)
        .forever()
        .max_delay(Duration::ZERO);
    let mut attempts = 0u32;
    let result: Result<u32, u32> = forever
        .retry(|| {
            attempts += 1;
            if attempts < 1000 {
                Err(attempts)
            } else {
                Ok(attempts)
            }
        })
        .call();
    assert_eq!(result, Ok(1000));
    assert!(sleeps.recorded().is_empty());
}

/// `FakeSleeps`' virtual clock must keep running for a later guard on the same thread
/// after an earlier run slept `Duration::MAX` in total: `max_time` still ends a
/// `forever` loop after 10 one-second waits.
#[test]
fn fake_clock_runs_after_a_saturated_run() {
    on_fresh_thread(|| {
        let first = FakeSleeps::start();
        let huge: Result<(), ()> = Policy::constant(Duration::MAX)
            .jitter(Jitter::None)
            .max_delay(Duration::MAX)
            .max_tries(2)
            .retry(|| Err(()))
            .call();
        assert!(huge.is_err());
        drop(first);

        let _second = FakeSleeps::start();
        let mut attempts = 0u32;
        let result: Result<(), u32> = Policy::constant(Duration::from_secs(1))
            .jitter(Jitter::None)
            .forever()
            .max_time(Duration::from_secs(10))
            .retry(|| {
                attempts += 1;
                Err(attempts)
            })
            .giveup(|n: &u32| *n >= 100)
            .call();
        assert_eq!(
            result,
            Err(11),
            "the deadline must stop the loop after 10 s of waits"
        );
    });
}
