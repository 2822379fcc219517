//! Parsing `#[retry(...)]`: every key is kept with the token it came from, so that
//! validation can point at the offending one.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Token};

/// Every key the attribute accepts, in the order the error message lists them.
pub const KEYS: &[&str] = &[
    "expo",
    "fibo",
    "constant",
    "wait",
    "jitter",
    "max_tries",
    "forever",
    "max_time",
    "max_delay",
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
    "sleep",
    "policy",
    "crate",
    "attempt",
];

/// A duration: checked at compile time when written as a literal.
pub enum DurationArg {
    /// Seconds and nanoseconds, parsed from `"1m30s"` or `5`.
    Literal { secs: u64, nanos: u32, span: Span },
    /// Any expression of type `Duration`.
    Expr(Expr),
}

impl DurationArg {
    pub fn span(&self) -> Span {
        match self {
            DurationArg::Literal { span, .. } => *span,
            DurationArg::Expr(e) => e.span(),
        }
    }
}

pub enum Schedule {
    Expo {
        base: Option<f64>,
        factor: Option<DurationArg>,
    },
    Fibo {
        factor: Option<DurationArg>,
    },
    Constant(DurationArg),
    Wait(Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JitterKind {
    Full,
    Equal,
    Decorrelated,
    None,
}

pub enum MaxTries {
    Literal(u32),
    Expr(Expr),
}

/// One key as written: its name token and its value.
pub struct Arg {
    pub key: Ident,
    pub value: Value,
}

pub enum Value {
    Schedule(Schedule),
    Jitter(JitterKind),
    MaxTries(MaxTries),
    Flag,
    Duration(DurationArg),
    Expr(Expr),
    Path(syn::Path),
    Ident(Ident),
}

/// The whole attribute: the keys in the order written.
pub struct Args {
    pub args: Vec<Arg>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let args = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
        Ok(Args {
            args: args.into_iter().collect(),
        })
    }
}

fn unknown(what: &str, token: &Ident, accepted: &[&str]) -> syn::Error {
    let list = accepted
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new(
        token.span(),
        format!("unknown {what} `{token}`; expected one of: {list}"),
    )
}

fn expect_eq(input: ParseStream, key: &Ident) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(())
    } else {
        Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: `{key} = ...`"),
        ))
    }
}

fn no_value(input: ParseStream, key: &Ident) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(syn::token::Paren) {
        Err(syn::Error::new(
            input.span(),
            format!("`{key}` is a flag and takes no value: write `{key}` alone"),
        ))
    } else {
        Ok(())
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key = Ident::parse_any(input)?;
        let name = key.to_string();
        let value = match name.as_str() {
            "expo" => Value::Schedule(parse_expo(input)?),
            "fibo" => Value::Schedule(parse_fibo(input)?),
            "constant" => Value::Schedule(parse_constant(input, &key)?),
            "wait" => {
                expect_eq(input, &key)?;
                Value::Schedule(Schedule::Wait(input.parse()?))
            }
            "jitter" => {
                expect_eq(input, &key)?;
                Value::Jitter(parse_jitter(input)?)
            }
            "max_tries" => {
                expect_eq(input, &key)?;
                Value::MaxTries(parse_max_tries(input)?)
            }
            "forever" => {
                no_value(input, &key)?;
                Value::Flag
            }
            "max_time" | "max_delay" | "timeout" => {
                expect_eq(input, &key)?;
                Value::Duration(parse_duration(input)?)
            }
            "giveup" | "retry_if" | "retry_if_ok" | "retry_after" | "on_backoff" | "on_giveup"
            | "on_success" | "budget" | "timeout_error" | "sleep" | "policy" => {
                expect_eq(input, &key)?;
                Value::Expr(input.parse()?)
            }
            "crate" => {
                expect_eq(input, &key)?;
                let lit: LitStr = input.parse()?;
                Value::Path(lit.parse().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "`crate` takes a path in a string, e.g. `crate = \"::my_crate::retry\"`",
                    )
                })?)
            }
            "attempt" => {
                expect_eq(input, &key)?;
                Value::Ident(input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`attempt` takes a name for the attempt number, e.g. `attempt = n`",
                    )
                })?)
            }
            _ => return Err(unknown("key", &key, KEYS)),
        };
        Ok(Arg { key, value })
    }
}

/// Parses `(name = value, ...)` after a strategy, calling `each` per pair.
fn parse_nested(
    input: ParseStream,
    accepted: &[&str],
    mut each: impl FnMut(&Ident, ParseStream) -> syn::Result<()>,
) -> syn::Result<()> {
    let content;
    syn::parenthesized!(content in input);
    let mut seen: Vec<String> = Vec::new();
    while !content.is_empty() {
        let name: Ident = content.parse()?;
        if !accepted.contains(&name.to_string().as_str()) {
            return Err(unknown("argument", &name, accepted));
        }
        if seen.contains(&name.to_string()) {
            return Err(syn::Error::new(
                name.span(),
                format!("`{name}` is given twice"),
            ));
        }
        seen.push(name.to_string());
        expect_eq(&content, &name)?;
        each(&name, &content)?;
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(())
}

fn parse_expo(input: ParseStream) -> syn::Result<Schedule> {
    let (mut base, mut factor) = (None, None);
    if input.peek(syn::token::Paren) {
        parse_nested(input, &["base", "factor"], |name, input| {
            if name == "base" {
                base = Some(parse_base(input)?);
            } else {
                factor = Some(parse_duration(input)?);
            }
            Ok(())
        })?;
    } else if input.peek(Token![=]) {
        return Err(syn::Error::new(
            input.span(),
            "`expo` takes no `=`: write `expo` or `expo(base = 2, factor = \"1s\")`",
        ));
    }
    Ok(Schedule::Expo { base, factor })
}

fn parse_fibo(input: ParseStream) -> syn::Result<Schedule> {
    let mut factor = None;
    if input.peek(syn::token::Paren) {
        parse_nested(input, &["factor"], |_, input| {
            factor = Some(parse_duration(input)?);
            Ok(())
        })?;
    } else if input.peek(Token![=]) {
        return Err(syn::Error::new(
            input.span(),
            "`fibo` takes no `=`: write `fibo` or `fibo(factor = \"1s\")`",
        ));
    }
    Ok(Schedule::Fibo { factor })
}

fn parse_constant(input: ParseStream, key: &Ident) -> syn::Result<Schedule> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            "`constant` needs its interval: `constant(\"1s\")` or `constant(interval = \"1s\")`",
        ));
    }
    let fork = input.fork();
    let content;
    syn::parenthesized!(content in fork);
    if content.peek(Ident) && content.peek2(Token![=]) {
        let mut interval = None;
        parse_nested(input, &["interval"], |_, input| {
            interval = Some(parse_duration(input)?);
            Ok(())
        })?;
        let interval = interval.ok_or_else(|| {
            syn::Error::new(
                key.span(),
                "`constant` needs its interval: `constant(\"1s\")`",
            )
        })?;
        return Ok(Schedule::Constant(interval));
    }
    let content;
    syn::parenthesized!(content in input);
    if content.is_empty() {
        return Err(syn::Error::new(
            key.span(),
            "`constant` needs its interval: `constant(\"1s\")`",
        ));
    }
    let interval = parse_duration(&content)?;
    if !content.is_empty() {
        return Err(content.error("`constant` takes one interval"));
    }
    Ok(Schedule::Constant(interval))
}

fn parse_jitter(input: ParseStream) -> syn::Result<JitterKind> {
    const ACCEPTED: &[&str] = &["full", "equal", "decorrelated", "none"];
    let token = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected one of: `full`, `equal`, `decorrelated`, `none`",
        )
    })?;
    Ok(match token.to_string().as_str() {
        "full" => JitterKind::Full,
        "equal" => JitterKind::Equal,
        "decorrelated" => JitterKind::Decorrelated,
        "none" => JitterKind::None,
        _ => return Err(unknown("jitter", &token, ACCEPTED)),
    })
}

fn parse_max_tries(input: ParseStream) -> syn::Result<MaxTries> {
    let expr: Expr = input.parse()?;
    match &expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            if !matches!(int.suffix(), "" | "u32") {
                return Err(syn::Error::new(
                    int.span(),
                    "`max_tries` is a `u32`: write a plain number such as `max_tries = 4`",
                ));
            }
            let n: u64 = int.base10_parse()?;
            if n == 0 {
                return Err(syn::Error::new(
                    int.span(),
                    "`max_tries` counts every attempt, the first included: it must be at least 1",
                ));
            }
            let n = u32::try_from(n).map_err(|_| {
                syn::Error::new(
                    int.span(),
                    "`max_tries` must fit in a u32; for no limit write `forever`",
                )
            })?;
            Ok(MaxTries::Literal(n))
        }
        Expr::Lit(lit) => Err(syn::Error::new(
            lit.span(),
            "`max_tries` takes a whole number of attempts (>= 1) or a `u32` expression",
        )),
        _ => Ok(MaxTries::Expr(expr)),
    }
}

fn parse_base(input: ParseStream) -> syn::Result<f64> {
    let lit: Lit = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`base` takes a number >= 1, e.g. `base = 2` or `base = 1.5`",
        )
    })?;
    let value = match &lit {
        Lit::Int(i) => i.base10_parse::<u64>()? as f64,
        Lit::Float(f) => f.base10_parse::<f64>()?,
        _ => {
            return Err(syn::Error::new(
                lit.span(),
                "`base` takes a number >= 1, e.g. `base = 2` or `base = 1.5`",
            ))
        }
    };
    if !(value >= 1.0 && value.is_finite()) {
        return Err(syn::Error::new(
            lit.span(),
            "`base` must be a finite number >= 1, or waits would shrink",
        ));
    }
    Ok(value)
}

/// A duration value: `"1m30s"`, a bare integer of seconds, or an expression.
pub fn parse_duration(input: ParseStream) -> syn::Result<DurationArg> {
    let expr: Expr = input.parse()?;
    match &expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => {
            let (secs, nanos) = parse_duration_str(&s.value()).map_err(|why| {
                syn::Error::new(s.span(), format!("invalid duration {:?}: {why}", s.value()))
            })?;
            Ok(DurationArg::Literal { secs, nanos, span: s.span() })
        }
        Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => {
            if !i.suffix().is_empty() {
                return Err(syn::Error::new(i.span(), "a bare number means seconds and takes no suffix; write e.g. `\"250ms\"` for other units"));
            }
            let secs = i.base10_parse::<u64>()?;
            Ok(DurationArg::Literal { secs, nanos: 0, span: i.span() })
        }
        Expr::Lit(lit) => Err(syn::Error::new(
            lit.span(),
            "expected a duration: a string such as \"250ms\", \"1.5s\" or \"1m30s\", a whole number of seconds, or a `Duration` expression",
        )),
        _ => Ok(DurationArg::Expr(expr)),
    }
}

/// `"250ms"`, `"50s"`, `"2m"`, `"1h"`, `"1m30s"`, `"1.5s"`, `"100us"`, `"10ns"` as
/// seconds and nanoseconds.
pub fn parse_duration_str(text: &str) -> Result<(u64, u32), String> {
    const UNITS: &[(&str, u128)] = &[
        ("ns", 1),
        ("us", 1_000),
        ("µs", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
    ];
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty; write e.g. \"250ms\", \"5s\", \"1m30s\"".into());
    }
    let mut rest = text;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{rest}` has no unit; add one of ns, us, ms, s, m, h, d"))?;
        if number_len == 0 {
            return Err(format!("expected a number at `{rest}`"));
        }
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let (_, nanos_per_unit) = UNITS
            .iter()
            .find(|(name, _)| *name == unit.trim())
            .ok_or_else(|| {
                format!("unknown unit `{unit}`; expected one of ns, us, ms, s, m, h, d")
            })?;
        total = total
            .checked_add(scale(number, *nanos_per_unit)?)
            .ok_or("it is too long")?;
        rest = tail.trim_start();
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| "it is too long".to_string())?;
    Ok((secs, (total % 1_000_000_000) as u32))
}

/// `number` (decimal, maybe with a fraction) times `unit` nanoseconds, exactly.
fn scale(number: &str, unit: u128) -> Result<u128, String> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(format!("`{number}` is not a number"));
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "it is too long")?
    };
    let mut nanos = whole.checked_mul(unit).ok_or("it is too long")?;
    let mut place = unit;
    for digit in fraction.chars() {
        place /= 10;
        nanos += u128::from(digit.to_digit(10).ok_or("bad digit")?) * place;
    }
    if place == 0 && fraction.chars().any(|d| d != '0') {
        return Err(format!("`{number}` is finer than a nanosecond"));
    }
    Ok(nanos)
}

#[cfg(test)]
mod tests {
    use super::parse_duration_str as p;

    #[test]
    fn durations() {
        assert_eq!(p("250ms"), Ok((0, 250_000_000)));
        assert_eq!(p("50s"), Ok((50, 0)));
        assert_eq!(p("2m"), Ok((120, 0)));
        assert_eq!(p("1h"), Ok((3600, 0)));
        assert_eq!(p("1m30s"), Ok((90, 0)));
        assert_eq!(p("1.5s"), Ok((1, 500_000_000)));
        assert_eq!(p("100us"), Ok((0, 100_000)));
        assert_eq!(p("0s"), Ok((0, 0)));
        assert_eq!(p("1h 2m"), Ok((3720, 0)));
        for bad in [
            "",
            "5",
            "s",
            "5x",
            "1.2.3s",
            "ms5",
            "0.5ns",
            "99999999999999999999999h",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }
}
