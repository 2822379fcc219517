//! [`HttpError`]: the error of a retried `reqwest` call, and the predicates over it.

use core::fmt;
use core::time::Duration;
use std::error::Error as StdError;

use ::reqwest::{Response, StatusCode, Url};

use super::{retry_after, StatusSet};

/// Why one attempt of a retried `reqwest` call failed.
///
/// `reqwest::Error` cannot carry what a retry loop needs: a failing response's
/// `Retry-After` header, and a way to say "cut off by `timeout`" (it has no public
/// constructor, so it cannot implement `From<retry::Timeout>`). This type does:
///
/// - [`Status`](HttpError::Status): the server answered with a failing status (see
///   [`error_for_status`]); the status, the URL and the `Retry-After` hint are kept;
/// - [`Reqwest`](HttpError::Reqwest): `reqwest` failed (refused, reset, timed out, a
///   body that broke off, a bad URL, ...) — `From<reqwest::Error>`, so `?` works;
/// - [`Timeout`](HttpError::Timeout): `#[retry(timeout = ...)]` cut the attempt off —
///   `From<retry::Timeout>`, so the `timeout` key works without `timeout_error`.
///
/// The ready predicates for the attribute are methods: `retry_if =
/// HttpError::is_transient` (or `giveup = HttpError::is_permanent`) and `retry_after =
/// HttpError::retry_after`.
///
/// ```no_run
/// use retry::http::{error_for_status, HttpError};
/// use retry::retry;
///
/// #[retry(expo, max_tries = 4, max_time = "50s", timeout = "5s",
///         retry_if = HttpError::is_transient, retry_after = HttpError::retry_after)]
/// async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, HttpError> {
///     let response = error_for_status(client.get(url).send().await?)?;
///     Ok(response.text().await?)
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// match fetch(&reqwest::Client::new(), "http://127.0.0.1:8080/").await {
///     Ok(body) => println!("{body}"),
///     Err(HttpError::Status { status, .. }) if status == 404 => println!("no such page"),
///     Err(e) => eprintln!("gave up: {e}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// The server answered with a client or server error status.
    Status {
        /// The status of the response.
        status: StatusCode,
        /// The final URL of the response (after redirects).
        url: Url,
        /// The wait its `Retry-After` header asked for, read when the response arrived.
        retry_after: Option<Duration>,
    },
    /// `reqwest` failed: no usable answer, a body that could not be read or decoded, or
    /// a request that could not be built.
    Reqwest(::reqwest::Error),
    /// The attempt was cut off by `#[retry(timeout = ...)]`.
    Timeout,
}

/// The response if its status is a success (or informational, or a redirect that was
/// not followed), else an [`HttpError::Status`] with its status, URL and `Retry-After`
/// hint — `reqwest::Response::error_for_status` that keeps what a retry needs.
///
/// The body of a failing response is not read; the connection it holds is closed when
/// the error is dropped.
///
/// ```no_run
/// # async fn f(client: reqwest::Client) -> Result<(), retry::http::HttpError> {
/// let response = retry::http::error_for_status(client.get("http://127.0.0.1:8080/").send().await?)?;
/// println!("{}", response.text().await?);
/// # Ok(()) }
/// ```
pub fn error_for_status(response: Response) -> Result<Response, HttpError> {
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        Err(HttpError::Status {
            status,
            retry_after: retry_after(response.headers()),
            url: response.url().clone(),
        })
    } else {
        Ok(response)
    }
}

impl HttpError {
    /// Whether another attempt may succeed, with [`StatusSet::TRANSIENT`]: the ready
    /// predicate for `#[retry(retry_if = HttpError::is_transient)]`.
    ///
    /// - a status: when it is 408, 429, 500, 502, 503 or 504;
    /// - `reqwest` errors: yes for failures to connect, timeouts and failures while
    ///   sending the request or reading the response (a connection reset or closed
    ///   early); no for a request that could not be built, a body that could not be
    ///   decoded, a redirect loop or a failed upgrade; a status from reqwest's own
    ///   `error_for_status` by the set;
    /// - a [`Timeout`](HttpError::Timeout): yes.
    ///
    /// A request that is not idempotent may have been acted on even when it failed
    /// (see [`is_idempotent`](super::is_idempotent)): decide for yourself whether to
    /// retry a `POST`.
    pub fn is_transient(&self) -> bool {
        self.is_transient_in(&StatusSet::TRANSIENT)
    }

    /// [`is_transient`](Self::is_transient) with statuses judged by `statuses`:
    /// `retry_if = |e: &HttpError| e.is_transient_in(&MY_STATUSES)`.
    pub fn is_transient_in(&self, statuses: &StatusSet) -> bool {
        match self {
            HttpError::Status { status, .. } => statuses.contains(*status),
            HttpError::Reqwest(error) => reqwest_is_transient(error, statuses),
            HttpError::Timeout => true,
        }
    }

    /// urllib3's rule for a request sent with `method`: an idempotent request (see
    /// [`is_idempotent`](super::is_idempotent)) when [`is_transient`](Self::is_transient);
    /// any other (a `POST`) only when its connection could not be made, since any later
    /// failure may come after the server acted on it.
    ///
    /// ```
    /// # #[cfg(feature = "reqwest")] mod doc {
    /// use reqwest::Method;
    /// use retry::{http::HttpError, retry};
    ///
    /// #[retry(max_tries = 3, retry_if = |e: &HttpError| e.is_transient_for(&Method::POST))]
    /// async fn submit(client: &reqwest::Client, url: &str, order: &str) -> Result<(), HttpError> {
    ///     retry::http::error_for_status(client.post(url).body(order.to_owned()).send().await?)?;
    ///     Ok(())
    /// }
    /// # }
    /// ```
    pub fn is_transient_for(&self, method: &::reqwest::Method) -> bool {
        if super::is_idempotent(method) {
            self.is_transient()
        } else {
            self.is_connect()
        }
    }

    /// `!is_transient()`: the ready predicate for `#[retry(giveup = HttpError::is_permanent)]`.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The wait the server asked for with `Retry-After`: the ready hint for
    /// `#[retry(retry_after = HttpError::retry_after)]`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The failing status, whether from [`error_for_status`] or from reqwest's own.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            HttpError::Reqwest(error) => error.status(),
            HttpError::Timeout => None,
        }
    }

    /// The URL of the request or response, where known.
    pub fn url(&self) -> Option<&Url> {
        match self {
            HttpError::Status { url, .. } => Some(url),
            HttpError::Reqwest(error) => error.url(),
            HttpError::Timeout => None,
        }
    }

    /// Whether the attempt timed out: cut off by `#[retry(timeout = ...)]`, or by a
    /// timeout of reqwest's own (`ClientBuilder::timeout`, `RequestBuilder::timeout`, ...).
    pub fn is_timeout(&self) -> bool {
        match self {
            HttpError::Reqwest(error) => error.is_timeout(),
            HttpError::Timeout => true,
            HttpError::Status { .. } => false,
        }
    }

    /// Whether the connection could not be made: the one failure where the request
    /// certainly never reached the server.
    pub fn is_connect(&self) -> bool {
        matches!(self, HttpError::Reqwest(error) if error.is_connect())
    }
}

/// The transient `reqwest` errors (see [`HttpError::is_transient`]).
pub(crate) fn reqwest_is_transient(error: &::reqwest::Error, statuses: &StatusSet) -> bool {
    if let Some(status) = error.status() {
        return statuses.contains(status);
    }
    if error.is_builder() || error.is_decode() || error.is_redirect() {
        return false;
    }
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Status {
                status,
                url,
                retry_after,
            } => {
                write!(f, "HTTP {status} from {url}")?;
                if let Some(hint) = retry_after {
                    write!(f, " (Retry-After: {hint:?})")?;
                }
                Ok(())
            }
            HttpError::Reqwest(error) => fmt::Display::fmt(error, f),
            HttpError::Timeout => fmt::Display::fmt(&crate::Timeout, f),
        }
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            // Display shows reqwest's message: its cause comes next.
            HttpError::Reqwest(error) => error.source(),
            _ => None,
        }
    }
}

impl From<::reqwest::Error> for HttpError {
    fn from(error: ::reqwest::Error) -> Self {
        HttpError::Reqwest(error)
    }
}

impl From<crate::Timeout> for HttpError {
    fn from(_: crate::Timeout) -> Self {
        HttpError::Timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> HttpError {
        HttpError::Status {
            status: StatusCode::from_u16(code).unwrap(),
            url: Url::parse("http://127.0.0.1/x").unwrap(),
            retry_after: Some(Duration::from_secs(2)),
        }
    }

    #[test]
    fn statuses_by_the_transient_set() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(status(code).is_transient(), "{code}");
            assert!(!status(code).is_permanent(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422, 501, 505] {
            assert!(status(code).is_permanent(), "{code}");
        }
        let only_404 = StatusSet::EMPTY.with(404);
        assert!(status(404).is_transient_in(&only_404));
        assert!(!status(503).is_transient_in(&only_404));
        assert!(status(503).is_transient_for(&::reqwest::Method::PUT));
        assert!(!status(503).is_transient_for(&::reqwest::Method::POST));
    }

    #[test]
    fn accessors() {
        let e = status(503);
        assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(e.url().unwrap().as_str(), "http://127.0.0.1/x");
        assert!(!e.is_timeout() && !e.is_connect());
        assert_eq!(
            e.to_string(),
            "HTTP 503 Service Unavailable from http://127.0.0.1/x (Retry-After: 2s)"
        );
        assert!(e.source().is_none());
    }

    #[test]
    fn a_timeout_is_transient() {
        let e = HttpError::from(crate::Timeout);
        assert!(matches!(e, HttpError::Timeout));
        assert!(e.is_transient() && e.is_timeout());
        assert_eq!(e.retry_after(), None);
        assert_eq!(e.status(), None);
        assert_eq!(e.to_string(), "the attempt timed out");
    }

    #[test]
    fn a_request_that_cannot_be_built_is_permanent() {
        let error = ::reqwest::Client::new()
            .get("not a url")
            .build()
            .unwrap_err();
        assert!(error.is_builder());
        let e = HttpError::from(error);
        assert!(e.is_permanent());
        assert!(!e.is_transient_in(&StatusSet::EMPTY.with_range(100, 999)));
    }

    #[test]
    fn error_for_status_keeps_status_url_and_hint() {
        let response = ::http::Response::builder()
            .status(429)
            .header("retry-after", "7")
            .body("slow down")
            .unwrap();
        let e = error_for_status(Response::from(response)).unwrap_err();
        assert_eq!(e.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert!(e.is_transient());

        for code in [200, 204, 304] {
            let response = ::http::Response::builder().status(code).body("").unwrap();
            let response = error_for_status(Response::from(response)).unwrap();
            assert_eq!(response.status(), code);
        }
        let response = ::http::Response::builder().status(404).body("").unwrap();
        let e = error_for_status(Response::from(response)).unwrap_err();
        assert!(e.is_permanent());
        assert_eq!(e.retry_after(), None);
    }
}
