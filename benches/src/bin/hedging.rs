//! Hedged requests against a server with a long tail, under tokio's paused clock, so
//! every latency is exact and the run takes well under a second of wall time.
//!
//! ```text
//! cargo run --release -p retry-benches --features paused-clock --bin hedging
//! ```
//!
//! The server model: 1 response in 20 takes 1 s, the others 5–10 ms (uniform, whole
//! milliseconds: tokio's timer resolution). [`CALLS`] calls are made one after another. Each call's first request gets
//! its latency from a table with exactly 1 slow entry in 20, shuffled with a fixed seed,
//! so both runs see the same first requests; every further request (a hedge) draws its
//! own latency from a seeded generator: slow with probability 1/20, else 5–10 ms.
//!
//! Without hedging each call is one request. With hedging the delay is the 95th
//! percentile of the latencies without hedging, and the attempt limit `max_tries`
//! (= [`Inline`] slots) is stated in each row. A fast response due at the very instant a
//! hedge falls due arrives first (a hedged call polls its attempts before its timer).
//! Printed: one markdown table.

use std::cell::Cell;
use std::time::Duration;

use retry::hedge::Inline;
use retry::Policy;
use tokio::time::{sleep, Instant};

/// Calls per run.
const CALLS: usize = 20_000;
/// One response in this many is slow.
const ONE_IN: u64 = 20;
const SLOW: Duration = Duration::from_secs(1);
/// The other responses take 5 to 10 ms, in whole milliseconds: tokio's timer has a
/// resolution of 1 ms, so finer latencies would be rounded up anyway.
const FAST_MS: std::ops::RangeInclusive<u64> = 5..=10;
const SEED: u64 = 0x5EED_0013;

/// SplitMix64: a tiny, seedable generator, so the figures never change.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn fast(&mut self) -> Duration {
        let span = FAST_MS.end() - FAST_MS.start() + 1;
        Duration::from_millis(FAST_MS.start() + self.below(span))
    }
}

/// The server: the latency of each request, and how many it got.
struct Server {
    /// The first request of call `i` takes `first[i]`.
    first: Vec<Duration>,
    /// The latencies of all further requests.
    extra: Cell<SplitMix>,
    requests: Cell<u64>,
}

impl Server {
    fn new() -> Server {
        let mut rng = SplitMix(SEED);
        let mut first: Vec<Duration> = (0..CALLS as u64)
            .map(|i| if i % ONE_IN == 0 { SLOW } else { rng.fast() })
            .collect();
        // Fisher–Yates with the same generator: the slow ones anywhere, still exactly 1 in 20.
        for i in (1..first.len()).rev() {
            first.swap(i, rng.below(i as u64 + 1) as usize);
        }
        Server {
            first,
            extra: Cell::new(SplitMix(SEED ^ 0xA5A5_A5A5)),
            requests: Cell::new(0),
        }
    }

    /// Request `attempt` (1-based) of call `call`.
    async fn request(&self, call: usize, attempt: u32) -> Result<(), ()> {
        self.requests.set(self.requests.get() + 1);
        let latency = if attempt == 1 {
            self.first[call]
        } else {
            let mut rng = self.extra.replace(SplitMix(0));
            let latency = if rng.below(ONE_IN) == 0 {
                SLOW
            } else {
                rng.fast()
            };
            self.extra.set(rng);
            latency
        };
        sleep(latency).await;
        Ok(())
    }
}

struct Run {
    latencies: Vec<Duration>,
    requests: u64,
}

impl Run {
    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    fn extra_requests(&self) -> f64 {
        (self.requests as f64 / self.latencies.len() as f64 - 1.0) * 100.0
    }
}

/// `CALLS` calls one after another on a paused clock; `hedge`: the delay and the attempt
/// limit (which is also the number of inline slots, `N`).
fn run<const N: usize>(hedge: Option<Duration>) -> Run
where
    Inline<N>: retry::hedge::Capacity,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a tokio runtime");
    let server = Server::new();
    let policy = Policy::expo().max_tries(N as u32);
    let latencies = runtime.block_on(async {
        let mut latencies = Vec::with_capacity(CALLS);
        for call in 0..CALLS {
            let attempt = Cell::new(0);
            let op = || {
                attempt.set(attempt.get() + 1);
                server.request(call, attempt.get())
            };
            let start = Instant::now();
            let outcome = match hedge {
                None => policy.retry_async(op).await,
                Some(delay) => policy.retry_async(op).hedge_in(Inline::<N>, delay).await,
            };
            outcome.expect("the model server never fails");
            latencies.push(start.elapsed());
        }
        latencies
    });
    Run {
        latencies,
        requests: server.requests.get(),
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms.fract() == 0.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.3} ms")
    }
}

fn main() {
    let plain = run::<1>(None);
    let delay = plain.percentile(95.0);
    let rows = [
        ("no hedging".to_string(), &plain),
        (
            format!("hedge at p95 = {}, `max_tries = 2`", ms(delay)),
            &run::<2>(Some(delay)),
        ),
        (
            format!("hedge at p95 = {}, `max_tries = 3`", ms(delay)),
            &run::<3>(Some(delay)),
        ),
    ];
    println!(
        "{CALLS} calls, one after another; server: 1 response in {ONE_IN} takes {} ms, the others {}–{} ms; tokio's paused clock.\n",
        SLOW.as_millis(),
        FAST_MS.start(),
        FAST_MS.end()
    );
    println!("| calls | p50 | p99 | p99.9 | extra requests |");
    println!("|---|---:|---:|---:|---:|");
    for (name, run) in rows {
        println!(
            "| {name} | {} | {} | {} | {:.2} % |",
            ms(run.percentile(50.0)),
            ms(run.percentile(99.0)),
            ms(run.percentile(99.9)),
            run.extra_requests()
        );
    }
    let hedged = run::<3>(Some(delay));
    let ratio = |p: f64| hedged.percentile(p).as_secs_f64() / plain.percentile(p).as_secs_f64();
    println!(
        "\nWith `max_tries = 3`: p99 {:.3}× and p99.9 {:.3}× of no hedging, for {:.2} % extra requests.",
        ratio(99.0),
        ratio(99.9),
        hedged.extra_requests()
    );
}
