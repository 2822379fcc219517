//! Duration literals: the one grammar of `#[retry(max_time = "50s")]` and of policies
//! read from configuration, so that the attribute and a config file cannot disagree.
//!
//! A literal is one or more `NUMBER UNIT` parts, added up: `"250ms"`, `"50s"`, `"2m"`,
//! `"1h"`, `"1m30s"`, `"1.5s"`, `"100us"`, `"10ns"`, `"1h 2m"`.
//! - NUMBER: decimal digits with an optional fraction (`1.5`, `.5`); the value must be a
//!   whole number of nanoseconds (`"1.5ns"` is an error, never rounded).
//! - UNIT: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, `d` (24 h).
//! - Spaces around the literal and between its parts are ignored.
//!
//! A string without a unit (`"5"`) is an error, as in the attribute; a *bare integer*
//! meaning seconds (`max_time = 5`, not `"5"`) is a number rather than a string, so each
//! front end (the attribute, a TOML integer, a word of [`Policy`](crate::Policy)'s
//! `FromStr`) reads it with [`Duration::from_secs`].
//!
//! This module depends on nothing else in the crate, so the proc macro can call
//! [`parse_duration`] and report [`DurationError`]'s message at the literal's span.
//!
//! ```
//! use retry_core::duration::{format_duration, parse_duration};
//! use std::time::Duration;
//!
//! assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
//! assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
//! assert_eq!(
//!     parse_duration("1sec").unwrap_err().to_string(),
//!     "unknown unit `sec` in \"1sec\"; expected ns, us, ms, s, m, h, d"
//! );
//! assert_eq!(format_duration(Duration::from_millis(90_250)), "1m30s250ms");
//! ```

use core::fmt::Write as _;
use core::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// The units, each with its length in nanoseconds, largest first (the order
/// [`format_duration`] writes them in).
const UNITS: &[(&str, u128)] = &[
    ("d", 86_400 * NANOS_PER_SEC),
    ("h", 3_600 * NANOS_PER_SEC),
    ("m", 60 * NANOS_PER_SEC),
    ("s", NANOS_PER_SEC),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// Why a duration literal does not parse. Each message quotes the whole literal, says
/// what is wrong in it and what is accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// The literal is empty or only spaces.
    #[error("empty duration {input:?}; expected e.g. \"250ms\", \"1.5s\" or \"1m30s\"")]
    Empty {
        /// The literal as given.
        input: String,
    },
    /// A part starts with something other than a number, e.g. `"ms5"` or `"-5s"`.
    #[error("expected a number at `{at}` in {input:?}")]
    MissingNumber {
        /// The literal as given.
        input: String,
        /// The rest of the literal from where a number was expected.
        at: String,
    },
    /// A number with no unit after it, e.g. `"50"`.
    #[error("no unit after `{number}` in {input:?}; expected ns, us, ms, s, m, h, d")]
    MissingUnit {
        /// The literal as given.
        input: String,
        /// The number without a unit.
        number: String,
    },
    /// A unit that is not one of `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`, `d`.
    #[error("unknown unit `{unit}` in {input:?}; expected ns, us, ms, s, m, h, d")]
    UnknownUnit {
        /// The literal as given.
        input: String,
        /// The unit as written.
        unit: String,
    },
    /// A unit spelled out, e.g. `"30 seconds"`: the message says how to write it.
    #[error("unknown unit `{unit}` in {input:?}; expected ns, us, ms, s, m, h, d (write `{number}{short}`)")]
    UnitInWords {
        /// The literal as given.
        input: String,
        /// The unit as written.
        unit: String,
        /// The number before it.
        number: String,
        /// The unit's short form.
        short: &'static str,
    },
    /// Digits and dots that are not a number, e.g. `"1.2.3s"`.
    #[error("`{number}` is not a number in {input:?}")]
    BadNumber {
        /// The literal as given.
        input: String,
        /// The malformed number.
        number: String,
    },
    /// A fraction of a nanosecond, e.g. `"1.5ns"`: durations are whole nanoseconds.
    #[error("`{part}` is finer than a nanosecond in {input:?}")]
    TooPrecise {
        /// The literal as given.
        input: String,
        /// The part (number and unit) that is too precise.
        part: String,
    },
    /// More than [`Duration::MAX`].
    #[error("{input:?} is too long; expected at most 18446744073709551615.999999999s")]
    TooLong {
        /// The literal as given.
        input: String,
    },
}

impl DurationError {
    /// The literal that did not parse.
    pub fn input(&self) -> &str {
        match self {
            DurationError::Empty { input }
            | DurationError::MissingNumber { input, .. }
            | DurationError::MissingUnit { input, .. }
            | DurationError::UnknownUnit { input, .. }
            | DurationError::UnitInWords { input, .. }
            | DurationError::BadNumber { input, .. }
            | DurationError::TooPrecise { input, .. }
            | DurationError::TooLong { input } => input,
        }
    }
}

/// The short form of a unit written as a word (`seconds` -> `s`).
fn short_unit(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "nanosecond" | "nanoseconds" | "nanos" => "ns",
        "microsecond" | "microseconds" | "micros" => "us",
        "millisecond" | "milliseconds" | "millis" | "msec" | "msecs" => "ms",
        "second" | "seconds" => "s",
        "minute" | "minutes" | "min" | "mins" => "m",
        "hour" | "hours" | "hr" | "hrs" => "h",
        "day" | "days" => "d",
        _ => return None,
    })
}

/// Parses a duration literal such as `"250ms"`, `"1m30s"` or `"1.5s"`: see the
/// [module docs](self) for the grammar. Exact (no floating point), never panics.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let input = || text.to_owned();
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(DurationError::Empty { input: input() });
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let is_number = |c: char| c.is_ascii_digit() || c == '.';
        let Some(number_len) = rest.find(|c: char| !is_number(c)) else {
            return Err(DurationError::MissingUnit {
                input: input(),
                number: rest.to_owned(),
            });
        };
        if number_len == 0 {
            return Err(DurationError::MissingNumber {
                input: input(),
                at: rest.to_owned(),
            });
        }
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail.find(is_number).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(DurationError::MissingUnit {
                input: input(),
                number: number.to_owned(),
            });
        }
        let nanos_per_unit = match unit {
            "µs" => 1_000,
            _ => match UNITS.iter().find(|(name, _)| *name == unit) {
                Some((_, nanos)) => *nanos,
                None => {
                    return Err(match short_unit(unit) {
                        Some(short) => DurationError::UnitInWords {
                            input: input(),
                            unit: unit.to_owned(),
                            number: number.to_owned(),
                            short,
                        },
                        None => DurationError::UnknownUnit {
                            input: input(),
                            unit: unit.to_owned(),
                        },
                    })
                }
            },
        };
        let part = scale(number, nanos_per_unit).map_err(|e| match e {
            ScaleError::NotANumber => DurationError::BadNumber {
                input: input(),
                number: number.to_owned(),
            },
            ScaleError::TooPrecise => DurationError::TooPrecise {
                input: input(),
                part: format!("{number}{unit}"),
            },
            ScaleError::TooLong => DurationError::TooLong { input: input() },
        })?;
        total = total
            .checked_add(part)
            .ok_or_else(|| DurationError::TooLong { input: input() })?;
        rest = tail.trim_start();
    }
    let secs = u64::try_from(total / NANOS_PER_SEC)
        .map_err(|_| DurationError::TooLong { input: input() })?;
    // The remainder is below 10^9.
    Ok(Duration::new(secs, (total % NANOS_PER_SEC) as u32))
}

enum ScaleError {
    NotANumber,
    TooPrecise,
    TooLong,
}

/// `number` (digits, maybe with one `.` and a fraction) times `unit` nanoseconds, exactly.
fn scale(number: &str, unit: u128) -> Result<u128, ScaleError> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(ScaleError::NotANumber);
    }
    let mut nanos: u128 = 0;
    for digit in whole.bytes() {
        nanos = nanos
            .checked_mul(10)
            .and_then(|n| n.checked_add(u128::from(digit - b'0')))
            .ok_or(ScaleError::TooLong)?;
    }
    nanos = nanos.checked_mul(unit).ok_or(ScaleError::TooLong)?;
    let mut place = unit;
    for digit in fraction.bytes() {
        let digit = u128::from(digit - b'0');
        if place < 10 {
            if digit != 0 {
                return Err(ScaleError::TooPrecise);
            }
            continue;
        }
        place /= 10;
        nanos = nanos
            .checked_add(digit * place)
            .ok_or(ScaleError::TooLong)?;
    }
    Ok(nanos)
}

/// Writes `duration` as a literal that [`parse_duration`] reads back exactly: the
/// largest units first, zero parts left out (`"1m30s"`, `"1s500ms"`, `"100us"`), and
/// `"0s"` for zero.
pub fn format_duration(duration: Duration) -> String {
    let mut nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (name, unit) in UNITS {
        let count = nanos / unit;
        if count > 0 {
            // Writing to a String cannot fail.
            let _ = write!(out, "{count}{name}");
            nanos %= unit;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Duration {
        parse_duration(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn err(text: &str) -> String {
        parse_duration(text).expect_err(text).to_string()
    }

    #[test]
    fn the_attribute_literals() {
        assert_eq!(ok("250ms"), Duration::from_millis(250));
        assert_eq!(ok("50s"), Duration::from_secs(50));
        assert_eq!(ok("2m"), Duration::from_secs(120));
        assert_eq!(ok("1h"), Duration::from_secs(3600));
        assert_eq!(ok("1d"), Duration::from_secs(86_400));
        assert_eq!(ok("1m30s"), Duration::from_secs(90));
        assert_eq!(ok("1.5s"), Duration::from_millis(1500));
        assert_eq!(ok("100us"), Duration::from_micros(100));
        assert_eq!(ok("100µs"), Duration::from_micros(100));
        assert_eq!(ok("10ns"), Duration::from_nanos(10));
        assert_eq!(ok("0s"), Duration::ZERO);
        assert_eq!(ok(" 1h 2m "), Duration::from_secs(3720));
        assert_eq!(ok("5 s"), Duration::from_secs(5));
        assert_eq!(ok(".5s"), Duration::from_millis(500));
        assert_eq!(ok("5.s"), Duration::from_secs(5));
        assert_eq!(ok("1.000000000s"), Duration::from_secs(1));
        assert_eq!(ok("0.000000001s"), Duration::from_nanos(1));
        assert_eq!(ok("1.0ns"), Duration::from_nanos(1));
        assert_eq!(ok("1.500us"), Duration::from_nanos(1500));
        // Zeros past nanosecond precision are exact (retry-macros' own parser of today
        // rejects this one).
        assert_eq!(ok("0.1000000000s"), Duration::from_millis(100));
        assert_eq!(ok("1.5us"), Duration::from_nanos(1500));
        assert_eq!(ok("1s1s"), Duration::from_secs(2));
    }

    #[test]
    fn the_limits() {
        assert_eq!(ok("18446744073709551615.999999999s"), Duration::MAX);
        assert_eq!(
            err("18446744073709551616s"),
            "\"18446744073709551616s\" is too long; expected at most 18446744073709551615.999999999s"
        );
        assert_eq!(
            err("99999999999999999999999999999999999999999999d"),
            "\"99999999999999999999999999999999999999999999d\" is too long; expected at most 18446744073709551615.999999999s"
        );
        assert_eq!(
            err("18446744073709551615s 1s"),
            "\"18446744073709551615s 1s\" is too long; expected at most 18446744073709551615.999999999s"
        );
    }

    #[test]
    fn every_error_message() {
        assert_eq!(
            err(""),
            "empty duration \"\"; expected e.g. \"250ms\", \"1.5s\" or \"1m30s\""
        );
        assert_eq!(
            err("  "),
            "empty duration \"  \"; expected e.g. \"250ms\", \"1.5s\" or \"1m30s\""
        );
        assert_eq!(
            err("50"),
            "no unit after `50` in \"50\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(
            err("1s 5"),
            "no unit after `5` in \"1s 5\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(
            err("5 .5s"),
            "no unit after `5` in \"5 .5s\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(
            err("1sec"),
            "unknown unit `sec` in \"1sec\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(
            err("5 parsecs"),
            "unknown unit `parsecs` in \"5 parsecs\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(
            err("1S"),
            "unknown unit `S` in \"1S\"; expected ns, us, ms, s, m, h, d"
        );
        assert_eq!(err("s"), "expected a number at `s` in \"s\"");
        assert_eq!(err("ms5"), "expected a number at `ms5` in \"ms5\"");
        assert_eq!(err("-5s"), "expected a number at `-5s` in \"-5s\"");
        assert_eq!(err("1.2.3s"), "`1.2.3` is not a number in \"1.2.3s\"");
        assert_eq!(err(".s"), "`.` is not a number in \".s\"");
        assert_eq!(
            err("0.5ns"),
            "`0.5ns` is finer than a nanosecond in \"0.5ns\""
        );
        assert_eq!(
            err("1.0000000001s"),
            "`1.0000000001s` is finer than a nanosecond in \"1.0000000001s\""
        );
    }

    #[test]
    fn units_in_words_say_how_to_write_them() {
        assert_eq!(
            parse_duration("30 seconds").unwrap_err().to_string(),
            "unknown unit `seconds` in \"30 seconds\"; expected ns, us, ms, s, m, h, d (write `30s`)"
        );
        assert_eq!(
            parse_duration("5 parsecs").unwrap_err().to_string(),
            "unknown unit `parsecs` in \"5 parsecs\"; expected ns, us, ms, s, m, h, d"
        );
    }

    #[test]
    fn the_error_keeps_the_input() {
        let e = parse_duration("1sec").unwrap_err();
        assert_eq!(e.input(), "1sec");
        assert_eq!(
            e,
            DurationError::UnknownUnit {
                input: "1sec".into(),
                unit: "sec".into()
            }
        );
    }

    #[test]
    fn format_reads_back() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1s500ms");
        assert_eq!(format_duration(Duration::from_micros(100)), "100us");
        assert_eq!(format_duration(Duration::from_nanos(10)), "10ns");
        assert_eq!(format_duration(Duration::from_secs(90_061)), "1d1h1m1s");
        for d in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_nanos(1_001_001_001),
            Duration::from_secs(86_399),
            Duration::MAX,
        ] {
            assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{d:?}");
        }
    }
}
