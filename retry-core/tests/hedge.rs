//! Hedged attempts (`.hedge(..)`, `.hedge_in(..)`, `.hedge_attempts(..)`) under tokio's
//! paused clock, where every time is exact, and against a real loopback server.
#![cfg(feature = "tokio")]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use retry_core::hedge::{Inline, Spill};
use retry_core::{Budget, Details, Jitter, Policy};
use tokio::time::{sleep, Instant};

#[path = "../../tests/support/alloc_counter.rs"]
mod alloc_counter;
#[path = "../../tests/support/block_on.rs"]
mod block_on;
#[cfg(feature = "tracing")]
#[path = "../../tests/support/tracing_recorder.rs"]
mod tracing_recorder;

/// What the attempts of one call did: when each started (from the call's start), and
/// which ended, which were dropped while still running, and when.
#[derive(Default)]
struct Log {
    start: Cell<Option<Instant>>,
    started: RefCell<Vec<Duration>>,
    ended: RefCell<Vec<u32>>,
    dropped: RefCell<Vec<(u32, Duration)>>,
}

impl Log {
    fn new() -> Rc<Log> {
        let log = Rc::new(Log::default());
        log.start.set(Some(Instant::now()));
        log
    }

    /// Attempts started so far.
    fn count(&self) -> usize {
        self.started.borrow().len()
    }

    fn now(&self) -> Duration {
        self.start.get().unwrap().elapsed()
    }

    /// Attempt number `n`: takes `took`, then ends with `outcome`; a guard records a
    /// drop before the end.
    fn attempt<T: 'static>(
        self: &Rc<Self>,
        took: Duration,
        outcome: T,
    ) -> impl Future<Output = T> + 'static {
        self.started.borrow_mut().push(self.now());
        let n = self.started.borrow().len() as u32;
        let guard = DropGuard {
            log: Rc::clone(self),
            n,
            armed: true,
        };
        async move {
            let mut guard = guard;
            sleep(took).await;
            guard.armed = false;
            guard.log.ended.borrow_mut().push(n);
            outcome
        }
    }
}

struct DropGuard {
    log: Rc<Log>,
    n: u32,
    armed: bool,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if self.armed {
            let at = self.log.now();
            self.log.dropped.borrow_mut().push((self.n, at));
        }
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The hooks' view of one call: (hook, attempt, tries, cancelled, wait).
type Seen = RefCell<Vec<(&'static str, u32, u32, u32, Option<Duration>)>>;

fn record<'a, T, E>(seen: &'a Seen, hook: &'static str) -> impl Fn(&Details<'_, T, E>) + 'a {
    move |d| {
        seen.borrow_mut()
            .push((hook, d.attempt(), d.tries(), d.cancelled(), d.wait()))
    }
}

#[tokio::test(start_paused = true)]
async fn slow_first_attempt_loses_to_the_hedge_and_is_dropped() {
    for inline in [false, true] {
        let log = Log::new();
        let seen = Seen::default();
        let policy = Policy::expo().max_tries(3);
        let call = policy.retry_async(|| {
            let took = if log.count() == 0 { 200 } else { 10 };
            let n = log.count() as u32 + 1;
            log.attempt(ms(took), Ok::<u32, String>(n))
        });
        let call = call.on_success(record(&seen, "success"));
        let result = if inline {
            call.hedge_in(Inline::<3>, ms(50)).await
        } else {
            call.hedge(ms(50)).await
        };
        assert_eq!(result, Ok(2), "inline: {inline}");
        assert_eq!(log.now(), ms(60));
        assert_eq!(*log.started.borrow(), [ms(0), ms(50)]);
        assert_eq!(*log.ended.borrow(), [2]);
        // The first attempt was dropped when the call returned, at 60 ms.
        assert_eq!(*log.dropped.borrow(), [(1, ms(60))]);
        // The hook says which attempt won and how many were cancelled.
        assert_eq!(*seen.borrow(), [("success", 2, 1, 1, None)]);
    }
}

#[tokio::test(start_paused = true)]
async fn a_fast_first_attempt_never_hedges() {
    let log = Log::new();
    let result = Policy::expo()
        .max_tries(3)
        .retry_async(|| log.attempt(ms(20), Ok::<u32, ()>(1)))
        .hedge(ms(50))
        .await;
    assert_eq!(result, Ok(1));
    assert_eq!(*log.started.borrow(), [ms(0)]);
    assert_eq!(log.now(), ms(20));
    assert!(log.dropped.borrow().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failure_starts_the_next_attempt_at_once() {
    let log = Log::new();
    let seen = Seen::default();
    // The schedule would wait 1 s after the failure: hedging does not.
    let result = Policy::expo()
        .jitter(Jitter::None)
        .max_tries(3)
        .retry_async(|| match log.count() {
            0 => log.attempt(ms(20), Err("503")),
            _ => log.attempt(ms(10), Ok(2)),
        })
        .on_backoff(record(&seen, "backoff"))
        .on_success(record(&seen, "success"))
        .hedge_in(Inline::<3>, ms(50))
        .await;
    assert_eq!(result, Ok(2));
    assert_eq!(*log.started.borrow(), [ms(0), ms(20)]);
    assert_eq!(log.now(), ms(30));
    assert_eq!(
        *seen.borrow(),
        [
            ("backoff", 1, 1, 0, Some(Duration::ZERO)),
            ("success", 2, 2, 0, None)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn max_tries_bounds_the_attempts_started_and_the_last_error_returns() {
    let log = Log::new();
    let seen = Seen::default();
    let result = Policy::expo()
        .max_tries(3)
        .retry_async(|| {
            let n = log.count() as u32 + 1;
            log.attempt(ms(100), Err::<(), u32>(n))
        })
        .on_giveup(record(&seen, "giveup"))
        .hedge(ms(10))
        .await;
    // Hedges at 10 and 20 ms, then no more: all three fail, the last to end is returned.
    assert_eq!(*log.started.borrow(), [ms(0), ms(10), ms(20)]);
    assert_eq!(result, Err(3));
    assert_eq!(log.now(), ms(120));
    assert_eq!(*log.ended.borrow(), [1, 2, 3]);
    assert_eq!(*seen.borrow(), [("giveup", 3, 3, 0, None)]);
}

#[tokio::test(start_paused = true)]
async fn attempts_beyond_the_inline_slots_wait_for_a_free_one() {
    // Two slots, five tries: two run at once; each failure starts the next at once.
    let log = Log::new();
    let result = Policy::expo()
        .max_tries(5)
        .retry_async(|| {
            let n = log.count() as u32 + 1;
            log.attempt(ms(100), if n == 5 { Ok(n) } else { Err(n) })
        })
        .hedge_in(Inline::<2>, ms(10))
        .await;
    assert_eq!(result, Ok(5));
    assert_eq!(
        *log.started.borrow(),
        [ms(0), ms(10), ms(100), ms(110), ms(200)]
    );
    // Attempt 4 failed at 210 ms with the limit reached: the call waited for attempt 5.
    assert_eq!(*log.ended.borrow(), [1, 2, 3, 4, 5]);
    assert_eq!(log.now(), ms(300));
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_returns_at_once_and_drops_the_others() {
    let log = Log::new();
    let seen = Seen::default();
    let result = Policy::expo()
        .max_tries(5)
        .retry_async(|| match log.count() {
            0 => log.attempt(ms(200), Err::<(), &str>("503")),
            _ => log.attempt(ms(10), Err("404")),
        })
        .giveup(|e: &&str| e.starts_with('4'))
        .on_giveup(record(&seen, "giveup"))
        .hedge(ms(50))
        .await;
    assert_eq!(result, Err("404"));
    assert_eq!(log.now(), ms(60));
    assert_eq!(*log.started.borrow(), [ms(0), ms(50)]);
    assert_eq!(*log.dropped.borrow(), [(1, ms(60))]);
    assert_eq!(*seen.borrow(), [("giveup", 2, 1, 1, None)]);
}

#[tokio::test(start_paused = true)]
async fn retry_if_ok_rejections_start_the_next_attempt() {
    let log = Log::new();
    let result = Policy::expo()
        .max_tries(2)
        .retry_async(|| {
            let n = log.count() as u32 + 1;
            log.attempt(ms(5), Ok::<u32, ()>(n))
        })
        .retry_if_ok(|n: &u32| *n < 2)
        .hedge(ms(50))
        .await;
    assert_eq!(result, Ok(2));
    assert_eq!(*log.started.borrow(), [ms(0), ms(5)]);
}

#[tokio::test(start_paused = true)]
async fn a_budget_stops_hedges() {
    // 10 tokens, nothing deposited back: each hedge takes one, and a hedge is made only
    // while more than 5 are left.
    let budget = Budget::new(10, 0.0);
    let policy = Policy::expo().max_tries(20);
    let slow_call = |log: Rc<Log>| {
        policy
            .retry_async(move || log.attempt(ms(1000), Ok::<(), ()>(())))
            .budget(&budget)
            .hedge(ms(10))
    };
    let log = Log::new();
    assert_eq!(slow_call(Rc::clone(&log)).await, Ok(()));
    assert_eq!(
        *log.started.borrow(),
        [0, 10, 20, 30, 40, 50].map(ms),
        "5 hedges"
    );
    assert_eq!(budget.tokens(), 5.0);
    assert_eq!(log.dropped.borrow().len(), 5);

    // The budget is now at half: the next slow call makes no hedge.
    let log = Log::new();
    assert_eq!(slow_call(Rc::clone(&log)).await, Ok(()));
    assert_eq!(*log.started.borrow(), [ms(0)]);
}

#[tokio::test(start_paused = true)]
async fn max_time_stops_hedges_but_not_the_running_attempt() {
    let log = Log::new();
    let result = Policy::expo()
        .forever()
        .max_time(ms(25))
        .retry_async(|| log.attempt(ms(100), Ok::<(), ()>(())))
        .hedge(ms(10))
        .await;
    assert_eq!(result, Ok(()));
    // Hedges at 10 and 20 ms; the one due at 30 ms is past the deadline.
    assert_eq!(*log.started.borrow(), [ms(0), ms(10), ms(20)]);
    assert_eq!(log.now(), ms(100));
}

#[tokio::test(start_paused = true)]
async fn per_attempt_timeout_applies_to_each_attempt() {
    #[derive(Debug, PartialEq)]
    enum Error {
        TimedOut,
    }
    let log = Log::new();
    let result: Result<u32, Error> = Policy::expo()
        .max_tries(3)
        .retry_async(|| match log.count() {
            0 => log.attempt(ms(1000), Ok(1)),
            _ => log.attempt(ms(40), Ok(2)),
        })
        .timeout_error(ms(30), |_| Error::TimedOut)
        .hedge(ms(100))
        .await;
    // Attempt 1 is cut off at 30 ms, so attempt 2 starts then (not at the 100 ms hedge);
    // it is cut off at 60 ms too, and attempt 3 as well, at 90 ms.
    assert_eq!(result, Err(Error::TimedOut));
    assert_eq!(*log.started.borrow(), [ms(0), ms(30), ms(60)]);
    assert_eq!(log.now(), ms(90));
}

#[tokio::test(start_paused = true)]
async fn zero_delay_starts_every_attempt_at_once() {
    let log = Log::new();
    let result = Policy::expo()
        .max_tries(4)
        .retry_async(|| {
            let n = log.count() as u64 + 1;
            log.attempt(ms(50 - 10 * n), Ok::<u64, ()>(n))
        })
        .hedge_in(Inline::<4>, Duration::ZERO)
        .await;
    assert_eq!(result, Ok(4));
    assert_eq!(*log.started.borrow(), [ms(0); 4]);
    assert_eq!(log.now(), ms(10));
    assert_eq!(log.dropped.borrow().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn numbered_attempts_ask_another_replica_each_time() {
    use retry_core::clock::AsyncClock;
    use retry_core::future::DefaultSleeper;
    use retry_core::hooks::Nop;
    use retry_core::Retry;

    let policy = Policy::expo().max_tries(3);
    let asked = RefCell::new(Vec::new());
    let result: Result<&str, ()> = Retry::<_, _, _, _, AsyncClock>::new(&policy, Nop)
        .sleep(DefaultSleeper::default())
        .hedge_attempts(Spill, ms(50), |n| {
            let replica = ["a", "b", "c"][n as usize - 1];
            asked.borrow_mut().push(replica);
            async move {
                sleep(if replica == "a" { ms(500) } else { ms(100) }).await;
                Ok(replica)
            }
        })
        .await;
    assert_eq!(result, Ok("b"));
    assert_eq!(*asked.borrow(), ["a", "b", "c"]);
}

/// The shape `#[retry(max_tries = 3, hedge = "50ms", attempt = n)]` can expand an
/// `async fn` method into: a numbered closure per attempt that clones the owned argument
/// and reborrows `&self`, a constant policy, inline slots. Its future is `Send`.
mod expansion_shape {
    use super::*;
    use retry_core::__private;
    use retry_core::engine::{Const, ConstPolicy};
    use retry_core::hedge::inline_slots;

    pub struct Client {
        pub calls: AtomicU32,
    }

    impl Client {
        pub async fn get(&self, key: String) -> Result<String, String> {
            struct Settings;
            impl ConstPolicy for Settings {
                const POLICY: Policy = Policy::expo().max_tries(3);
            }
            __private::asynchronous::<Result<String, String>, _, __private::AsyncClock>(Const::<
                Settings,
            >::new(
            ))
            .name("hedge::Client::get")
            .sleep(__private::DefaultSleeper::default())
            .hedge_attempts(
                Inline::<{ inline_slots(3) }>,
                Duration::from_millis(50),
                |attempt: u32| {
                    let key = __private::clone_arg(&key);
                    let attempt = __private::clone_arg(&attempt);
                    __private::attempt_async::<Result<String, String>, _>(async {
                        let key = key.take();
                        let n: u32 = attempt.take();
                        // The body as written:
                        self.calls.fetch_add(1, Ordering::Relaxed);
                        let took = if n == 1 { 300 } else { 10 };
                        sleep(Duration::from_millis(took)).await;
                        Ok(format!("{key} from attempt {n}"))
                    })
                },
            )
            .await
        }
    }

    fn assert_send<F: Future + Send>(future: F) -> F {
        future
    }

    #[tokio::test(start_paused = true)]
    async fn hedges_a_method_with_an_owned_argument() {
        let client = Client {
            calls: AtomicU32::new(0),
        };
        let start = Instant::now();
        let key = String::from("k");
        let result = assert_send(client.get(key.clone())).await;
        assert_eq!(result.as_deref(), Ok("k from attempt 2"));
        assert_eq!(start.elapsed(), ms(60));
        assert_eq!(client.calls.load(Ordering::Relaxed), 2);
    }
}

#[test]
fn inline_slots_allocate_nothing_spill_only_when_it_hedges() {
    use alloc_counter::allocations;
    use block_on::block_on;
    use std::future::{pending, ready, IntoFuture};

    let policy = Policy::expo().max_tries(3);
    // The first attempt never ends; a sleeper that is always done makes the hedge due at
    // once; the second attempt succeeds.
    let op = || {
        let calls = Cell::new(0);
        move || {
            calls.set(calls.get() + 1);
            let first = calls.get() == 1;
            async move {
                if first {
                    pending::<()>().await;
                }
                Ok::<u32, ()>(7)
            }
        }
    };
    let instant = |_: Duration| ready(());
    let (out, inline) = allocations(|| {
        block_on(
            policy
                .retry_async(op())
                .sleep(instant)
                .hedge_in(Inline::<3>, ms(50)),
        )
    });
    assert_eq!(out, Ok(7));
    assert_eq!(inline, 0, "Inline::<3> allocated");

    let (out, spill) =
        allocations(|| block_on(policy.retry_async(op()).sleep(instant).hedge(ms(50))));
    assert_eq!(out, Ok(7));
    assert_eq!(spill, 2, "Spill: the Vec and one boxed slot");

    // A call that does not hedge keeps its one attempt inline, even with `Spill`.
    let (out, fast) = allocations(|| {
        block_on(
            policy
                .retry_async(|| ready(Ok::<u32, ()>(1)))
                .sleep(instant)
                .hedge(ms(50)),
        )
    });
    assert_eq!(out, Ok(1));
    assert_eq!(fast, 0);
    // The plain loop, for comparison, is unchanged.
    let (out, plain) = allocations(|| {
        block_on(
            policy
                .retry_async(|| ready(Ok::<u32, ()>(1)))
                .sleep(instant)
                .into_future(),
        )
    });
    assert_eq!((out, plain), (Ok(1), 0));
}

/// A real server on 127.0.0.1 (ephemeral port): the first request it gets is slow
/// (5 s), the others are answered at once. A hedged client gets its answer from the
/// second request, the server counts exactly two requests, and it sees the first
/// connection closed by the client long before its 5 s are up.
#[tokio::test]
async fn loopback_server_counts_the_hedged_requests() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::oneshot;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicU32::new(0));
    let (closed_tx, closed_rx) = oneshot::channel::<Duration>();
    let server = {
        let requests = Arc::clone(&requests);
        tokio::spawn(async move {
            let mut closed_tx = Some(closed_tx);
            // Bounded: this test makes at most 3 connections.
            for _ in 0..3 {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let requests = Arc::clone(&requests);
                let closed_tx = closed_tx.take();
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    let mut line = String::new();
                    if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
                    if n == 1 {
                        // Slow: answer in 5 s, unless the client hangs up first.
                        let arrived = std::time::Instant::now();
                        let mut rest = [0u8; 16];
                        tokio::select! {
                            () = sleep(Duration::from_secs(5)) => {}
                            _ = stream.read(&mut rest) => {
                                if let Some(tx) = closed_tx {
                                    let _ = tx.send(arrived.elapsed());
                                }
                                return;
                            }
                        }
                    }
                    let _ = stream
                        .get_mut()
                        .write_all(format!("answer {n}\n").as_bytes())
                        .await;
                });
            }
        })
    };

    let get = || async move {
        let mut stream = TcpStream::connect(address).await?;
        stream.write_all(b"GET /\n").await?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).await?;
        Ok::<String, std::io::Error>(line.trim().to_owned())
    };
    let start = std::time::Instant::now();
    let answer = Policy::expo()
        .max_tries(2)
        .retry_async(get)
        .hedge_in(Inline::<2>, Duration::from_millis(200))
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(answer, "answer 2");
    // Generous bounds: a loaded machine may be slow, but never 5 s slow.
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let closed_after = tokio::time::timeout(Duration::from_secs(4), closed_rx)
        .await
        .expect("the server did not see the first connection closed")
        .unwrap();
    assert!(closed_after < Duration::from_secs(4), "{closed_after:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    server.abort();
}

/// With feature `tracing`: an INFO event per hedge, and one naming the winner and the
/// cancelled attempts; a WARN event for a permanent error, with the cancelled count.
#[cfg(feature = "tracing")]
mod events {
    use super::*;
    use tracing::Level;

    fn paused_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    }

    #[test]
    fn hedges_and_the_winner_are_reported() {
        let events = super::tracing_recorder::with_recorder(|| {
            paused_runtime().block_on(async {
                let log = Log::new();
                let policy = Policy::expo().max_tries(3);
                let result = policy
                    .retry_async(|| {
                        let took = if log.count() == 0 { 200 } else { 10 };
                        log.attempt(ms(took), Ok::<u32, ()>(1))
                    })
                    .name("app::read")
                    .hedge(ms(50))
                    .await;
                assert_eq!(result, Ok(1));
            })
        });
        let levels: Vec<_> = events.iter().map(|(l, _)| *l).collect();
        assert_eq!(levels, [Level::INFO, Level::INFO], "{events:?}");
        assert!(events[0].1.contains("hedging"), "{events:?}");
        assert!(events[0].1.contains("attempt=2"), "{events:?}");
        assert!(events[0].1.contains("elapsed=50ms"), "{events:?}");
        let won = &events[1].1;
        assert!(won.contains("name=app::read"), "{won}");
        assert!(won.contains("hedged call succeeded"), "{won}");
        assert!(won.contains("attempt=2"), "{won}");
        assert!(won.contains("cancelled=1"), "{won}");
        assert!(won.contains("elapsed=60ms"), "{won}");
    }

    #[test]
    fn a_permanent_error_is_a_warning_with_the_cancelled_count() {
        let events = super::tracing_recorder::with_recorder(|| {
            paused_runtime().block_on(async {
                let log = Log::new();
                let policy = Policy::expo().max_tries(3);
                let result = policy
                    .retry_async(|| match log.count() {
                        0 => log.attempt(ms(200), Err::<(), u16>(503)),
                        _ => log.attempt(ms(10), Err(404)),
                    })
                    .giveup(|code: &u16| *code == 404)
                    .hedge(ms(50))
                    .await;
                assert_eq!(result, Err(404));
            })
        });
        let last = events.last().unwrap();
        assert_eq!(last.0, Level::WARN, "{events:?}");
        assert!(last.1.contains("cancelled=1"), "{events:?}");
        assert!(last.1.contains("reason=Predicate"), "{events:?}");
    }
}
