//! With the facade's feature `tracing`: `#[retry]` emits an INFO event per retry and an
//! ERROR event per give-up, named after the function; the user's crate needs no
//! `tracing` code of its own.
#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};

use retry::retry;
use retry::testing::FakeSleeps;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(Level, String)>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!("{}={} ", field.name(), value));
    }
}

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let line = fields.0.trim_end().to_string();
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), line));
    }
}

#[retry(constant("3s"), jitter = none, max_tries = 3)]
fn always_down() -> Result<(), &'static str> {
    Err("down")
}

#[test]
fn events_per_retry_and_giveup() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, || {
        let _sleeps = FakeSleeps::start();
        assert!(always_down().is_err());
    });
    let events = recorder.0.lock().unwrap().clone();
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
