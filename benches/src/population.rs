//! A program's worth of annotated functions beside the measured contenders: 40 of
//! them, over 5 result types, sync and async, with literal keys, `policy = CONST`, a
//! runtime policy, expression keys, predicates and hooks, as real programs mix them.
//!
//! They are all called by [`exercise`], which the harnesses run before measuring, so
//! they are compiled into the measured binary and share its generic code: the figures
//! then show what the retry loop costs where the compiler sees many callers of the same
//! runtime functions, not one.

use std::future::Future;
use std::hint::black_box;
use std::io;
use std::time::Duration;

use retry::{retry, Details, Jitter, Policy};

use crate::poll_once;

/// A service's error type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppError {
    /// Worth retrying.
    Busy(u16),
    /// Not worth retrying.
    Fatal(String),
}

/// `giveup` for [`AppError`].
pub fn fatal(error: &AppError) -> bool {
    matches!(error, AppError::Fatal(_))
}

/// A shared policy, as services write one.
pub const HTTP: Policy = Policy::expo()
    .factor(Duration::from_millis(10))
    .max_tries(4)
    .max_time(Duration::from_secs(5));

/// A policy from "configuration": a value the optimiser cannot see.
#[inline(never)]
pub fn configured() -> Policy {
    black_box(Policy::fibo().factor(Duration::from_millis(5)).max_tries(5))
}

/// A limit from "configuration".
#[inline(never)]
pub fn configured_tries() -> u32 {
    black_box(3)
}

/// Fails when `fail` is set (never, in [`exercise`]).
#[inline(never)]
fn source(fail: bool, value: u64) -> Result<u64, u16> {
    if black_box(fail) {
        Err(503)
    } else {
        Ok(value)
    }
}

/// Eight functions per result type: sync and async, each with literal keys,
/// `policy = CONST`, a runtime policy and expression keys.
macro_rules! population {
    ($module:ident, $ok:ty, $err:ty, |$v:ident| $make_ok:expr, |$c:ident| $make_err:expr) => {
        /// Annotated functions of one result type.
        pub mod $module {
            #[allow(unused_imports)]
            use super::*;

            /// Literal keys.
            #[retry(expo(factor = "10ms"), max_tries = 4, max_time = "2s")]
            pub fn literal(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// `policy = CONST`.
            #[retry(policy = HTTP)]
            pub fn constant(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// A runtime policy.
            #[retry(policy = configured())]
            pub fn runtime(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// Expression keys and a hook.
            #[retry(constant("5ms"), jitter = none, max_tries = configured_tries(),
                    on_giveup = |d: &Details<'_, $ok, $err>| { black_box(d.tries()); })]
            pub fn expression(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// Literal keys, async.
            #[retry(expo(factor = "10ms"), jitter = equal, max_tries = 4)]
            pub async fn literal_async(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// `policy = CONST`, async.
            #[retry(policy = HTTP)]
            pub async fn constant_async(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// A runtime policy, async.
            #[retry(policy = configured())]
            pub async fn runtime_async(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// Expression keys, async, with a timeout-free hint.
            #[retry(fibo(factor = "1ms"), max_time = Duration::from_millis(configured_tries() as u64 * 100),
                    retry_after = |_e: &$err| None::<Duration>)]
            pub async fn expression_async(fail: bool, x: u64) -> Result<$ok, $err> {
                let $v = super::source(fail, x).map_err(|$c| $make_err)?;
                Ok($make_ok)
            }

            /// Calls each once, succeeding at once.
            pub fn exercise(x: u64) -> usize {
                let sync = [literal, constant, runtime, expression];
                let mut oks = sync.iter().filter(|f| f(false, x).is_ok()).count();
                oks += usize::from(super::first_poll(literal_async(false, x)));
                oks += usize::from(super::first_poll(constant_async(false, x)));
                oks += usize::from(super::first_poll(runtime_async(false, x)));
                oks += usize::from(super::first_poll(expression_async(false, x)));
                oks
            }
        }
    };
}

population!(io_result, u64, io::Error, |v| v * 2, |code| {
    io::Error::other(format!("{code}"))
});
population!(app, String, AppError, |v| v.to_string(), |code| {
    AppError::Busy(code)
});
population!(
    bytes,
    Vec<u8>,
    &'static str,
    |v| v.to_le_bytes().to_vec(),
    |_code| "busy"
);
population!(
    unit,
    (),
    Box<dyn std::error::Error + Send + Sync>,
    |_v| (),
    |code| Box::<dyn std::error::Error + Send + Sync>::from(format!("{code}"))
);
population!(
    pair,
    (u32, bool),
    AppError,
    |v| (v as u32, v % 2 == 0),
    |code| if code >= 500 {
        AppError::Busy(code)
    } else {
        AppError::Fatal(code.to_string())
    }
);

/// `giveup` on a population member, as HTTP services write it.
#[retry(policy = HTTP, giveup = fatal)]
pub fn with_giveup(fail: bool, x: u64) -> Result<u64, AppError> {
    source(fail, x).map_err(AppError::Busy)
}

/// The population's result types without retries: how many distinct ones there are.
pub const RESULT_TYPES: usize = 5;

/// Annotated functions in this module.
pub const FUNCTIONS: usize = 8 * RESULT_TYPES + 1;

/// Whether `fut` finishes on its first poll.
fn first_poll<F: Future>(fut: F) -> bool {
    let _ = poll_once(fut);
    true
}

/// Calls every function of the population once; the harnesses run it before measuring.
#[inline(never)]
pub fn exercise() -> usize {
    let x = black_box(21);
    io_result::exercise(x)
        + app::exercise(x)
        + bytes::exercise(x)
        + unit::exercise(x)
        + pair::exercise(x)
        + usize::from(with_giveup(false, x).is_ok())
        + usize::from(Jitter::default() == Jitter::Full)
}
