//! A `tracing` layer that records every event as (level, "field=value ..."), for tests of
//! the `tracing` feature: `with_recorder(|| ..)` runs code under it and returns the events.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The events of the threads that are recording now (each its own list).
struct Recorder;

thread_local! {
    static EVENTS: std::cell::RefCell<Option<Vec<(Level, String)>>> =
        const { std::cell::RefCell::new(None) };
}

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
        // A thread that is not recording allocates nothing here (tests count allocations).
        if EVENTS.with_borrow(Option::is_none) {
            return;
        }
        let mut fields = Fields(format!("target={} ", event.metadata().target()));
        event.record(&mut fields);
        let line = fields.0.trim_end().to_string();
        EVENTS.with_borrow_mut(|events| {
            if let Some(events) = events {
                events.push((*event.metadata().level(), line));
            }
        });
    }
}

/// Runs `f` recording the events this thread emits; the events.
///
/// The subscriber is the process's global one, set once, so that every callsite is
/// enabled for it: with a per-thread default, a callsite first reached by a test thread
/// without one may be cached as disabled, and another thread's events lost.
pub fn with_recorder(f: impl FnOnce()) -> Vec<(Level, String)> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Recorder))
            .expect("no other global subscriber in the tests");
    });
    EVENTS.set(Some(Vec::new()));
    f();
    EVENTS.take().unwrap_or_default()
}
