//! `#[retry]` around a real `reqwest` client talking to a real HTTP/1.1 server that each
//! test starts on 127.0.0.1 (an ephemeral port) and scripts: statuses with and without
//! `Retry-After`, a connection closed without an answer, an answer too slow for the
//! client, and a port where nothing listens.
//!
//! The server counts the requests it receives; the client's hooks record every wait
//! the retry loop decided on. Time bounds are generous (real sockets, real clocks, a
//! busy machine): lower bounds follow from the waits themselves, upper bounds allow
//! seconds for what takes milliseconds.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::RETRY_AFTER;
use retry::{retry, Budget, Details};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MS: Duration = Duration::from_millis(1);
/// Upper bound for anything that should take well under a second.
const SLACK: Duration = Duration::from_secs(5);

// -------------------------------------------------------------------------- server

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Step {
    /// Answer with this status (body `reply #N`, N the request's number).
    Status(u16, Option<Hint>),
    /// Read the request, then close the connection without answering.
    HangUp,
    /// Answer 200, but only after this long.
    Stall(Duration),
}

/// A `Retry-After` header.
#[derive(Clone, Debug)]
enum Hint {
    /// Sent as written.
    Raw(&'static str),
    /// An HTTP date this many seconds from the moment of the answer.
    DateIn(i64),
}

fn status(code: u16) -> Step {
    Step::Status(code, None)
}

fn status_after(code: u16, value: &'static str) -> Step {
    Step::Status(code, Some(Hint::Raw(value)))
}

const OK: Step = Step::Status(200, None);

struct Server {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// Serves `script` in order, one step per request; the last step repeats.
    async fn start(script: Vec<Step>) -> Server {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/resource", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(10 * MS).await;
                    continue;
                };
                tokio::spawn(answer(stream, Arc::clone(&script), Arc::clone(&counter)));
            }
        });
        Server { url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn answer(mut stream: TcpStream, script: Arc<Vec<Step>>, requests: Arc<AtomicUsize>) {
    if read_head(&mut stream).await.is_err() {
        return;
    }
    let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
    let step = script.get(n - 1).unwrap_or(&script[script.len() - 1]);
    let (code, hint) = match step {
        Step::HangUp => return drop(stream),
        Step::Stall(delay) => {
            tokio::time::sleep(*delay).await;
            (200, None)
        }
        Step::Status(code, hint) => (*code, hint.clone()),
    };
    let hint = hint.map(|hint| match hint {
        Hint::Raw(value) => value.to_owned(),
        Hint::DateIn(secs) => {
            let offset = Duration::from_secs(secs.unsigned_abs());
            let now = SystemTime::now();
            let at = if secs >= 0 {
                now + offset
            } else {
                now - offset
            };
            httpdate::fmt_http_date(at)
        }
    });
    let body = format!("reply #{n}");
    let mut head = format!(
        "HTTP/1.1 {code} Scripted\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(value) = hint {
        head.push_str(&format!("retry-after: {value}\r\n"));
    }
    head.push_str("\r\n");
    // The client may have stopped waiting (a stalled answer): ignore write errors.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads a request head (a GET has no body).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(())
}

/// A port on 127.0.0.1 where nothing listens: a socket bound to it but never put in
/// the listening state. Connections to it are refused, and as long as the socket is
/// alive no other test can take the port (as it could if it were merely released).
fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

// -------------------------------------------------------------------------- client

#[derive(Debug)]
enum FetchError {
    Status {
        code: u16,
        retry_after: Option<Duration>,
        body: String,
    },
    Transport(reqwest::Error),
    /// Cut off by `#[retry(timeout = ...)]`.
    TimedOut,
}

impl FetchError {
    /// A short name for assertions.
    fn kind(&self) -> String {
        match self {
            FetchError::Status { code, .. } => code.to_string(),
            FetchError::Transport(e) if e.is_timeout() => "client timeout".into(),
            FetchError::Transport(e) if e.is_connect() => "connect".into(),
            FetchError::Transport(_) => "transport".into(),
            FetchError::TimedOut => "cut off".into(),
        }
    }
}

fn is_permanent(error: &FetchError) -> bool {
    match error {
        FetchError::Status { code, .. } => {
            (400..500).contains(code) && *code != 408 && *code != 429
        }
        FetchError::Transport(e) => e.is_builder(),
        FetchError::TimedOut => false,
    }
}

fn server_hint(error: &FetchError) -> Option<Duration> {
    match error {
        FetchError::Status { retry_after, .. } => *retry_after,
        _ => None,
    }
}

/// `Retry-After` as delay-seconds or an HTTP date; anything else is no hint.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// One request, no retries: the body of every retried function below.
async fn get_once(client: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(FetchError::Transport)?;
    let code = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let body = response.text().await.map_err(FetchError::Transport)?;
    if (200..300).contains(&code) {
        Ok(body)
    } else {
        Err(FetchError::Status {
            code,
            retry_after,
            body,
        })
    }
}

/// What the hooks saw.
#[derive(Default)]
struct Log {
    /// The wait before each retry (`on_backoff`).
    waits: Mutex<Vec<Duration>>,
    /// The kind of every failed attempt, the last one included.
    failures: Mutex<Vec<String>>,
    /// `Details::tries` when `on_giveup` ran.
    gave_up_after: Mutex<Option<u32>>,
}

type Seen<'a> = Details<'a, String, FetchError>;

impl Log {
    fn on_backoff(&self) -> impl Fn(&Seen<'_>) + '_ {
        move |d| {
            self.waits
                .lock()
                .unwrap()
                .push(d.wait().expect("on_backoff has a wait"));
            self.failures
                .lock()
                .unwrap()
                .push(d.outcome().as_ref().unwrap_err().kind());
        }
    }

    fn on_giveup(&self) -> impl Fn(&Seen<'_>) + '_ {
        move |d| {
            assert!(d.wait().is_none());
            self.failures
                .lock()
                .unwrap()
                .push(d.outcome().as_ref().unwrap_err().kind());
            let previous = self.gave_up_after.lock().unwrap().replace(d.tries());
            assert!(previous.is_none(), "on_giveup ran twice");
        }
    }

    fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }

    fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }

    fn gave_up_after(&self) -> Option<u32> {
        *self.gave_up_after.lock().unwrap()
    }
}

/// A client with no timeout of its own.
fn client() -> reqwest::Client {
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

/// The everyday policy: waits of 20, 40, 80, 160, 320 ms, no jitter, so that the
/// tests can assert them exactly.
#[retry(
    expo(factor = "20ms"),
    jitter = none,
    max_tries = 6,
    max_delay = "2s",
    max_time = "20s",
    giveup = is_permanent,
    retry_after = server_hint,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn fetch(client: &reqwest::Client, url: &str, log: &Log) -> Result<String, FetchError> {
    get_once(client, url).await
}

/// Each attempt is cut off after 150 ms by the attribute itself. `reqwest::Error`
/// cannot be built by hand, hence our own error type and `timeout_error`.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    timeout = "150ms",
    timeout_error = |_| FetchError::TimedOut,
    giveup = is_permanent,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn fetch_cut_off(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
) -> Result<String, FetchError> {
    get_once(client, url).await
}

/// Server hints capped at 100 ms.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 2,
    max_delay = "100ms",
    retry_after = server_hint,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn fetch_capped(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
) -> Result<String, FetchError> {
    get_once(client, url).await
}

/// No attempt limit and the default 60 s `max_delay`: only `max_time` bounds the call.
#[retry(
    constant("10ms"),
    jitter = none,
    forever,
    max_time = "300ms",
    retry_after = server_hint,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn fetch_deadline(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
) -> Result<String, FetchError> {
    get_once(client, url).await
}

/// Counts its attempts itself, for a port where no server is there to count them.
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 3,
    giveup = is_permanent,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
    attempt = n,
)]
async fn fetch_counted(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
    attempts: &AtomicU32,
) -> Result<String, FetchError> {
    attempts.store(n, Ordering::SeqCst);
    get_once(client, url).await
}

static BUDGET: Budget = Budget::new(4, 0.1);

/// Shares `BUDGET` (4 tokens: retries stop at 2 or fewer).
#[retry(
    constant("10ms"),
    jitter = none,
    max_tries = 5,
    budget = &BUDGET,
    on_backoff = log.on_backoff(),
    on_giveup = log.on_giveup(),
)]
async fn fetch_budgeted(
    client: &reqwest::Client,
    url: &str,
    log: &Log,
) -> Result<String, FetchError> {
    get_once(client, url).await
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

// --------------------------------------------------------------------------- tests

/// Runs `fetch` once against a fresh server; returns the outcome, the server's count,
/// the hooks' log and the time taken.
async fn run_fetch(script: Vec<Step>) -> (Result<String, FetchError>, usize, Log, Duration) {
    let server = Server::start(script).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = fetch(&impatient_client(), &server.url, &log).await;
    (outcome, server.requests(), log, start.elapsed())
}

#[tokio::test]
async fn recovers_from_503_with_retry_after() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status_after(503, "0"), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    assert_eq!(log.failures(), ["503"]);
    // "Retry-After: 0" replaces the schedule's 20 ms.
    assert_eq!(log.waits(), [Duration::ZERO]);
    assert_eq!(log.gave_up_after(), None);
    assert_between(elapsed, Duration::ZERO, SLACK);
}

#[tokio::test]
async fn recovers_from_500() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status(500), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    assert_eq!(log.failures(), ["500"]);
    assert_eq!(log.waits(), ms(&[20]));
    assert_between(elapsed, 20 * MS, SLACK);
}

#[tokio::test]
async fn recovers_from_429() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status(429), status(429), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #3");
    assert_eq!(requests, 3);
    assert_eq!(log.failures(), ["429", "429"]);
    assert_eq!(log.waits(), ms(&[20, 40]));
    assert_between(elapsed, 60 * MS, SLACK);
}

#[tokio::test]
async fn recovers_from_a_dropped_connection() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![Step::HangUp, OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2, "the dropped request reached the server");
    assert_eq!(log.failures(), ["transport"]);
    assert_eq!(log.waits(), ms(&[20]));
    assert_between(elapsed, 20 * MS, SLACK);
}

#[tokio::test]
async fn recovers_from_a_response_slower_than_the_client_timeout() {
    let (outcome, requests, log, elapsed) =
        run_fetch(vec![Step::Stall(Duration::from_secs(30)), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    // reqwest's own 250 ms timeout ended the first attempt.
    assert_eq!(log.failures(), ["client timeout"]);
    assert_eq!(log.waits(), ms(&[20]));
    assert_between(elapsed, 270 * MS, SLACK);
}

#[tokio::test]
async fn recovers_from_every_fault_in_a_row() {
    let script = vec![
        status_after(503, "0"),
        status(500),
        status(429),
        Step::HangUp,
        Step::Stall(Duration::from_secs(30)),
        OK,
    ];
    let (outcome, requests, log, elapsed) = run_fetch(script).await;
    assert_eq!(outcome.unwrap(), "reply #6");
    assert_eq!(requests, 6);
    assert_eq!(
        log.failures(),
        ["503", "500", "429", "transport", "client timeout"]
    );
    // The hinted retry takes the hint, and the schedule still advances past 20 ms.
    assert_eq!(log.waits(), ms(&[0, 40, 80, 160, 320]));
    assert_between(elapsed, (600 + 250) * MS, SLACK);
}

#[tokio::test]
async fn retries_408_429_and_5xx() {
    for code in [408, 429, 500, 502, 503, 504] {
        let (outcome, requests, log, elapsed) = run_fetch(vec![status(code), OK]).await;
        assert_eq!(outcome.unwrap(), "reply #2", "status {code}");
        assert_eq!(requests, 2, "status {code}");
        assert_eq!(log.failures(), [code.to_string()]);
        assert_between(elapsed, 20 * MS, SLACK);
    }
}

#[tokio::test]
async fn gives_up_on_404_after_one_attempt_with_the_original_error() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status(404), OK]).await;
    match outcome {
        Err(FetchError::Status { code, body, .. }) => {
            assert_eq!(code, 404);
            assert_eq!(body, "reply #1");
        }
        other => panic!("expected the 404, got {other:?}"),
    }
    assert_eq!(requests, 1);
    assert_eq!(log.waits(), []);
    assert_eq!(log.failures(), ["404"]);
    assert_eq!(log.gave_up_after(), Some(1));
    assert_between(elapsed, Duration::ZERO, SLACK);
}

#[tokio::test]
async fn gives_up_at_once_on_other_4xx() {
    for code in [400, 401, 403, 405, 409, 410, 422] {
        let (outcome, requests, log, _) = run_fetch(vec![status(code), OK]).await;
        assert_eq!(outcome.unwrap_err().kind(), code.to_string());
        assert_eq!(requests, 1, "status {code}");
        assert_eq!(log.gave_up_after(), Some(1), "status {code}");
    }
}

#[tokio::test]
async fn returns_the_last_error_unchanged_after_max_tries() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status(503)]).await;
    match outcome {
        Err(FetchError::Status {
            code: 503, body, ..
        }) => assert_eq!(body, "reply #6"),
        other => panic!("expected the sixth 503, got {other:?}"),
    }
    assert_eq!(requests, 6);
    assert_eq!(log.waits(), ms(&[20, 40, 80, 160, 320]));
    assert_eq!(log.gave_up_after(), Some(6));
    assert_between(elapsed, 620 * MS, SLACK);
}

#[tokio::test]
async fn honours_retry_after_in_seconds() {
    let (outcome, requests, log, elapsed) = run_fetch(vec![status_after(503, "1"), OK]).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    // One second, not the schedule's 20 ms, and no jitter on it.
    assert_eq!(log.waits(), [Duration::from_secs(1)]);
    assert_between(elapsed, Duration::from_secs(1), SLACK);
}

#[tokio::test]
async fn honours_retry_after_as_an_http_date() {
    let script = vec![Step::Status(503, Some(Hint::DateIn(2))), OK];
    let (outcome, requests, log, elapsed) = run_fetch(script).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    // HTTP dates have whole seconds: "now + 2 s" is between 1 and 2 s away when sent.
    let waits = log.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > 500 * MS && waits[0] <= 2000 * MS,
        "waited {:?}",
        waits[0]
    );
    assert_between(elapsed, Duration::from_secs(1), SLACK);
}

#[tokio::test]
async fn a_retry_after_date_in_the_past_means_now() {
    let script = vec![Step::Status(503, Some(Hint::DateIn(-3600))), OK];
    let (outcome, requests, log, elapsed) = run_fetch(script).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(requests, 2);
    assert_eq!(log.waits(), [Duration::ZERO]);
    assert_between(elapsed, Duration::ZERO, SLACK);
}

#[tokio::test]
async fn hostile_retry_after_never_waits_past_max_delay() {
    // (header, the wait the loop must choose): a huge hint is capped at max_delay
    // (100 ms); what is not a hint falls back to the schedule (10 ms).
    let cases = [
        ("99999999999", 100),
        ("18446744073709551616000", 100),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 100),
        ("-5", 10),
        ("garbage", 10),
        ("1.5", 10),
        ("0x10", 10),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0),
    ];
    for (header, expected) in cases {
        let server = Server::start(vec![status_after(503, header), OK]).await;
        let log = Log::default();
        let start = Instant::now();
        let outcome = fetch_capped(&client(), &server.url, &log).await;
        assert_eq!(outcome.unwrap(), "reply #2", "Retry-After: {header}");
        assert_eq!(server.requests(), 2, "Retry-After: {header}");
        assert_eq!(log.waits(), ms(&[expected]), "Retry-After: {header}");
        assert_between(start.elapsed(), Duration::from_millis(expected), SLACK);
    }
}

#[tokio::test]
async fn hostile_retry_after_never_waits_past_max_time() {
    for header in [
        Hint::Raw("3600"),
        Hint::Raw("99999999999999999999"),
        Hint::DateIn(365 * 24 * 3600),
    ] {
        // The server keeps asking for a long pause; only max_time (300 ms) is left
        // to refuse it.
        let server = Server::start(vec![Step::Status(503, Some(header.clone()))]).await;
        let log = Log::default();
        let start = Instant::now();
        let outcome = fetch_deadline(&client(), &server.url, &log).await;
        let elapsed = start.elapsed();
        assert_eq!(outcome.unwrap_err().kind(), "503", "{header:?}");
        let waits = log.waits();
        assert!(
            waits.iter().sum::<Duration>() <= 300 * MS,
            "{header:?}: {waits:?}"
        );
        // One wait up to the deadline, then one more attempt (unless the first
        // attempt alone outlasted the 300 ms).
        let requests = server.requests();
        assert!(
            (1..=2).contains(&requests),
            "{header:?}: {requests} requests"
        );
        assert_eq!(waits.len(), requests - 1);
        assert_eq!(log.gave_up_after(), Some(requests as u32));
        assert_between(elapsed, 300 * MS, 300 * MS + SLACK);
    }
}

#[tokio::test]
async fn connection_refused_is_retried_and_ends_with_the_original_error() {
    let (_reserved, port) = refusing_port();
    let url = format!("http://127.0.0.1:{port}/resource");
    let log = Log::default();
    let attempts = AtomicU32::new(0);
    let start = Instant::now();
    let outcome = fetch_counted(&client(), &url, &log, &attempts).await;
    let elapsed = start.elapsed();
    match outcome {
        Err(FetchError::Transport(e)) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(log.failures(), ["connect", "connect", "connect"]);
    assert_eq!(log.waits(), ms(&[10, 10]));
    assert_eq!(log.gave_up_after(), Some(3));
    assert_between(elapsed, 20 * MS, SLACK);
}

#[tokio::test]
async fn the_timeout_key_cuts_off_a_slow_attempt_and_retries() {
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30)), OK]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = fetch_cut_off(&client(), &server.url, &log).await;
    assert_eq!(outcome.unwrap(), "reply #2");
    assert_eq!(server.requests(), 2);
    assert_eq!(log.failures(), ["cut off"]);
    assert_eq!(log.waits(), ms(&[10]));
    assert_between(start.elapsed(), 160 * MS, SLACK);
}

#[tokio::test]
async fn the_timeout_key_gives_up_after_max_tries_of_slow_attempts() {
    let server = Server::start(vec![Step::Stall(Duration::from_secs(30))]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = fetch_cut_off(&client(), &server.url, &log).await;
    assert!(matches!(outcome, Err(FetchError::TimedOut)), "{outcome:?}");
    assert_eq!(server.requests(), 3);
    assert_eq!(log.failures(), ["cut off", "cut off", "cut off"]);
    assert_eq!(log.gave_up_after(), Some(3));
    assert_between(start.elapsed(), (3 * 150 + 2 * 10) * MS, SLACK);
}

#[tokio::test]
async fn the_timeout_key_leaves_permanent_errors_alone() {
    let server = Server::start(vec![status(404)]).await;
    let log = Log::default();
    let start = Instant::now();
    let outcome = fetch_cut_off(&client(), &server.url, &log).await;
    assert_eq!(outcome.unwrap_err().kind(), "404");
    assert_eq!(server.requests(), 1);
    assert_eq!(log.gave_up_after(), Some(1));
    assert_between(start.elapsed(), Duration::ZERO, SLACK);
}

#[tokio::test]
async fn a_budget_stops_retrying_a_server_that_is_down() {
    let server = Server::start(vec![status(503)]).await;
    let client = client();
    let start = Instant::now();
    let mut per_call = Vec::new();
    for _ in 0..4 {
        let log = Log::default();
        let before = server.requests();
        let outcome = fetch_budgeted(&client, &server.url, &log).await;
        assert_eq!(outcome.unwrap_err().kind(), "503");
        per_call.push(server.requests() - before);
    }
    // 4 tokens, one per failure, retries only above 2: the first call retries once,
    // and from then on every call makes a single attempt, not five.
    assert_eq!(per_call, [2, 1, 1, 1]);
    assert_eq!(BUDGET.tokens(), 0.0);
    assert_between(start.elapsed(), 10 * MS, SLACK);
}
