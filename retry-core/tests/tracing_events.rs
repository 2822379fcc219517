//! With feature `tracing`: an INFO event per retry and an ERROR event per give-up,
//! carrying the name, attempt, wait and elapsed time.
#![cfg(feature = "tracing")]

use std::time::Duration;

use retry_core::testing::FakeSleeps;
use retry_core::{Jitter, Policy};
use tracing::Level;

#[path = "../../tests/support/tracing_recorder.rs"]
mod tracing_recorder;
use tracing_recorder::with_recorder;

#[test]
fn info_per_retry_error_per_giveup() {
    let events = with_recorder(|| {
        let _sleeps = FakeSleeps::start();
        let result: Result<(), &str> = Policy::constant(Duration::from_secs(2))
            .jitter(Jitter::None)
            .max_tries(3)
            .retry(|| Err("down"))
            .name("app::fetch")
            .error_display()
            .call();
        assert!(result.is_err());
    });
    let levels: Vec<_> = events.iter().map(|(l, _)| *l).collect();
    assert_eq!(levels, [Level::INFO, Level::INFO, Level::ERROR]);
    assert!(events[0].1.contains("name=app::fetch"), "{events:?}");
    assert!(events[0].1.contains("attempt=1"), "{events:?}");
    assert!(events[0].1.contains("wait=2s"), "{events:?}");
    assert!(events[1].1.contains("elapsed=2s"), "{events:?}");
    assert!(events[2].1.contains("attempt=3"), "{events:?}");
    assert!(events[2].1.contains("elapsed=4s"), "{events:?}");
}

/// Every event names the error (its `Display` here) and the give-up its reason; a limit
/// is an ERROR, a predicate calling the error permanent a WARN.
#[test]
fn events_carry_the_error_and_the_reason() {
    let events = with_recorder(|| {
        let _sleeps = FakeSleeps::start();
        let _: Result<(), &str> = Policy::constant(Duration::from_secs(1))
            .jitter(Jitter::None)
            .max_tries(2)
            .retry(|| Err("503 busy"))
            .error_display()
            .call();
        let _: Result<(), &str> = Policy::constant(Duration::from_secs(1))
            .retry(|| Err("404 gone"))
            .giveup(|e: &&str| e.starts_with('4'))
            .error_debug()
            .call();
    });
    let levels: Vec<_> = events.iter().map(|(l, _)| *l).collect();
    assert_eq!(levels, [Level::INFO, Level::ERROR, Level::WARN]);
    assert!(events[0].1.contains("error=503 busy"), "{events:?}");
    assert!(events[0].1.contains("attempt_duration=0ns"), "{events:?}");
    assert!(events[1].1.contains("reason=Tries"), "{events:?}");
    assert!(events[1].1.contains("error=503 busy"), "{events:?}");
    assert!(events[2].1.contains("reason=Predicate"), "{events:?}");
    assert!(events[2].1.contains("error=\"404 gone\""), "{events:?}");
}
