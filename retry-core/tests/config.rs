//! Policies from configuration: the string form (`FromStr`/`Display`) and the table
//! form (serde, through TOML and JSON) mean what the attribute's keys mean, round trip
//! exactly, and answer bad input with the stated message, never a panic.

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;
use retry_core::{ConfigError, Jitter, Policy};

#[path = "support/strategies.rs"]
mod strategies;
use strategies::*;

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn parse(text: &str) -> Policy {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn parse_err(text: &str) -> String {
    match text.parse::<Policy>() {
        Ok(p) => panic!("{text:?} should not parse, got {p:?}"),
        Err(e) => e.to_string(),
    }
}

fn from_toml(text: &str) -> Result<Policy, String> {
    toml::from_str::<BTreeMap<String, Policy>>(&format!("p = {text}"))
        .map(|mut m| m.remove("p").unwrap())
        .map_err(|e| e.message().to_owned())
}

fn toml_err(text: &str) -> String {
    match from_toml(text) {
        Ok(p) => panic!("{text} should not deserialize, got {p:?}"),
        Err(e) => e,
    }
}

fn from_json(text: &str) -> Result<Policy, String> {
    serde_json::from_str::<Policy>(text).map_err(|e| e.to_string())
}

/// Each string next to the builder chain that `#[retry(..)]` with the same keys expands
/// to (retry-macros/src/expand.rs: schedule with base and factor, then jitter, then
/// max_tries or forever, then max_time, then max_delay).
fn same_as_the_attribute() -> Vec<(&'static str, Policy)> {
    vec![
        ("", Policy::expo()),
        ("expo", Policy::expo()),
        ("expo()", Policy::expo()),
        (
            "expo(factor = 100ms), max_tries = 4, max_time = 50s",
            Policy::expo()
                .factor(ms(100))
                .max_tries(4)
                .max_time(secs(50)),
        ),
        (
            r#"expo(factor = "100ms"), max_tries = 4, max_time = "50s""#,
            Policy::expo()
                .factor(ms(100))
                .max_tries(4)
                .max_time(secs(50)),
        ),
        (
            "expo(base = 3, factor = 2), jitter = none",
            Policy::expo()
                .base(3.0)
                .factor(secs(2))
                .jitter(Jitter::None),
        ),
        (
            "expo(factor = 1.5s, base = 1.5,)",
            Policy::expo().base(1.5).factor(ms(1500)),
        ),
        ("fibo", Policy::fibo()),
        (
            "fibo(factor = 1m30s), jitter = equal",
            Policy::fibo().factor(secs(90)).jitter(Jitter::Equal),
        ),
        (
            "constant(250ms), jitter = none, max_tries = 5",
            Policy::constant(ms(250)).jitter(Jitter::None).max_tries(5),
        ),
        (r#"constant(interval = "250ms")"#, Policy::constant(ms(250))),
        ("constant(2)", Policy::constant(secs(2))),
        (r#"constant("1h 2m")"#, Policy::constant(secs(3720))),
        (
            "jitter = decorrelated, forever, max_delay = 30s",
            Policy::expo()
                .jitter(Jitter::Decorrelated)
                .forever()
                .max_delay(secs(30)),
        ),
        // Any order; the attribute's expansion applies max_time after max_tries, and
        // so does the parser.
        (
            "max_time = 25s, constant(10s), max_tries = 2",
            Policy::constant(secs(10)).max_tries(2).max_time(secs(25)),
        ),
        // max_time without max_tries: the budget is the limit.
        (
            "constant(10s), jitter = none, max_time = 25s",
            Policy::constant(secs(10))
                .jitter(Jitter::None)
                .max_time(secs(25)),
        ),
        (
            "max_delay = 100us, max_time = 10ns",
            Policy::expo()
                .max_time(Duration::from_nanos(10))
                .max_delay(Duration::from_micros(100)),
        ),
        (
            "  expo ( factor = 10ms ) ,max_tries=4,  ",
            Policy::expo().factor(ms(10)).max_tries(4),
        ),
    ]
}

#[test]
fn strings_mean_what_the_attribute_means() {
    for (text, policy) in same_as_the_attribute() {
        assert_eq!(parse(text), policy, "{text:?}");
    }
    // The budget really is the limit, as SPEC's example says: attempts at 0, 10, 20, 25 s.
    let waits: Vec<_> = parse("constant(10s), jitter = none, max_time = 25s")
        .waits()
        .collect();
    assert_eq!(waits, [10, 10, 5].map(Duration::from_secs));
}

#[test]
fn tables_mean_what_the_attribute_means() {
    let cases = [
        ("{}", Policy::expo()),
        (
            r#"{ strategy = "expo", factor = "100ms", base = 2, jitter = "full", max_tries = 4, max_time = "50s", max_delay = "30s" }"#,
            Policy::expo()
                .base(2.0)
                .factor(ms(100))
                .jitter(Jitter::Full)
                .max_tries(4)
                .max_time(secs(50))
                .max_delay(secs(30)),
        ),
        (
            r#"{ strategy = "expo", base = 1.5 }"#,
            Policy::expo().base(1.5),
        ),
        (r#"{ factor = 3 }"#, Policy::expo().factor(secs(3))),
        (
            r#"{ strategy = "fibo", factor = "1m30s", jitter = "equal" }"#,
            Policy::fibo().factor(secs(90)).jitter(Jitter::Equal),
        ),
        (
            r#"{ strategy = "constant", interval = "250ms", jitter = "none", max_tries = 5 }"#,
            Policy::constant(ms(250)).jitter(Jitter::None).max_tries(5),
        ),
        (
            r#"{ strategy = "constant", interval = 10, max_time = 25 }"#,
            Policy::constant(secs(10)).max_time(secs(25)),
        ),
        (
            r#"{ forever = true, jitter = "decorrelated" }"#,
            Policy::expo().jitter(Jitter::Decorrelated).forever(),
        ),
        (
            r#"{ forever = false, max_tries = 2 }"#,
            Policy::expo().max_tries(2),
        ),
        (
            r#"{ max_time = "1.5s", forever = true }"#,
            Policy::expo().forever().max_time(ms(1500)),
        ),
        // A string in the attribute's syntax is a policy too.
        (
            r#""fibo(factor = 2s), max_tries = 6""#,
            Policy::fibo().factor(secs(2)).max_tries(6),
        ),
    ];
    for (toml_text, policy) in cases {
        assert_eq!(from_toml(toml_text), Ok(policy), "{toml_text}");
    }
    assert_eq!(
        from_json(
            r#"{"strategy": "constant", "interval": "250ms", "max_tries": 5, "jitter": "none"}"#
        ),
        Ok(Policy::constant(ms(250)).max_tries(5).jitter(Jitter::None))
    );
    assert_eq!(
        from_json(r#"{"max_time": 50, "max_delay": "30s", "forever": true}"#),
        Ok(Policy::expo()
            .forever()
            .max_time(secs(50))
            .max_delay(secs(30)))
    );
    assert_eq!(
        from_json(r#""expo(factor = \"100ms\"), max_tries = 4""#),
        Ok(Policy::expo().factor(ms(100)).max_tries(4))
    );
}

#[test]
fn a_config_file_with_several_policies() {
    let file = r#"
        [http]
        strategy = "expo"
        factor = "100ms"
        max_tries = 4
        max_time = "50s"

        [db]
        strategy = "constant"
        interval = "250ms"
        jitter = "none"
        forever = true
        max_time = "2m"
    "#;
    let policies: BTreeMap<String, Policy> = toml::from_str(file).unwrap();
    assert_eq!(
        policies["http"],
        Policy::expo()
            .factor(ms(100))
            .max_tries(4)
            .max_time(secs(50))
    );
    assert_eq!(
        policies["db"],
        Policy::constant(ms(250))
            .jitter(Jitter::None)
            .forever()
            .max_time(secs(120))
    );
}

#[test]
fn serialized_tables_are_written_in_the_literal_grammar() {
    let policies = BTreeMap::from([(
        "http",
        Policy::expo()
            .factor(ms(100))
            .max_tries(4)
            .max_time(secs(50))
            .max_delay(secs(90)),
    )]);
    assert_eq!(
        toml::to_string(&policies).unwrap(),
        r#"[http]
strategy = "expo"
base = 2
factor = "100ms"
jitter = "full"
max_tries = 4
max_time = "50s"
max_delay = "1m30s"
"#
    );
    assert_eq!(
        serde_json::to_string(&Policy::constant(ms(1500)).jitter(Jitter::None).forever()).unwrap(),
        r#"{"strategy":"constant","interval":"1s500ms","jitter":"none","forever":true,"max_delay":"1m"}"#
    );
    assert_eq!(
        serde_json::to_string(&Policy::fibo().max_time(secs(5))).unwrap(),
        r#"{"strategy":"fibo","factor":"1s","jitter":"full","max_time":"5s","max_delay":"1m"}"#
    );
    assert_eq!(
        serde_json::to_string(&Policy::expo().base(1.5)).unwrap(),
        r#"{"strategy":"expo","base":1.5,"factor":"1s","jitter":"full","max_delay":"1m"}"#
    );
    assert_eq!(
        serde_json::to_string(&Jitter::Decorrelated).unwrap(),
        r#""decorrelated""#
    );
    assert_eq!(
        serde_json::from_str::<Jitter>(r#""equal""#).unwrap(),
        Jitter::Equal
    );
}

fn round_trip(policy: Policy) {
    let text = policy.to_string();
    assert_eq!(text.parse::<Policy>(), Ok(policy), "{text}");
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(
        serde_json::from_str::<Policy>(&json).unwrap(),
        policy,
        "{json}"
    );
    let toml_text = toml::to_string(&BTreeMap::from([("p", policy)])).unwrap();
    let back: BTreeMap<String, Policy> = toml::from_str(&toml_text).unwrap();
    assert_eq!(back["p"], policy, "{toml_text}");
}

#[test]
fn round_trips() {
    for (_, policy) in same_as_the_attribute() {
        round_trip(policy);
    }
    // The default attempt limit and an explicit one differ once max_time is added, and
    // so do "no limit because of max_time" and `forever`: each comes back as itself.
    round_trip(Policy::expo().max_tries(3));
    round_trip(Policy::expo().max_time(secs(5)));
    round_trip(Policy::expo().forever().max_time(secs(5)));
    round_trip(Policy::expo().max_tries(0));
    round_trip(Policy::constant(Duration::MAX).max_delay(Duration::ZERO));
    round_trip(
        Policy::expo()
            .base(f64::MAX)
            .factor(Duration::from_nanos(1)),
    );
    round_trip(Policy::expo().base(1.0 + f64::EPSILON));
    // Found by the property test: exact only with serde_json's `float_roundtrip`.
    round_trip(Policy::expo().base(9390.947236158061));
}

#[test]
fn string_errors() {
    let cases = [
        ("max_tries = 0", "max_tries: must be at least 1, found 0"),
        ("max_tries = -1", "max_tries: must be at least 1, found -1"),
        (
            "max_tries = 4294967296",
            "max_tries: must be at most 4294967295 (for no limit, use `forever`), found 4294967296",
        ),
        (
            "max_tries = 99999999999999999999999999999999999999999",
            "max_tries: must be at most 4294967295 (for no limit, use `forever`), found 99999999999999999999999999999999999999999",
        ),
        (
            "max_tries = 4.0",
            "max_tries: expected a whole number of attempts such as 4, found `4.0`",
        ),
        (
            r#"max_tries = "4""#,
            r#"max_tries: expected a whole number of attempts such as 4, found "4""#,
        ),
        (
            "expo(factor = 1sec)",
            r#"factor: unknown unit `sec` in "1sec"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            r#"expo(factor = "1sec")"#,
            r#"factor: unknown unit `sec` in "1sec"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            r#"max_time = "50""#,
            r#"max_time: no unit after `50` in "50"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            "max_time = 1.5",
            r#"max_time: no unit after `1.5` in "1.5"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            "max_delay = 0.5ns",
            r#"max_delay: `0.5ns` is finer than a nanosecond in "0.5ns""#,
        ),
        (
            "max_time = 18446744073709551616",
            r#"max_time: "18446744073709551616" is too long; expected at most 18446744073709551615.999999999s"#,
        ),
        (
            r#"constant("")"#,
            r#"interval: empty duration ""; expected e.g. "250ms", "1.5s" or "1m30s""#,
        ),
        (
            "expo, max_attempts = 4",
            "unknown key `max_attempts`, did you mean `max_tries`?",
        ),
        ("max_tires = 4", "unknown key `max_tires`, did you mean `max_tries`?"),
        ("retries = 4", "unknown key `retries`, did you mean `max_tries`?"),
        ("exponential", "unknown key `exponential`, did you mean `expo`?"),
        (
            "max_elapsed_time = 5s",
            "unknown key `max_elapsed_time`, did you mean `max_time`?",
        ),
        (
            "colour = red",
            "unknown key `colour`; expected one of: expo, fibo, constant, jitter, max_tries, forever, max_time, max_delay",
        ),
        (
            "giveup = is_fatal",
            "`giveup` is not a policy setting and cannot come from configuration; set it on the attribute or at the call site",
        ),
        (
            "timeout = 5s",
            "`timeout` is not a policy setting and cannot come from configuration; set it on the attribute or at the call site",
        ),
        (
            "base = 2",
            "`base` belongs inside `expo(...)`: write e.g. `expo(base = 2)`",
        ),
        (
            "factor = 1s",
            "`factor` belongs inside `expo(...)` or `fibo(...)`: write e.g. `expo(factor = 100ms)`",
        ),
        (
            "interval = 1s",
            "`interval` belongs inside `constant(...)`: write e.g. `constant(interval = 250ms)`",
        ),
        (
            "strategy = expo",
            "`strategy` is a key of the table form; in a string, name the strategy itself: `expo`, `fibo` or `constant(1s)`",
        ),
        ("max_tries = 3, max_tries = 4", "`max_tries` is given twice"),
        ("expo, expo", "`expo` is given twice"),
        ("expo(factor = 1s, factor = 2s)", "`factor` is given twice"),
        (
            "expo, fibo",
            "only one wait strategy may be given: `expo` is already set, so `fibo` conflicts with it",
        ),
        (
            "constant(1s), expo(base = 2)",
            "only one wait strategy may be given: `constant` is already set, so `expo` conflicts with it",
        ),
        (
            "forever, max_tries = 4",
            "`forever` and `max_tries` conflict: `forever` means no attempt limit",
        ),
        (
            "max_tries = 4, forever",
            "`forever` and `max_tries` conflict: `forever` means no attempt limit",
        ),
        (
            "jitter = partial",
            "jitter: unknown value `partial`; expected one of: full, equal, decorrelated, none",
        ),
        (
            r#"jitter = "full""#,
            r#"jitter: expected one of full, equal, decorrelated, none, without quotes, found "full""#,
        ),
        (
            "expo(base = 0.5)",
            "base: must be a finite number >= 1, found 0.5",
        ),
        ("expo(base = inf)", "base: must be a finite number >= 1, found inf"),
        ("expo(base = NaN)", "base: must be a finite number >= 1, found NaN"),
        (
            "expo(base = two)",
            "base: expected a number >= 1 such as 2 or 1.5, found `two`",
        ),
        (
            r#"expo(base = "2")"#,
            r#"base: expected a number >= 1 such as 2 or 1.5, found "2""#,
        ),
        (
            "fibo(base = 2)",
            "fibo: unknown argument `base`; expected one of: factor",
        ),
        (
            "expo(facter = 1s)",
            "expo: unknown argument `facter`, did you mean `factor`?",
        ),
        (
            "constant(factor = 1s)",
            "constant: unknown argument `factor`; expected one of: interval",
        ),
        (
            "constant",
            "`constant` needs its interval: write `constant(1s)` or `constant(interval = 1s)`",
        ),
        (
            "constant()",
            "`constant` needs its interval: write `constant(1s)` or `constant(interval = 1s)`",
        ),
        (
            "constant(1s, 2s)",
            "column 12: expected `)` after the interval (`constant` takes one), found `,`",
        ),
        ("max_tries 4", "column 11: expected `=` after `max_tries`, found `4`"),
        ("max_tries =", "column 12: expected a value for `max_tries`, found the end"),
        ("expo = 2", "column 6: expected `,` or the end after `expo`, found `=`"),
        (
            "forever = true",
            "column 9: expected `,` or the end after `forever`, found `=`",
        ),
        (
            "expo max_tries = 4",
            "column 6: expected `,` or the end after `expo`, found `max_tries`",
        ),
        (
            "expo(factor = 1s",
            "column 17: expected `,` or `)`, found the end",
        ),
        ("expo(,)", "column 6: expected an argument of `expo` or `)`, found `,`"),
        (", expo", "column 1: expected a key such as `expo` or `max_tries`, found `,`"),
        ("expo,, fibo", "column 6: expected a key such as `expo` or `max_tries`, found `,`"),
        (
            r#"max_time = "50s"#,
            "column 12: expected a closing `\"` for the string that starts here, found the end",
        ),
        // Columns count characters, not bytes.
        ("max_time = 5µs µ", "column 16: expected `,` or the end after `max_time`, found `µ`"),
    ];
    for (text, message) in cases {
        assert_eq!(parse_err(text), message, "{text:?}");
    }
}

#[test]
fn errors_are_typed() {
    assert_eq!(
        "max_tries = 0".parse::<Policy>(),
        Err(ConfigError::OutOfRange {
            key: "max_tries",
            rule: "at least 1",
            found: "0".into()
        })
    );
    assert!(matches!(
        "expo(factor = 1sec)".parse::<Policy>(),
        Err(ConfigError::Duration { key: "factor", .. })
    ));
    assert_eq!("none".parse::<Jitter>(), Ok(Jitter::None));
    assert_eq!(Jitter::Decorrelated.to_string(), "decorrelated");
}

#[test]
fn table_errors() {
    let cases = [
        ("{ max_tries = 0 }", "max_tries: must be at least 1, found 0"),
        ("{ max_tries = -3 }", "max_tries: must be at least 1, found -3"),
        (
            "{ max_tries = 4294967296 }",
            "max_tries: must be at most 4294967295 (for no limit, use `forever`), found 4294967296",
        ),
        (
            r#"{ max_tries = "4" }"#,
            r#"max_tries: expected a whole number of attempts such as 4, found "4""#,
        ),
        (
            "{ max_tries = 4.0 }",
            "max_tries: expected a whole number of attempts such as 4, found 4.0",
        ),
        (
            r#"{ factor = "1sec" }"#,
            r#"factor: unknown unit `sec` in "1sec"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            r#"{ max_time = "50" }"#,
            r#"max_time: no unit after `50` in "50"; expected ns, us, ms, s, m, h, d"#,
        ),
        (
            "{ max_time = 1.5 }",
            r#"max_time: expected a duration such as "250ms", "1.5s" or "1m30s", or a whole number of seconds, found 1.5"#,
        ),
        (
            "{ max_delay = -1 }",
            "max_delay: must be a whole number of seconds from 0 to 18446744073709551615, found -1",
        ),
        (
            "{ max_delay = true }",
            r#"max_delay: expected a duration such as "250ms", "1.5s" or "1m30s", or a whole number of seconds, found true"#,
        ),
        (
            "{ max_delay = [1, 2] }",
            r#"max_delay: expected a duration such as "250ms", "1.5s" or "1m30s", or a whole number of seconds, found a list"#,
        ),
        (
            "{ max_delay = { secs = 1 } }",
            r#"max_delay: expected a duration such as "250ms", "1.5s" or "1m30s", or a whole number of seconds, found a table"#,
        ),
        (
            "{ max_attempts = 4 }",
            "unknown key `max_attempts`, did you mean `max_tries`?",
        ),
        (
            r#"{ expo = true }"#,
            r#"unknown key `expo`, did you mean `strategy = "expo"`?"#,
        ),
        (
            r#"{ strategy = "constant", constant = "1s" }"#,
            r#"unknown key `constant`, did you mean `strategy = "constant"`?"#,
        ),
        (
            "{ multiplier = 2 }",
            "unknown key `multiplier`, did you mean `base`?",
        ),
        (
            r#"{ initial_delay = "1s" }"#,
            "unknown key `initial_delay`, did you mean `factor`?",
        ),
        (
            "{ colour = 1 }",
            "unknown key `colour`; expected one of: strategy, base, factor, interval, jitter, max_tries, forever, max_time, max_delay",
        ),
        (
            r#"{ retry_if = "is_transient" }"#,
            "`retry_if` is not a policy setting and cannot come from configuration; set it on the attribute or at the call site",
        ),
        (
            r#"{ strategy = "linear" }"#,
            "strategy: unknown value `linear`; expected one of: expo, fibo, constant",
        ),
        (
            "{ strategy = 1 }",
            r#"strategy: expected one of "expo", "fibo", "constant", found 1"#,
        ),
        (
            r#"{ jitter = "partial" }"#,
            "jitter: unknown value `partial`; expected one of: full, equal, decorrelated, none",
        ),
        (
            "{ jitter = false }",
            r#"jitter: expected one of "full", "equal", "decorrelated", "none", found false"#,
        ),
        ("{ base = 0.5 }", "base: must be a finite number >= 1, found 0.5"),
        ("{ base = 0 }", "base: must be a finite number >= 1, found 0"),
        ("{ base = inf }", "base: must be a finite number >= 1, found inf"),
        ("{ base = nan }", "base: must be a finite number >= 1, found NaN"),
        (
            r#"{ base = "2" }"#,
            r#"base: expected a number >= 1 such as 2 or 1.5, found "2""#,
        ),
        (
            r#"{ strategy = "fibo", base = 2 }"#,
            "`base` applies to the `expo` strategy only",
        ),
        (
            r#"{ strategy = "constant", interval = "1s", factor = "1s" }"#,
            "`factor` applies to the `expo` and `fibo` strategies; `constant` takes `interval`",
        ),
        (
            r#"{ interval = "1s" }"#,
            "`interval` applies to the `constant` strategy only; `expo` and `fibo` take `factor`",
        ),
        (
            r#"{ strategy = "constant" }"#,
            r#"`constant` needs its interval: add `interval = "1s"`"#,
        ),
        (
            "{ forever = true, max_tries = 4 }",
            "`forever` and `max_tries` conflict: `forever` means no attempt limit",
        ),
        (
            r#"{ forever = "yes" }"#,
            r#"forever: expected true or false, found "yes""#,
        ),
        (
            r#""expo, max_attempts = 4""#,
            "unknown key `max_attempts`, did you mean `max_tries`?",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(toml_err(text), message, "{text}");
    }
    // JSON allows a key twice; the attribute does not, and neither does the table.
    assert_eq!(
        from_json(r#"{"max_tries": 3, "max_tries": 4}"#),
        Err("`max_tries` is given twice at line 1 column 32".into())
    );
    assert_eq!(
        from_json(r#"{"max_tries": null}"#),
        Err("max_tries: expected a whole number of attempts such as 4, found null at line 1 column 19".into())
    );
    assert_eq!(
        from_json("4"),
        Err(r#"invalid type: integer `4`, expected a retry policy: a table such as { strategy = "expo", max_tries = 4 } or a string such as "expo, max_tries = 4" at line 1 column 1"#.into())
    );
    assert_eq!(
        serde_json::from_str::<Jitter>(r#""partial""#).unwrap_err().to_string(),
        "jitter: unknown value `partial`; expected one of: full, equal, decorrelated, none at line 1 column 9"
    );
}

#[test]
fn a_policy_that_config_cannot_express_is_not_written() {
    let infinite = Policy::expo().base(f64::INFINITY);
    assert_eq!(
        serde_json::to_string(&infinite).unwrap_err().to_string(),
        "this policy cannot be written as configuration: base: must be a finite number >= 1, found inf"
    );
}

/// Words and punctuation of the string form, to build near-miss inputs from.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "expo",
            "fibo",
            "constant",
            "jitter",
            "max_tries",
            "forever",
            "max_time",
            "max_delay",
            "base",
            "factor",
            "interval",
            "full",
            "none",
            "(",
            ")",
            ",",
            "=",
            "\"",
            "\\",
            " ",
            "0",
            "1",
            "4294967296",
            "1.5",
            "250ms",
            "1m30s",
            "µs",
            "-",
            ".",
            "inf",
            "e9",
            "d",
            "ns",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,6}",
    ]
}

/// A value a TOML table could hold for any key.
fn toml_value() -> impl Strategy<Value = toml::Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(toml::Value::Boolean),
        any::<i64>().prop_map(toml::Value::Integer),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(4),
            Just(-1),
            Just(u32::MAX as i64 + 1)
        ]
        .prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        prop::sample::select(vec![
            "expo",
            "fibo",
            "constant",
            "full",
            "none",
            "decorrelated",
            "250ms",
            "1m30s",
            "1.5s",
            "50",
            "1sec",
            "",
            "expo, max_tries = 4",
        ])
        .prop_map(|s| toml::Value::String(s.into())),
        "\\PC{0,12}".prop_map(toml::Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(toml::Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
        ]
    })
}

fn table_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "strategy", "base", "factor", "interval", "jitter", "max_tries", "forever",
            "max_time", "max_delay",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{1,12}",
    ]
}

fn any_policy() -> impl Strategy<Value = Policy> {
    let schedule = prop_oneof![
        (any_base(), any_duration()).prop_map(|(b, f)| Policy::expo().base(b).factor(f)),
        any_duration().prop_map(|f| Policy::fibo().factor(f)),
        any_duration().prop_map(Policy::constant),
    ];
    (
        schedule,
        any_jitter(),
        0u8..4,
        any::<u32>(),
        proptest::option::of(any_duration()),
        proptest::option::of(any_duration()),
    )
        .prop_map(|(p, jitter, tries, n, max_time, max_delay)| {
            let p = p.jitter(jitter);
            let p = match tries {
                0 => p,
                1 => p.max_tries(n),
                _ => p.forever(),
            };
            let p = max_time.map_or(p, |d| p.max_time(d));
            max_delay.map_or(p, |d| p.max_delay(d))
        })
}

proptest! {
    // Bounded so the whole file runs in a few seconds on every CI run.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_string_parses_or_errs_without_panic(text in "\\PC{0,40}") {
        let _ = text.parse::<Policy>();
    }

    #[test]
    fn near_miss_strings_parse_or_err_and_round_trip(parts in prop::collection::vec(fragment(), 0..14)) {
        let text = parts.concat();
        if let Ok(policy) = text.parse::<Policy>() {
            prop_assert_eq!(policy.to_string().parse::<Policy>(), Ok(policy));
        }
    }

    #[test]
    fn any_table_deserializes_or_errs_without_panic(
        entries in prop::collection::vec((table_key(), toml_value()), 0..6)
    ) {
        let table: toml::Table = entries.into_iter().collect();
        let text = toml::to_string(&BTreeMap::from([("p", toml::Value::Table(table.clone()))])).unwrap();
        let from_text = toml::from_str::<BTreeMap<String, Policy>>(&text).map(|mut m| m.remove("p").unwrap());
        let from_value = toml::Value::Table(table).try_into::<Policy>();
        prop_assert_eq!(from_text.is_ok(), from_value.is_ok());
        if let Ok(policy) = from_value {
            prop_assert_eq!(from_text.unwrap(), policy);
            round_trip(policy);
        }
    }

    #[test]
    fn every_expressible_policy_round_trips(policy in any_policy()) {
        let base_is_finite = match policy.schedule() {
            retry_core::backoff::Schedule::Exponential(e) => e.base().is_finite(),
            _ => true,
        };
        prop_assert_eq!(serde_json::to_string(&policy).is_ok(), base_is_finite);
        if base_is_finite {
            round_trip(policy);
        }
    }
}
