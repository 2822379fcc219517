//! Property tests: no schedule, jitter or limit panics or overflows, and every wait
//! stays within `max_delay` and the deadline.

use std::time::Duration;

use proptest::prelude::*;
use retry_core::backoff::{Exponential, Fibonacci};
use retry_core::engine::{Decision, Engine};
use retry_core::Policy;

#[path = "support/strategies.rs"]
mod strategies;
use strategies::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn exponential_never_panics_and_never_shrinks(base in any_base(), factor in any_duration(), steps in prop::collection::vec(0u32..=u32::MAX, 1..8)) {
        let s = Exponential::new(base, factor);
        let mut steps = steps;
        steps.sort_unstable();
        let waits: Vec<_> = steps.iter().map(|n| s.nth_wait(*n)).collect();
        prop_assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        prop_assert!(waits.iter().all(|w| *w >= factor.min(waits[0])));
    }

    #[test]
    fn fibonacci_never_panics(factor in any_duration(), n in 0usize..300) {
        let mut s = Fibonacci::new(factor);
        let w = s.nth(n).unwrap();
        prop_assert!(w >= factor);
    }

    #[test]
    fn engine_waits_within_caps(
        base in any_base(),
        factor in any_duration(),
        jitter in any_jitter(),
        max_delay in any_duration(),
        max_time in proptest::option::of(any_duration()),
        tries in prop_oneof![Just(u32::MAX), 0u32..50],
        seed in any::<u64>(),
        hint in proptest::option::of(any_duration()),
        attempt_cost in any_duration(),
        kind in 0u8..3,
    ) {
        let policy = match kind {
            0 => Policy::expo().base(base).factor(factor),
            1 => Policy::fibo().factor(factor),
            _ => Policy::constant(factor),
        };
        let mut policy = policy.jitter(jitter).max_delay(max_delay).max_tries(tries);
        if let Some(t) = max_time {
            policy = policy.max_time(t);
        }
        let mut engine = Engine::new(&policy).seed(seed);
        let mut elapsed = Duration::ZERO;
        // Sample at most 200 steps of even a u32::MAX-try policy.
        for step in 0..200u32 {
            elapsed = elapsed.saturating_add(attempt_cost);
            match engine.failed(elapsed, || hint) {
                Decision::Retry(wait) => {
                    prop_assert!(wait <= max_delay, "{wait:?} > max_delay {max_delay:?}");
                    if let Some(t) = max_time {
                        prop_assert!(elapsed < t);
                        prop_assert!(elapsed.saturating_add(wait) <= t, "past the deadline");
                    }
                    prop_assert!(step + 1 < tries.max(1));
                    elapsed = elapsed.saturating_add(wait);
                }
                Decision::Return(_) => break,
            }
        }
    }

    #[test]
    fn waits_iterator_matches_limits(tries in 1u32..40, jitter in any_jitter(), seed in any::<u64>()) {
        let policy = Policy::expo().jitter(jitter).max_tries(tries).max_delay(Duration::from_secs(5));
        let waits: Vec<_> = policy.waits_seeded(seed).collect();
        prop_assert_eq!(waits.len() as u32, tries - 1);
        prop_assert!(waits.iter().all(|w| *w <= Duration::from_secs(5)));
        prop_assert_eq!(waits, policy.waits_seeded(seed).collect::<Vec<_>>());
    }
}
