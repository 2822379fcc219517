//! The rules of the attribute, each error on the token that broke it.

use syn::{Expr, Ident, Path};

use crate::args::{Args, DurationArg, JitterKind, MaxTries, Schedule, Value};

/// The validated settings.
#[derive(Default)]
pub struct Config {
    pub schedule: Option<Schedule>,
    pub jitter: Option<JitterKind>,
    pub max_tries: Option<MaxTries>,
    pub forever: bool,
    pub max_time: Option<DurationArg>,
    pub max_delay: Option<DurationArg>,
    pub giveup: Option<Expr>,
    pub retry_if: Option<Expr>,
    pub retry_if_ok: Option<Expr>,
    pub retry_after: Option<Expr>,
    pub on_backoff: Option<Expr>,
    pub on_giveup: Option<Expr>,
    pub on_success: Option<Expr>,
    pub budget: Option<Expr>,
    pub timeout: Option<DurationArg>,
    pub timeout_error: Option<Expr>,
    pub sleep: Option<Expr>,
    pub policy: Option<Expr>,
    pub krate: Option<Path>,
    pub attempt: Option<Ident>,
}

/// Keys that `policy` already holds.
const POLICY_KEYS: &[&str] = &[
    "expo",
    "fibo",
    "constant",
    "wait",
    "jitter",
    "max_tries",
    "forever",
    "max_time",
    "max_delay",
];
const SCHEDULE_KEYS: &[&str] = &["expo", "fibo", "constant", "wait"];
const ASYNC_ONLY: &[&str] = &["sleep", "timeout", "timeout_error"];

/// Applies the rules; every broken rule is reported, each at its own token.
pub fn validate(args: Args, is_async: bool) -> syn::Result<Config> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut error = |key: &Ident, msg: String| errors.push(syn::Error::new(key.span(), msg));

    let mut seen: Vec<String> = Vec::new();
    let mut schedule_key: Option<String> = None;
    let has_policy = args.args.iter().any(|a| a.key == "policy");
    let mut config = Config::default();

    for arg in args.args {
        let key = arg.key.to_string();
        if seen.contains(&key) {
            error(&arg.key, format!("`{key}` is given twice"));
            continue;
        }
        seen.push(key.clone());
        if has_policy && POLICY_KEYS.contains(&key.as_str()) {
            error(
                &arg.key,
                format!(
                    "`{key}` cannot be combined with `policy`: the policy already holds the wait, jitter and limits; set it on the `Policy` value instead"
                ),
            );
            continue;
        }
        if !is_async && ASYNC_ONLY.contains(&key.as_str()) {
            error(
                &arg.key,
                format!("`{key}` applies to async functions only; a blocking function sleeps with `std::thread::sleep` and cannot cut an attempt short"),
            );
            continue;
        }
        if SCHEDULE_KEYS.contains(&key.as_str()) {
            if let Some(first) = &schedule_key {
                error(
                    &arg.key,
                    format!("only one wait strategy may be given: `{first}` is already set, so `{key}` conflicts with it"),
                );
                continue;
            }
            schedule_key = Some(key.clone());
        }
        if (key == "forever" && seen.iter().any(|k| k == "max_tries"))
            || (key == "max_tries" && seen.iter().any(|k| k == "forever"))
        {
            error(
                &arg.key,
                "`forever` and `max_tries` conflict: `forever` means no attempt limit".into(),
            );
            continue;
        }
        match (key.as_str(), arg.value) {
            (_, Value::Schedule(s)) => config.schedule = Some(s),
            (_, Value::Jitter(j)) => config.jitter = Some(j),
            (_, Value::MaxTries(m)) => config.max_tries = Some(m),
            ("forever", Value::Flag) => config.forever = true,
            ("max_time", Value::Duration(d)) => config.max_time = Some(d),
            ("max_delay", Value::Duration(d)) => config.max_delay = Some(d),
            ("timeout", Value::Duration(d)) => config.timeout = Some(d),
            ("crate", Value::Path(p)) => config.krate = Some(p),
            ("attempt", Value::Ident(i)) => config.attempt = Some(i),
            (key, Value::Expr(e)) => {
                let slot = match key {
                    "giveup" => &mut config.giveup,
                    "retry_if" => &mut config.retry_if,
                    "retry_if_ok" => &mut config.retry_if_ok,
                    "retry_after" => &mut config.retry_after,
                    "on_backoff" => &mut config.on_backoff,
                    "on_giveup" => &mut config.on_giveup,
                    "on_success" => &mut config.on_success,
                    "budget" => &mut config.budget,
                    "timeout_error" => &mut config.timeout_error,
                    "sleep" => &mut config.sleep,
                    _ => &mut config.policy,
                };
                *slot = Some(e);
            }
            // The parser pairs every key with its kind of value.
            _ => error(&arg.key, format!("`{key}` has a value of the wrong kind")),
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(config),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}
