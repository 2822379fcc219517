//! The `tracing` events of every retry loop (feature `tracing`): one target, one field
//! list, documented at the crate root.

use core::fmt;
use core::time::Duration;

use crate::engine::Stop;
use crate::hooks::HookSet;

/// An error as the loop's hooks show it (`Display`, `Debug` or nothing).
struct Shown<'a, T, E, H>(&'a H, &'a Result<T, E>);

impl<T, E, H: HookSet<T, E>> fmt::Display for Shown<'_, T, E, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Err(error) => self.0.describe(error, f),
            // An `Ok` that `retry_if_ok` rejected.
            Ok(_) => f.write_str("rejected Ok value"),
        }
    }
}

/// INFO: an attempt failed and another follows after `wait`.
pub(crate) fn retrying<T, E, H: HookSet<T, E>>(
    name: &'static str,
    attempt: u32,
    wait: Duration,
    elapsed: Duration,
    attempt_duration: Duration,
    hooks: &H,
    outcome: &Result<T, E>,
) {
    tracing::info!(
        target: "retry",
        name,
        attempt,
        wait = ?wait,
        elapsed = ?elapsed,
        attempt_duration = ?attempt_duration,
        error = %Shown(hooks, outcome),
        "attempt failed; retrying"
    );
}

/// ERROR when a limit ends the retries, WARN when a predicate calls the error permanent.
pub(crate) fn giving_up<T, E, H: HookSet<T, E>>(
    name: &'static str,
    attempt: u32,
    stop: Stop,
    elapsed: Duration,
    attempt_duration: Duration,
    hooks: &H,
    outcome: &Result<T, E>,
) {
    let error = Shown(hooks, outcome);
    if stop.is_limit() {
        tracing::error!(
            target: "retry",
            name,
            attempt,
            reason = ?stop,
            elapsed = ?elapsed,
            attempt_duration = ?attempt_duration,
            error = %error,
            "giving up"
        );
    } else {
        tracing::warn!(
            target: "retry",
            name,
            attempt,
            reason = ?stop,
            elapsed = ?elapsed,
            attempt_duration = ?attempt_duration,
            error = %error,
            "giving up: permanent error"
        );
    }
}
