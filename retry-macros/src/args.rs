//! Parsing `#[retry(...)]` into a typed view: one [`Value`] variant per key, every value
//! kept with the token it came from, so that validation can point at the offending one.
//! The keys are spelled once, in [`keys!`]: the custom keywords, [`Key`] and its names
//! all come from that one list.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Lookahead1, Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Token};

macro_rules! keys {
    ($($variant:ident = $name:ident,)* ; $($token_variant:ident = $token:tt,)*) => {
        /// A custom keyword per key (`crate`, a Rust keyword, is `Token![crate]`).
        pub mod kw {
            $(syn::custom_keyword!($name);)*
        }

        /// Every key of the attribute.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key {
            $($variant,)*
            $($token_variant,)*
        }

        impl Key {
            /// Every key, in the order messages list them.
            pub const ALL: &'static [Key] = &[$(Key::$variant,)* $(Key::$token_variant,)*];

            /// The key as written.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => stringify!($name),)*
                    $(Key::$token_variant => stringify!($token),)*
                }
            }

            /// The key that `lookahead` sees. Every key is peeked, so that lookahead's
            /// error lists them all.
            fn peek(lookahead: &Lookahead1) -> Option<Key> {
                let mut found = None;
                $(if lookahead.peek(kw::$name) { found = found.or(Some(Key::$variant)); })*
                $(if lookahead.peek(Token![$token]) { found = found.or(Some(Key::$token_variant)); })*
                found
            }

            /// Consumes the key's token.
            fn parse_token(self, input: ParseStream) -> syn::Result<Span> {
                match self {
                    $(Key::$variant => Ok(input.parse::<kw::$name>()?.span),)*
                    $(Key::$token_variant => Ok(input.parse::<Token![$token]>()?.span),)*
                }
            }
        }

        /// Every key's name, in the order messages list them.
        #[cfg(test)]
        pub const KEYS: &[&str] = &[$(stringify!($name),)* $(stringify!($token),)*];
    };
}

keys! {
    Expo = expo,
    Fibo = fibo,
    Constant = constant,
    Wait = wait,
    Jitter = jitter,
    MaxTries = max_tries,
    Forever = forever,
    MaxTime = max_time,
    MaxDelay = max_delay,
    Giveup = giveup,
    RetryIf = retry_if,
    RetryIfOk = retry_if_ok,
    RetryAfter = retry_after,
    OnBackoff = on_backoff,
    OnGiveup = on_giveup,
    OnSuccess = on_success,
    Budget = budget,
    Timeout = timeout,
    TimeoutError = timeout_error,
    Hedge = hedge,
    Sleep = sleep,
    Policy = policy,
    Attempt = attempt,;
    Crate = crate,
}

/// Names other retry crates use, and what this attribute calls them.
const OTHER_NAMES: &[(&str, &str)] = &[
    ("max_attempts", "max_tries"),
    ("attempts", "max_tries"),
    ("tries", "max_tries"),
    ("retries", "max_tries"),
    ("max_retries", "max_tries"),
    ("times", "max_tries"),
    ("exponential", "expo"),
    ("exponential_backoff", "expo"),
    ("exp", "expo"),
    ("backoff", "expo"),
    ("fibonacci", "fibo"),
    ("delay", "constant(..)"),
    ("interval", "constant(..)"),
    ("fixed", "constant(..)"),
    ("when", "retry_if"),
    ("retry_on", "retry_if"),
    ("retry_when", "retry_if"),
    ("retry_on_result", "retry_if_ok"),
    ("on_predicate", "retry_if_ok"),
    ("max_elapsed_time", "max_time"),
    ("max_elapsed", "max_time"),
    ("deadline", "max_time"),
    ("max_duration", "max_time"),
    ("max_interval", "max_delay"),
    ("max_wait", "max_delay"),
    ("on_retry", "on_backoff"),
    ("notify", "on_backoff"),
    ("infinite", "forever"),
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

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JitterKind {
    Full,
    Equal,
    Decorrelated,
    None,
}

pub enum MaxTries {
    Literal(u32, Span),
    Expr(Expr),
}

/// One key's value, typed: a variant per key.
pub enum Value {
    Expo {
        base: Option<(f64, Span)>,
        factor: Option<DurationArg>,
    },
    Fibo {
        factor: Option<DurationArg>,
    },
    Constant(DurationArg),
    Wait(Expr),
    Jitter(JitterKind, Span),
    MaxTries(MaxTries),
    Forever,
    MaxTime(DurationArg),
    MaxDelay(DurationArg),
    Giveup(Expr),
    RetryIf(Expr),
    RetryIfOk(Expr),
    RetryAfter(Expr),
    OnBackoff(Expr),
    OnGiveup(Expr),
    OnSuccess(Expr),
    Budget(Expr),
    Timeout(DurationArg),
    TimeoutError(Expr),
    Hedge(DurationArg),
    Sleep(Expr),
    Policy(Expr),
    Attempt(Ident),
    Crate(syn::Path, Span),
}

/// One key as written: which key, the span of its name, its value.
pub struct Arg {
    pub key: Key,
    pub span: Span,
    pub value: Value,
}

/// The whole attribute: the keys in the order written.
pub struct Args {
    pub args: Vec<Arg>,
}

impl Parse for Args {
    /// Every unknown key is reported (each skipped to the next top-level comma); any
    /// other parse error ends the parse.
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Vec::new();
        let mut unknown: Option<syn::Error> = None;
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            match Key::peek(&lookahead) {
                Some(key) => args.push(parse_arg(key, input)?),
                None if input.peek(Ident::peek_any) => {
                    let name = Ident::parse_any(input)?;
                    let error = unknown_key(&name);
                    match &mut unknown {
                        Some(all) => all.combine(error),
                        None => unknown = Some(error),
                    }
                    skip_to_comma(input)?;
                }
                None => return Err(lookahead.error()),
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        match unknown {
            Some(error) => Err(error),
            None => Ok(Args { args }),
        }
    }
}

fn skip_to_comma(input: ParseStream) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// The edit distance of two names (insertions, deletions, substitutions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The key a misspelt or borrowed name most likely means.
pub fn suggestion(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, ours)) = OTHER_NAMES.iter().find(|(theirs, _)| *theirs == lower) {
        return Some(ours);
    }
    Key::ALL
        .iter()
        .map(|key| (edit_distance(&lower, key.name()), key.name()))
        .filter(|(distance, key)| *distance <= (key.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

fn list(names: impl IntoIterator<Item = &'static str>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_key(name: &Ident) -> syn::Error {
    let keys = list(Key::ALL.iter().map(|key| key.name()));
    let hint = match suggestion(&name.to_string()) {
        Some(key) => format!("did you mean `{key}`? "),
        None => String::new(),
    };
    syn::Error::new(
        name.span(),
        format!("unknown key `{name}`; {hint}expected one of: {keys}"),
    )
}

fn expect_eq(input: ParseStream, key: Key, span: Span) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(())
    } else {
        let key = key.name();
        Err(syn::Error::new(
            span,
            format!("`{key}` needs a value: `{key} = ...`"),
        ))
    }
}

fn parse_arg(key: Key, input: ParseStream) -> syn::Result<Arg> {
    let span = key.parse_token(input)?;
    let value = match key {
        Key::Expo => parse_expo(input)?,
        Key::Fibo => parse_fibo(input)?,
        Key::Constant => Value::Constant(parse_constant(input, span)?),
        Key::Forever => {
            if input.peek(Token![=]) || input.peek(syn::token::Paren) {
                return Err(syn::Error::new(
                    input.span(),
                    "`forever` is a flag and takes no value: write `forever` alone",
                ));
            }
            Value::Forever
        }
        Key::Crate => {
            expect_eq(input, key, span)?;
            let lit: LitStr = input.parse()?;
            let path = lit.parse().map_err(|_| {
                syn::Error::new(
                    lit.span(),
                    "`crate` takes a path in a string, e.g. `crate = \"::my_crate::retry\"`",
                )
            })?;
            Value::Crate(path, lit.span())
        }
        Key::Attempt => {
            expect_eq(input, key, span)?;
            Value::Attempt(input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "`attempt` takes a name for the attempt number, e.g. `attempt = n`",
                )
            })?)
        }
        Key::Jitter => {
            expect_eq(input, key, span)?;
            let (kind, span) = parse_jitter(input)?;
            Value::Jitter(kind, span)
        }
        Key::MaxTries => {
            expect_eq(input, key, span)?;
            Value::MaxTries(parse_max_tries(input)?)
        }
        Key::MaxTime | Key::MaxDelay | Key::Timeout | Key::Hedge => {
            expect_eq(input, key, span)?;
            let duration = parse_duration(input)?;
            match key {
                Key::MaxTime => Value::MaxTime(duration),
                Key::MaxDelay => Value::MaxDelay(duration),
                Key::Hedge => Value::Hedge(duration),
                _ => Value::Timeout(duration),
            }
        }
        Key::Wait
        | Key::Giveup
        | Key::RetryIf
        | Key::RetryIfOk
        | Key::RetryAfter
        | Key::OnBackoff
        | Key::OnGiveup
        | Key::OnSuccess
        | Key::Budget
        | Key::TimeoutError
        | Key::Sleep
        | Key::Policy => {
            expect_eq(input, key, span)?;
            let expr: Expr = input.parse()?;
            match key {
                Key::Wait => Value::Wait(expr),
                Key::Giveup => Value::Giveup(expr),
                Key::RetryIf => Value::RetryIf(expr),
                Key::RetryIfOk => Value::RetryIfOk(expr),
                Key::RetryAfter => Value::RetryAfter(expr),
                Key::OnBackoff => Value::OnBackoff(expr),
                Key::OnGiveup => Value::OnGiveup(expr),
                Key::OnSuccess => Value::OnSuccess(expr),
                Key::Budget => Value::Budget(expr),
                Key::TimeoutError => Value::TimeoutError(expr),
                Key::Sleep => Value::Sleep(expr),
                _ => Value::Policy(expr),
            }
        }
    };
    Ok(Arg { key, span, value })
}

mod nested {
    syn::custom_keyword!(base);
    syn::custom_keyword!(factor);
    syn::custom_keyword!(interval);
}

/// `(name = value, ...)` after a schedule: each name peeked with lookahead (whose error
/// lists the accepted ones), each at most once.
fn parse_nested<const N: usize>(
    input: ParseStream,
    peek: impl Fn(&Lookahead1) -> Option<usize>,
    names: [&str; N],
    mut each: impl FnMut(usize, ParseStream) -> syn::Result<()>,
) -> syn::Result<()> {
    let content;
    syn::parenthesized!(content in input);
    let mut seen = [false; N];
    while !content.is_empty() {
        let lookahead = content.lookahead1();
        let Some(index) = peek(&lookahead) else {
            return Err(lookahead.error());
        };
        let name = Ident::parse_any(&content)?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(syn::Error::new(
                name.span(),
                format!("`{}` is given twice", names[index]),
            ));
        }
        if !content.peek(Token![=]) {
            return Err(syn::Error::new(
                name.span(),
                format!("`{0}` needs a value: `{0} = ...`", names[index]),
            ));
        }
        content.parse::<Token![=]>()?;
        each(index, &content)?;
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(())
}

fn parse_expo(input: ParseStream) -> syn::Result<Value> {
    let (mut base, mut factor) = (None, None);
    if input.peek(syn::token::Paren) {
        let peek = |l: &Lookahead1| {
            let base = l.peek(nested::base);
            let factor = l.peek(nested::factor);
            [base, factor].iter().position(|found| *found)
        };
        parse_nested(input, peek, ["base", "factor"], |index, input| {
            if index == 0 {
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
    Ok(Value::Expo { base, factor })
}

fn parse_fibo(input: ParseStream) -> syn::Result<Value> {
    let mut factor = None;
    if input.peek(syn::token::Paren) {
        let peek = |l: &Lookahead1| l.peek(nested::factor).then_some(0);
        parse_nested(input, peek, ["factor"], |_, input| {
            factor = Some(parse_duration(input)?);
            Ok(())
        })?;
    } else if input.peek(Token![=]) {
        return Err(syn::Error::new(
            input.span(),
            "`fibo` takes no `=`: write `fibo` or `fibo(factor = \"1s\")`",
        ));
    }
    Ok(Value::Fibo { factor })
}

fn parse_constant(input: ParseStream, key: Span) -> syn::Result<DurationArg> {
    let missing = || {
        syn::Error::new(
            key,
            "`constant` needs its interval: `constant(\"1s\")` or `constant(interval = \"1s\")`",
        )
    };
    if !input.peek(syn::token::Paren) {
        return Err(missing());
    }
    let fork = input.fork();
    let content;
    syn::parenthesized!(content in fork);
    if content.peek(Ident::peek_any) && content.peek2(Token![=]) && !content.peek2(Token![==]) {
        let mut interval = None;
        let peek = |l: &Lookahead1| l.peek(nested::interval).then_some(0);
        parse_nested(input, peek, ["interval"], |_, input| {
            interval = Some(parse_duration(input)?);
            Ok(())
        })?;
        return interval.ok_or_else(missing);
    }
    let content;
    syn::parenthesized!(content in input);
    if content.is_empty() {
        return Err(missing());
    }
    let interval = parse_duration(&content)?;
    if !content.is_empty() {
        return Err(content.error("`constant` takes one interval"));
    }
    Ok(interval)
}

fn parse_jitter(input: ParseStream) -> syn::Result<(JitterKind, Span)> {
    const ACCEPTED: [(&str, JitterKind); 4] = [
        ("full", JitterKind::Full),
        ("equal", JitterKind::Equal),
        ("decorrelated", JitterKind::Decorrelated),
        ("none", JitterKind::None),
    ];
    let accepted = || list(ACCEPTED.map(|(name, _)| name));
    let token = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), format!("expected one of: {}", accepted())))?;
    match ACCEPTED.iter().find(|(name, _)| token == name) {
        Some((_, kind)) => Ok((*kind, token.span())),
        None => Err(syn::Error::new(
            token.span(),
            format!("unknown jitter `{token}`; expected one of: {}", accepted()),
        )),
    }
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
            Ok(MaxTries::Literal(n, int.span()))
        }
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr: operand,
            ..
        }) if matches!(&**operand, Expr::Lit(_)) => Err(syn::Error::new(
            expr.span(),
            "`max_tries` counts attempts and cannot be negative; for no limit on attempts write `forever` instead of `max_tries`",
        )),
        Expr::Lit(lit) => Err(syn::Error::new(
            lit.span(),
            "`max_tries` takes a whole number of attempts (>= 1) or a `u32` expression",
        )),
        _ => Ok(MaxTries::Expr(expr)),
    }
}

fn parse_base(input: ParseStream) -> syn::Result<(f64, Span)> {
    let message = "`base` takes a number >= 1, e.g. `base = 2` or `base = 1.5`";
    let lit: Lit = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), message))?;
    let value = match &lit {
        Lit::Int(i) => i.base10_parse::<u64>()? as f64,
        Lit::Float(f) => f.base10_parse::<f64>()?,
        _ => return Err(syn::Error::new(lit.span(), message)),
    };
    if !(value >= 1.0 && value.is_finite()) {
        return Err(syn::Error::new(
            lit.span(),
            "`base` must be a finite number >= 1, or waits would shrink",
        ));
    }
    Ok((value, lit.span()))
}

/// A duration value: `"1m30s"`, a bare integer of seconds, or an expression.
pub fn parse_duration(input: ParseStream) -> syn::Result<DurationArg> {
    let expr: Expr = input.parse()?;
    match &expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => {
            let (secs, nanos) = parse_duration_str(&s.value())
                .map_err(|why| syn::Error::new(s.span(), format!("invalid duration: {why}")))?;
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

/// A duration literal as seconds and nanoseconds: the runtime's own parser
/// (`retry_core::duration`), so that the attribute and a policy read from
/// configuration accept exactly the same literals with the same messages.
pub fn parse_duration_str(text: &str) -> Result<(u64, u32), String> {
    retry_core::duration::parse_duration(text)
        .map(|d| (d.as_secs(), d.subsec_nanos()))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{parse_duration_str as p, suggestion};

    /// The runtime's parser of policy strings knows every key of the attribute: a policy
    /// key, or one it refuses as "not a policy key" (never as unknown), so the two lists
    /// cannot drift apart.
    #[test]
    fn the_config_parser_knows_every_attribute_key() {
        for key in super::KEYS {
            if let Err(e) = key.parse::<retry_core::Policy>() {
                let message = e.to_string();
                assert!(!message.contains("unknown key"), "{key}: {message}");
            }
        }
    }

    #[test]
    fn suggestions() {
        for (wrong, right) in [
            ("max_attempts", "max_tries"),
            ("retries", "max_tries"),
            ("max_retries", "max_tries"),
            ("exponential", "expo"),
            ("delay", "constant(..)"),
            ("interval", "constant(..)"),
            ("when", "retry_if"),
            ("max_trys", "max_tries"),
            ("jiter", "jitter"),
            ("retry_iff", "retry_if"),
            ("Expo", "expo"),
        ] {
            assert_eq!(suggestion(wrong), Some(right), "{wrong}");
        }
        assert_eq!(suggestion("colour"), None);
        assert_eq!(suggestion("x"), None);
    }

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
        assert_eq!(
            p("30 seconds"),
            Err(
                "unknown unit `seconds` in \"30 seconds\"; expected ns, us, ms, s, m, h, d (write `30s`)"
                    .into()
            )
        );
        assert_eq!(
            p("5 parsecs"),
            Err("unknown unit `parsecs` in \"5 parsecs\"; expected ns, us, ms, s, m, h, d".into())
        );
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
