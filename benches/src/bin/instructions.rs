//! Instructions per call, counted by callgrind, for every contender of every scenario.
//!
//! ```text
//! instructions [--scenario NAME] [--criterion DIR] [--lto EXE]   # the tables (needs valgrind)
//! instructions run SCENARIO INDEX N                  # one contender N times (what valgrind runs)
//! instructions list                                  # the scenarios and contenders
//! ```
//!
//! Each contender runs in its own process under `valgrind --tool=callgrind`, once with
//! `N` calls and once with `2N`; the difference divided by `N` is the cost of one call,
//! with process start-up, runtime set-up and first-use initialisation cancelled out.
//! With `--criterion DIR` (criterion's output directory) the tables also show the
//! median ns per call that `cargo bench --bench wall` measured. With `--lto EXE` (this
//! binary built with `--profile lto`: fat LTO, one codegen unit) every contender is also
//! counted in that build, side by side with Cargo's default release profile.

use std::hint::black_box;
use std::process::{Command, ExitCode};

use retry_benches::{run_many, scenario, slug, Bench, Scenario, SCENARIOS};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("list") => {
            for s in SCENARIOS {
                for (i, c) in s.contenders.iter().enumerate() {
                    println!("{} {i} {}", s.name, c.name);
                }
            }
            ExitCode::SUCCESS
        }
        _ => report(&args),
    }
}

/// `run SCENARIO INDEX N`: one warm-up call, then N calls.
fn run(args: &[String]) -> ExitCode {
    let (Some(name), Some(index), Some(n)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: instructions run SCENARIO INDEX N");
        return ExitCode::FAILURE;
    };
    let Some(s) = scenario(name) else {
        eprintln!("no scenario {name}");
        return ExitCode::FAILURE;
    };
    let (Ok(index), Ok(n)) = (index.parse::<usize>(), n.parse::<u64>()) else {
        eprintln!("INDEX and N are numbers");
        return ExitCode::FAILURE;
    };
    let Some(contender) = s.contenders.get(index) else {
        eprintln!("no contender {index} in {name}");
        return ExitCode::FAILURE;
    };
    let bench = Bench::new();
    // The rest of the program: every annotated function of the population runs once.
    black_box(retry_benches::population::exercise());
    black_box(run_many(contender.run, &bench, 1));
    black_box(run_many(contender.run, &bench, n));
    ExitCode::SUCCESS
}

/// Calls per measurement: the retry scenario's peers sleep 2 ms per call on tokio's
/// timer, so it makes fewer.
fn calls(s: &Scenario) -> u64 {
    if s.name == "async_two_retries" {
        100
    } else {
        1000
    }
}

/// Instructions of one `run` process under callgrind.
fn count(exe: &std::path::Path, s: &Scenario, index: usize, n: u64) -> Result<u64, String> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(["run", s.name, &index.to_string(), &n.to_string()])
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("valgrind failed:\n{stderr}"));
    }
    stderr
        .lines()
        .find_map(|line| {
            let (_, rest) = line.split_once("Collected :")?;
            rest.trim().parse().ok()
        })
        .ok_or_else(|| format!("no instruction count in valgrind's output:\n{stderr}"))
}

/// Instructions per call of one contender.
fn per_call(exe: &std::path::Path, s: &Scenario, index: usize) -> Result<f64, String> {
    let n = calls(s);
    let once = count(exe, s, index, n)?;
    let twice = count(exe, s, index, 2 * n)?;
    Ok((twice as f64 - once as f64) / n as f64)
}

/// The median ns per call criterion measured, if it did.
fn criterion_ns(dir: &str, s: &Scenario, contender: &str) -> Option<f64> {
    let path = format!("{dir}/{}/{}/new/estimates.json", s.name, slug(contender));
    let json = std::fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn signed(x: f64) -> String {
    if x.abs() < 0.05 {
        "±0".to_string()
    } else {
        format!("{x:+.1}")
    }
}

fn report(args: &[String]) -> ExitCode {
    let mut only = None;
    let mut criterion = None;
    let mut lto: Option<std::path::PathBuf> = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--scenario" => only = iter.next().cloned(),
            "--criterion" => criterion = iter.next().cloned(),
            "--lto" => lto = iter.next().map(Into::into),
            other => {
                eprintln!(
                    "unknown argument {other}; see the doc comment of src/bin/instructions.rs"
                );
                return ExitCode::FAILURE;
            }
        }
    }
    for s in SCENARIOS {
        if only.as_deref().is_some_and(|o| o != s.name) {
            continue;
        }
        let per = f64::from(s.per);
        let unit = match s.per {
            1 => "call",
            2 => "retry",
            _ => "wait",
        };
        println!("### {} (`{}`)\n", s.title, s.name);
        println!(
            "| contender | release: instructions/call | release: over {} per {unit} | fat LTO: instructions/call | fat LTO: over {} per {unit} | ns/call (release) | ns over {} per {unit} |",
            s.baseline, s.baseline, s.baseline
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let mut base = None;
        let mut base_lto = None;
        let mut base_ns = None;
        for (index, c) in s.contenders.iter().enumerate() {
            let measure = |exe: &std::path::Path| match per_call(exe, s, index) {
                Ok(i) => Some(i),
                Err(e) => {
                    eprintln!("{} / {}: {e}", s.name, c.name);
                    None
                }
            };
            let Some(instr) = measure(&exe) else {
                return ExitCode::FAILURE;
            };
            let lto_instr = match &lto {
                Some(path) => match measure(path) {
                    Some(i) => Some(i),
                    None => return ExitCode::FAILURE,
                },
                None => None,
            };
            let ns = criterion
                .as_deref()
                .and_then(|dir| criterion_ns(dir, s, c.name));
            let base = *base.get_or_insert(instr);
            let base_lto = *base_lto.get_or_insert(lto_instr);
            let base_ns = *base_ns.get_or_insert(ns);
            let ns_cell = ns.map_or("–".to_string(), |ns| format!("{ns:.1}"));
            let ns_over = match (ns, base_ns) {
                (Some(ns), Some(b)) => signed((ns - b) / per),
                _ => "–".to_string(),
            };
            let (lto_cell, lto_over) = match (lto_instr, base_lto) {
                (Some(i), Some(b)) => (format!("{i:.1}"), signed((i - b) / per)),
                _ => ("–".to_string(), "–".to_string()),
            };
            println!(
                "| {} | {instr:.1} | {} | {lto_cell} | {lto_over} | {ns_cell} | {ns_over} |",
                c.name.replace('|', "\\|"),
                signed((instr - base) / per)
            );
        }
        println!();
    }
    ExitCode::SUCCESS
}
