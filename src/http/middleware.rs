//! [`RetryMiddleware`]: every request of one `reqwest_middleware` client retries.

use core::fmt;
use core::time::Duration;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ::http::Extensions;
use ::reqwest::{Method, Request, Response, StatusCode, Url};
use reqwest_middleware::{Middleware, Next};

use super::reqwest::reqwest_is_transient;
use super::{retry_after, Methods, StatusSet};
use crate::{Budget, Details, Policy};

/// A `reqwest_middleware` middleware that retries every request of a client under one
/// [`Policy`] — urllib3's `Retry` mounted on a `requests.Session`:
///
/// ```no_run
/// use retry::http::RetryMiddleware;
/// use retry::Policy;
/// use std::time::Duration;
///
/// const POLICY: Policy = Policy::expo()
///     .factor(Duration::from_millis(100))
///     .max_tries(4)
///     .max_time(Duration::from_secs(10));
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = reqwest_middleware::ClientBuilder::new(
///     // Each attempt gets reqwest's per-request timeout afresh.
///     reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?,
/// )
/// .with(RetryMiddleware::new(POLICY))
/// .build();
///
/// let body = client.get("http://127.0.0.1:8080/").send().await?.error_for_status()?.text().await?;
/// # Ok(()) }
/// ```
///
/// What it retries, and how:
/// - **Statuses** in [`statuses`](Self::statuses) ([`StatusSet::TRANSIENT`] by
///   default: 408, 429, 500, 502, 503, 504) and **transient failures**: failures to
///   connect, reqwest's timeouts, connections reset or closed before the answer. Not
///   retried: a request that cannot be built, a redirect loop, an error from another
///   middleware. When the retries end on a status, that last response is returned (as
///   reqwest would have): call `error_for_status` on it as usual.
/// - **Methods** in [`methods`](Self::methods) ([`Methods::IDEMPOTENT`] by default,
///   urllib3's rule). A request with another method (a `POST`) is sent again only when
///   its connection could not be made — then it certainly never reached the server.
/// - **`Retry-After`**: a failing response's hint replaces the schedule's wait, without
///   jitter, capped by the policy's `max_delay` and by the time left before `max_time`.
/// - **Time**: `max_time` counts from the start of the first attempt and includes the
///   attempts' own time; no attempt starts after it. A per-attempt limit is reqwest's
///   own `timeout` (client-wide or per request): every attempt gets it afresh.
/// - **Budget**: with [`budget`](Self::budget), retries stop while the shared token
///   bucket is down to half (one bucket per client, or per dependency).
/// - **Events**: the same as `#[retry]`'s, with feature `tracing` (INFO per retry,
///   ERROR per give-up) under the name set by [`name`](Self::name); and a hook of your
///   own with [`on_backoff`](Self::on_backoff).
/// - **Bodies that cannot be cloned** (a stream: `reqwest::Body::wrap_stream`,
///   `Body::wrap`) can be read only once, so such a request is **sent exactly once**,
///   whatever its method and outcome. Buffer the body (`Vec<u8>`, `String`, `Bytes`)
///   to make the request retryable.
/// - **Extensions**: every attempt starts from a copy of the request's extensions; the
///   caller gets the extensions as the last attempt left them.
///
/// The decisions are the engine's, as for `#[retry]`: this middleware is the call-site
/// API (`policy.retry_async(..)`) around `next.run(..)`.
#[derive(Clone)]
pub struct RetryMiddleware {
    policy: Policy,
    statuses: StatusSet,
    methods: Methods,
    // A `&'static` for now, as the runtime takes; an `Arc<Budget>` per client once it
    // accepts any `&Budget` that outlives the call.
    budget: Option<Arc<Budget>>,
    name: &'static str,
    on_backoff: Option<Arc<OnBackoff>>,
}

type OnBackoff = dyn Fn(&Backoff<'_>) + Send + Sync;

impl RetryMiddleware {
    /// Retries under `policy`, of the [`StatusSet::TRANSIENT`] statuses and the
    /// [`Methods::IDEMPOTENT`] methods, with no budget.
    pub fn new(policy: Policy) -> Self {
        RetryMiddleware {
            policy,
            statuses: StatusSet::TRANSIENT,
            methods: Methods::IDEMPOTENT,
            budget: None,
            name: "retry::http::RetryMiddleware",
            on_backoff: None,
        }
    }

    /// The statuses worth another attempt (urllib3's `status_forcelist`,
    /// aiohttp-retry's `statuses`).
    pub fn statuses(mut self, statuses: StatusSet) -> Self {
        self.statuses = statuses;
        self
    }

    /// The methods that may be sent again (urllib3's `allowed_methods`). Add `POST`
    /// only for an API that deduplicates, e.g. by an `Idempotency-Key` header.
    pub fn methods(mut self, methods: Methods) -> Self {
        self.methods = methods;
        self
    }

    /// Retry only while `budget` allows (see [`Budget`]); every attempt of every request
    /// through this middleware reports to it.
    ///
    /// ```
    /// use retry::http::RetryMiddleware;
    /// use retry::{Budget, Policy};
    ///
    /// use std::sync::Arc;
    ///
    /// // One budget per upstream, shared by every client that calls it.
    /// let inventory = Arc::new(Budget::new(20, 0.1));
    /// let retries = RetryMiddleware::new(Policy::expo()).budget(Arc::clone(&inventory));
    /// ```
    pub fn budget(mut self, budget: impl Into<Arc<Budget>>) -> Self {
        self.budget = Some(budget.into());
        self
    }

    /// The name that events and [`Backoff::name`] report
    /// (`"retry::http::RetryMiddleware"` by default).
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// Run `hook` before each wait, with the failed attempt and the coming wait.
    ///
    /// ```
    /// use retry::http::RetryMiddleware;
    /// use retry::Policy;
    ///
    /// let retries = RetryMiddleware::new(Policy::expo()).on_backoff(|b| {
    ///     eprintln!("{} {}: attempt {} failed ({}); next in {:?}",
    ///         b.method(), b.url(), b.tries(), b.failure(), b.wait());
    /// });
    /// ```
    pub fn on_backoff(mut self, hook: impl Fn(&Backoff<'_>) + Send + Sync + 'static) -> Self {
        self.on_backoff = Some(Arc::new(hook));
        self
    }

    /// The policy requests are retried under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl From<Policy> for RetryMiddleware {
    fn from(policy: Policy) -> Self {
        RetryMiddleware::new(policy)
    }
}

impl fmt::Debug for RetryMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryMiddleware")
            .field("policy", &self.policy)
            .field("statuses", &self.statuses)
            .field("methods", &self.methods)
            .field("budget", &self.budget)
            .field("name", &self.name)
            .field("on_backoff", &self.on_backoff.is_some())
            .finish()
    }
}

/// A failed attempt of one request.
enum Failure {
    /// A status in the set: kept whole, to be returned if the retries end here.
    Status(Response),
    /// No response.
    Error(reqwest_middleware::Error),
}

impl Failure {
    fn retryable(&self, method_allowed: bool, statuses: &StatusSet) -> bool {
        match self {
            Failure::Status(_) => method_allowed,
            Failure::Error(reqwest_middleware::Error::Reqwest(error)) if method_allowed => {
                reqwest_is_transient(error, statuses)
            }
            // Not sent at all: safe to send again, whatever the method.
            Failure::Error(reqwest_middleware::Error::Reqwest(error)) => error.is_connect(),
            // Another middleware's failure: its business, not ours.
            Failure::Error(reqwest_middleware::Error::Middleware(_)) => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status(response) => retry_after(response.headers()),
            Failure::Error(_) => None,
        }
    }
}

/// What the [`on_backoff`](RetryMiddleware::on_backoff) hook is told about a failed
/// attempt and the coming wait.
pub struct Backoff<'a> {
    name: &'static str,
    method: &'a Method,
    url: &'a Url,
    tries: u32,
    elapsed: Duration,
    wait: Duration,
    failure: &'a Failure,
}

impl Backoff<'_> {
    /// The middleware's [`name`](RetryMiddleware::name).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The request's URL.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// Attempts made so far, 1-based.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Time since the first attempt started, read after this one ended.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The wait before the next attempt: the server's `Retry-After` or the schedule's
    /// wait, capped by `max_delay` and the deadline.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// The failing status, when the attempt had an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self.failure {
            Failure::Status(response) => Some(response.status()),
            Failure::Error(error) => error.status(),
        }
    }

    /// The error, when the attempt had no answer.
    pub fn error(&self) -> Option<&reqwest_middleware::Error> {
        match self.failure {
            Failure::Status(_) => None,
            Failure::Error(error) => Some(error),
        }
    }

    /// The wait the failing response asked for with `Retry-After`, before any cap.
    pub fn retry_after(&self) -> Option<Duration> {
        self.failure.retry_after()
    }

    /// The failure in words: the status, or the error with its causes.
    pub fn failure(&self) -> String {
        match self.failure {
            Failure::Status(response) => response.status().to_string(),
            Failure::Error(error) => {
                let mut text = error.to_string();
                let mut cause = std::error::Error::source(error);
                while let Some(c) = cause {
                    text.push_str(": ");
                    text.push_str(&c.to_string());
                    cause = c.source();
                }
                text
            }
        }
    }
}

impl fmt::Debug for Backoff<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("name", &self.name)
            .field("method", self.method)
            .field("url", &self.url.as_str())
            .field("tries", &self.tries)
            .field("elapsed", &self.elapsed)
            .field("wait", &self.wait)
            .field("status", &self.status())
            .field("error", &self.error())
            .finish()
    }
}

#[async_trait::async_trait]
impl Middleware for RetryMiddleware {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let Some(template) = request.try_clone() else {
            // A streamed body is read as it is sent: there is nothing to send again.
            return next.run(request, extensions).await;
        };
        let method_allowed = self.methods.contains(request.method());
        let statuses = self.statuses;
        // Every attempt starts from the caller's extensions; the caller gets back those
        // of the last attempt.
        let original = std::mem::take(extensions);
        let (template, original, last) = (&template, &original, &Mutex::new(None));
        let mut first = Some(request);
        let attempt = move || {
            let request = first.take().unwrap_or_else(|| {
                template
                    .try_clone()
                    .expect("a request that was cloned once clones again: its body is in memory")
            });
            let next = next.clone();
            async move {
                let mut extensions = original.clone();
                let result = next.run(request, &mut extensions).await;
                *lock(last) = Some(extensions);
                match result {
                    Ok(response) if statuses.contains(response.status()) => {
                        Err(Failure::Status(response))
                    }
                    Ok(response) => Ok(response),
                    Err(error) => Err(Failure::Error(error)),
                }
            }
        };
        let on_backoff = |details: &Details<'_, Response, Failure>| {
            if let (Some(hook), Some(wait), Err(failure)) =
                (&self.on_backoff, details.wait(), details.outcome())
            {
                hook(&Backoff {
                    name: details.name(),
                    method: template.method(),
                    url: template.url(),
                    tries: details.tries(),
                    elapsed: details.elapsed(),
                    wait,
                    failure,
                });
            }
        };
        let retry = self
            .policy
            .retry_async(attempt)
            .name(self.name)
            .retry_if(|failure: &Failure| failure.retryable(method_allowed, &statuses))
            .retry_after(Failure::retry_after)
            .on_backoff(on_backoff);
        let outcome = match &self.budget {
            Some(budget) => retry.budget(budget).await,
            None => retry.await,
        };
        *extensions = lock(last).take().unwrap_or_else(|| original.clone());
        match outcome {
            Ok(response) | Err(Failure::Status(response)) => Ok(response),
            Err(Failure::Error(error)) => Err(error),
        }
    }
}

fn lock(extensions: &Mutex<Option<Extensions>>) -> MutexGuard<'_, Option<Extensions>> {
    // Nothing panics while the lock is held; a poisoned lock still holds good data.
    extensions.lock().unwrap_or_else(PoisonError::into_inner)
}
