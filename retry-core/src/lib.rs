//! The runtime of the `#[retry]` attribute, usable on its own: policies, schedules,
//! jitter, a sans-IO decision engine, a shared retry [`Budget`], and blocking and async
//! retry loops around them.
//!
//! Most users depend on the facade, package `retry-attr` (library `retry`), and write
//! `#[retry(...)]`; this crate (package `retry-attr-core`) is what the attribute expands
//! into, and what call sites use directly:
//!
//! ```
//! use retry_core::{Jitter, Policy};
//! use std::time::Duration;
//!
//! const POLICY: Policy = Policy::expo()
//!     .factor(Duration::from_millis(10))
//!     .jitter(Jitter::Full)
//!     .max_tries(4)
//!     .max_time(Duration::from_secs(5));
//!
//! // Blocking:
//! let mut tries = 0;
//! let config: Result<&str, std::io::Error> = POLICY
//!     .retry(|| {
//!         tries += 1;
//!         if tries < 2 { Err(std::io::ErrorKind::Interrupted.into()) } else { Ok("config") }
//!     })
//!     .retry_if(|e: &std::io::Error| e.kind() == std::io::ErrorKind::Interrupted)
//!     .call();
//! assert_eq!(config.unwrap(), "config");
//! ```
//!
//! Async, on tokio's timer by default:
//!
//! ```
//! # use retry_core::Policy;
//! # const POLICY: Policy = Policy::expo();
//! # #[cfg(not(feature = "tokio"))] fn main() {}
//! # #[cfg(feature = "tokio")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let answer: Result<u32, &str> = POLICY.retry_async(|| async { Ok(42) }).await;
//! assert_eq!(answer, Ok(42));
//! # }
//! ```
//!
//! # Pieces
//! - [`Policy`]: `const`-constructible settings (schedule, jitter, limits).
//! - [`backoff`]: the schedules as endless iterators of [`Duration`](core::time::Duration).
//! - [`Jitter`]: full, equal, decorrelated, none; seedable.
//! - [`engine::Engine`]: the sans-IO decisions ("return" or "sleep d, then try again"),
//!   with [`engine::Decision`] and [`Stop`].
//! - [`Retry`]: one call's engine, predicates and hooks; [`Retry::call`] blocks,
//!   `.await` runs it async ([`future::RetryFuture`], on a [`future::Sleeper`]).
//! - [`Budget`]: a lock-free token bucket that bounds retries when a dependency is down.
//! - [`testing::FakeSleeps`]: skip and record blocking sleeps in tests.
//! - Configuration: [`Policy`] is `FromStr` and `Display` in the attribute's syntax
//!   (`"expo(factor = 100ms), max_tries = 4"`) and, with feature `serde`,
//!   `Deserialize`/`Serialize` as a table; [`duration`] is the one parser of duration
//!   literals; bad input is a [`ConfigError`].
//!
//! # Features
//! - `tokio` (default): tokio's sleep and clock for the async loop.
//! - `tracing`: an event per retry and per give-up (see below).
//!
//! # Events (feature `tracing`)
//! Every event has the target `retry` and these fields:
//!
//! | field | in | value |
//! |---|---|---|
//! | `name` | all | the retried function, `module_path!()::fn_name` (or the call site's [`Retry::name`]) |
//! | `attempt` | all | attempts made so far, 1-based |
//! | `wait` | retry | the wait before the next attempt |
//! | `elapsed` | all | time since the first attempt started, read after this attempt |
//! | `attempt_duration` | all | how long this attempt took |
//! | `error` | all | the error: its `Display` (else `Debug`, else empty) under `#[retry]`; at a call site as [`Retry::error_display`] / [`Retry::error_debug`] choose |
//! | `reason` | give-up | the [`Stop`]: `Tries`, `Deadline`, `Budget`, `Exhausted`, `Predicate` |
//!
//! Levels: INFO `attempt failed; retrying` per retry; ERROR `giving up` when a limit
//! ends the retries; WARN `giving up: permanent error` when `giveup`/`retry_if` calls
//! the error permanent (as Python's `backoff` logs a retry at INFO and a give-up at ERROR).
//! - `serde`: `Deserialize`/`Serialize` for [`Policy`] and [`Jitter`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backoff;
mod blocking;
mod budget;
pub mod clock;
mod config;
mod details;
pub mod duration;
pub mod engine;
#[cfg(feature = "tracing")]
mod events;
pub mod future;
pub mod hedge;
pub mod hooks;
pub mod jitter;
pub mod policy;
// The builder changes one type parameter per method: the types are long by design.
#[allow(clippy::type_complexity)]
mod retry;
pub mod testing;

pub use budget::Budget;
pub use config::ConfigError;
pub use details::Details;
pub use engine::Stop;
pub use hedge::Hedged;
pub use jitter::Jitter;
pub use policy::Policy;
pub use retry::Retry;

/// The error of an attempt cut off by `#[retry(timeout = ...)]`; convert it into your
/// error type with `From<retry::Timeout>` or the `timeout_error` key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, thiserror::Error)]
#[error("the attempt timed out")]
pub struct Timeout;

/// Support for the `#[retry]` expansion; not a public API.
#[doc(hidden)]
pub mod __private;
