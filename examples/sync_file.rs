//! Blocking `#[retry]`: no async runtime, `std::thread::sleep` between attempts.
//!
//! ```text
//! cargo run --example sync_file
//! ```
//!
//! 1. Read a file that another thread has not finished writing yet: `NotFound` is
//!    retried, a file that does not parse is not.
//! 2. Run a child process (this very program, in "child mode") that fails twice
//!    before it succeeds.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use retry::{retry, Details};

#[derive(Debug)]
enum LoadError {
    Io(io::Error),
    Parse(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Parse(why) => write!(f, "{why}"),
        }
    }
}

/// Worth another try: the file is not there yet, or the read was interrupted.
fn transient(error: &LoadError) -> bool {
    match error {
        LoadError::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::NotFound | io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
        ),
        LoadError::Parse(_) => false,
    }
}

fn report<T, E: std::fmt::Display>(details: &Details<'_, T, E>) {
    if let Err(e) = details.outcome() {
        println!(
            "  {} attempt {} failed ({e}); sleeping {:.1?}",
            details.name(),
            details.tries(),
            details.wait().unwrap_or_default()
        );
    }
}

/// Reads `port = N` from `path`.
#[retry(
    constant("50ms"),
    jitter = none,
    max_tries = 20,
    max_time = "3s",
    retry_if = transient,
    on_backoff = report,
)]
fn load_port(path: &Path) -> Result<u16, LoadError> {
    let text = fs::read_to_string(path).map_err(LoadError::Io)?;
    let value = text
        .trim()
        .strip_prefix("port = ")
        .ok_or_else(|| LoadError::Parse(format!("expected `port = N`, found {text:?}")))?;
    value
        .parse()
        .map_err(|e| LoadError::Parse(format!("{value:?}: {e}")))
}

/// Runs this program as a child that fails until it has run `succeed_on` times; the
/// owned `PathBuf` is cloned for each attempt.
#[retry(expo(factor = "20ms"), max_tries = 5, on_backoff = report)]
fn run_child(counter: PathBuf, succeed_on: u32) -> io::Result<String> {
    let output = Command::new(std::env::current_exe()?)
        .arg("--child")
        .arg(&counter)
        .arg(succeed_on.to_string())
        .output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(io::Error::other(format!(
            "child {}: {}",
            output.status,
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Child mode: count this run in the file, fail until the count reaches `succeed_on`.
fn child(counter: &Path, succeed_on: u32) -> i32 {
    let runs = fs::read_to_string(counter)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(0)
        + 1;
    fs::write(counter, runs.to_string()).expect("write the counter");
    if runs < succeed_on {
        eprintln!("run {runs}: the resource is busy");
        1
    } else {
        println!("run {runs}: done");
        0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        std::process::exit(child(Path::new(&args[2]), args[3].parse()?));
    }

    let dir = std::env::temp_dir().join(format!("retry-sync-file-{}", std::process::id()));
    fs::create_dir_all(&dir)?;

    println!("1. a file that appears after ~180 ms");
    let config = dir.join("server.conf");
    let writer = {
        let config = config.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(180));
            // Write elsewhere, then rename: readers never see half a file.
            let partial = config.with_extension("tmp");
            fs::write(&partial, "port = 8080\n").unwrap();
            fs::rename(&partial, &config).unwrap();
        })
    };
    let start = Instant::now();
    let port = load_port(&config);
    writer.join().unwrap();
    println!("  -> {port:?} after {:.0?}", start.elapsed());
    assert_eq!(port.ok(), Some(8080));

    println!("2. a file that does not parse: no retry");
    let broken = dir.join("broken.conf");
    fs::write(&broken, "port: eighty\n")?;
    let start = Instant::now();
    match load_port(&broken) {
        Err(LoadError::Parse(why)) => {
            println!("  -> gave up at once after {:.0?}: {why}", start.elapsed())
        }
        other => panic!("expected a parse error, got {other:?}"),
    }

    println!("3. a child process that fails twice");
    let start = Instant::now();
    let output = run_child(dir.join("runs"), 3);
    println!("  -> {output:?} after {:.0?}", start.elapsed());
    assert_eq!(output?, "run 3: done");

    fs::remove_dir_all(&dir)?;
    Ok(())
}
