//! Real HTTP clients that retry a deliberately flaky, real HTTP server.
//!
//! ```text
//! cargo run --example http_client --features reqwest-middleware
//! ```
//!
//! The program starts small HTTP/1.1 servers on `127.0.0.1` (ephemeral ports) and
//! calls them with `reqwest` in two ways, both with the built-in `retry::http` pieces:
//!
//! 1. `#[retry]` on one function returning `retry::http::HttpError`, with the ready
//!    predicates `HttpError::is_transient` and `HttpError::retry_after` and a
//!    per-attempt `timeout`. Its server answers, in turn: `503` with `Retry-After: 1`
//!    (seconds), `500`, `429` with `Retry-After: <an HTTP date a second from now>`, no
//!    answer at all (it hangs up), an answer too slow for the timeout, and `200`. A
//!    second server always answers `404`: not worth retrying.
//! 2. `retry::http::RetryMiddleware` on a `reqwest_middleware` client, so that every
//!    request of the client retries: a `GET` through `503` + `Retry-After`, `502`,
//!    `200`; and a `POST` that gets a `503` and is not sent again (not idempotent).
//!
//! Each attempt, its failure, the server's hint and the chosen wait are printed as
//! they happen; the servers print what they do with each request.

use std::error::Error;
use std::time::{Duration, Instant};

use reqwest::Method;
use retry::http::{error_for_status, Backoff, HttpError, RetryMiddleware};
use retry::{retry, Details, Policy};

#[path = "../tests/support/http_server.rs"]
mod http_server;
use http_server::{status, status_after, Hint, Server, Step, OK};

// ------------------------------------------------------------- 1. the attribute

/// GET `url` and return the body. Every attempt is a fresh request; the attribute
/// decides after each failure whether and when to send the next one.
#[retry(
    expo(factor = "50ms"),     // 50, 100, 200, ... ms before jitter
    max_tries = 7,             // the first attempt and up to 6 retries
    max_delay = "1s",          // no single wait longer, Retry-After included
    max_time = "6s",           // no attempt starts after 6 s
    timeout = "300ms",         // each attempt is cut off after 300 ms
    retry_if = HttpError::is_transient, // 408, 429, 5xx, transport failures, timeouts
    retry_after = HttpError::retry_after,
    on_backoff = print_backoff,
    on_giveup = print_giveup,
    on_success = print_success,
)]
async fn get_text(client: &reqwest::Client, url: &str) -> Result<String, HttpError> {
    let response = error_for_status(client.get(url).send().await?)?;
    Ok(response.text().await?)
}

fn print_backoff(d: &Details<'_, String, HttpError>) {
    if let Err(e) = d.outcome() {
        println!(
            "client: attempt {} failed after {:.3?}: {}{}; next attempt in {:.3?}",
            d.tries(),
            d.elapsed(),
            describe(e),
            hint(e.retry_after()),
            d.wait().unwrap_or_default(),
        );
    }
}

fn print_giveup(d: &Details<'_, String, HttpError>) {
    if let Err(e) = d.outcome() {
        let why = if e.is_permanent() {
            "permanent"
        } else {
            "out of tries or time"
        };
        println!(
            "client: giving up after {} attempt(s), {:.3?} ({why}): {}",
            d.tries(),
            d.elapsed(),
            describe(e),
        );
    }
}

fn print_success(d: &Details<'_, String, HttpError>) {
    println!(
        "client: success on attempt {} after {:.3?}",
        d.tries(),
        d.elapsed()
    );
}

/// The status, the timeout, or reqwest's error with its root cause.
fn describe(e: &HttpError) -> String {
    match e {
        HttpError::Status { status, .. } => format!("HTTP {status}"),
        HttpError::Timeout => "no answer within the per-attempt timeout".to_owned(),
        other => with_causes(other),
    }
}

fn with_causes(e: &dyn Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
}

fn hint(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |h| format!(" (Retry-After: {h:.3?})"))
}

// ------------------------------------------------------------ 2. the middleware

/// The policy of the whole client.
const CLIENT_POLICY: Policy = Policy::expo()
    .factor(Duration::from_millis(50))
    .max_tries(4)
    .max_delay(Duration::from_secs(2))
    .max_time(Duration::from_secs(10));

fn print_middleware_backoff(b: &Backoff<'_>) {
    println!(
        "client: {} attempt {} failed after {:.3?}: {}{}; next attempt in {:.3?}",
        b.method(),
        b.tries(),
        b.elapsed(),
        b.failure(),
        hint(b.retry_after()),
        b.wait(),
    );
}

// --------------------------------------------------------------------------- main

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    // One client for all calls; `timeout = ...` bounds each attempt of `get_text`, the
    // connect timeout is a backstop.
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(1))
        .build()?;
    let mut failures = Vec::new();

    println!("1a. #[retry] on get_text: a flaky server");
    let flaky = Server::start_verbose(
        "flaky",
        vec![
            status_after(503, "1"),
            status(500),
            Step::Status(429, Some(Hint::DateIn(1))),
            Step::HangUp,
            Step::Stall(Duration::from_secs(2)),
            OK,
        ],
    )
    .await;
    let start = Instant::now();
    let body = get_text(&client, &flaky.url).await;
    println!(
        "=> {body:?} in {:.2?}, {} requests\n",
        start.elapsed(),
        flaky.requests()
    );
    check(
        &mut failures,
        "flaky",
        body.is_ok() && flaky.requests() == 6,
    );

    println!("1b. #[retry] on get_text: a missing page");
    let missing = Server::start_verbose("missing", vec![status(404)]).await;
    let body = get_text(&client, &missing.url).await;
    println!(
        "=> {}, {} request\n",
        body.as_ref().map_or_else(|e| e.to_string(), Clone::clone),
        missing.requests()
    );
    check(
        &mut failures,
        "missing",
        body.is_err() && missing.requests() == 1,
    );

    println!("2. RetryMiddleware: every request of the client retries");
    let client = reqwest_middleware::ClientBuilder::new(client)
        .with(RetryMiddleware::new(CLIENT_POLICY).on_backoff(print_middleware_backoff))
        .build();
    let busy = Server::start_verbose("busy", vec![status_after(503, "1"), status(502), OK]).await;
    let response = client.get(&busy.url).send().await?;
    println!(
        "=> GET: {}, {} requests",
        response.status(),
        busy.requests()
    );
    check(
        &mut failures,
        "busy",
        response.status() == 200 && busy.requests() == 3,
    );

    let orders = Server::start_verbose("orders", vec![status(503), OK]).await;
    let response = client
        .request(Method::POST, &orders.url)
        .body("one coffee")
        .send()
        .await?;
    println!(
        "=> POST: {} after {} request: not idempotent, not repeated",
        response.status(),
        orders.requests()
    );
    check(
        &mut failures,
        "orders",
        response.status() == 503 && orders.requests() == 1,
    );

    // The scenario is deterministic in its counts; say so loudly if it is not.
    match failures.is_empty() {
        true => Ok(()),
        false => Err(format!("unexpected outcome for: {}", failures.join(", ")).into()),
    }
}

fn check(failures: &mut Vec<&'static str>, scenario: &'static str, as_expected: bool) {
    if !as_expected {
        failures.push(scenario);
    }
}
