//! The built-in HTTP pieces (features `reqwest` and `reqwest-middleware`) against a real
//! HTTP/1.1 server that each test starts on 127.0.0.1 (an ephemeral port) and scripts:
//! statuses with and without `Retry-After`, a connection closed without an answer, an
//! answer too slow for the client, and a port where nothing listens.
//!
//! Every scenario runs twice: through `#[retry]` on a function returning
//! `retry::http::HttpError`, and through `retry::http::RetryMiddleware` on a
//! `reqwest_middleware` client. The server (`tests/support/http_server.rs`, shared with
//! `examples/http_client.rs`) counts the requests it receives and keeps
//! their methods and bodies; hooks record every wait the engine chose, with
//! `jitter = none` so that the waits are exact. Time bounds are generous (real sockets,
//! real clocks, a busy machine): lower bounds follow from the waits themselves, upper
//! bounds allow seconds for what takes milliseconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use reqwest_middleware::ClientWithMiddleware;
use retry::http::{error_for_status, HttpError, Methods, RetryMiddleware, StatusSet};
use retry::{retry, Budget, Details, Jitter, Policy};

#[path = "support/http_server.rs"]
mod http_server;
use http_server::{refusing_port, status, status_after, Hint, Seen, Server, Step, OK};

const MS: Duration = Duration::from_millis(1);
/// Upper bound for anything that should take well under a second.
const SLACK: Duration = Duration::from_secs(5);

// ------------------------------------------------------------------- what was seen

/// A short name for an attempt's failure, for assertions.
fn kind(error: &HttpError) -> String {
    match error {
        HttpError::Status { status, .. } => status.as_u16().to_string(),
        HttpError::Timeout => "cut off".into(),
        e if e.is_timeout() => "client timeout".into(),
        e if e.is_connect() => "connect".into(),
        _ => "transport".into(),
    }
}

/// What the hooks saw: the failure and the wait before each retry, and the give-up.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<LogInner>>);

#[derive(Default)]
struct LogInner {
    waits: Vec<Duration>,
    failures: Vec<String>,
    gave_up_after: Option<u32>,
}

type Hooked<'a> = Details<'a, String, HttpError>;

impl Log {
    fn on_backoff(&self) -> impl Fn(&Hooked<'_>) + '_ {
        move |d| {
            let mut log = self.0.lock().unwrap();
            log.waits.push(d.wait().expect("on_backoff has a wait"));
            log.failures.push(kind(d.outcome().as_ref().unwrap_err()));
        }
    }

    fn on_giveup(&self) -> impl Fn(&Hooked<'_>) + '_ {
        move |d| {
            let mut log = self.0.lock().unwrap();
            log.failures.push(kind(d.outcome().as_ref().unwrap_err()));
            let previous = log.gave_up_after.replace(d.tries());
            assert!(previous.is_none(), "on_giveup ran twice");
        }
    }

    /// The middleware's hook: the same record, the failure named alike.
    fn middleware_hook(&self) -> impl Fn(&retry::http::Backoff<'_>) + Send + Sync + 'static {
        let log = self.clone();
        move |b| {
            let failure = match (b.status(), b.error()) {
                (Some(status), _) => status.as_u16().to_string(),
                (None, Some(e)) if e.is_timeout() => "client timeout".into(),
                (None, Some(e)) if e.is_connect() => "connect".into(),
                _ => "transport".into(),
            };
            let mut log = log.0.lock().unwrap();
            log.waits.push(b.wait());
            log.failures.push(failure);
        }
    }

    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().waits.clone()
    }

    fn failures(&self) -> Vec<String> {
        self.0.lock().unwrap().failures.clone()
    }

    fn gave_up_after(&self) -> Option<u32> {
        self.0.lock().unwrap().gave_up_after
    }
}

fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|&v| Duration::from_millis(v)).collect()
}

fn assert_between(elapsed: Duration, low: Duration, high: Duration) {
    assert!(
        low <= elapsed && elapsed <= high,
        "took {elapsed:?}, expected between {low:?} and {high:?}"
    );
}

// ---------------------------------------------------------------- the attribute

/// A client with no timeout of its own.
fn plain_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A client whose every request times out after 250 ms.
fn impatient_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(250 * MS)
        .build()
        .unwrap()
}

/// The everyday function: waits of 10, 20, 40, 80 ms, no jitter, so that the tests can
/// assert them exactly; the built-in predicates decide.
#[retry(
    expo(factor = "10ms"),
    jitter = none,
    max_tries = 5,
    max_delay = "2s",
    max_time = "20s",
    retry_if = HttpError::is_transient,
    retry_after = HttpError::retry_after,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn get(client: &reqwest::Client, url: &str, log: &Log) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// Each attempt is cut off after 150 ms by the attribute itself: `HttpError` is
/// `From<retry::Timeout>`, so no `timeout_error` is needed.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    timeout = "150ms",
    giveup = HttpError::is_permanent,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn get_cut_off(client: &reqwest::Client, url: &str, log: &Log) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// Server hints capped at 100 ms.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 2,
    max_delay = "100ms",
    retry_if = HttpError::is_transient,
    retry_after = HttpError::retry_after,
    on_backoff = log.on_backoff(),
)]
async fn get_capped(client: &reqwest::Client, url: &str, log: &Log) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// No attempt limit and the default 60 s `max_delay`: only `max_time` bounds the call.
#[retry(
    constant("10ms"),
    jitter = none,
    forever,
    max_time = "300ms",
    retry_if = HttpError::is_transient,
    retry_after = HttpError::retry_after,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn get_until_deadline(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// Counts its attempts itself, for a port where no server is there to count them.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    retry_if = HttpError::is_transient,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
    attempt = n,
)]
async fn get_counted(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
    attempts: &AtomicUsize,
) -> Result<String, HttpError> {
    attempts.store(n as usize, Ordering::SeqCst);
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// A `POST` is retried as urllib3 does (only when it never connected) unless the caller
/// says the API deduplicates it.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    retry_if = |e: &HttpError| if deduplicated { e.is_transient() } else { e.is_transient_for(&Method::POST) },
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn post(
    client: &reqwest::Client,
    url: &str,
    order: &str,
    deduplicated: bool,
    log: &Log,
) -> Result<String, HttpError> {
    let request = client.post(url).body(order.to_owned());
    let response = error_for_status(request.send().await?)?;
    Ok(response.text().await?)
}

/// A streamed body cannot be sent twice, so every attempt builds its own.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    retry_if = HttpError::is_transient,
    on_backoff = log.on_backoff(),
)]
async fn put_stream(
    client: &reqwest::Client,
    url: &str,
    payload: &str,
    log: &Log,
) -> Result<String, HttpError> {
    let request = client
        .put(url)
        .body(reqwest::Body::wrap(payload.to_owned()));
    let response = error_for_status(request.send().await?)?;
    Ok(response.text().await?)
}

static ATTRIBUTE_BUDGET: Budget = Budget::new(4, 0.1);

/// Shares `ATTRIBUTE_BUDGET` (4 tokens: retries stop at 2 or fewer).
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 5,
    budget = &ATTRIBUTE_BUDGET,
    retry_if = HttpError::is_transient,
)]
async fn get_budgeted(client: &reqwest::Client, url: &str) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

/// Runs `get` once against a fresh server; returns the outcome, the server, the
/// hooks' log and the time taken.
async fn run_get(script: Vec<Step>) -> (Result<String, HttpError>, Server, Log, Duration) {
    let server = Server::start(script).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = get(&impatient_client(), &server.url, &log).await;
    (outcome, server, log, start.elapsed())
}

#[tokio::test]
async fn attribute_recovers_from_503s() {
    let (outcome, server, log, elapsed) = run_get(vec![status(503), status(503), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #3");
    assert_eq!(server.requests(), 3);
    assert_eq!(log.failures(), ["503", "503"]);
    assert_eq!(log.waits(), ms(&[10, 20]));
    assert_eq!(log.gave_up_after(), None);
    assert_between(elapsed, 30 * MS, SLACK);
}

#[tokio::test]
async fn attribute_retries_exactly_the_transient_statuses() {
    for code in [408, 429, 500, 502, 503, 504] {
        let (outcome, server, log, _) = run_get(vec![status(code), OK]).await;
        assert_eq!(outcome.unwrap(), "reply #2", "status {code}");
        assert_eq!(server.requests(), 2, "status {code}");
        assert_eq!(log.failures(), [code.to_string()]);
    }
    for code in [400, 401, 403, 404, 409, 422, 501, 505] {
        let (outcome, server, log, _) = run_get(vec![status(code), OK]).await;
        assert_eq!(kind(&outcome.unwrap_err()), code.to_string());
        assert_eq!(server.requests(), 1, "status {code}");
        assert_eq!(log.gave_up_after(), Some(1), "status {code}");
    }
}

#[tokio::test]
async fn attribute_gives_up_on_404_with_status_and_url() {
    let (outcome, server, log, elapsed) = run_get(vec![status(404), OK]).await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(&error, HttpError::Status { status, url, retry_after: None }
            if *status == StatusCode::NOT_FOUND && url.as_str() == server.url),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
    assert_eq!(log.waits(), []);
    assert_eq!(log.gave_up_after(), Some(1));
    assert_between(elapsed, Duration::ZERO, SLACK);
}

#[tokio::test]
async fn attribute_returns_the_last_error_after_max_tries() {
    let (outcome, server, log, _) = run_get(vec![status_after(503, "0")]).await;
    let error = outcome.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert_eq!(server.requests(), 5);
    assert_eq!(log.waits(), [Duration::ZERO; 4]);
    assert_eq!(log.gave_up_after(), Some(5));
}

#[tokio::test]
async fn attribute_honours_429_retry_after_in_seconds() {
    let (outcome, server, log, elapsed) = run_get(vec![status_after(429, "1"), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    // One second, not the schedule's 10 ms, and no jitter on it.
    assert_eq!(log.waits(), [Duration::from_secs(1)]);
    assert_between(elapsed, Duration::from_secs(1), SLACK);
}

#[tokio::test]
async fn attribute_honours_429_retry_after_as_an_http_date() {
    let script = vec![Step::Status(429, Some(Hint::DateIn(2))), OK];
    let (outcome, server, log, elapsed) = run_get(script).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    // HTTP dates have whole seconds: "now + 2 s" is between 1 and 2 s away when sent.
    let waits = log.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > 500 * MS && waits[0] <= 2000 * MS, "{waits:?}");
    assert_between(elapsed, waits[0], SLACK);
}

#[tokio::test]
async fn attribute_takes_a_retry_after_date_in_the_past_as_now() {
    let script = vec![Step::Status(503, Some(Hint::DateIn(-3600))), OK];
    let (outcome, server, log, _) = run_get(script).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    assert_eq!(log.waits(), [Duration::ZERO]);
}

#[tokio::test]
async fn attribute_recovers_from_a_dropped_connection() {
    let (outcome, server, log, _) = run_get(vec![Step::HangUp, OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(
        server.requests(),
        2,
        "the dropped request reached the server"
    );
    assert_eq!(log.failures(), ["transport"]);
    assert_eq!(log.waits(), ms(&[10]));
}

#[tokio::test]
async fn attribute_recovers_from_a_client_timeout() {
    let (outcome, server, log, elapsed) =
        run_get(vec![Step::Stall(Duration::from_secs(30)), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    // reqwest's own 250 ms timeout ended the first attempt.
    assert_eq!(log.failures(), ["client timeout"]);
    assert_between(elapsed, 260 * MS, SLACK);
}

#[tokio::test]
async fn attribute_retries_connection_refused_and_returns_the_connect_error() {
    let (_reserved, url) = refusing_port();
    let log = Log::default();
    let attempts = AtomicUsize::new(0);
    let outcome = get_counted(&plain_client(), &url, &log, &attempts).await;
    let error = outcome.unwrap_err();
    assert!(error.is_connect() && error.is_transient(), "{error:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(log.failures(), ["connect", "connect", "connect"]);
    assert_eq!(log.waits(), ms(&[10, 10]));
    assert_eq!(log.gave_up_after(), Some(3));
}

#[tokio::test]
async fn attribute_timeout_cuts_off_a_slow_response_and_retries() {
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30)), OK]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = get_cut_off(&plain_client(), &server.url, &log).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    assert_eq!(log.failures(), ["cut off"]);
    assert_eq!(log.waits(), ms(&[10]));
    assert_between(start.elapsed(), 160 * MS, SLACK);
}

#[tokio::test]
async fn attribute_timeout_gives_up_with_http_error_timeout() {
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30))]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = get_cut_off(&plain_client(), &server.url, &log).await;
    assert!(matches!(outcome, Err(HttpError::Timeout)), "{outcome:?}");
    assert_eq!(server.requests(), 3);
    assert_eq!(log.failures(), ["cut off", "cut off", "cut off"]);
    assert_between(start.elapsed(), (3 * 150 + 2 * 10) * MS, SLACK);
}

#[tokio::test]
async fn attribute_caps_hostile_retry_after_at_max_delay() {
    // (header, the wait the engine must choose): a huge hint is capped at max_delay
    // (100 ms); what is not a hint falls back to the schedule (10 ms).
    let cases = [
        ("99999999999", 100),
        ("18446744073709551616000", 100),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 100),
        ("-5", 10),
        ("garbage", 10),
        ("1.5", 10),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0),
    ];
    for (header, expected) in cases {
        let server = Server::start(vec![status_after(503, header), OK]).await;
        let log = Log::default();
        let outcome = get_capped(&plain_client(), &server.url, &log).await;
        assert_eq!(outcome.unwrap(), "reply #2", "Retry-After: {header}");
        assert_eq!(server.requests(), 2, "Retry-After: {header}");
        assert_eq!(log.waits(), ms(&[expected]), "Retry-After: {header}");
    }
}

#[tokio::test]
async fn attribute_caps_hostile_retry_after_at_max_time() {
    let server = Server::start(vec![status_after(503, "3600")]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = get_until_deadline(&plain_client(), &server.url, &log).await;
    assert_eq!(kind(&outcome.unwrap_err()), "503");
    let waits = log.waits();
    assert!(waits.iter().sum::<Duration>() <= 300 * MS, "{waits:?}");
    // One wait up to the deadline, then one more attempt (unless the first attempt
    // alone outlasted the 300 ms).
    let requests = server.requests();
    assert!((1..=2).contains(&requests), "{requests} requests");
    assert_eq!(waits.len(), requests - 1);
    assert_between(start.elapsed(), 300 * MS, 300 * MS + SLACK);
}

#[tokio::test]
async fn attribute_does_not_retry_a_post_unless_told_it_is_deduplicated() {
    let server = Server::start(vec![status(503), OK]).await;
    let log = Log::default();
    let outcome = post(&plain_client(), &server.url, "one coffee", false, &log).await;
    assert_eq!(kind(&outcome.unwrap_err()), "503");
    assert_eq!(server.requests(), 1);
    assert_eq!(log.gave_up_after(), Some(1));

    let server = Server::start(vec![status(503), OK]).await;
    let log = Log::default();
    let outcome = post(&plain_client(), &server.url, "one coffee", true, &log).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    let order = Seen {
        method: "POST".into(),
        body: "one coffee".into(),
    };
    assert_eq!(server.seen(), [order.clone(), order]);
}

#[tokio::test]
async fn attribute_retries_a_post_that_never_connected() {
    let (_reserved, url) = refusing_port();
    let log = Log::default();
    let outcome = post(&plain_client(), &url, "one coffee", false, &log).await;
    assert!(outcome.unwrap_err().is_connect());
    assert_eq!(log.failures(), ["connect", "connect", "connect"]);
}

#[tokio::test]
async fn attribute_sends_each_attempt_its_own_streamed_body_once() {
    // The body is a stream: reqwest cannot clone such a request...
    let request = plain_client()
        .put("http://127.0.0.1/")
        .body(reqwest::Body::wrap(String::from("x")))
        .build()
        .unwrap();
    assert!(request.try_clone().is_none());
    // ...so each attempt builds and sends its own, whole, once.
    let server = Server::start(vec![status(503), OK]).await;
    let log = Log::default();
    let outcome = put_stream(&plain_client(), &server.url, "a large upload", &log).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    let upload = Seen {
        method: "PUT".into(),
        body: "a large upload".into(),
    };
    assert_eq!(server.seen(), [upload.clone(), upload]);
    assert_eq!(log.waits(), ms(&[10]));
}

#[tokio::test]
async fn attribute_budget_stops_retrying_a_server_that_is_down() {
    let server = Server::start(vec![status(503)]).await;
    let client = plain_client();
    let mut per_call = Vec::new();
    for _ in 0..4 {
        let before = server.requests();
        let outcome = get_budgeted(&client, &server.url).await;
        assert_eq!(kind(&outcome.unwrap_err()), "503");
        per_call.push(server.requests() - before);
    }
    // 4 tokens, one per failure, retries only above 2: the first call retries once,
    // and from then on every call makes a single attempt, not five.
    assert_eq!(per_call, [2, 1, 1, 1]);
}

// --------------------------------------------------------------- the middleware

/// Waits of 10, 20, 40 ms, no jitter.
const POLICY: Policy = Policy::expo()
    .factor(Duration::from_millis(10))
    .jitter(Jitter::None)
    .max_tries(4)
    .max_delay(Duration::from_secs(2))
    .max_time(Duration::from_secs(20));

/// Counts the attempts that pass it: placed after the retry middleware, it sees each one.
struct CountAttempts(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for CountAttempts {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(request, extensions).await
    }
}

/// A client with `retries` (its hook recording into `log`), then an attempt counter.
fn retrying_client(
    inner: reqwest::Client,
    retries: RetryMiddleware,
    log: &Log,
) -> (ClientWithMiddleware, Arc<AtomicUsize>) {
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = reqwest_middleware::ClientBuilder::new(inner)
        .with(retries.on_backoff(log.middleware_hook()))
        .with(CountAttempts(Arc::clone(&attempts)))
        .build();
    (client, attempts)
}

/// Sends one GET through a fresh retrying client to a fresh server.
async fn run_middleware(
    script: Vec<Step>,
) -> (
    reqwest_middleware::Result<reqwest::Response>,
    Server,
    Log,
    Duration,
) {
    let server = Server::start(script).await;
    let log = Log::default();
    let (client, _) = retrying_client(impatient_client(), RetryMiddleware::new(POLICY), &log);
    let start = Instant::now();
    let outcome = client.get(&server.url).send().await;
    (outcome, server, log, start.elapsed())
}

async fn text(outcome: reqwest_middleware::Result<reqwest::Response>) -> (u16, String) {
    let response = outcome.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn middleware_recovers_from_503s() {
    let (outcome, server, log, elapsed) = run_middleware(vec![status(503), status(503), OK]).await;
    assert_eq!(text(outcome).await, (200, "reply #3".into()));
    assert_eq!(server.requests(), 3);
    assert_eq!(log.failures(), ["503", "503"]);
    assert_eq!(log.waits(), ms(&[10, 20]));
    assert_between(elapsed, 30 * MS, SLACK);
}

#[tokio::test]
async fn middleware_retries_exactly_the_transient_statuses() {
    for code in [408, 429, 500, 502, 503, 504] {
        let (outcome, server, _, _) = run_middleware(vec![status(code), OK]).await;
        assert_eq!(text(outcome).await.0, 200, "status {code}");
        assert_eq!(server.requests(), 2, "status {code}");
    }
    for code in [400, 401, 403, 404, 409, 422, 501, 505] {
        let (outcome, server, log, _) = run_middleware(vec![status(code), OK]).await;
        assert_eq!(text(outcome).await, (code, "reply #1".into()));
        assert_eq!(server.requests(), 1, "status {code}");
        assert_eq!(log.waits(), [], "status {code}");
    }
}

#[tokio::test]
async fn middleware_returns_the_last_response_when_the_retries_end_on_a_status() {
    let (outcome, server, log, _) = run_middleware(vec![status(503)]).await;
    let response = outcome.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "reply #4");
    assert_eq!(server.requests(), 4);
    assert_eq!(log.waits(), ms(&[10, 20, 40]));
}

#[tokio::test]
async fn middleware_takes_a_custom_status_set() {
    let server = Server::start(vec![status(404), status(503), OK]).await;
    let log = Log::default();
    let retries = RetryMiddleware::new(POLICY).statuses(StatusSet::EMPTY.with(404));
    let (client, _) = retrying_client(plain_client(), retries, &log);
    let outcome = client.get(&server.url).send().await;
    // 404 is retried now, and 503 is not.
    assert_eq!(text(outcome).await, (503, "reply #2".into()));
    assert_eq!(log.failures(), ["404"]);
}

#[tokio::test]
async fn middleware_honours_429_retry_after_in_seconds() {
    let (outcome, server, log, elapsed) = run_middleware(vec![status_after(429, "1"), OK]).await;
    assert_eq!(text(outcome).await.0, 200);
    assert_eq!(server.requests(), 2);
    assert_eq!(log.waits(), [Duration::from_secs(1)]);
    assert_between(elapsed, Duration::from_secs(1), SLACK);
}

#[tokio::test]
async fn middleware_honours_429_retry_after_as_an_http_date() {
    let script = vec![Step::Status(429, Some(Hint::DateIn(2))), OK];
    let (outcome, server, log, elapsed) = run_middleware(script).await;
    assert_eq!(text(outcome).await.0, 200);
    assert_eq!(server.requests(), 2);
    let waits = log.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > 500 * MS && waits[0] <= 2000 * MS, "{waits:?}");
    assert_between(elapsed, waits[0], SLACK);
}

#[tokio::test]
async fn middleware_caps_hostile_retry_after_at_max_delay() {
    let capped = POLICY.max_tries(2).max_delay(100 * MS);
    let cases = [
        ("99999999999", 100),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 100),
        ("garbage", 10),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0),
    ];
    for (header, expected) in cases {
        let server = Server::start(vec![status_after(503, header), OK]).await;
        let log = Log::default();
        let (client, _) = retrying_client(plain_client(), RetryMiddleware::new(capped), &log);
        let outcome = client.get(&server.url).send().await;
        assert_eq!(text(outcome).await.0, 200, "Retry-After: {header}");
        assert_eq!(log.waits(), ms(&[expected]), "Retry-After: {header}");
    }
}

#[tokio::test]
async fn middleware_caps_hostile_retry_after_at_max_time_counting_attempt_time() {
    // Every answer asks for an hour; max_time is 300 ms.
    let server = Server::start(vec![status_after(503, "3600")]).await;
    let log = Log::default();
    let policy = POLICY
        .forever()
        .max_time(300 * MS)
        .max_delay(Duration::from_secs(60));
    let (client, _) = retrying_client(plain_client(), RetryMiddleware::new(policy), &log);
    let start = Instant::now();
    let outcome = client.get(&server.url).send().await;
    let elapsed = start.elapsed();
    assert_eq!(text(outcome).await.0, 503);
    let waits = log.waits();
    assert!(waits.iter().sum::<Duration>() <= 300 * MS, "{waits:?}");
    let requests = server.requests();
    assert!((1..=2).contains(&requests), "{requests} requests");
    assert_eq!(waits.len(), requests - 1);
    assert_between(elapsed, 300 * MS, 300 * MS + SLACK);
}

#[tokio::test]
async fn middleware_counts_the_attempts_own_time_in_max_time() {
    // Each attempt stalls until reqwest's 250 ms timeout; max_time is 600 ms, so the
    // third attempt (starting after 2 × 250 ms + 10 + 20 ms of waits) is the last one.
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30))]).await;
    let log = Log::default();
    let policy = POLICY.forever().max_time(600 * MS);
    let (client, attempts) =
        retrying_client(impatient_client(), RetryMiddleware::new(policy), &log);
    let start = Instant::now();
    let error = client.get(&server.url).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    let attempts = attempts.load(Ordering::SeqCst);
    // The waits alone would allow dozens of attempts; their own time allows 3 (2 or 4
    // on a very slow or oddly fast machine).
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
    assert_between(start.elapsed(), 600 * MS, 600 * MS + SLACK);
}

#[tokio::test]
async fn middleware_recovers_from_a_dropped_connection() {
    let (outcome, server, log, _) = run_middleware(vec![Step::HangUp, OK]).await;
    assert_eq!(text(outcome).await, (200, "reply #2".into()));
    assert_eq!(server.requests(), 2);
    assert_eq!(log.failures(), ["transport"]);
}

#[tokio::test]
async fn middleware_retries_connection_refused_and_returns_the_connect_error() {
    let (_reserved, url) = refusing_port();
    let log = Log::default();
    let (client, attempts) = retrying_client(plain_client(), RetryMiddleware::new(POLICY), &log);
    let error = client.get(&url).send().await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    assert_eq!(log.failures(), ["connect", "connect", "connect"]);
}

#[tokio::test]
async fn middleware_gives_each_attempt_reqwests_per_request_timeout() {
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30)), OK]).await;
    let log = Log::default();
    let (client, _) = retrying_client(plain_client(), RetryMiddleware::new(POLICY), &log);
    let start = Instant::now();
    let outcome = client.get(&server.url).timeout(200 * MS).send().await;
    assert_eq!(text(outcome).await, (200, "reply #2".into()));
    assert_eq!(log.failures(), ["client timeout"]);
    assert_between(start.elapsed(), 210 * MS, SLACK);
}

#[tokio::test]
async fn middleware_does_not_retry_a_post_unless_allowed() {
    let server = Server::start(vec![status(503), OK]).await;
    let log = Log::default();
    let (client, _) = retrying_client(plain_client(), RetryMiddleware::new(POLICY), &log);
    let outcome = client.post(&server.url).body("one coffee").send().await;
    assert_eq!(text(outcome).await, (503, "reply #1".into()));
    assert_eq!(server.requests(), 1);

    let server = Server::start(vec![status(503), Step::HangUp, OK]).await;
    let log = Log::default();
    let allowed = RetryMiddleware::new(POLICY).methods(Methods::IDEMPOTENT.with(Method::POST));
    let (client, _) = retrying_client(plain_client(), allowed, &log);
    let outcome = client.post(&server.url).body("one coffee").send().await;
    assert_eq!(text(outcome).await, (200, "reply #3".into()));
    let order = Seen {
        method: "POST".into(),
        body: "one coffee".into(),
    };
    assert_eq!(server.seen(), [order.clone(), order.clone(), order]);
    assert_eq!(log.failures(), ["503", "transport"]);
}

#[tokio::test]
async fn middleware_does_not_resend_a_post_after_a_dropped_connection() {
    let server = Server::start(vec![Step::HangUp, OK]).await;
    let log = Log::default();
    let (client, _) = retrying_client(plain_client(), RetryMiddleware::new(POLICY), &log);
    let error = client
        .post(&server.url)
        .body("one coffee")
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_connect(), "{error:?}");
    assert_eq!(server.requests(), 1, "the server may have acted on it");
}

#[tokio::test]
async fn middleware_retries_a_post_that_never_connected() {
    let (_reserved, url) = refusing_port();
    let log = Log::default();
    let (client, attempts) = retrying_client(plain_client(), RetryMiddleware::new(POLICY), &log);
    let error = client
        .post(&url)
        .body("one coffee")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect());
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn middleware_sends_a_streamed_body_exactly_once() {
    for method in [Method::PUT, Method::POST] {
        let server = Server::start(vec![status(503), OK]).await;
        let log = Log::default();
        let everything = RetryMiddleware::new(POLICY).methods(Methods::ALL);
        let (client, attempts) = retrying_client(plain_client(), everything, &log);
        let body = reqwest::Body::wrap(String::from("a large upload"));
        let outcome = client
            .request(method.clone(), &server.url)
            .body(body)
            .send()
            .await;
        // Not retried: the 503 comes back as it is.
        assert_eq!(text(outcome).await, (503, "reply #1".into()), "{method}");
        assert_eq!(
            server.seen(),
            [Seen {
                method: method.to_string(),
                body: "a large upload".into()
            }]
        );
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
        assert_eq!(log.waits(), []);
    }
}

#[tokio::test]
async fn middleware_budget_is_shared_by_the_requests_of_a_client() {
    // A budget per client: no `static` needed.
    let budget = std::sync::Arc::new(Budget::new(4, 0.1));
    let server = Server::start(vec![status(503)]).await;
    let log = Log::default();
    let retries = RetryMiddleware::new(POLICY.max_tries(5)).budget(std::sync::Arc::clone(&budget));
    let (client, _) = retrying_client(plain_client(), retries, &log);
    let mut per_call = Vec::new();
    for _ in 0..4 {
        let before = server.requests();
        let outcome = client.get(&server.url).send().await;
        assert_eq!(text(outcome).await.0, 503);
        per_call.push(server.requests() - before);
    }
    assert_eq!(per_call, [2, 1, 1, 1]);
    assert_eq!(budget.tokens(), 0.0);
}

#[tokio::test]
async fn middleware_extensions_reach_every_attempt() {
    #[derive(Clone, Debug, PartialEq)]
    struct TraceId(u32);

    /// Records the `TraceId` each attempt carries and marks the extensions it passes.
    struct Inspect(Arc<Mutex<Vec<Option<TraceId>>>>);

    #[async_trait::async_trait]
    impl reqwest_middleware::Middleware for Inspect {
        async fn handle(
            &self,
            request: reqwest::Request,
            extensions: &mut http::Extensions,
            next: reqwest_middleware::Next<'_>,
        ) -> reqwest_middleware::Result<reqwest::Response> {
            self.0
                .lock()
                .unwrap()
                .push(extensions.get::<TraceId>().cloned());
            extensions.insert(TraceId(99));
            next.run(request, extensions).await
        }
    }

    let server = Server::start(vec![status(503), OK]).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest_middleware::ClientBuilder::new(plain_client())
        .with(RetryMiddleware::new(POLICY))
        .with(Inspect(Arc::clone(&seen)))
        .build();
    let outcome = client
        .get(&server.url)
        .with_extension(TraceId(7))
        .send()
        .await;
    assert_eq!(text(outcome).await.0, 200);
    // Each attempt starts from the caller's extensions, not the last attempt's.
    assert_eq!(*seen.lock().unwrap(), [Some(TraceId(7)), Some(TraceId(7))]);
}

#[cfg(feature = "tracing")]
#[path = "support/tracing_recorder.rs"]
mod tracing_recorder;

/// With feature `tracing`, the middleware emits the attribute's events.
#[cfg(feature = "tracing")]
#[test]
fn middleware_emits_the_attributes_events() {
    let events = tracing_recorder::with_recorder(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = Server::start(vec![status(503)]).await;
            let client = reqwest_middleware::ClientBuilder::new(plain_client())
                .with(RetryMiddleware::new(POLICY.max_tries(2)).name("inventory"))
                .build();
            let outcome = client.get(&server.url).send().await;
            assert_eq!(text(outcome).await.0, 503);
        });
    });
    let ours: Vec<_> = events
        .iter()
        .filter(|(_, fields)| fields.contains("name=inventory"))
        .collect();
    assert_eq!(ours.len(), 2, "{events:?}");
    assert_eq!(ours[0].0, tracing::Level::INFO);
    assert!(
        ours[0].1.contains("attempt=1") && ours[0].1.contains("wait=10ms"),
        "{ours:?}"
    );
    assert_eq!(ours[1].0, tracing::Level::ERROR);
    assert!(ours[1].1.contains("attempt=2"), "{ours:?}");
}
