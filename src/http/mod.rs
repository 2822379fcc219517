//! Retrying HTTP calls: `Retry-After`, status sets, idempotent methods (feature `http`),
//! an error type and ready predicates for `reqwest` (feature `reqwest`), and a
//! client-wide retry middleware (feature `reqwest-middleware`).
//!
//! | feature | what it adds |
//! |---|---|
//! | `http` | [`parse_retry_after`], [`retry_after`]: the `Retry-After` header, as delay-seconds or an HTTP-date; [`StatusSet`]: the statuses worth another attempt, [`StatusSet::TRANSIENT`] by default; [`is_idempotent`] and [`Methods`]: urllib3's rule of which requests may be sent twice |
//! | `reqwest` (implies `http`) | `HttpError`: the error of a retried `reqwest` call, with status, URL and `Retry-After` hint, `From<reqwest::Error>` and `From<retry::Timeout>`; `error_for_status`; the predicates `HttpError::is_transient`, `HttpError::is_permanent` and `HttpError::retry_after` |
//! | `reqwest-middleware` (implies `reqwest`, `tokio`) | `RetryMiddleware`: every request of a `reqwest_middleware` client retries under one [`Policy`](crate::Policy) |
//!
//! One function:
//!
//! ```
//! # #[cfg(feature = "reqwest")] mod doc {
//! use retry::http::{error_for_status, HttpError};
//! use retry::retry;
//!
//! // 408, 429 and 5xx but 501/505, connection failures and timeouts are retried,
//! // after the server's Retry-After if it sent one (capped by max_delay and
//! // max_time); other statuses and a bad URL return at once; each attempt is cut
//! // off after 5 s.
//! #[retry(expo, max_tries = 4, max_time = "50s", timeout = "5s",
//!         retry_if = HttpError::is_transient, retry_after = HttpError::retry_after)]
//! pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, HttpError> {
//!     let response = error_for_status(client.get(url).send().await?)?;
//!     Ok(response.text().await?)
//! }
//! # }
//! ```
//!
//! Every request of a client (see `RetryMiddleware` for the rules):
//!
//! ```
//! # #[cfg(feature = "reqwest-middleware")] fn doc() -> Result<(), reqwest::Error> {
//! use retry::http::{Methods, RetryMiddleware, StatusSet};
//! use retry::Policy;
//! use std::time::Duration;
//!
//! let client = reqwest_middleware::ClientBuilder::new(
//!     reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?,
//! )
//! .with(
//!     RetryMiddleware::new(Policy::expo().max_tries(4).max_time(Duration::from_secs(50)))
//!         .statuses(StatusSet::TRANSIENT.without(408))
//!         .methods(Methods::IDEMPOTENT),
//! )
//! .build();
//! # Ok(()) }
//! ```
//!
//! The guide `docs/http.md` in the repository ("Retrying HTTP calls well") explains
//! the choices.

mod retry_after;
mod status;

pub use self::retry_after::{parse_retry_after, retry_after, retry_after_at};
pub use self::status::{is_idempotent, Methods, StatusSet};

#[cfg(feature = "reqwest")]
mod reqwest;
#[cfg(feature = "reqwest")]
pub use self::reqwest::{error_for_status, HttpError};

#[cfg(feature = "reqwest-middleware")]
mod middleware;
#[cfg(feature = "reqwest-middleware")]
pub use self::middleware::{Backoff, RetryMiddleware};
