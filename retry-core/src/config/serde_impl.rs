//! `Serialize`/`Deserialize` for [`Policy`] and [`Jitter`] (feature `serde`).
//!
//! A policy is a table, e.g. in TOML
//! `{ strategy = "expo", factor = "100ms", base = 2, jitter = "full", max_tries = 4, max_time = "50s", max_delay = "30s" }`,
//! or, when deserializing, also a string in the attribute's syntax
//! (`"expo(factor = 100ms), max_tries = 4"`). Values are read into [`Scalar`]s first
//! and checked by hand, so that every message names the key, what was found and what
//! the key accepts, in every format.

use core::fmt;
use core::time::Duration;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{
    base_from, jitter_from_name, jitter_name, tries_from, unknown_jitter, unknown_key, ConfigError,
    Draft, Form, Parts, Strategy, Tries, STRATEGIES, TABLE_KEYS,
};
use crate::duration::{format_duration, parse_duration};
use crate::{Jitter, Policy};

/// The jitter's name, as in `jitter = ...` of the attribute: `"full"`, `"equal"`,
/// `"decorrelated"` or `"none"`.
impl Serialize for Jitter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(jitter_name(*self))
    }
}

/// One of `"full"`, `"equal"`, `"decorrelated"`, `"none"`.
impl<'de> Deserialize<'de> for Jitter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Jitter, D::Error> {
        struct JitterVisitor;

        impl Visitor<'_> for JitterVisitor {
            type Value = Jitter;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one of \"full\", \"equal\", \"decorrelated\", \"none\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Jitter, E> {
                jitter_from_name(v).ok_or_else(|| E::custom(unknown_jitter(v)))
            }
        }

        deserializer.deserialize_str(JitterVisitor)
    }
}

/// The table form, with the settings [`Display`](core::fmt::Display) writes in the
/// string form: `strategy`, then `base` and `factor` (expo), `factor` (fibo) or
/// `interval` (constant), `jitter`, `max_tries` (only where an attempt limit was set)
/// or `forever = true`, `max_time` (if any) and `max_delay`; durations as literals
/// such as `"1m30s"`. A policy that could not be read back as itself (an infinite
/// `base`) is an error rather than a table that means something else.
impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = Parts::of_exactly(self).map_err(serde::ser::Error::custom)?;
        let fields = 4
            + usize::from(parts.strategy == Strategy::Expo)
            + usize::from(parts.tries != Tries::Default)
            + usize::from(parts.max_time.is_some());
        let mut table = serializer.serialize_struct("Policy", fields)?;
        table.serialize_field("strategy", parts.strategy.name())?;
        let unit = format_duration(parts.unit);
        match parts.strategy {
            Strategy::Expo => {
                // An integral base reads better as an integer: `base = 2`.
                if parts.base.fract() == 0.0 && parts.base <= 9_007_199_254_740_992.0 {
                    table.serialize_field("base", &(parts.base as u64))?;
                } else {
                    table.serialize_field("base", &parts.base)?;
                }
                table.serialize_field("factor", &unit)?;
            }
            Strategy::Fibo => table.serialize_field("factor", &unit)?,
            Strategy::Constant => table.serialize_field("interval", &unit)?,
        }
        table.serialize_field("jitter", &parts.jitter)?;
        match parts.tries {
            Tries::Default => {}
            Tries::Limit(n) => table.serialize_field("max_tries", &n)?,
            Tries::Forever => table.serialize_field("forever", &true)?,
        }
        if let Some(d) = parts.max_time {
            table.serialize_field("max_time", &format_duration(d))?;
        }
        table.serialize_field("max_delay", &format_duration(parts.max_delay))?;
        table.end()
    }
}

/// From a table (see [`Serialize`](#impl-Serialize-for-Policy)) with any of the keys
/// `strategy` (`"expo"`, the default, `"fibo"` or `"constant"`), `base`, `factor`,
/// `interval`, `jitter`, `max_tries`, `forever`, `max_time`, `max_delay`, each at most
/// once; or from a string in the attribute's syntax, as [`FromStr`](core::str::FromStr)
/// reads it. A duration is a literal such as `"250ms"` or `"1m30s"`, or a whole number
/// of seconds. Needs a self-describing format (TOML, JSON, YAML, ...). A fractional
/// `base` comes back bit for bit from TOML; serde_json needs its `float_roundtrip`
/// feature for that (its default float parser may differ in the last digit).
impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Policy, D::Error> {
        deserializer.deserialize_any(PolicyVisitor)
    }
}

struct PolicyVisitor;

impl<'de> Visitor<'de> for PolicyVisitor {
    type Value = Policy;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a retry policy: a table such as { strategy = \"expo\", max_tries = 4 } or a string such as \"expo, max_tries = 4\"",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Policy, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Policy, A::Error> {
        let mut draft = Draft::default();
        while let Some(key) = map.next_key::<KeyName>()? {
            let key = key.0;
            let setting = |map: &mut A| -> Result<(&'static str, Scalar), A::Error> {
                let name = TABLE_KEYS
                    .iter()
                    .copied()
                    .find(|k| *k == key)
                    .ok_or_else(|| de::Error::custom(unknown_key(&key, Form::Table)))?;
                Ok((name, map.next_value::<Scalar>()?))
            };
            let (name, value) = setting(&mut map)?;
            draft.key(name).map_err(de::Error::custom)?;
            apply(&mut draft, name, value).map_err(de::Error::custom)?;
        }
        draft.build().map_err(de::Error::custom)
    }
}

/// Sets the table key `key` from its value, by the attribute's rules.
fn apply(draft: &mut Draft, key: &'static str, value: Scalar) -> Result<(), ConfigError> {
    match key {
        "strategy" => {
            draft.strategy = Some(match &value {
                Scalar::Str(s) => {
                    Strategy::from_name(s).ok_or_else(|| ConfigError::UnknownValue {
                        key: "strategy",
                        found: s.clone(),
                        accepted: STRATEGIES,
                    })?
                }
                other => {
                    return Err(expected(
                        key,
                        "one of \"expo\", \"fibo\", \"constant\"",
                        other,
                    ))
                }
            })
        }
        "base" => {
            let base = match value {
                Scalar::Int(n) => n as f64,
                Scalar::Float(f) => f,
                other => return Err(expected(key, "a number >= 1 such as 2 or 1.5", &other)),
            };
            draft.base = Some(base_from(base, &value.to_string())?);
        }
        "factor" => draft.factor = Some(duration(key, &value)?),
        "interval" => draft.interval = Some(duration(key, &value)?),
        "jitter" => {
            draft.jitter = Some(match &value {
                Scalar::Str(s) => jitter_from_name(s).ok_or_else(|| unknown_jitter(s))?,
                other => {
                    return Err(expected(
                        key,
                        "one of \"full\", \"equal\", \"decorrelated\", \"none\"",
                        other,
                    ))
                }
            })
        }
        "max_tries" => {
            draft.max_tries = Some(match value {
                Scalar::Int(n) => tries_from(n)?,
                other => {
                    return Err(expected(
                        key,
                        "a whole number of attempts such as 4",
                        &other,
                    ))
                }
            })
        }
        "forever" => {
            draft.forever = match value {
                Scalar::Bool(b) => b,
                other => return Err(expected(key, "true or false", &other)),
            }
        }
        "max_time" => draft.max_time = Some(duration(key, &value)?),
        _ => draft.max_delay = Some(duration(key, &value)?),
    }
    Ok(())
}

fn expected(key: &'static str, what: &'static str, found: &Scalar) -> ConfigError {
    ConfigError::Expected {
        key,
        expected: what,
        found: found.to_string(),
    }
}

fn duration(key: &'static str, value: &Scalar) -> Result<Duration, ConfigError> {
    match value {
        Scalar::Str(s) => parse_duration(s).map_err(|error| ConfigError::Duration { key, error }),
        Scalar::Int(n) => match u64::try_from(*n) {
            Ok(secs) => Ok(Duration::from_secs(secs)),
            Err(_) => Err(ConfigError::OutOfRange {
                key,
                rule: "a whole number of seconds from 0 to 18446744073709551615",
                found: n.to_string(),
            }),
        },
        other => Err(expected(
            key,
            "a duration such as \"250ms\", \"1.5s\" or \"1m30s\", or a whole number of seconds",
            other,
        )),
    }
}

/// A key of the table, as written.
struct KeyName(String);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyName, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = KeyName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key such as \"max_tries\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                Ok(KeyName(v.to_owned()))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Any value of a table, kept as it came so that the checks can say what was found.
#[derive(Debug)]
enum Scalar {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    /// Something no key accepts: a table, a list, a null, ...
    Other(&'static str),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(n) => write!(f, "{n}"),
            Scalar::Float(x) => write!(f, "{x:?}"),
            Scalar::Str(s) => write!(f, "{s:?}"),
            Scalar::Other(what) => f.write_str(what),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar, E> {
        Ok(i128::try_from(v).map_or(Scalar::Other("a number beyond 128 bits"), Scalar::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.into()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Scalar, E> {
        Ok(Scalar::Other("bytes"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("a table"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_say_what_they_are() {
        assert_eq!(Scalar::Str("4".into()).to_string(), "\"4\"");
        assert_eq!(Scalar::Float(4.0).to_string(), "4.0");
        assert_eq!(Scalar::Int(-3).to_string(), "-3");
        assert_eq!(Scalar::Bool(true).to_string(), "true");
        assert_eq!(Scalar::Other("a table").to_string(), "a table");
    }
}
