//! Policies from configuration: a `static` policy loaded once from a TOML file, with an
//! environment variable that overrides it in the attribute's own syntax, used by
//! `#[retry(policy = ...)]` and at a call site; then a hot reload by swapping a shared
//! value.
//!
//! ```text
//! cargo run --example config --features serde
//! RETRY_HTTP="constant(5ms), jitter = none, max_tries = 2" cargo run --example config --features serde
//! RETRY_HTTP="expo, max_attempts = 2" cargo run --example config --features serde   # exits with the message
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, LazyLock, RwLock};
use std::time::Duration;

use retry::{retry, Jitter, Policy};

/// The settings file; a service would read it from disk (`std::fs::read_to_string`).
const CONFIG_TOML: &str = include_str!("config.toml");

/// The policy named `name`: from the environment variable `env` if it is set, else
/// from the file's `[name]` table.
fn load(name: &str, env: &str) -> Result<Policy, String> {
    match std::env::var(env) {
        Ok(text) => text.parse().map_err(|e| format!("{env}={text:?}: {e}")),
        Err(_) => from_file(name),
    }
}

fn from_file(name: &str) -> Result<Policy, String> {
    let mut file: BTreeMap<String, Policy> =
        toml::from_str(CONFIG_TOML).map_err(|e| format!("examples/config.toml: {e}"))?;
    file.remove(name)
        .ok_or_else(|| format!("examples/config.toml has no [{name}] table"))
}

/// Read once, on first use; `main` forces it at startup so a bad setting stops the
/// program there, with a message that names the key, rather than at the first call.
static HTTP: LazyLock<Policy> = LazyLock::new(|| {
    load("http", "RETRY_HTTP").unwrap_or_else(|e| {
        eprintln!("bad retry configuration: {e}");
        std::process::exit(2)
    })
});

static FETCHES: AtomicU32 = AtomicU32::new(0);

/// Fails twice, then succeeds: retried under whatever `HTTP` says.
#[retry(policy = *HTTP)]
fn fetch(url: &str) -> Result<String, String> {
    let n = FETCHES.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 3 {
        Err(format!("{url}: 503 (attempt {n})"))
    } else {
        Ok(format!("{url}: 200 after {n} attempts"))
    }
}

/// The hot-reloadable policy. `#[retry(policy = EXPR)]` evaluates `EXPR` once per
/// call, so each call copies the policy current when it starts, and the read lock is
/// released before the first attempt: a reload never waits for running calls.
static DB: RwLock<Policy> = RwLock::new(Policy::constant(Duration::from_millis(5)));

/// Always fails; reports each attempt on `attempts`.
#[retry(policy = *DB.read().unwrap())]
fn query(attempts: &mpsc::Sender<u32>, n: &AtomicU32) -> Result<(), &'static str> {
    let _ = attempts.send(n.fetch_add(1, Ordering::SeqCst) + 1);
    Err("db busy")
}

fn main() {
    LazyLock::force(&HTTP);
    println!("HTTP policy: {}", *HTTP);
    println!(
        "  its waits without jitter: {:?}",
        HTTP.jitter(Jitter::None).waits().collect::<Vec<_>>()
    );

    println!("#[retry(policy = *HTTP)] fn fetch");
    println!("  -> {:?}", fetch("https://api.example/items"));

    println!("HTTP.retry(closure).call()");
    let mut calls = 0;
    let result: Result<u32, String> = HTTP
        .retry(|| {
            calls += 1;
            if calls < 2 {
                Err("reset by peer".into())
            } else {
                Ok(calls)
            }
        })
        .call();
    println!("  -> {result:?}");

    // What an operator sees for a typo, before anything runs with it.
    let typo = "expo(factor = 1sec), max_attempts = 4".parse::<Policy>();
    println!("a typo in RETRY_HTTP: {}", typo.unwrap_err());

    // Hot reload: a call that is running when the policy is swapped keeps the policy it
    // started with; calls that start afterwards use the new one.
    *DB.write().unwrap() = from_file("db").unwrap_or_else(|e| {
        eprintln!("bad retry configuration: {e}");
        std::process::exit(2)
    });
    let before = *DB.read().unwrap();
    println!("DB policy: {before}");
    let (attempts, seen) = mpsc::channel();
    let counter = AtomicU32::new(0);
    std::thread::scope(|s| {
        let running = s.spawn(|| query(&attempts, &counter));
        // Reload while the call is in its first attempt or its first wait.
        assert_eq!(seen.recv(), Ok(1));
        let reloaded: Policy = "constant(1ms), jitter = none, max_tries = 2"
            .parse()
            .expect("a valid policy");
        *DB.write().unwrap() = reloaded;
        println!("  reloaded to: {reloaded}");
        let _ = running.join().expect("the query thread");
    });
    let started_before = counter.swap(0, Ordering::SeqCst);
    println!("  the call running during the reload made {started_before} attempts (old policy)");
    assert_eq!(Some(started_before), before.tries_limit());

    let _ = query(&attempts, &counter);
    let started_after = counter.load(Ordering::SeqCst);
    println!("  a call started after it made {started_after} attempts (new policy)");
    assert_eq!(started_after, 2);
}
