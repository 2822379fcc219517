//! `#[retry]`: turn any sync or async function returning `Result` into a backoff loop,
//! as Python's `backoff` decorator does — without changing a line of the function or
//! its callers.
//!
//! ```
//! use retry::retry;
//! use retry::testing::FakeSleeps;
//!
//! #[derive(Debug)]
//! enum FetchError { Status(u16), Network }
//!
//! fn fatal_code(e: &FetchError) -> bool {
//!     matches!(e, FetchError::Status(code) if (400..500).contains(code) && *code != 429)
//! }
//!
//! #[retry(expo, max_tries = 4, max_time = "50s", giveup = fatal_code)]
//! fn fetch(url: &str, calls: &mut u32) -> Result<String, FetchError> {
//!     *calls += 1;
//!     if *calls < 3 { Err(FetchError::Network) } else { Ok(format!("body of {url}")) }
//! }
//!
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//! let mut calls = 0;
//! assert_eq!(fetch("http://example.com", &mut calls).unwrap(), "body of http://example.com");
//! assert_eq!(calls, 3);
//! ```
//!
//! The same attribute works on `async fn` (tokio's timer by default), methods
//! (`&self`, `&mut self`, `self`), trait impls, `async fn` in traits and
//! `#[async_trait]` methods. The function keeps its signature; callers get the last
//! attempt's result unchanged, with the same error type.
//!
//! # How it behaves
//! - Each attempt runs the body as if the function were called again with the same
//!   arguments: references are reborrowed, owned arguments are cloned per attempt (an
//!   owned argument that is not `Clone` is a compile error naming it). `return` and `?`
//!   in the body end the attempt, not the loop.
//! - After a failed attempt, in this order: `giveup`/`retry_if` may stop; then
//!   `max_tries`; then `max_time` (elapsed time is read *after* the attempt, so no attempt
//!   starts past the deadline); then the `budget`; else wait — a `retry_after` hint, or
//!   the schedule's next wait with jitter — capped by `max_delay` and the time left.
//! - The happy path costs about what the bare call costs: no allocation, no clock read
//!   unless `max_time`, a hook or tracing needs it, and a zero wait never touches a timer.
//!
//! # Keys
//! Any order, each at most once; `#[retry]` alone means `expo, jitter = full,
//! max_tries = 3, max_delay = "60s"`. Durations are written `"250ms"`, `"50s"`, `"2m"`,
//! `"1h"`, `"1m30s"`, `"1.5s"`, a bare integer of seconds, or any `Duration` expression;
//! literals are checked at compile time. Expressions are evaluated once per call, inside
//! the function, so they may use its arguments.
//!
//! | key | value | meaning |
//! |---|---|---|
//! | `expo` / `expo(base = 2, factor = "1s")` | flag or args | wait `factor * base^n` (the default) |
//! | `fibo` / `fibo(factor = "1s")` | flag or args | wait `factor * fib(n)`: 1, 1, 2, 3, 5, ... |
//! | `constant("1s")` / `constant(interval = "1s")` | duration | the same wait every time |
//! | `wait = EXPR` | `IntoIterator<Item = Duration>` | a custom schedule; when it ends, so do the retries |
//! | `jitter = full \| equal \| decorrelated \| none` | ident | randomise waits (default `full`) |
//! | `max_tries = N` | `u32` literal >= 1 or expression | total attempts, the first included (default 3; with `max_time` and no `max_tries`, no attempt limit: the time budget is the limit) |
//! | `forever` | flag | no attempt limit |
//! | `max_time = "50s"` | duration | time budget from the start of the first attempt |
//! | `max_delay = "30s"` | duration | cap on any single wait, hints included (default 60 s) |
//! | `giveup = F` | `Fn(&E) -> bool` | `true`: stop now, return this error |
//! | `retry_if = F` | `Fn(&E) -> bool` | `false`: stop now, return this error |
//! | `retry_if_ok = F` | `Fn(&T) -> bool` | `true`: this `Ok` is not good enough, try again |
//! | `retry_after = F` | `Fn(&E) -> Option<Duration>` | a server's hint to wait instead of the schedule |
//! | `on_backoff` / `on_giveup` / `on_success` | `Fn(&Details<'_, T, E>)` | hooks |
//! | `budget = EXPR` | any `&Budget` that outlives the call (a `static`, `&self.budget`, an `Arc<Budget>`'s contents) | retry only while the shared token bucket allows |
//! | `timeout = "5s"` | duration | async only: cut an attempt off; it fails with `E::from(Timeout)` |
//! | `hedge = "50ms"` | duration | async only: while an attempt still runs after this, start another beside it (idempotent calls only) |
//! | `timeout_error = F` | `Fn(Timeout) -> E` | the error of a cut-off attempt, for foreign `E` |
//! | `sleep = F` | `Fn(Duration) -> impl Future` | async only: another runtime's sleep |
//! | `policy = EXPR` | [`Policy`] | wait, jitter and limits in one reusable value |
//! | `crate = "path"` | string | where the facade is, for crates that re-export it |
//! | `attempt = IDENT` | identifier | binds the attempt number (`u32`, from 1) in the body |
//!
//! Every misuse — an unknown key, a key given twice, two schedules, `policy` with a
//! schedule or limit key, a duration that does not parse, `max_tries = 0`, `sleep` on a
//! blocking fn, a `const fn`, a function that returns nothing or no `Result` — is a
//! compile error at the offending token.
//!
//! ## Equivalent code without the attribute
//! Every key has a counterpart in the runtime, which call sites can use directly:
//!
//! ```
//! use retry::{Details, Jitter, Policy};
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//!
//! # fn read(path: &str) -> std::io::Result<String> { std::fs::read_to_string(path) }
//! // #[retry(constant("250ms"), jitter = none, max_tries = 5,
//! //         retry_if = |e| e.kind() == std::io::ErrorKind::Interrupted,
//! //         on_giveup = |d| eprintln!("{} gave up after {} tries", d.name(), d.tries()))]
//! // fn read_config(path: &str) -> std::io::Result<String> { read(path) }
//! fn read_config(path: &str) -> std::io::Result<String> {
//!     Policy::constant(Duration::from_millis(250))
//!         .jitter(Jitter::None)
//!         .max_tries(5)
//!         .retry(|| read(path))
//!         .name("read_config")
//!         .retry_if(|e: &std::io::Error| e.kind() == std::io::ErrorKind::Interrupted)
//!         .on_giveup(|d: &Details<'_, String, std::io::Error>| {
//!             eprintln!("{} gave up after {} tries", d.name(), d.tries())
//!         })
//!         .call()
//! }
//! assert!(read_config("/no/such/file").is_err());
//! ```
//!
//! ### Schedules: `expo`, `fibo`, `constant`, `wait`
//! ```
//! use retry::{retry, Jitter, Policy};
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//!
//! #[retry(expo(base = 3, factor = "100ms"), jitter = none, max_tries = 4)]
//! fn expo() -> Result<(), ()> { Err(()) }
//!
//! #[retry(fibo(factor = "1s"), jitter = none, max_tries = 6)]
//! fn fibo() -> Result<(), ()> { Err(()) }
//!
//! #[retry(constant(2), jitter = none)]
//! fn constant() -> Result<(), ()> { Err(()) }
//!
//! #[retry(wait = steps.iter().copied(), jitter = none)]
//! fn custom(steps: &[Duration]) -> Result<(), ()> { Err(()) }
//!
//! let ms = Duration::from_millis;
//! let sleeps = FakeSleeps::start();
//! let _ = expo();
//! assert_eq!(sleeps.recorded(), [ms(100), ms(300), ms(900)]);
//! // Without the attribute: the same waits, from the policy.
//! let waits: Vec<_> = Policy::expo().base(3.0).factor(ms(100)).jitter(Jitter::None).max_tries(4).waits().collect();
//! assert_eq!(waits, [ms(100), ms(300), ms(900)]);
//!
//! let sleeps = FakeSleeps::start();
//! let _ = fibo();
//! assert_eq!(sleeps.recorded(), [1, 1, 2, 3, 5].map(Duration::from_secs));
//! let sleeps = FakeSleeps::start();
//! let _ = constant();
//! assert_eq!(sleeps.recorded(), [2, 2].map(Duration::from_secs));
//! let sleeps = FakeSleeps::start();
//! let _ = custom(&[ms(5), ms(50)]);
//! assert_eq!(sleeps.recorded(), [ms(5), ms(50)]);
//! ```
//!
//! ### Jitter: `jitter = full | equal | decorrelated | none`
//! ```
//! use retry::{retry, Jitter, Policy};
//! use retry::testing::FakeSleeps;
//! use std::time::Duration;
//!
//! // full (the default): uniform in [0, w]; equal: w/2 + uniform in [0, w/2];
//! // decorrelated (AWS): min(max_delay, uniform(first, 3 x previous)); none: exactly w.
//! #[retry(expo(factor = "100ms"), jitter = equal, max_tries = 4)]
//! fn equal() -> Result<(), ()> { Err(()) }
//!
//! #[retry(expo(factor = "100ms"), jitter = decorrelated, max_tries = 4, max_delay = "1s")]
//! fn decorrelated() -> Result<(), ()> { Err(()) }
//!
//! let ms = Duration::from_millis;
//! let sleeps = FakeSleeps::start(); // tests only: skip and record the sleeps
//! let _ = equal();
//! for (wait, w) in sleeps.recorded().into_iter().zip([100, 200, 400]) {
//!     assert!(wait >= ms(w / 2) && wait <= ms(w));
//! }
//! let sleeps = FakeSleeps::start();
//! let _ = decorrelated();
//! assert!(sleeps.recorded().iter().all(|w| *w >= ms(100) && *w <= ms(1000)));
//! // Without the attribute: the policy hands out its waits, seedable for reproducibility.
//! let policy = Policy::expo().factor(ms(100)).jitter(Jitter::Equal).max_tries(4);
//! assert_eq!(policy.waits_seeded(7).collect::<Vec<_>>(), policy.waits_seeded(7).collect::<Vec<_>>());
//! ```
//!
//! ### Limits: `max_tries`, `forever`, `max_time`, `max_delay`
//! ```
//! use retry::retry;
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//!
//! // Attempts start at 0, 10, 20 and 25 s: the last wait is cut to the deadline.
//! // (`max_time` without `max_tries` lifts the default limit of 3 attempts.)
//! #[retry(constant("10s"), jitter = none, max_time = "25s")]
//! fn until_deadline(calls: &mut u32) -> Result<(), ()> { *calls += 1; Err(()) }
//!
//! #[retry(expo, jitter = none, max_tries = cfg.0, max_delay = cfg.1)]
//! fn configured(cfg: (u32, Duration)) -> Result<(), ()> { Err(()) }
//!
//! let sleeps = FakeSleeps::start();
//! let mut calls = 0;
//! let _ = until_deadline(&mut calls);
//! assert_eq!(calls, 4);
//! assert_eq!(sleeps.recorded(), [10, 10, 5].map(Duration::from_secs));
//!
//! let sleeps = FakeSleeps::start();
//! let _ = configured((5, Duration::from_secs(3)));
//! assert_eq!(sleeps.recorded(), [1, 2, 3, 3].map(Duration::from_secs));
//!
//! // `forever`: no attempt limit (a budget, `max_time` or `retry_if` still end it).
//! #[retry(constant("1ms"), jitter = none, forever)]
//! fn until_it_works(calls: &mut u32) -> Result<u32, ()> {
//!     *calls += 1;
//!     if *calls < 50 { Err(()) } else { Ok(*calls) }
//! }
//! let _sleeps = FakeSleeps::start();
//! assert_eq!(until_it_works(&mut 0), Ok(50));
//! // Without the attribute:
//! // Policy::expo().jitter(Jitter::None).forever().max_time(d) / .max_tries(n).max_delay(d)
//! ```
//!
//! ### Predicates: `giveup`, `retry_if`, `retry_if_ok`, `retry_after`
//! ```
//! use retry::retry;
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//!
//! #[derive(Debug, PartialEq)]
//! enum HttpError { Status(u16, Option<Duration>) }
//!
//! fn client_error(HttpError::Status(code, _): &HttpError) -> bool {
//!     (400..500).contains(code) && *code != 429
//! }
//!
//! #[retry(expo, max_tries = 5, giveup = client_error,
//!         retry_after = |HttpError::Status(_, hint): &HttpError| *hint)]
//! fn call(codes: &mut Vec<u16>) -> Result<&'static str, HttpError> {
//!     match codes.pop() {
//!         Some(200) | None => Ok("ok"),
//!         Some(code) => Err(HttpError::Status(code, Some(Duration::from_secs(1)))),
//!     }
//! }
//!
//! // 503, 429, then 200: retried, each wait the server's 1 s hint.
//! assert_eq!(call(&mut vec![200, 429, 503]), Ok("ok"));
//! // 404: given up at once.
//! let mut codes = vec![200, 404];
//! assert_eq!(call(&mut codes), Err(HttpError::Status(404, Some(Duration::from_secs(1)))));
//! assert_eq!(codes, [200]);
//!
//! // retry_if: retry only the errors it accepts; any other is returned at once.
//! use std::io::ErrorKind::{Interrupted, NotFound};
//! #[retry(constant(0), max_tries = 5, retry_if = |e: &std::io::Error| e.kind() == Interrupted)]
//! fn read(kinds: &mut Vec<std::io::ErrorKind>) -> std::io::Result<()> {
//!     match kinds.pop() {
//!         Some(kind) => Err(kind.into()),
//!         None => Ok(()),
//!     }
//! }
//! let mut kinds = vec![NotFound, Interrupted];
//! assert_eq!(read(&mut kinds).unwrap_err().kind(), NotFound); // Interrupted was retried
//! assert!(kinds.is_empty());
//!
//! // retry_if_ok: an Ok that is not good enough yet (Python backoff's on_predicate).
//! #[retry(constant(0), max_tries = 10, retry_if_ok = |status: &&str| *status == "pending")]
//! fn job_status(polls: &mut u32) -> Result<&'static str, ()> {
//!     *polls += 1;
//!     Ok(if *polls < 4 { "pending" } else { "done" })
//! }
//! let mut polls = 0;
//! assert_eq!(job_status(&mut polls), Ok("done"));
//! assert_eq!(polls, 4);
//! // Without the attribute: Policy::retry(..).giveup(..).retry_if(..).retry_if_ok(..).retry_after(..)
//! ```
//!
//! ### Hooks: `on_backoff`, `on_giveup`, `on_success`
//! ```
//! use retry::{retry, Details};
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//!
//! fn log_backoff(d: &Details<'_, u32, String>) {
//!     println!("{}: try {} failed after {:?}; next in {:?}", d.name(), d.tries(), d.elapsed(), d.wait().unwrap());
//! }
//!
//! #[retry(constant(1), jitter = none, on_backoff = log_backoff,
//!         on_success = |d| assert_eq!(d.tries(), 2),
//!         on_giveup = |d| eprintln!("gave up: {:?}", d.outcome()))]
//! fn flaky(calls: &mut u32) -> Result<u32, String> {
//!     *calls += 1;
//!     if *calls < 2 { Err("busy".into()) } else { Ok(*calls) }
//! }
//! assert_eq!(flaky(&mut 0), Ok(2));
//! // Without the attribute: Policy::retry(..).on_backoff(..).on_success(..).on_giveup(..)
//! ```
//!
//! ### `budget`: bound retry amplification
//! ```
//! use retry::{retry, Budget};
//!
//! static BACKEND: Budget = Budget::new(10, 0.1);
//!
//! #[retry(constant(0), max_tries = 100, budget = &BACKEND)]
//! fn call_backend(calls: &mut u32) -> Result<(), ()> { *calls += 1; Err(()) }
//!
//! let mut calls = 0;
//! let _ = call_backend(&mut calls);
//! assert_eq!(calls, 5); // retries stop when half the tokens are gone
//! let _ = call_backend(&mut calls);
//! assert_eq!(calls, 6); // from then on, one attempt per call until successes refill it
//! // Without the attribute: Policy::retry(..).budget(&BACKEND)
//! ```
//!
//! ### Async: `timeout`, `timeout_error`, `sleep`
//! ```
//! use retry::{retry, Timeout};
//! use std::time::Duration;
//!
//! #[derive(Debug, PartialEq)]
//! enum Error { TimedOut }
//! impl From<Timeout> for Error { fn from(_: Timeout) -> Self { Error::TimedOut } }
//!
//! #[retry(constant("10ms"), jitter = none, max_tries = 2, timeout = "50ms")]
//! async fn slow() -> Result<(), Error> {
//!     tokio::time::sleep(Duration::from_secs(60)).await;
//!     Ok(())
//! }
//!
//! // A foreign error type cannot implement `From<Timeout>`: say how to build it.
//! #[retry(constant("10ms"), max_tries = 2, timeout = "50ms",
//!         timeout_error = |_| std::io::ErrorKind::TimedOut.into())]
//! async fn slow_io() -> std::io::Result<()> {
//!     tokio::time::sleep(Duration::from_secs(60)).await;
//!     Ok(())
//! }
//!
//! // Any runtime's sleep; no tokio needed then (this one returns at once).
//! async fn my_runtime_sleep(_: Duration) {}
//! #[retry(expo, sleep = my_runtime_sleep)]
//! async fn elsewhere() -> Result<(), ()> { Err(()) }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let start = std::time::Instant::now();
//!     assert_eq!(slow().await, Err(Error::TimedOut));
//!     // Two attempts cut off at 50 ms each and a 10 ms wait: 110 ms (and a little).
//!     assert!(start.elapsed() >= Duration::from_millis(110));
//!     assert_eq!(slow_io().await.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
//!     assert!(elsewhere().await.is_err());
//! }
//! ```
//!
//! ### `hedge`: cut tail latency (async, idempotent calls only)
//! While an attempt still runs after the hedge delay, another starts beside it (and the
//! next at once after a retryable failure), at most `max_tries` in all; the first
//! accepted `Ok` wins and the others are dropped. **Only hedge calls that are safe to
//! make twice** (reads, idempotent writes): a hedged request may well reach the server
//! more than once. Each attempt beyond the first draws on a `budget`. With a literal
//! `max_tries` the attempts live inside the function's future (no allocation); with an
//! expression limit, each extra attempt's slot is allocated once per call.
//! ```
//! use retry::retry;
//! use std::time::Duration;
//!
//! #[retry(hedge = "20ms", max_tries = 3, attempt = n)]
//! async fn lookup(key: &str) -> Result<String, String> {
//!     // The first replica is slow today; the hedge to the second answers first.
//!     let took = if n == 1 { 500 } else { 5 };
//!     tokio::time::sleep(Duration::from_millis(took)).await;
//!     Ok(format!("{key} from replica {n}"))
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let start = std::time::Instant::now();
//!     assert_eq!(lookup("k").await.unwrap(), "k from replica 2");
//!     assert!(start.elapsed() < Duration::from_millis(400));
//!     // Without the attribute (the same runtime):
//!     // Policy::expo().max_tries(3).retry_async(..).hedge(Duration::from_millis(20)).await
//! }
//! ```
//!
//! ### `policy`, `crate`, `attempt`
//! ```
//! use retry::{retry, Jitter, Policy};
//! use std::time::Duration;
//! use retry::testing::FakeSleeps;
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//!
//! const HTTP: Policy = Policy::expo()
//!     .factor(Duration::from_millis(100))
//!     .jitter(Jitter::Full)
//!     .max_tries(4)
//!     .max_time(Duration::from_secs(10));
//!
//! // One policy for many functions; predicates and hooks still combine with it.
//! #[retry(policy = HTTP, giveup = |e: &String| e.starts_with("4"))]
//! fn get(url: &str) -> Result<String, String> { Ok(url.to_uppercase()) }
//!
//! // Fail over to a mirror on later attempts.
//! #[retry(policy = HTTP, attempt = n)]
//! fn get_any(mirrors: &[&str]) -> Result<String, String> {
//!     let url = mirrors[(n as usize - 1) % mirrors.len()];
//!     if n < 2 { Err(format!("{url} down")) } else { Ok(url.to_string()) }
//! }
//! assert_eq!(get("a"), Ok("A".into()));
//! assert_eq!(get_any(&["primary", "mirror"]), Ok("mirror".into()));
//!
//! // A crate that re-exports this one names itself with `crate = "..."`:
//! mod my_sdk { pub use retry::*; }
//! #[retry(crate = "my_sdk", max_tries = 2)]
//! fn via_reexport() -> Result<(), ()> { Ok(()) }
//! assert_eq!(via_reexport(), Ok(()));
//! ```
//!
//! ### Policies from configuration
//! Operators tune retries without a rebuild: a [`Policy`] parses from the attribute's
//! own syntax for the policy keys (`FromStr`, and `Display` writes it back), so an
//! environment variable reads like the attribute a developer wrote; with feature
//! `serde` it is also `Deserialize`/`Serialize` as a table, e.g. in TOML
//! `{ strategy = "expo", factor = "100ms", base = 2, jitter = "full", max_tries = 4,
//! max_time = "50s", max_delay = "30s" }` (also `"fibo"`, `"constant"` with
//! `interval`, `forever = true`). Durations use the attribute's literal grammar,
//! through the one parser in [`duration`]. The attribute's compile-time rules apply
//! (`max_tries >= 1`, a finite `base >= 1`, one strategy, `forever` or `max_tries`, each
//! key once); bad input is a [`ConfigError`] that names the key, what was found and what
//! is accepted, never a panic or a silently adjusted value.
//!
//! `policy = EXPR` is evaluated once per call, so a shared value can be swapped at run
//! time (a hot reload). A call copies the policy when it starts and keeps it: a reload
//! changes the calls that start after it, never one already running, and it never
//! waits for running calls (the read lock is released before the first attempt).
//! `examples/config.rs` loads policies from a TOML file with an environment override.
//!
//! ```
//! use retry::{retry, Policy};
//! use std::sync::{LazyLock, RwLock};
//! use retry::testing::FakeSleeps;
//! // Tests only: skip the sleeps and record them (a program leaves this line out).
//! let _fast = FakeSleeps::start();
//!
//! /// Read once; `RETRY_HTTP="constant(1s), max_tries = 2"` overrides the default.
//! static HTTP: LazyLock<Policy> = LazyLock::new(|| {
//!     let text = std::env::var("RETRY_HTTP")
//!         .unwrap_or_else(|_| "expo(factor = 100ms), max_tries = 4, max_time = 50s".into());
//!     text.parse().unwrap_or_else(|e| panic!("RETRY_HTTP: {e}"))
//! });
//!
//! #[retry(policy = *HTTP)]
//! fn get(url: &str) -> Result<String, String> { Ok(url.to_uppercase()) }
//! assert_eq!(get("a"), Ok("A".into()));
//! assert_eq!(HTTP.retry(|| get("b")).call(), Ok("B".into()));
//!
//! // Hot reload: swap the shared value.
//! static DB: RwLock<Policy> = RwLock::new(Policy::expo());
//! #[retry(policy = *DB.read().unwrap())]
//! fn query(calls: &mut u32) -> Result<(), ()> { *calls += 1; Err(()) }
//!
//! *DB.write().unwrap() = "constant(250ms), jitter = none, max_tries = 5".parse()?;
//! let mut calls = 0;
//! let _ = query(&mut calls);
//! assert_eq!(calls, 5);
//!
//! let typo = "expo, max_attempts = 4".parse::<Policy>().unwrap_err();
//! assert_eq!(typo.to_string(), "unknown key `max_attempts`, did you mean `max_tries`?");
//! # Ok::<(), retry::ConfigError>(())
//! ```
//!
//! # Testing code that retries
//! Blocking code: [`testing::FakeSleeps`] skips and records the sleeps on the current
//! thread (the clock follows, so `max_time` is exact). Async code: tokio's paused time
//! (`#[tokio::test(start_paused = true)]`); the loop uses tokio's clock.
//!
//! # Features
//! - `tokio` (default): tokio's sleep and clock for async functions. Without it, async
//!   functions need `sleep = ...`.
//! - `tracing`: an INFO event per retry and an ERROR event per give-up, with the
//!   function's name, attempt, wait and elapsed time.
//! - `serde`: `Deserialize`/`Serialize` for [`Policy`] and [`Jitter`], for policies in
//!   config files (`examples/config.rs`).
//! - `http`, `reqwest`, `reqwest-middleware`: the `retry::http` module — see below.
//!
//! # HTTP
//! With feature `http`, `retry::http` parses `Retry-After` and classifies statuses
//! and methods; `reqwest` adds `HttpError`, an error type for retried `reqwest` calls
//! with ready predicates for `retry_if`, `giveup` and `retry_after`; `reqwest-middleware`
//! adds `RetryMiddleware`, which retries every request of a client. None of it is
//! compiled without its feature.
//!
//! # Installing
//! The package is `retry-attr` on crates.io; its library is named `retry`, so code writes
//! `use retry::retry;`:
//!
//! ```toml
//! [dependencies]
//! retry-attr = "0.1"
//! ```
//!
//! The minimum supported Rust version is 1.95, the toolchain CI builds and tests with.
//!
//! # Guides
//! - [`guides::migration`]: from backon, tokio-retry2, backoff and Python's backoff, key by key.
//! - [`guides::comparison`]: a feature table against the other retry crates.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use retry_core::*;
/// Turns a function returning `Result` into a backoff loop.
///
/// ```
/// use retry::retry;
///
/// #[retry(expo(factor = "10ms"), max_tries = 4, max_time = "5s",
///         giveup = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound)]
/// fn read_config(path: &str) -> std::io::Result<String> {
///     std::fs::read_to_string(path)
/// }
///
/// // A missing file is permanent: one attempt, no wait.
/// assert!(read_config("/no/such/file").is_err());
/// ```
///
/// Keys (any order, each at most once; `#[retry]` alone uses the defaults: `expo`,
/// `jitter = full`, `max_tries = 3`, `max_delay = "60s"`):
///
/// - schedule: `expo` / `expo(base = 2, factor = "1s")`, `fibo(factor = ..)`,
///   `constant("1s")`, `wait = EXPR` (an iterator of waits); `jitter = full | equal |
///   decorrelated | none`;
/// - limits: `max_tries = N` or `forever`, `max_time = "50s"`, `max_delay = "30s"`,
///   `budget = &BUDGET`;
/// - predicates: `giveup`, `retry_if` (on `&E`), `retry_if_ok` (on `&T`), `retry_after`
///   (a server's hint);
/// - hooks: `on_backoff`, `on_giveup`, `on_success` (on [`Details`]);
/// - async only: `timeout` (+ `timeout_error`), `hedge`, `sleep`;
/// - `policy = EXPR` (a [`Policy`]), `crate = "path"`, `attempt = IDENT`.
///
/// Each key has a runnable example and the code without the attribute that it stands
/// for in the [crate docs](crate#keys); the equivalent call-site API is
/// [`Policy::retry`] / [`Policy::retry_async`].
pub use retry_macros::retry;

#[cfg(feature = "http")]
pub mod http;

/// The README's examples, compiled as doc tests.
#[cfg(all(doctest, feature = "reqwest-middleware"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Longer guides; each is also a Markdown file in the repository's `docs/` folder, and
/// every Rust example in them is a doc test.
pub mod guides {
    pub mod migration {
        #![doc = include_str!("../docs/migration.md")]
    }
    pub mod comparison {
        #![doc = include_str!("../docs/comparison.md")]
    }
    /// Retrying HTTP calls well: what to retry, `Retry-After`, timeouts, budgets, and
    /// a whole client (the features `http`, `reqwest`, `reqwest-middleware`).
    #[cfg(feature = "reqwest-middleware")]
    pub mod http {
        #![doc = include_str!("../docs/http.md")]
    }
}
