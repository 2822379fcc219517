//! Policies from configuration: [`Policy`] from a string in the attribute's syntax
//! (`FromStr`), to that syntax (`Display`), and, with feature `serde`, from and to a
//! table (`Deserialize`/`Serialize`).
//!
//! Both front ends fill one [`Draft`] and build it with the builders the attribute's
//! expansion calls, in the same order, so a setting means the same wherever it was
//! written. Every rule the attribute checks at compile time is checked here, and a
//! violation is a [`ConfigError`]: never a panic, never a silently adjusted value.

mod parse;
#[cfg(feature = "serde")]
mod serde_impl;

use core::fmt;
use core::str::FromStr;
use core::time::Duration;

use crate::backoff::Schedule;
use crate::duration::{format_duration, DurationError};
use crate::{Jitter, Policy};

/// The keys of the string form (the attribute's policy keys), in the attribute's order.
const STRING_KEYS: &[&str] = &[
    "expo",
    "fibo",
    "constant",
    "jitter",
    "max_tries",
    "forever",
    "max_time",
    "max_delay",
];

/// The keys of the table form.
#[cfg(feature = "serde")]
const TABLE_KEYS: &[&str] = &[
    "strategy",
    "base",
    "factor",
    "interval",
    "jitter",
    "max_tries",
    "forever",
    "max_time",
    "max_delay",
];

/// Keys of the attribute that are not part of a [`Policy`]: Rust code, or settings of
/// the call rather than of the policy.
const CALL_KEYS: &[&str] = &[
    "wait",
    "giveup",
    "retry_if",
    "retry_if_ok",
    "retry_after",
    "on_backoff",
    "on_giveup",
    "on_success",
    "budget",
    "timeout",
    "timeout_error",
    "hedge",
    "sleep",
    "policy",
    "crate",
    "attempt",
];

const JITTERS: &[&str] = &["full", "equal", "decorrelated", "none"];
#[cfg(feature = "serde")]
const STRATEGIES: &[&str] = &["expo", "fibo", "constant"];

/// Why a policy could not be read from (or written to) configuration.
///
/// Each message names the key, what was found and what is accepted, e.g.
/// `max_tries: must be at least 1, found 0` or
/// ``unknown key `max_attempts`, did you mean `max_tries`?``.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A duration that does not parse.
    #[error("{key}: {error}")]
    Duration {
        /// The key whose value it is.
        key: &'static str,
        /// What is wrong with it.
        error: DurationError,
    },
    /// A value of the wrong kind, e.g. a string where a number belongs.
    #[error("{key}: expected {expected}, found {found}")]
    Expected {
        /// The key whose value it is.
        key: &'static str,
        /// What the key accepts.
        expected: &'static str,
        /// The value as written.
        found: String,
    },
    /// A number outside the range its key allows.
    #[error("{key}: must be {rule}, found {found}")]
    OutOfRange {
        /// The key whose value it is.
        key: &'static str,
        /// The range, e.g. "at least 1".
        rule: &'static str,
        /// The value as written.
        found: String,
    },
    /// A name that is not one of those the key accepts (a jitter, a strategy).
    #[error("{key}: unknown value `{found}`; expected one of: {}", .accepted.join(", "))]
    UnknownValue {
        /// The key whose value it is.
        key: &'static str,
        /// The value as written.
        found: String,
        /// The accepted values.
        accepted: &'static [&'static str],
    },
    /// A key that is not a policy setting.
    #[error("unknown key `{found}`{}", hint(.suggestion, .accepted))]
    UnknownKey {
        /// The key as written.
        found: String,
        /// The key probably meant.
        suggestion: Option<&'static str>,
        /// The accepted keys.
        accepted: &'static [&'static str],
    },
    /// An argument that a strategy does not take, e.g. `fibo(base = 2)`.
    #[error("{strategy}: unknown argument `{found}`{}", hint(.suggestion, .accepted))]
    UnknownArgument {
        /// The strategy.
        strategy: &'static str,
        /// The argument as written.
        found: String,
        /// The argument probably meant.
        suggestion: Option<&'static str>,
        /// The arguments the strategy takes.
        accepted: &'static [&'static str],
    },
    /// A key of the attribute that a `Policy` does not hold (a predicate, a hook,
    /// `timeout`, ...).
    #[error("`{key}` is not a policy setting and cannot come from configuration; set it on the attribute or at the call site")]
    NotAPolicyKey {
        /// The key.
        key: &'static str,
    },
    /// A key in the wrong place, e.g. `base` with the Fibonacci strategy.
    #[error("`{key}` {why}")]
    Misplaced {
        /// The key.
        key: &'static str,
        /// Where it belongs.
        why: &'static str,
    },
    /// A key given twice.
    #[error("`{key}` is given twice")]
    Duplicate {
        /// The key.
        key: &'static str,
    },
    /// Two wait strategies.
    #[error("only one wait strategy may be given: `{first}` is already set, so `{second}` conflicts with it")]
    TwoStrategies {
        /// The strategy given first.
        first: &'static str,
        /// The one given second.
        second: &'static str,
    },
    /// `forever` together with `max_tries`.
    #[error("`forever` and `max_tries` conflict: `forever` means no attempt limit")]
    ForeverWithMaxTries,
    /// The constant strategy without its interval.
    #[error("`constant` needs its interval: {example}")]
    MissingInterval {
        /// How to write it.
        example: &'static str,
    },
    /// A string that does not follow the attribute's syntax.
    #[error("column {column}: expected {expected}, found {found}")]
    Syntax {
        /// Where, counting characters from 1.
        column: usize,
        /// What would have been accepted there.
        expected: String,
        /// What was there.
        found: String,
    },
    /// A policy that configuration cannot express (serialization only), e.g. an
    /// infinite `base`.
    #[error("this policy cannot be written as configuration: {why}")]
    Unrepresentable {
        /// What stands in the way.
        why: String,
    },
}

fn hint(suggestion: &Option<&'static str>, accepted: &[&str]) -> String {
    match suggestion {
        Some(s) => format!(", did you mean `{s}`?"),
        None => format!("; expected one of: {}", accepted.join(", ")),
    }
}

/// Which form a key was written in: the suggestions differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    String,
    #[cfg(feature = "serde")]
    Table,
}

/// The error for a key that is not one of `accepted`, with a suggestion when one is
/// close: a name other retry libraries use, or a small misspelling.
fn unknown_key(found: &str, form: Form) -> ConfigError {
    if let Some(key) = CALL_KEYS.iter().find(|k| **k == found) {
        return ConfigError::NotAPolicyKey { key };
    }
    let accepted = match form {
        Form::String => STRING_KEYS,
        #[cfg(feature = "serde")]
        Form::Table => TABLE_KEYS,
    };
    let lower = found.to_ascii_lowercase();
    let alias = ALIASES
        .iter()
        .find(|(names, ..)| names.contains(&lower.as_str()))
        .map(|alias| match form {
            Form::String => alias.1,
            #[cfg(feature = "serde")]
            Form::Table => alias.2,
        });
    ConfigError::UnknownKey {
        found: found.to_owned(),
        suggestion: alias.or_else(|| closest(&lower, accepted)),
        accepted,
    }
}

/// Names other libraries (backoff, tenacity, urllib3, backon, tokio-retry) use, and what
/// to write instead in a string and in a table.
const ALIASES: &[(&[&str], &str, &str)] = &[
    (
        &[
            "max_attempts",
            "attempts",
            "tries",
            "retries",
            "max_retries",
            "total",
            "stop_after_attempt",
        ],
        "max_tries",
        "max_tries",
    ),
    (
        &[
            "max_elapsed_time",
            "max_elapsed",
            "deadline",
            "max_duration",
            "total_timeout",
            "stop_after_delay",
        ],
        "max_time",
        "max_time",
    ),
    (
        &[
            "max_interval",
            "max_wait",
            "max_backoff",
            "backoff_max",
            "cap",
        ],
        "max_delay",
        "max_delay",
    ),
    (
        &["exponential", "exponential_backoff", "exp", "backoff"],
        "expo",
        "strategy = \"expo\"",
    ),
    (&["fibonacci"], "fibo", "strategy = \"fibo\""),
    (
        &["fixed", "fixed_interval", "constant_backoff"],
        "constant",
        "strategy = \"constant\"",
    ),
    (&["expo"], "expo", "strategy = \"expo\""),
    (&["fibo"], "fibo", "strategy = \"fibo\""),
    (&["constant"], "constant", "strategy = \"constant\""),
    (
        &["multiplier", "exponent", "growth"],
        "expo(base = 2)",
        "base",
    ),
    (
        &[
            "initial_delay",
            "initial_interval",
            "min_delay",
            "delay",
            "backoff_factor",
        ],
        "expo(factor = 1s)",
        "factor",
    ),
    (&["infinite", "unlimited"], "forever", "forever"),
    (
        &["randomization", "randomize", "random"],
        "jitter",
        "jitter",
    ),
];

/// The accepted name within edit distance 2 (and under half the name's length), if any.
fn closest(found: &str, accepted: &'static [&'static str]) -> Option<&'static str> {
    accepted
        .iter()
        .map(|k| (edit_distance(found, k), *k))
        .filter(|(d, k)| *d <= 2 && *d * 2 < k.len().max(found.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edit distance by characters, a swap of two neighbours counting as one edit
/// (optimal string alignment), so `max_tmie` is closest to `max_time`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * width + j - 1] + cost)
                    .min(d[(i - 1) * width + j] + 1)
                    .min(d[i * width + j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()]
}

/// A wait strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    Expo,
    Fibo,
    Constant,
}

impl Strategy {
    const fn name(self) -> &'static str {
        match self {
            Strategy::Expo => "expo",
            Strategy::Fibo => "fibo",
            Strategy::Constant => "constant",
        }
    }

    #[cfg(feature = "serde")]
    fn from_name(name: &str) -> Option<Strategy> {
        match name {
            "expo" => Some(Strategy::Expo),
            "fibo" => Some(Strategy::Fibo),
            "constant" => Some(Strategy::Constant),
            _ => None,
        }
    }
}

const fn jitter_name(jitter: Jitter) -> &'static str {
    match jitter {
        Jitter::Full => "full",
        Jitter::Equal => "equal",
        Jitter::Decorrelated => "decorrelated",
        Jitter::None => "none",
    }
}

fn jitter_from_name(name: &str) -> Option<Jitter> {
    match name {
        "full" => Some(Jitter::Full),
        "equal" => Some(Jitter::Equal),
        "decorrelated" => Some(Jitter::Decorrelated),
        "none" => Some(Jitter::None),
        _ => None,
    }
}

fn unknown_jitter(found: &str) -> ConfigError {
    ConfigError::UnknownValue {
        key: "jitter",
        found: found.to_owned(),
        accepted: JITTERS,
    }
}

/// `max_tries` from a whole number, by the attribute's rule (>= 1, fits a `u32`).
fn tries_from(n: i128) -> Result<u32, ConfigError> {
    if n < 1 {
        return Err(ConfigError::OutOfRange {
            key: "max_tries",
            rule: "at least 1",
            found: n.to_string(),
        });
    }
    u32::try_from(n).map_err(|_| ConfigError::OutOfRange {
        key: "max_tries",
        rule: "at most 4294967295 (for no limit, use `forever`)",
        found: n.to_string(),
    })
}

/// `base` by the attribute's rule: finite and at least 1, or waits would shrink.
fn base_from(base: f64, as_written: &str) -> Result<f64, ConfigError> {
    if base.is_finite() && base >= 1.0 {
        Ok(base)
    } else {
        Err(ConfigError::OutOfRange {
            key: "base",
            rule: "a finite number >= 1",
            found: as_written.to_owned(),
        })
    }
}

/// The settings as read, before the policy is built. Both the string and the table
/// front end fill one.
#[derive(Default)]
struct Draft {
    seen: Vec<&'static str>,
    strategy: Option<Strategy>,
    base: Option<f64>,
    factor: Option<Duration>,
    interval: Option<Duration>,
    jitter: Option<Jitter>,
    max_tries: Option<u32>,
    forever: bool,
    max_time: Option<Duration>,
    max_delay: Option<Duration>,
}

impl Draft {
    /// Notes that `key` was written: an error if it already was.
    fn key(&mut self, key: &'static str) -> Result<(), ConfigError> {
        if self.seen.contains(&key) {
            return Err(ConfigError::Duplicate { key });
        }
        self.seen.push(key);
        Ok(())
    }

    /// Sets the strategy of the string form, where each strategy is its own key.
    fn strategy_key(&mut self, strategy: Strategy) -> Result<(), ConfigError> {
        self.key(strategy.name())?;
        if let Some(first) = self.strategy {
            return Err(ConfigError::TwoStrategies {
                first: first.name(),
                second: strategy.name(),
            });
        }
        self.strategy = Some(strategy);
        Ok(())
    }

    /// The policy, built as the attribute's expansion builds it from the same keys.
    fn build(self) -> Result<Policy, ConfigError> {
        let strategy = self.strategy.unwrap_or(Strategy::Expo);
        if self.base.is_some() && strategy != Strategy::Expo {
            return Err(ConfigError::Misplaced {
                key: "base",
                why: "applies to the `expo` strategy only",
            });
        }
        if self.factor.is_some() && strategy == Strategy::Constant {
            return Err(ConfigError::Misplaced {
                key: "factor",
                why: "applies to the `expo` and `fibo` strategies; `constant` takes `interval`",
            });
        }
        if self.interval.is_some() && strategy != Strategy::Constant {
            return Err(ConfigError::Misplaced {
                key: "interval",
                why: "applies to the `constant` strategy only; `expo` and `fibo` take `factor`",
            });
        }
        if self.forever && self.max_tries.is_some() {
            return Err(ConfigError::ForeverWithMaxTries);
        }
        let mut policy = match strategy {
            Strategy::Expo => Policy::expo(),
            Strategy::Fibo => Policy::fibo(),
            Strategy::Constant => {
                Policy::constant(self.interval.ok_or(ConfigError::MissingInterval {
                    example: "add `interval = \"1s\"`",
                })?)
            }
        };
        if let Some(base) = self.base {
            policy = policy.base(base);
        }
        if let Some(factor) = self.factor {
            policy = policy.factor(factor);
        }
        if let Some(jitter) = self.jitter {
            policy = policy.jitter(jitter);
        }
        if let Some(n) = self.max_tries {
            policy = policy.max_tries(n);
        } else if self.forever {
            policy = policy.forever();
        }
        if let Some(d) = self.max_time {
            policy = policy.max_time(d);
        }
        if let Some(d) = self.max_delay {
            policy = policy.max_delay(d);
        }
        Ok(policy)
    }
}

/// The attempt limit as configuration writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tries {
    /// Not written: the default (3, or none with `max_time`).
    Default,
    Limit(u32),
    Forever,
}

/// A policy taken apart into the settings that rebuild it: what `Display` and
/// `Serialize` write.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Parts {
    strategy: Strategy,
    /// The exponential base; 1 and unused for the others.
    base: f64,
    /// `factor`, or the interval of a constant policy.
    unit: Duration,
    jitter: Jitter,
    tries: Tries,
    max_time: Option<Duration>,
    max_delay: Duration,
}

impl Parts {
    fn of(policy: &Policy) -> Parts {
        let (strategy, base, unit) = match policy.schedule() {
            Schedule::Exponential(e) => (Strategy::Expo, e.base(), e.factor()),
            Schedule::Fibonacci(f) => (Strategy::Fibo, 1.0, f.factor()),
            Schedule::Constant(c) => (Strategy::Constant, 1.0, c.interval()),
        };
        let mut parts = Parts {
            strategy,
            base,
            unit,
            jitter: policy.jitter_kind(),
            tries: Tries::Default,
            max_time: policy.time_limit(),
            max_delay: policy.delay_limit(),
        };
        // An explicit `max_tries = 3` and the default differ once `max_time` is set:
        // write the limit only when leaving it out would build another policy.
        if parts.rebuild() != *policy {
            parts.tries = match policy.tries_limit() {
                Some(n) => Tries::Limit(n),
                None => Tries::Forever,
            };
        }
        parts
    }

    /// Like [`of`](Self::of), checked to be readable back as the same policy.
    #[cfg(feature = "serde")]
    fn of_exactly(policy: &Policy) -> Result<Parts, ConfigError> {
        let parts = Parts::of(policy);
        if parts.strategy == Strategy::Expo {
            base_from(parts.base, &parts.base.to_string())
                .map_err(|e| ConfigError::Unrepresentable { why: e.to_string() })?;
        }
        if parts.rebuild() != *policy {
            return Err(ConfigError::Unrepresentable {
                why: format!("its settings ({parts}) rebuild a different policy"),
            });
        }
        Ok(parts)
    }

    fn rebuild(&self) -> Policy {
        let policy = match self.strategy {
            Strategy::Expo => Policy::expo().base(self.base).factor(self.unit),
            Strategy::Fibo => Policy::fibo().factor(self.unit),
            Strategy::Constant => Policy::constant(self.unit),
        };
        let policy = policy.jitter(self.jitter);
        let policy = match self.tries {
            Tries::Default => policy,
            Tries::Limit(n) => policy.max_tries(n),
            Tries::Forever => policy.forever(),
        };
        let policy = match self.max_time {
            Some(d) => policy.max_time(d),
            None => policy,
        };
        policy.max_delay(self.max_delay)
    }
}

impl fmt::Display for Parts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = format_duration(self.unit);
        match self.strategy {
            Strategy::Expo => write!(f, "expo(base = {}, factor = {unit})", self.base)?,
            Strategy::Fibo => write!(f, "fibo(factor = {unit})")?,
            Strategy::Constant => write!(f, "constant({unit})")?,
        }
        write!(f, ", jitter = {}", jitter_name(self.jitter))?;
        match self.tries {
            Tries::Default => {}
            Tries::Limit(n) => write!(f, ", max_tries = {n}")?,
            Tries::Forever => write!(f, ", forever")?,
        }
        if let Some(d) = self.max_time {
            write!(f, ", max_time = {}", format_duration(d))?;
        }
        write!(f, ", max_delay = {}", format_duration(self.max_delay))
    }
}

/// Reads a policy written in the attribute's syntax for the policy keys, so an
/// environment variable reads like the attribute a developer would write:
///
/// ```
/// use retry_core::{Jitter, Policy};
/// use std::time::Duration;
///
/// let policy: Policy = "expo(factor = 100ms), max_tries = 4, max_time = 50s".parse()?;
/// assert_eq!(
///     policy,
///     Policy::expo()
///         .factor(Duration::from_millis(100))
///         .max_tries(4)
///         .max_time(Duration::from_secs(50))
/// );
/// let policy: Policy = r#"constant("250ms"), jitter = none, forever"#.parse()?;
/// assert_eq!(policy, Policy::constant(Duration::from_millis(250)).jitter(Jitter::None).forever());
///
/// let err = "expo, max_attempts = 4".parse::<Policy>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown key `max_attempts`, did you mean `max_tries`?");
/// # Ok::<(), retry_core::ConfigError>(())
/// ```
///
/// # Grammar
/// Keys separated by commas, each at most once, any order; an empty string is
/// `#[retry]` alone (every default):
/// - `expo`, `expo(base = 2, factor = 1s)`, `fibo`, `fibo(factor = 1s)`,
///   `constant(250ms)`, `constant(interval = 250ms)`: at most one strategy (default
///   `expo`);
/// - `jitter = full | equal | decorrelated | none`;
/// - `max_tries = N` (N >= 1) or `forever`, not both;
/// - `max_time = D`, `max_delay = D`.
///
/// A duration `D` is a [literal](crate::duration) with or without quotes (`100ms`,
/// `"1m30s"`, `1.5s`) or a bare integer of seconds (`50`); as in the attribute, a
/// quoted string needs a unit (`"50"` is an error). `base` is a number (`2`, `1.5`).
/// Keys that hold Rust code (`giveup`, hooks, `wait`, ...) are not part of a policy
/// and are refused with a message saying so.
impl FromStr for Policy {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Policy, ConfigError> {
        parse::policy(text)
    }
}

/// Writes the policy in the syntax [`FromStr`] reads, every setting explicit (an
/// attempt limit only where one was set), so `policy.to_string().parse()` gives the
/// policy back:
///
/// ```
/// use retry_core::Policy;
/// use std::time::Duration;
///
/// let policy = Policy::expo().factor(Duration::from_millis(100)).max_tries(4);
/// assert_eq!(
///     policy.to_string(),
///     "expo(base = 2, factor = 100ms), jitter = full, max_tries = 4, max_delay = 1m"
/// );
/// assert_eq!(policy.to_string().parse::<Policy>().unwrap(), policy);
/// ```
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Parts::of(self).fmt(f)
    }
}

/// `full`, `equal`, `decorrelated` or `none`, as in `jitter = ...`.
///
/// ```
/// use retry_core::Jitter;
/// assert_eq!("decorrelated".parse::<Jitter>().unwrap(), Jitter::Decorrelated);
/// assert_eq!(
///     "partial".parse::<Jitter>().unwrap_err().to_string(),
///     "jitter: unknown value `partial`; expected one of: full, equal, decorrelated, none"
/// );
/// ```
impl FromStr for Jitter {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Jitter, ConfigError> {
        jitter_from_name(text).ok_or_else(|| unknown_jitter(text))
    }
}

/// The name [`FromStr`] reads: `full`, `equal`, `decorrelated` or `none`.
impl fmt::Display for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(jitter_name(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("max_trie", "max_tries"), 1);
        assert_eq!(edit_distance("jiter", "jitter"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("max_tmie", "max_time"), 1);
        assert_eq!(closest("max_tmie", STRING_KEYS), Some("max_time"));
        assert_eq!(closest("zzz", STRING_KEYS), None);
        // Short names need a closer match: `m` is not "almost" `max_time`.
        assert_eq!(closest("ex", STRING_KEYS), None);
    }

    #[test]
    fn parts_keep_the_default_attempt_limit_apart_from_an_explicit_one() {
        let budget = Duration::from_secs(5);
        let lifted = Policy::expo().max_time(budget);
        let explicit = Policy::expo().forever().max_time(budget);
        assert_ne!(lifted, explicit);
        assert_eq!(Parts::of(&lifted).tries, Tries::Default);
        assert_eq!(Parts::of(&explicit).tries, Tries::Forever);
        assert_eq!(Parts::of(&Policy::expo()).tries, Tries::Default);
        // Explicit, so that a `max_time` added later keeps the limit.
        assert_eq!(
            Parts::of(&Policy::expo().max_tries(3)).tries,
            Tries::Limit(3)
        );
        assert_eq!(
            Parts::of(&Policy::expo().max_tries(3).max_time(budget)).tries,
            Tries::Limit(3)
        );
        for p in [lifted, explicit, Policy::fibo().max_tries(0)] {
            assert_eq!(Parts::of(&p).rebuild(), p);
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn an_infinite_base_is_not_written() {
        let p = Policy::expo().base(f64::INFINITY);
        assert_eq!(
            Parts::of_exactly(&p).unwrap_err().to_string(),
            "this policy cannot be written as configuration: base: must be a finite number >= 1, found inf"
        );
    }
}
