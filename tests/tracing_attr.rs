//! With the facade's feature `tracing`: `#[retry]` emits an INFO event per retry and an
//! ERROR event per give-up, named after the function; the user's crate needs no
//! `tracing` code of its own.
#![cfg(feature = "tracing")]

use retry::retry;
use retry::testing::FakeSleeps;
use tracing::Level;

#[path = "support/tracing_recorder.rs"]
mod tracing_recorder;
use tracing_recorder::with_recorder;

#[retry(constant("3s"), jitter = none, max_tries = 3)]
fn always_down() -> Result<(), &'static str> {
    Err("down")
}

#[test]
fn events_per_retry_and_giveup() {
    let events = with_recorder(|| {
        let _sleeps = FakeSleeps::start();
        assert!(always_down().is_err());
    });
    let levels: Vec<_> = events.iter().map(|(level, _)| *level).collect();
    assert_eq!(levels, [Level::INFO, Level::INFO, Level::ERROR]);
    assert!(
        events[0].1.contains("name=tracing_attr::always_down"),
        "{events:?}"
    );
    assert!(
        events[1].1.contains("attempt=2") && events[1].1.contains("wait=3s"),
        "{events:?}"
    );
    assert!(
        events[2].1.contains("attempt=3") && events[2].1.contains("elapsed=6s"),
        "{events:?}"
    );
}

#[derive(Debug)]
struct NoDisplay(u16);

#[retry(constant("1s"), jitter = none, max_tries = 2)]
fn io_down() -> std::io::Result<()> {
    Err(std::io::Error::other("connection refused"))
}

#[retry(constant("1s"), jitter = none, max_tries = 3, giveup = |e: &NoDisplay| e.0 == 404)]
fn not_found() -> Result<(), NoDisplay> {
    Err(NoDisplay(404))
}

/// The expansion knows the error type: events show its `Display` (else its `Debug`),
/// and a give-up says why: ERROR for a limit, WARN for a permanent error.
#[test]
fn events_show_the_error_and_the_reason() {
    let events = with_recorder(|| {
        let _sleeps = FakeSleeps::start();
        assert!(io_down().is_err());
        assert!(not_found().is_err());
    });
    let levels: Vec<_> = events.iter().map(|(level, _)| *level).collect();
    assert_eq!(levels, [Level::INFO, Level::ERROR, Level::WARN]);
    assert!(
        events[0].1.contains("error=connection refused"),
        "{events:?}"
    );
    assert!(events[1].1.contains("reason=Tries"), "{events:?}");
    assert!(
        events[1].1.contains("error=connection refused"),
        "{events:?}"
    );
    assert!(events[2].1.contains("reason=Predicate"), "{events:?}");
    assert!(events[2].1.contains("error=NoDisplay(404)"), "{events:?}");
    assert!(
        events[2].1.contains("name=tracing_attr::not_found"),
        "{events:?}"
    );
    // One documented target for every event.
    assert!(
        events.iter().all(|(_, e)| e.starts_with("target=retry ")),
        "{events:?}"
    );
}
