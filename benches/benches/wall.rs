//! Wall-clock time per call of every contender of every scenario (criterion).
//!
//! `cargo bench -p retry-benches --bench wall -- --warm-up-time 1 --measurement-time 2`
//! keeps a full run to a few minutes; the instruction counts of
//! `src/bin/instructions.rs` are the stable figures, these are beside them.

use std::hint::black_box;

use criterion::Criterion;
use retry_benches::{slug, Bench, SCENARIOS};

fn main() {
    let bench = Bench::new();
    let mut criterion = Criterion::default().configure_from_args();
    for scenario in SCENARIOS {
        let mut group = criterion.benchmark_group(scenario.name);
        for contender in scenario.contenders {
            let run = contender.run;
            group.bench_function(slug(contender.name), |b| b.iter(|| black_box(run(&bench))));
        }
        group.finish();
    }
    criterion.final_summary();
}
