//! A real HTTP client that retries a deliberately flaky, real HTTP server.
//!
//! ```text
//! cargo run --example http_client
//! ```
//!
//! The program starts a small HTTP/1.1 server on `127.0.0.1` (an ephemeral port) that
//! answers `GET /flaky` by script:
//!
//! 1. `503 Service Unavailable` with `Retry-After: 1` (seconds),
//! 2. `500 Internal Server Error`,
//! 3. `429 Too Many Requests` with `Retry-After: <an HTTP date a second from now>`,
//! 4. no answer at all: the server reads the request and closes the socket,
//! 5. a response that comes too late for the client's per-attempt timeout,
//! 6. `200 OK`.
//!
//! `GET /missing` is always `404` (not worth retrying) and `GET /overloaded` always
//! `503` without a hint (retried until `max_tries`). The client is `reqwest`; its
//! function carries `#[retry(...)]`, and the hooks log every attempt.
//!
//! The server is written on bare tokio sockets rather than a framework because one of
//! its faults is to hang up without answering, which a framework's handler cannot do.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::io::{self, IsTerminal};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;
use retry::{retry, Details};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::{error, info, warn};

// ------------------------------------------------------------------------- client

/// Why one attempt failed. `reqwest::Error` does not carry the response, so an
/// unwelcome status (and its `Retry-After` hint) gets a variant of its own.
#[derive(Debug)]
enum FetchError {
    /// The server answered, but not with a success.
    Status {
        code: StatusCode,
        retry_after: Option<Duration>,
    },
    /// No usable answer: connection refused or reset, closed early, a broken body, ...
    Transport(reqwest::Error),
    /// The attempt outlived `#[retry(timeout = ...)]` and was cut off.
    TimedOut,
}

/// What `#[retry(timeout = ...)]` turns a cut-off attempt into.
impl From<retry::Timeout> for FetchError {
    fn from(_: retry::Timeout) -> Self {
        FetchError::TimedOut
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Status {
                code,
                retry_after: Some(hint),
            } => write!(f, "HTTP {code} (Retry-After: {hint:.3?})"),
            FetchError::Status { code, .. } => write!(f, "HTTP {code}"),
            FetchError::Transport(e) => {
                // reqwest's message is generic; the root cause is at the end of the chain.
                write!(f, "transport error: {e}")?;
                let mut cause = e.source();
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            FetchError::TimedOut => f.write_str("no answer within the per-attempt timeout"),
        }
    }
}

impl Error for FetchError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FetchError::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// Client errors other than 408 and 429 will not get better by asking again, and
/// neither will a request that could not even be built.
fn is_permanent(error: &FetchError) -> bool {
    match error {
        FetchError::Status { code, .. } => {
            code.is_client_error()
                && *code != StatusCode::REQUEST_TIMEOUT
                && *code != StatusCode::TOO_MANY_REQUESTS
        }
        FetchError::Transport(e) => e.is_builder(),
        FetchError::TimedOut => false,
    }
}

/// The server's own estimate of when to come back, if it gave one.
fn server_hint(error: &FetchError) -> Option<Duration> {
    match error {
        FetchError::Status { retry_after, .. } => *retry_after,
        _ => None,
    }
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` (RFC 9110
/// §10.2.3). Anything else is ignored. An absurd value is taken at its word here:
/// `max_delay` and `max_time` cap what the retry loop actually waits.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// GET `url` and return the body. Every attempt is a fresh request; the attribute
/// decides, after each failure, whether and when to send the next one.
#[retry(
    expo(factor = "50ms"),
    max_tries = 7,
    max_delay = "1s",
    max_time = "6s",
    timeout = "300ms",
    giveup = is_permanent,
    retry_after = server_hint,
    on_backoff = log_backoff,
    on_giveup = log_giveup,
    on_success = log_success,
)]
async fn get_text(client: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(FetchError::Transport)?;
    let code = response.status();
    if !code.is_success() {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        return Err(FetchError::Status { code, retry_after });
    }
    response.text().await.map_err(FetchError::Transport)
}

fn failure<T>(details: &Details<'_, T, FetchError>) -> String {
    match details.outcome() {
        Err(e) => e.to_string(),
        Ok(_) => "an unacceptable answer".to_owned(),
    }
}

fn log_backoff<T>(details: &Details<'_, T, FetchError>) {
    warn!(
        target: "client",
        "{}: attempt {} failed after {:.3?}: {}; next attempt in {:.3?}",
        details.name(),
        details.tries(),
        details.elapsed(),
        failure(details),
        details.wait().unwrap_or_default(),
    );
}

fn log_giveup<T>(details: &Details<'_, T, FetchError>) {
    error!(
        target: "client",
        "{}: giving up after {} attempt(s), {:.3?}: {}",
        details.name(),
        details.tries(),
        details.elapsed(),
        failure(details),
    );
}

fn log_success<E>(details: &Details<'_, String, E>) {
    info!(
        target: "client",
        "{}: success on attempt {} after {:.3?}",
        details.name(),
        details.tries(),
        details.elapsed(),
    );
}

// ------------------------------------------------------------------------- server

/// What the server does with one request.
enum Reply {
    /// Answer after `delay`.
    Answer {
        status: u16,
        retry_after: Option<String>,
        body: &'static str,
        delay: Duration,
    },
    /// Read the request, then close the connection without a word.
    HangUp,
}

impl Reply {
    fn status(status: u16) -> Reply {
        Reply::Answer {
            status,
            retry_after: None,
            body: "",
            delay: Duration::ZERO,
        }
    }

    fn retry_after(self, value: String) -> Reply {
        match self {
            Reply::Answer {
                status,
                body,
                delay,
                ..
            } => Reply::Answer {
                status,
                retry_after: Some(value),
                body,
                delay,
            },
            Reply::HangUp => Reply::HangUp,
        }
    }
}

/// The script: the `n`th request (1-based) to `path`.
fn script(path: &str, n: usize) -> Reply {
    match (path, n) {
        ("/flaky", 1) => Reply::status(503).retry_after("1".to_owned()),
        ("/flaky", 2) => Reply::status(500),
        ("/flaky", 3) => {
            let at = SystemTime::now() + Duration::from_secs(1);
            Reply::status(429).retry_after(httpdate::fmt_http_date(at))
        }
        ("/flaky", 4) => Reply::HangUp,
        ("/flaky", 5) => Reply::Answer {
            status: 200,
            retry_after: None,
            body: "too late",
            delay: Duration::from_secs(2),
        },
        ("/flaky", _) => Reply::Answer {
            status: 200,
            retry_after: None,
            body: "hello, patient client",
            delay: Duration::ZERO,
        },
        ("/overloaded", _) => Reply::status(503),
        _ => Reply::status(404),
    }
}

#[derive(Default)]
struct FlakyServer {
    requests: Mutex<HashMap<String, usize>>,
}

impl FlakyServer {
    /// Counts a request to `path`; returns how many it has seen, this one included.
    fn count(&self, path: &str) -> usize {
        let mut requests = self.requests.lock().unwrap();
        let n = requests.entry(path.to_owned()).or_default();
        *n += 1;
        *n
    }

    fn requests(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    async fn run(self: Arc<Self>, listener: TcpListener) {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(Arc::clone(&self).handle(stream));
                }
                // E.g. out of file descriptors: back off a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    async fn handle(self: Arc<Self>, mut stream: TcpStream) {
        let Ok(path) = read_request_path(&mut stream).await else {
            return;
        };
        let n = self.count(&path);
        match script(&path, n) {
            Reply::HangUp => {
                info!(target: "server", "GET {path} #{n}: closing the connection without an answer");
                drop(stream);
            }
            Reply::Answer {
                status,
                retry_after,
                body,
                delay,
            } => {
                let code = StatusCode::from_u16(status).expect("a valid status");
                match (&retry_after, delay.is_zero()) {
                    (Some(hint), _) => {
                        info!(target: "server", "GET {path} #{n}: {code}, Retry-After: {hint}")
                    }
                    (None, false) => {
                        info!(target: "server", "GET {path} #{n}: {code}, but only in {delay:?}")
                    }
                    (None, true) => info!(target: "server", "GET {path} #{n}: {code}"),
                }
                tokio::time::sleep(delay).await;
                // The client may have given up on a slow answer and hung up: ignore that.
                let _ = write_response(&mut stream, code, retry_after.as_deref(), body).await;
            }
        }
    }
}

/// Reads one request head and returns the path of its request line.
async fn read_request_path(stream: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too long",
            ));
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    // "GET /flaky HTTP/1.1"
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    Ok(path.to_owned())
}

async fn write_response(
    stream: &mut TcpStream,
    code: StatusCode,
    retry_after: Option<&str>,
    body: &str,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n",
        code.as_u16(),
        code.canonical_reason().unwrap_or(""),
        body.len(),
    );
    if let Some(value) = retry_after {
        head.push_str(&format!("retry-after: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

// --------------------------------------------------------------------------- main

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_ansi(io::stdout().is_terminal())
        .init();

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = Arc::new(FlakyServer::default());
    tokio::spawn(Arc::clone(&server).run(listener));
    info!(target: "server", "listening on {base}");

    // One client for all calls; `#[retry(timeout = ...)]` bounds each attempt, the
    // connect timeout is a backstop.
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(1))
        .build()?;

    let started = Instant::now();
    let mut rows = Vec::new();
    for path in ["/flaky", "/missing", "/overloaded"] {
        info!(target: "client", "GET {path}");
        let call = Instant::now();
        let outcome = get_text(&client, &format!("{base}{path}")).await;
        rows.push((path, outcome, server.requests(path), call.elapsed()));
    }
    let total = started.elapsed();

    println!();
    println!("summary ({total:.2?} in all):");
    for (path, outcome, requests, elapsed) in &rows {
        let result = match outcome {
            Ok(body) => format!("ok: {body:?}"),
            Err(e) => format!("gave up: {e}"),
        };
        println!("  GET {path:<12} {requests} request(s) in {elapsed:>9.2?}  {result}");
    }

    // The scenario is deterministic in its counts; say so loudly if it is not.
    let expected = [
        ("/flaky", true, 6),
        ("/missing", false, 1),
        ("/overloaded", false, 7),
    ];
    for ((path, ok, requests), (_, outcome, seen, _)) in expected.iter().zip(&rows) {
        if outcome.is_ok() != *ok || seen != requests {
            return Err(format!("GET {path}: expected {requests} request(s), ok = {ok}").into());
        }
    }
    Ok(())
}
