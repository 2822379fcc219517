//! Heap allocations per call of every contender of every scenario (a counting global
//! allocator), and the size of each contender's future for the trivial operation.
//!
//! `cargo run --release -p retry-benches --bin allocations` prints two markdown tables.

use std::hint::black_box;
use std::mem::size_of_val;

use retry_benches::{
    first_try, op_async, run_many, variants, Bench, Flaky, ASYNC_FIRST_TRY, ASYNC_TWO_RETRIES,
    ONE_WAIT_SCENARIO, SYNC_FIRST_TRY, SYNC_TWO_RETRIES,
};

#[path = "../../../tests/support/alloc_counter.rs"]
mod alloc_counter;

/// Calls per measurement.
const CALLS: u64 = 200;

fn cell(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

fn allocations_per_call(run: fn(&Bench) -> u32, bench: &Bench) -> f64 {
    // Warm up: thread-locals, the runtime's timer wheel, lazily seeded generators.
    black_box(run_many(run, bench, 3));
    let ((), allocations) = alloc_counter::allocations(|| {
        black_box(run_many(run, bench, CALLS));
    });
    allocations as f64 / CALLS as f64
}

fn main() {
    let bench = Bench::new();
    println!("### Heap allocations per call (after warm-up calls; arguments borrowed)\n");
    // The first-try and the two-retries scenarios list the same contenders in the same
    // order (the first is the baseline), so each pair is one table.
    for (kind, first, retries) in [
        ("sync", &SYNC_FIRST_TRY, &SYNC_TWO_RETRIES),
        ("async", &ASYNC_FIRST_TRY, &ASYNC_TWO_RETRIES),
    ] {
        println!(
            "| {kind} contender | `{}` | `{}` |",
            first.name, retries.name
        );
        println!("|---|---:|---:|");
        for (a, b) in first.contenders.iter().zip(retries.contenders) {
            let name = if a.name == b.name {
                a.name.to_string()
            } else {
                format!("{} / {}", a.name, b.name)
            };
            println!(
                "| {} | {} | {} |",
                name.replace('|', "\\|"),
                cell(allocations_per_call(a.run, &bench)),
                cell(allocations_per_call(b.run, &bench))
            );
        }
        println!();
    }
    println!(
        "| `{}` contender | allocations per call |",
        ONE_WAIT_SCENARIO.name
    );
    println!("|---|---:|");
    for c in ONE_WAIT_SCENARIO.contenders {
        println!(
            "| {} | {} |",
            c.name,
            cell(allocations_per_call(c.run, &bench))
        );
    }

    println!(
        "\n### Size of the future of one call of the trivial operation (`std::mem::size_of_val`)\n"
    );
    println!("| future | bytes |");
    println!("|---|---:|");
    let flaky = Flaky::new(0);
    let f = &flaky;
    let sizes = [
        ("bare `async fn`", size_of_val(&op_async(f))),
        (
            "hand-written loop (`async fn`)",
            size_of_val(&first_try::hand_loop_async(f)),
        ),
        (
            "`#[retry]` `async fn` (`jitter = none`)",
            size_of_val(&first_try::attribute_async(f)),
        ),
        (
            "`#[retry]` with full jitter (the default)",
            size_of_val(&variants::full_jitter(f)),
        ),
        (
            "`#[retry]` with `jitter = none, max_time = \"1s\"`",
            size_of_val(&variants::max_time(f)),
        ),
        (
            "`#[retry(policy = first_try::POLICY)]` (a constant by its path)",
            size_of_val(&variants::policy_expression(f)),
        ),
        (
            "`#[retry(policy = runtime_policy(..))]` (the call keeps the policy it computed)",
            size_of_val(&first_try::attribute_runtime_async(f)),
        ),
        (
            "`#[retry(.., max_tries = tries())]` (the call keeps the limit it computed)",
            size_of_val(&first_try::attribute_expr_async(f)),
        ),
        (
            "`POLICY.retry_async(..)` (the `RetryFuture`)",
            size_of_val(&std::future::IntoFuture::into_future(
                first_try::POLICY.retry_async(|| op_async(f)),
            )),
        ),
        ("backon", size_of_val(&first_try::backon_async(f))),
        ("tokio-retry2", size_of_val(&first_try::tokio_retry2(f))),
        (
            "backoff (`async fn` around `backoff::future::retry`)",
            size_of_val(&first_try::backoff_async(f)),
        ),
        ("tryhard", size_of_val(&first_try::tryhard(f))),
    ];
    for (name, size) in sizes {
        println!("| {name} | {size} |");
    }
}
