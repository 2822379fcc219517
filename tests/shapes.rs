//! Every function shape `#[retry]` supports: the signature stays as written and each
//! attempt runs the body as if the function were called again.
#![allow(clippy::needless_return)] // `return` inside closures is what these tests exercise

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use retry::retry;

#[path = "support/block_on.rs"]
mod block_on;

/// Fails until the counter reaches `succeed_at`.
fn flaky(counter: &Cell<u32>, succeed_at: u32) -> Result<u32, String> {
    counter.set(counter.get() + 1);
    if counter.get() >= succeed_at {
        Ok(counter.get())
    } else {
        Err(format!("attempt {} failed", counter.get()))
    }
}

// --- free functions, visibility, generics, lifetimes ---

#[retry(constant(0), max_tries = 3)]
pub fn public_fn(counter: &Cell<u32>) -> Result<u32, String> {
    flaky(counter, 2)
}

#[retry(constant(0), max_tries = 3)]
pub(crate) fn crate_fn(counter: &Cell<u32>) -> Result<u32, String> {
    flaky(counter, 3)
}

#[retry(constant(0), max_tries = 4)]
fn generic<T, F>(value: T, counter: &Cell<u32>, f: F) -> Result<String, String>
where
    T: std::fmt::Display + Clone,
    F: Fn(&T) -> String + Clone,
{
    flaky(counter, 2)?;
    Ok(f(&value))
}

#[retry(constant(0), max_tries = 4)]
fn lifetimes<'a, 'b: 'a>(
    text: &'a str,
    _other: &'b str,
    counter: &Cell<u32>,
) -> Result<&'a str, String> {
    flaky(counter, 2)?;
    Ok(&text[1..])
}

#[retry(constant(0), max_tries = 3)]
fn impl_trait_args(
    name: impl AsRef<str> + Clone,
    shown: &impl std::fmt::Display,
    counter: &Cell<u32>,
) -> Result<String, String> {
    flaky(counter, 2)?;
    Ok(format!("{}={}", name.as_ref(), shown))
}

#[test]
fn free_functions() {
    let c = Cell::new(0);
    assert_eq!(public_fn(&c), Ok(2));
    let c = Cell::new(0);
    assert_eq!(crate_fn(&c), Ok(3));
    let c = Cell::new(0);
    assert_eq!(generic(5, &c, |v| format!("<{v}>")), Ok("<5>".into()));
    assert_eq!(c.get(), 2);
    let c = Cell::new(0);
    assert_eq!(lifetimes("hello", "x", &c), Ok("ello"));
    let c = Cell::new(0);
    assert_eq!(impl_trait_args("k", &7, &c), Ok("k=7".into()));
}

// --- owned arguments are fresh on every attempt; &mut changes persist ---

#[retry(constant(0), max_tries = 3)]
fn consumes_owned(
    mut items: Vec<u32>,
    text: String,
    seen: &mut Vec<(usize, String)>,
) -> Result<usize, String> {
    items.push(99);
    let mut text = text;
    text.push('!');
    seen.push((items.len(), text.clone()));
    let moved: Vec<u32> = items; // consumed
    if seen.len() < 3 {
        Err(format!("{moved:?}"))
    } else {
        Ok(moved.len())
    }
}

#[test]
fn owned_arguments_are_fresh_and_mut_refs_persist() {
    let mut seen = Vec::new();
    let out = consumes_owned(vec![1, 2], "hi".to_string(), &mut seen);
    assert_eq!(out, Ok(3));
    // Every attempt saw the original two items and the original text.
    assert_eq!(seen, vec![(3, "hi!".to_string()); 3]);
}

#[retry(constant(0), max_tries = 5)]
fn mutates_through_ref(total: &mut u32) -> Result<u32, u32> {
    *total += 10;
    if *total < 30 {
        Err(*total)
    } else {
        Ok(*total)
    }
}

#[test]
fn mut_ref_changes_persist_across_attempts() {
    let mut total = 0;
    assert_eq!(mutates_through_ref(&mut total), Ok(30));
    assert_eq!(total, 30);
}

#[retry(constant(0), max_tries = 3)]
fn patterns(
    (a, b): (u32, u32),
    mut count: u32,
    Wrapper(w): Wrapper,
    &(x, y): &(u8, u8),
    _: u8,
) -> Result<u32, u32> {
    count += 1;
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let calls = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
    let sum = a + b + count + w + u32::from(x) + u32::from(y);
    if calls < 2 {
        Err(sum)
    } else {
        Ok(sum)
    }
}

#[derive(Clone)]
struct Wrapper(u32);

#[test]
fn argument_patterns_and_mut_bindings() {
    // count is 1 on every attempt: `mut count` is re-bound fresh.
    assert_eq!(
        patterns((1, 2), 0, Wrapper(10), &(3, 4), 0),
        Ok(1 + 2 + 1 + 10 + 3 + 4)
    );
}

// --- methods: &self, &mut self, self by value, trait impls and defaults ---

#[derive(Clone, Debug, Default)]
struct Client {
    calls: u32,
    log: Vec<String>,
}

impl Client {
    #[retry(constant(0), max_tries = 3)]
    fn by_ref(&self, counter: &Cell<u32>) -> Result<u32, String> {
        flaky(counter, 2).map(|n| n + self.calls)
    }

    #[retry(constant(0), max_tries = 4)]
    fn by_mut(&mut self) -> Result<u32, String> {
        self.calls += 1;
        self.log.push(format!("call {}", self.calls));
        if self.calls < 3 {
            Err("busy".into())
        } else {
            Ok(self.calls)
        }
    }

    #[retry(constant(0), max_tries = 4)]
    fn by_value(mut self, counter: &Cell<u32>) -> Result<Client, String> {
        // Each attempt gets a fresh clone of `self`.
        self.calls += 1;
        self.log.push(format!("attempt with calls={}", self.calls));
        let this = self;
        flaky(counter, 3)?;
        Ok(this)
    }

    #[retry(constant(0), max_tries = 3)]
    fn uses_self_path(&self) -> Result<u32, String> {
        Ok(self::helper() + self.calls)
    }
}

fn helper() -> u32 {
    41
}

#[test]
fn methods() {
    let c = Cell::new(0);
    let client = Client {
        calls: 100,
        ..Client::default()
    };
    assert_eq!(client.by_ref(&c), Ok(102));

    let mut client = Client::default();
    assert_eq!(client.by_mut(), Ok(3));
    assert_eq!(client.log, ["call 1", "call 2", "call 3"]);

    let c = Cell::new(0);
    let out = Client::default().by_value(&c).unwrap();
    assert_eq!(out.calls, 1);
    assert_eq!(out.log, ["attempt with calls=1"]);
    assert_eq!(c.get(), 3);

    assert_eq!(
        Client {
            calls: 1,
            ..Client::default()
        }
        .uses_self_path(),
        Ok(42)
    );
}

trait Store {
    fn get(&self, key: &str, counter: &Cell<u32>) -> Result<String, String>;

    #[retry(constant(0), max_tries = 3)]
    fn get_default(&self, counter: &Cell<u32>) -> Result<String, String> {
        self.get("default", counter)
    }
}

struct Memory;

impl Store for Memory {
    #[retry(constant(0), max_tries = 3)]
    fn get(&self, key: &str, counter: &Cell<u32>) -> Result<String, String> {
        flaky(counter, 2)?;
        Ok(key.to_uppercase())
    }
}

#[test]
fn trait_impl_and_default_methods() {
    let c = Cell::new(0);
    assert_eq!(Memory.get("k", &c), Ok("K".into()));
    let c = Cell::new(0);
    // The default method retries around the impl's own retries: 2 attempts of `get`
    // on its first attempt succeed.
    assert_eq!(Memory.get_default(&c), Ok("DEFAULT".into()));
}

// --- unsafe fn, type aliases ---

#[retry(constant(0), max_tries = 3)]
unsafe fn unsafe_fn(ptr: *const u32, counter: &Cell<u32>) -> std::io::Result<u32> {
    flaky(counter, 2).map_err(std::io::Error::other)?;
    Ok(unsafe { *ptr })
}

#[retry(constant(0), max_tries = 3)]
fn io_alias(counter: &Cell<u32>) -> std::io::Result<u32> {
    flaky(counter, 3).map_err(std::io::Error::other)
}

#[retry(constant(0), max_tries = 3)]
fn anyhow_alias(counter: &Cell<u32>) -> anyhow::Result<u32> {
    let n = flaky(counter, 2).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(n > 0, "impossible");
    Ok(n)
}

#[test]
fn unsafe_and_aliases() {
    let c = Cell::new(0);
    let value = 7;
    assert_eq!(unsafe { unsafe_fn(&value, &c) }.unwrap(), 7);
    let c = Cell::new(0);
    assert_eq!(io_alias(&c).unwrap(), 3);
    let c = Cell::new(0);
    assert_eq!(anyhow_alias(&c).unwrap(), 2);
}

// --- `?` and `return` end the attempt, not the function; inside closures and nested
// async blocks they belong to those ---

#[retry(constant(0), max_tries = 4)]
fn question_mark_ends_attempt(counter: &Cell<u32>) -> Result<u32, String> {
    let n = flaky(counter, 3)?; // an Err here is retried
    let parse = |s: &str| -> Result<u32, std::num::ParseIntError> {
        let v: u32 = s.parse()?; // belongs to the closure
        Ok(v)
    };
    let bad = parse("x").is_err();
    if !bad {
        return Err("closure ? escaped".into());
    }
    let early = (|| {
        return 5u32; // belongs to the closure
    })();
    Ok(n + early)
}

#[test]
fn question_mark_and_return_in_closures() {
    let c = Cell::new(0);
    assert_eq!(question_mark_ends_attempt(&c), Ok(8));
    assert_eq!(c.get(), 3);
}

#[retry(constant(0), max_tries = 3)]
async fn async_nested(counter: &Cell<u32>) -> Result<u32, String> {
    let inner = async {
        let v: u32 = "12".parse().map_err(|_| "bad".to_string())?;
        Ok::<u32, String>(v)
    };
    let v = inner.await?;
    let early = async {
        return 1u32;
    }
    .await;
    let n = flaky(counter, 2)?;
    Ok(v + early + n)
}

#[tokio::test(start_paused = true)]
async fn nested_async_blocks() {
    let c = Cell::new(0);
    assert_eq!(async_nested(&c).await, Ok(15));
}

// --- async: owned String only borrowed, &mut self, self by value, async fn in traits ---

#[retry(constant("1s"), jitter = none, max_tries = 3)]
async fn owned_string_borrowed(url: String, counter: &Cell<u32>) -> Result<usize, String> {
    let len = url.len(); // only borrows `url`
    flaky(counter, 3)?;
    Ok(len)
}

#[tokio::test(start_paused = true)]
async fn async_owned_string() {
    let c = Cell::new(0);
    let start = tokio::time::Instant::now();
    assert_eq!(owned_string_borrowed("http://x".into(), &c).await, Ok(8));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

struct Conn {
    sent: Vec<u32>,
}

impl Conn {
    #[retry(constant(0), max_tries = 3)]
    async fn send(&mut self, value: u32) -> Result<usize, usize> {
        self.sent.push(value);
        tokio::task::yield_now().await;
        if self.sent.len() < 2 {
            Err(self.sent.len())
        } else {
            Ok(self.sent.len())
        }
    }

    #[retry(constant(0), max_tries = 3)]
    async fn into_sent(self, counter: &Cell<u32>) -> Result<Vec<u32>, String>
    where
        Self: Clone,
    {
        flaky(counter, 2)?;
        Ok(self.sent)
    }
}

impl Clone for Conn {
    fn clone(&self) -> Self {
        Conn {
            sent: self.sent.clone(),
        }
    }
}

trait AsyncStore {
    async fn load(&self, counter: &Cell<u32>) -> Result<u32, String>;
}

impl AsyncStore for Memory {
    #[retry(constant(0), max_tries = 3)]
    async fn load(&self, counter: &Cell<u32>) -> Result<u32, String> {
        flaky(counter, 3)
    }
}

#[tokio::test(start_paused = true)]
async fn async_methods_and_traits() {
    let mut conn = Conn { sent: vec![] };
    assert_eq!(conn.send(7).await, Ok(2));
    assert_eq!(conn.sent, [7, 7]);
    let c = Cell::new(0);
    assert_eq!(conn.into_sent(&c).await, Ok(vec![7, 7]));
    let c = Cell::new(0);
    assert_eq!(Memory.load(&c).await, Ok(3));
}

// --- #[async_trait] ---

#[async_trait::async_trait]
trait Remote {
    async fn fetch(&self, path: String) -> Result<String, String>;

    #[retry(constant(0), max_tries = 3)]
    async fn fetch_twice(&self, path: String) -> Result<String, String> {
        let a = self.fetch(path.clone()).await?;
        Ok(format!("{a}{a}"))
    }
}

struct Api {
    calls: AtomicU32,
}

#[async_trait::async_trait]
impl Remote for Api {
    #[retry(constant("1s"), jitter = none, max_tries = 4)]
    async fn fetch(&self, path: String) -> Result<String, String> {
        let path = path + "!"; // consumes the owned argument
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n < 3 {
            Err(format!("{path} {n}"))
        } else {
            Ok(path)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn async_trait_methods() {
    let api = Api {
        calls: AtomicU32::new(0),
    };
    let start = tokio::time::Instant::now();
    assert_eq!(api.fetch("a".into()).await, Ok("a!".into()));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(api.fetch_twice("b".into()).await, Ok("b!b!".into()));
    // Boxed future is Send: it can be spawned.
    let api = std::sync::Arc::new(api);
    let handle = tokio::spawn(async move { api.fetch("c".into()).await });
    assert_eq!(handle.await.unwrap(), Ok("c!".into()));
}

// --- with #[tokio::main]-style attributes: #[tokio::test] on top of #[retry] ---

static TEST_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[tokio::test(start_paused = true)]
#[retry(constant(0), max_tries = 3)]
async fn retried_test_fn() -> Result<(), String> {
    let n = TEST_ATTEMPTS.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 2 {
        Err("first attempt fails".into())
    } else {
        Ok(())
    }
}

// --- #[retry] above #[tokio::test]: the retry loop goes around the test body ---

static OUTER_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(0), max_tries = 3)]
#[tokio::test]
async fn retry_above_tokio_test() -> Result<(), String> {
    let n = OUTER_ATTEMPTS.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 3 {
        Err(format!("attempt {n} fails"))
    } else {
        Ok(())
    }
}

// --- owned arguments used only by the attribute's expressions are not copied ---

#[retry(wait = schedule, jitter = none)]
fn schedule_from_owned_argument(schedule: Vec<Duration>, calls: &mut u32) -> Result<(), u32> {
    *calls += 1;
    Err(*calls)
}

#[test]
fn owned_argument_moved_into_wait() {
    let _sleeps = retry::testing::FakeSleeps::start();
    let mut calls = 0;
    let out = schedule_from_owned_argument(vec![Duration::from_millis(1); 2], &mut calls);
    assert_eq!(out, Err(3));
}

// --- `Result<impl Trait, E>` ---

#[retry(constant(0), max_tries = 3)]
fn opaque_ok(counter: &Cell<u32>) -> Result<impl std::fmt::Display, String> {
    flaky(counter, 2)
}

#[retry(constant(0), max_tries = 3)]
async fn opaque_ok_async(counter: &Cell<u32>) -> Result<impl std::fmt::Display, String> {
    flaky(counter, 2)
}

#[tokio::test]
async fn impl_trait_in_the_result() {
    assert_eq!(opaque_ok(&Cell::new(0)).unwrap().to_string(), "2");
    assert_eq!(
        opaque_ok_async(&Cell::new(0)).await.unwrap().to_string(),
        "2"
    );
}

// --- nested items keep their own `self` in a by-value method ---

#[derive(Clone)]
struct Meter(u32);

impl Meter {
    #[retry(constant(0), max_tries = 2)]
    fn reading(self) -> Result<u32, String> {
        struct Scaled(u32);
        impl Scaled {
            fn get(&self) -> u32 {
                self.0 * 10
            }
        }
        let value = Scaled(self.0).get();
        assert_eq!(
            format!("{}", self.0),
            value.to_string().trim_end_matches('0')
        );
        Ok(value)
    }
}

#[test]
fn nested_item_self_is_untouched() {
    assert_eq!(Meter(4).reading(), Ok(40));
}

// --- a guard borrowed from an owned argument in the tail expression ---

struct AppState {
    items: Vec<u32>,
}

static GUARD_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(0), max_tries = 2)]
async fn count(state: std::sync::Arc<std::sync::Mutex<AppState>>) -> Result<usize, String> {
    if GUARD_ATTEMPTS.fetch_add(1, Ordering::SeqCst) == 0 {
        return Err("first attempt fails".into());
    }
    Ok(state.lock().unwrap().items.len())
}

#[retry(constant(0), max_tries = 2)]
fn count_sync(
    state: std::sync::Arc<std::sync::Mutex<AppState>>,
    counter: &Cell<u32>,
) -> Result<usize, String> {
    flaky(counter, 2)?;
    Ok(state.lock().unwrap().items.len())
}

#[derive(Clone)]
struct Shared(std::sync::Arc<std::sync::Mutex<AppState>>);

impl Shared {
    #[retry(constant(0), max_tries = 3)]
    fn len(self, counter: &Cell<u32>) -> Result<usize, String> {
        flaky(counter, 2)?;
        Ok(self.0.lock().unwrap().items.len())
    }
}

#[tokio::test(start_paused = true)]
async fn tail_expression_borrows_an_owned_argument() {
    let state = std::sync::Arc::new(std::sync::Mutex::new(AppState {
        items: vec![1, 2, 3],
    }));
    assert_eq!(count(state.clone()).await, Ok(3));
    assert_eq!(GUARD_ATTEMPTS.load(Ordering::SeqCst), 2);
    let c = Cell::new(0);
    assert_eq!(count_sync(state.clone(), &c), Ok(3));
    assert_eq!(c.get(), 2);
    let c = Cell::new(0);
    assert_eq!(Shared(state).len(&c), Ok(3));
    assert_eq!(c.get(), 2);
}

// --- `&mut` arguments and `&mut self` moved into `move` blocks, `#[instrument]` ---

#[derive(Debug, Default)]
struct Db {
    rows: Vec<String>,
    fail_first: u32,
}

#[derive(Debug)]
struct DbError;

impl Db {
    fn insert(&mut self, name: &str) -> Result<u64, DbError> {
        self.rows.push(name.to_string());
        if self.fail_first > 0 {
            self.fail_first -= 1;
            Err(DbError)
        } else {
            Ok(self.rows.len() as u64)
        }
    }
}

#[tracing::instrument(skip(conn))]
#[retry(constant(0), max_tries = 3)]
async fn insert(conn: &mut Db, name: &str) -> Result<u64, DbError> {
    tokio::task::yield_now().await;
    conn.insert(name)
}

#[tracing::instrument(skip(conn), err(Debug))]
#[retry(constant(0), max_tries = 3)]
fn insert_sync(conn: &mut Db, name: &str) -> Result<u64, DbError> {
    conn.insert(name)
}

#[retry(constant(0), max_tries = 3)]
async fn insert_in_async_move(conn: &mut Db, name: &str) -> Result<u64, DbError> {
    async move { conn.insert(name) }.await
}

#[retry(constant(0), max_tries = 3)]
fn insert_in_move_closure(conn: &mut Db, name: &str) -> Result<u64, DbError> {
    let mut run = move || conn.insert(name);
    run()
}

struct Repo {
    db: Db,
}

impl Repo {
    #[tracing::instrument(skip(self))]
    #[retry(constant(0), max_tries = 3)]
    async fn add(&mut self, name: &str) -> Result<u64, DbError> {
        self.db.insert(name)
    }

    #[retry(constant(0), max_tries = 3)]
    fn add_in_move_closure(&mut self, name: &str) -> Result<u64, DbError> {
        let mut run = move || self.db.insert(name);
        run()
    }
}

#[tokio::test(start_paused = true)]
async fn mut_borrows_in_move_blocks_and_under_instrument() {
    let mut db = Db {
        fail_first: 2,
        ..Db::default()
    };
    assert_eq!(insert(&mut db, "a").await.unwrap(), 3);
    assert_eq!(db.rows, ["a", "a", "a"]);

    let mut db = Db {
        fail_first: 1,
        ..Db::default()
    };
    assert_eq!(insert_sync(&mut db, "b").unwrap(), 2);
    db.fail_first = 1;
    assert_eq!(insert_in_async_move(&mut db, "c").await.unwrap(), 4);
    db.fail_first = 2;
    assert_eq!(insert_in_move_closure(&mut db, "d").unwrap(), 7);
    assert_eq!(db.rows, ["b", "b", "c", "c", "d", "d", "d"]);

    let mut repo = Repo {
        db: Db {
            fail_first: 1,
            ..Db::default()
        },
    };
    assert_eq!(repo.add("e").await.unwrap(), 2);
    repo.db.fail_first = 2;
    assert_eq!(repo.add_in_move_closure("f").unwrap(), 5);
    assert_eq!(repo.db.rows, ["e", "e", "f", "f", "f"]);
}

// --- `-> impl Future<Output = Result<..>> + Send { async move { .. } }` ---

struct Service {
    calls: AtomicU32,
    prelude_runs: AtomicU32,
}

impl Service {
    #[retry(constant("1s"), jitter = none, max_tries = 4)]
    fn fetch(
        &self,
        path: String,
    ) -> impl std::future::Future<Output = Result<String, String>> + Send + '_ {
        self.prelude_runs.fetch_add(1, Ordering::SeqCst);
        async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::task::yield_now().await;
            if n < 3 {
                Err(format!("{path}: attempt {n}"))
            } else {
                Ok(path + "!")
            }
        }
    }
}

trait Fetch {
    fn get(&self, key: u32) -> impl std::future::Future<Output = Result<u32, String>> + Send;
}

impl Fetch for Service {
    #[retry(constant(0), max_tries = 3)]
    fn get(&self, key: u32) -> impl std::future::Future<Output = Result<u32, String>> + Send {
        async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n % 2 == 1 {
                Err("odd".into())
            } else {
                Ok(key + n)
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn returned_future_is_retried() {
    let service = Service {
        calls: AtomicU32::new(0),
        prelude_runs: AtomicU32::new(0),
    };
    let start = tokio::time::Instant::now();
    let future = service.fetch("/a".into());
    fn is_send<T: Send>(_: &T) {}
    is_send(&future);
    assert_eq!(future.await, Ok("/a!".into()));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(service.calls.load(Ordering::SeqCst), 3);
    // The statements before the `async` block run once, when the future is made.
    assert_eq!(service.prelude_runs.load(Ordering::SeqCst), 1);
    service.calls.store(0, Ordering::SeqCst);
    assert_eq!(service.get(10).await, Ok(12));
    assert_eq!(service.calls.load(Ordering::SeqCst), 2);
}

// --- attributes on arguments are carried onto the per-attempt copies ---

#[retry(constant(0), max_tries = 3)]
fn cfg_arguments(
    #[cfg(not(test))] missing: String,
    #[cfg(test)] present: String,
    #[allow(unused_mut)] mut unused: u32,
    counter: &Cell<u32>,
) -> Result<String, String> {
    #[cfg(not(test))]
    let _ = missing;
    unused += 1;
    flaky(counter, 2)?;
    Ok(format!("{present}{unused}"))
}

#[test]
fn argument_attributes() {
    let c = Cell::new(0);
    assert_eq!(cfg_arguments("p".into(), 0, &c), Ok("p1".into()));
    assert_eq!(c.get(), 2);
}

// --- `self: Pin<&mut Self>`, `Pin<&mut T>` and `Option<&mut T>` are reborrowed ---

struct Pinned {
    polls: u32,
}

impl Pinned {
    #[retry(constant(0), max_tries = 3)]
    fn poll_like(self: std::pin::Pin<&mut Self>) -> Result<u32, u32> {
        let this = self.get_mut();
        this.polls += 1;
        if this.polls < 2 {
            Err(this.polls)
        } else {
            Ok(this.polls)
        }
    }
}

#[retry(constant(0), max_tries = 3)]
fn optional_log(
    log: Option<&mut Vec<u32>>,
    pinned: std::pin::Pin<&mut u32>,
) -> Result<usize, usize> {
    let slot = pinned.get_mut();
    *slot += 1;
    match log {
        Some(log) => {
            log.push(*slot);
            if log.len() < 3 {
                Err(log.len())
            } else {
                Ok(log.len())
            }
        }
        None => Ok(0),
    }
}

#[test]
fn pinned_and_optional_mut_borrows() {
    let mut pinned = Pinned { polls: 0 };
    assert_eq!(std::pin::Pin::new(&mut pinned).poll_like(), Ok(2));
    let mut log = Vec::new();
    let mut n = 0;
    assert_eq!(
        optional_log(Some(&mut log), std::pin::Pin::new(&mut n)),
        Ok(3)
    );
    assert_eq!(log, [1, 2, 3]);
    assert_eq!(optional_log(None, std::pin::Pin::new(&mut n)), Ok(0));
    assert_eq!(n, 4);
}

// --- a budget per client: `budget = &self.budget` ---

struct Upstream {
    budget: retry::Budget,
    calls: AtomicU32,
}

impl Upstream {
    #[retry(constant(0), max_tries = 10, budget = &self.budget)]
    fn call(&self) -> Result<(), u32> {
        Err(self.calls.fetch_add(1, Ordering::SeqCst) + 1)
    }

    #[retry(constant(0), max_tries = 10, budget = &self.budget)]
    async fn call_async(&self) -> Result<(), u32> {
        Err(self.calls.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

#[retry(constant(0), max_tries = 10, budget = &budget)]
fn with_shared_budget(budget: std::sync::Arc<retry::Budget>, calls: &Cell<u32>) -> Result<(), ()> {
    calls.set(calls.get() + 1);
    Err(())
}

#[tokio::test(start_paused = true)]
async fn budget_per_client() {
    // 4 tokens: a retry is made while more than 2 are left, so a failing call makes
    // 2 attempts (4 -> 3 -> 2 tokens) and then the budget stops it.
    let upstream = Upstream {
        budget: retry::Budget::new(4, 0.1),
        calls: AtomicU32::new(0),
    };
    assert_eq!(upstream.call(), Err(2));
    // The budget is spent: the next call makes one attempt.
    assert_eq!(upstream.call_async().await, Err(3));
    // Another client has its own budget.
    let other = Upstream {
        budget: retry::Budget::new(4, 0.1),
        calls: AtomicU32::new(0),
    };
    assert_eq!(other.call_async().await, Err(2));
    let calls = Cell::new(0);
    let _ = with_shared_budget(std::sync::Arc::new(retry::Budget::new(4, 0.1)), &calls);
    assert_eq!(calls.get(), 2);
}

// --- checked key values reach the runtime as written (not a stand-in) ---

#[allow(clippy::ptr_arg)] // a predicate on `E = String` takes `&String`
fn is_fatal(e: &String) -> bool {
    e.contains("fatal")
}

static BACKOFFS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(0), max_tries = 5, giveup = is_fatal,
        on_backoff = |_d| { BACKOFFS.fetch_add(1, Ordering::SeqCst); })]
fn stops_on_fatal(counter: &Cell<u32>) -> Result<u32, String> {
    counter.set(counter.get() + 1);
    Err(if counter.get() == 2 { "fatal" } else { "busy" }.to_string())
}

#[retry(constant(0), max_tries = 5, retry_if = |e: &u32| *e < 2, retry_if_ok = |v| *v < 3,
        retry_after = |_e| Some(Duration::from_millis(7)))]
async fn predicates_async(counter: &Cell<u32>) -> Result<u32, u32> {
    counter.set(counter.get() + 1);
    match counter.get() {
        1 => Err(1),
        n => Ok(n),
    }
}

#[tokio::test(start_paused = true)]
async fn predicates_and_hooks_run() {
    let c = Cell::new(0);
    assert_eq!(stops_on_fatal(&c), Err("fatal".into()));
    assert_eq!(c.get(), 2);
    assert_eq!(BACKOFFS.load(Ordering::SeqCst), 1);
    let c = Cell::new(0);
    let start = tokio::time::Instant::now();
    // Err(1) is retried after the 7 ms hint; Ok(2) is rejected and retried on the
    // schedule (0 s: hints are for errors); Ok(3) is accepted.
    assert_eq!(predicates_async(&c).await, Ok(3));
    assert_eq!(start.elapsed(), Duration::from_millis(7));
}

// --- bodies: inner attributes, nested items and blocks, pasted as written ---

#[retry(constant(0), max_tries = 3)]
fn inner_attribute(counter: &Cell<u32>) -> Result<u32, String> {
    #![allow(unused_variables)]
    let unused = 1;
    flaky(counter, 2)
}

#[retry(constant(0), max_tries = 3)]
async fn inner_attribute_async(counter: &Cell<u32>) -> Result<u32, String> {
    #![allow(unused_variables)]
    let unused = 1;
    flaky(counter, 3)
}

#[retry(constant(0), max_tries = 3)]
fn nested_items_and_blocks(counter: &Cell<u32>) -> Result<u32, String> {
    // A nested fn with a `self` of its own, an `async` block never awaited, a macro.
    struct Doubler(u32);
    impl Doubler {
        fn get(&self) -> u32 {
            self.0 * 2
        }
    }
    let _never_polled = async { 1 };
    let value = flaky(counter, 2)?;
    assert_eq!(format!("{}", Doubler(value).get()), (value * 2).to_string());
    Ok(Doubler(value).get())
}

#[test]
fn bodies_with_inner_attributes_and_nested_items() {
    let counter = Cell::new(0);
    assert_eq!(inner_attribute(&counter), Ok(2));
    let counter = Cell::new(0);
    let out = block_on::block_on(inner_attribute_async(&counter));
    assert_eq!(out, Ok(3));
    let counter = Cell::new(0);
    assert_eq!(nested_items_and_blocks(&counter), Ok(4));
    assert_eq!(counter.get(), 2);
}
