//! A `tracing` layer that records every event as (level, "field=value ..."), for tests of
//! the `tracing` feature: `with_recorder(|| ..)` runs code under it and returns the events.

use std::sync::{Arc, Mutex};

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
        let mut fields = Fields(format!("target={} ", event.metadata().target()));
        event.record(&mut fields);
        let line = fields.0.trim_end().to_string();
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), line));
    }
}

/// Runs `f` with a recording subscriber on this thread; the events it emitted.
pub fn with_recorder(f: impl FnOnce()) -> Vec<(Level, String)> {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, f);
    let events = recorder.0.lock().unwrap().clone();
    events
}
