//! With feature `tracing`: an INFO event per retry and an ERROR event per give-up,
//! carrying the name, attempt, wait and elapsed time.
#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use retry_core::testing::FakeSleeps;
use retry_core::{Jitter, Policy};
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
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), fields.0.trim_end().to_string()));
    }
}

#[test]
fn info_per_retry_error_per_giveup() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, || {
        let _sleeps = FakeSleeps::start();
        let result: Result<(), &str> = Policy::constant(Duration::from_secs(2))
            .jitter(Jitter::None)
            .max_tries(3)
            .retry(|| Err("down"))
            .name("app::fetch")
            .call();
        assert!(result.is_err());
    });
    let events = recorder.0.lock().unwrap().clone();
    let levels: Vec<_> = events.iter().map(|(l, _)| *l).collect();
    assert_eq!(levels, [Level::INFO, Level::INFO, Level::ERROR]);
    assert!(events[0].1.contains("name=app::fetch"), "{events:?}");
    assert!(events[0].1.contains("attempt=1"), "{events:?}");
    assert!(events[0].1.contains("wait=2s"), "{events:?}");
    assert!(events[1].1.contains("elapsed=2s"), "{events:?}");
    assert!(events[2].1.contains("attempt=3"), "{events:?}");
    assert!(events[2].1.contains("elapsed=4s"), "{events:?}");
}
