//! Every rule of the attribute, each error on the token that broke it. Every broken
//! rule is reported, not only the first.

use proc_macro2::Span;
use syn::{Expr, Ident, Path};

use crate::args::{Args, DurationArg, JitterKind, Key, MaxTries, Value};
use crate::signature::{Function, Problem};

/// The package name of the facade, and its library name, whose `__private` module the
/// expansion names.
const FACADE: &str = "retry-attr";
const FACADE_LIB: &str = "retry";

/// A wait schedule.
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

/// The attempt limit.
pub enum Limit {
    MaxTries(MaxTries),
    Forever,
}

/// The validated settings.
#[derive(Default)]
pub struct Config {
    pub schedule: Option<Schedule>,
    pub jitter: Option<(JitterKind, Span)>,
    pub limit: Option<Limit>,
    pub max_time: Option<DurationArg>,
    pub max_delay: Option<DurationArg>,
    /// Predicates and hooks, in the order written: a builder method and a `check`
    /// function each, both named as the key.
    pub checks: Vec<(Key, Expr)>,
    pub budget: Option<Expr>,
    /// `timeout`: the key's span (where a missing `From<Timeout>` is reported) and the limit.
    pub timeout: Option<(Span, DurationArg)>,
    pub timeout_error: Option<Expr>,
    /// `hedge`: the delay after which a still-running attempt gets company.
    pub hedge: Option<DurationArg>,
    pub sleep: Option<Expr>,
    pub policy: Option<Expr>,
    pub krate: Option<(Path, Span)>,
    pub attempt: Option<Ident>,
}

/// What a key is, for the rules that concern whole groups of keys.
#[derive(PartialEq, Eq)]
enum Role {
    /// A wait schedule: at most one.
    Schedule,
    /// Held by a `Policy` value: not with `policy`.
    PolicySetting,
    /// A predicate or hook.
    Check,
    /// Only an async function can use it.
    AsyncOnly,
    Other,
}

fn role(key: Key) -> Role {
    match key {
        Key::Expo | Key::Fibo | Key::Constant | Key::Wait => Role::Schedule,
        Key::Jitter | Key::MaxTries | Key::Forever | Key::MaxTime | Key::MaxDelay => {
            Role::PolicySetting
        }
        Key::Giveup
        | Key::RetryIf
        | Key::RetryIfOk
        | Key::RetryAfter
        | Key::OnBackoff
        | Key::OnGiveup
        | Key::OnSuccess => Role::Check,
        Key::Timeout | Key::TimeoutError | Key::Sleep | Key::Hedge => Role::AsyncOnly,
        Key::Budget | Key::Policy | Key::Crate | Key::Attempt => Role::Other,
    }
}

/// The function and the settings, both checked.
pub struct Retried {
    pub config: Config,
    pub function: Function,
}

/// Applies every rule; every broken rule is reported, each at its own token.
pub fn validate(args: Args, function: Function) -> syn::Result<Retried> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut error = |span: Span, msg: String| errors.push(syn::Error::new(span, msg));

    for problem in &function.problems {
        match problem {
            Problem::Const(span) => error(
                *span,
                "#[retry] cannot go on a `const fn`: retrying sleeps, which a const fn cannot do".into(),
            ),
            Problem::NoReturnType(span) => error(
                *span,
                "#[retry] needs a function that returns a `Result`; this one returns nothing".into(),
            ),
            Problem::NoFutureOutput(span) => error(
                *span,
                "#[retry] cannot find the `Output` of this boxed future".into(),
            ),
            Problem::FutureWithoutAsyncBlock(span) => error(
                *span,
                "#[retry] retries the future this function returns, so the body must end in the `async move { .. }` block that makes it".into(),
            ),
            Problem::ReturnsMutBorrow { span, argument } => error(
                *span,
                format!("#[retry] cannot return a borrow of the `&mut` argument `{argument}`: each attempt reborrows `{argument}`, and a borrow returned by one attempt would have to outlive the others (a limit of Rust's borrow checker); return an owned value (clone it, or return an index or key), and borrow from `{argument}` after the call"),
            ),
            Problem::HoldsMutBorrow { span, argument, ty } => error(
                *span,
                format!("#[retry] cannot give each attempt its own `{argument}`: `{ty}` holds a `&mut` borrow, which can be neither cloned nor reborrowed as a whole; take each borrow as its own `&mut T` argument (or `Pin<&mut T>`, `Option<&mut T>`)"),
            ),
        }
    }

    let is_async = function.shape.is_async();
    let mut seen: Vec<Key> = Vec::new();
    let mut schedule: Option<Key> = None;
    let has_policy = args.args.iter().any(|a| a.key == Key::Policy);
    let mut config = Config::default();

    for arg in args.args {
        let (key, span) = (arg.key, arg.span);
        let name = key.name();
        if seen.contains(&key) {
            error(span, format!("`{name}` is given twice"));
            continue;
        }
        seen.push(key);
        let role = role(key);
        if has_policy && (role == Role::PolicySetting || role == Role::Schedule) {
            error(
                span,
                format!("`{name}` cannot be combined with `policy`: the policy already holds the wait, jitter and limits; set it on the `Policy` value instead"),
            );
            continue;
        }
        if !is_async && role == Role::AsyncOnly {
            error(
                span,
                if key == Key::Hedge {
                    "`hedge` applies to async functions only: a blocking function runs one attempt at a time on its thread, so it cannot start another while one still runs".to_string()
                } else {
                    format!("`{name}` applies to async functions only; a blocking function sleeps with `std::thread::sleep` and cannot cut an attempt short")
                },
            );
            continue;
        }
        if role == Role::Schedule {
            if let Some(first) = schedule {
                error(
                    span,
                    format!("only one wait strategy may be given: `{}` is already set, so `{name}` conflicts with it", first.name()),
                );
                continue;
            }
            schedule = Some(key);
        }
        if (key == Key::Forever && seen.contains(&Key::MaxTries))
            || (key == Key::MaxTries && seen.contains(&Key::Forever))
        {
            error(
                span,
                "`forever` and `max_tries` conflict: `forever` means no attempt limit".into(),
            );
            continue;
        }
        match arg.value {
            Value::Expo { base, factor } => {
                config.schedule = Some(Schedule::Expo {
                    base: base.map(|(b, _)| b),
                    factor,
                })
            }
            Value::Fibo { factor } => config.schedule = Some(Schedule::Fibo { factor }),
            Value::Constant(interval) => config.schedule = Some(Schedule::Constant(interval)),
            Value::Wait(w) => config.schedule = Some(Schedule::Wait(w)),
            Value::Jitter(kind, span) => config.jitter = Some((kind, span)),
            Value::MaxTries(n) => config.limit = Some(Limit::MaxTries(n)),
            Value::Forever => config.limit = Some(Limit::Forever),
            Value::MaxTime(d) => config.max_time = Some(d),
            Value::MaxDelay(d) => config.max_delay = Some(d),
            Value::Giveup(e)
            | Value::RetryIf(e)
            | Value::RetryIfOk(e)
            | Value::RetryAfter(e)
            | Value::OnBackoff(e)
            | Value::OnGiveup(e)
            | Value::OnSuccess(e) => config.checks.push((key, e)),
            Value::Budget(e) => config.budget = Some(e),
            Value::Timeout(d) => config.timeout = Some((span, d)),
            Value::TimeoutError(e) => config.timeout_error = Some(e),
            Value::Hedge(d) => config.hedge = Some(d),
            Value::Sleep(e) => config.sleep = Some(e),
            Value::Policy(e) => config.policy = Some(e),
            Value::Crate(path, span) => config.krate = Some((path, span)),
            Value::Attempt(name) => config.attempt = Some(name),
        }
    }

    // Hedged attempts run at the same time: none can have the one `&mut` borrow.
    if config.hedge.is_some() {
        for (span, name) in mut_borrowed_arguments(&function.sig) {
            error(
                span,
                format!("`hedge` runs attempts at the same time, so they cannot share the `&mut` borrow `{name}`: take `{name}` by value or by shared reference (`&`), or drop `hedge` (only idempotent calls should be hedged anyway)"),
            );
        }
    }

    if config.krate.is_none() {
        if let Some(renamed) = facade_renamed() {
            error(
                Span::call_site(),
                format!("this crate depends on `{FACADE}` under the name `{renamed}` (Cargo.toml: `{renamed} = {{ package = \"{FACADE}\", .. }}`), so `::{FACADE_LIB}` cannot be found: write `#[{renamed}::retry(crate = \"{renamed}\")]`"),
            );
        }
    }

    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(Retried { config, function }),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// The arguments that hold a `&mut` borrow (`&mut self`, `&mut T`, `Pin<&mut T>`,
/// `Option<&mut T>`), with their spans and names.
fn mut_borrowed_arguments(sig: &syn::Signature) -> Vec<(Span, String)> {
    use syn::spanned::Spanned;
    fn holds_mut(ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Reference(r) => r.mutability.is_some() || holds_mut(&r.elem),
            syn::Type::Paren(p) => holds_mut(&p.elem),
            syn::Type::Group(g) => holds_mut(&g.elem),
            syn::Type::Tuple(t) => t.elems.iter().any(holds_mut),
            syn::Type::Path(p) => p.path.segments.iter().any(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .any(|a| matches!(a, syn::GenericArgument::Type(t) if holds_mut(t))),
                _ => false,
            }),
            _ => false,
        }
    }
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Receiver(r) if r.mutability.is_some() && r.reference.is_some() => {
                Some((r.span(), "self".to_string()))
            }
            syn::FnArg::Receiver(r) if r.colon_token.is_some() && holds_mut(&r.ty) => {
                Some((r.span(), "self".to_string()))
            }
            syn::FnArg::Typed(arg) if holds_mut(&arg.ty) => {
                let name = match &*arg.pat {
                    syn::Pat::Ident(p) => p.ident.to_string(),
                    _ => "this argument".to_string(),
                };
                Some((arg.span(), name))
            }
            _ => None,
        })
        .collect()
}

/// The name under which the crate being compiled depends on the facade, when its
/// manifest renames it (`backoff = { package = "retry-attr" }`) and has no dependency
/// under the library's name.
fn facade_renamed() -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let manifest = std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")).ok()?;
    // Renamed to the library's own name (`retry = { package = "retry-attr" }`), the
    // crate is `::retry` as usual.
    renamed_dependency(&manifest, FACADE).filter(|name| name.replace('-', "_") != FACADE_LIB)
}

/// In a manifest's dependency tables, the key of a dependency on `package` under
/// another name, unless one is also named `package`. A line-based reading of the two
/// forms Cargo documents: `key = { package = ".." }` and `[dependencies.key]` with a
/// `package = ".."` line.
pub fn renamed_dependency(manifest: &str, package: &str) -> Option<String> {
    let mut table = String::new();
    let mut renamed = None;
    let mut direct = false;
    let package_is = |text: &str| {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        compact.contains(&format!("package=\"{package}\""))
    };
    let is_dependency_table = |table: &str| {
        let last = table.rsplit('.').next().unwrap_or("");
        last.ends_with("dependencies")
    };
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(header) = line.strip_prefix('[') {
            table = header.trim_end_matches(']').trim().replace(' ', "");
            if let Some((parent, key)) = table.rsplit_once('.') {
                if is_dependency_table(parent) && key.trim_matches('"') == package {
                    direct = true;
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        if is_dependency_table(&table) {
            if key == package {
                direct = true;
            } else if package_is(value) || package_is(line) {
                renamed = Some(key.to_string());
            }
        } else if let Some((parent, name)) = table.rsplit_once('.') {
            if is_dependency_table(parent)
                && key == "package"
                && package_is(line)
                && name != package
            {
                renamed = Some(name.trim_matches('"').to_string());
            }
        }
    }
    renamed.filter(|_| !direct)
}

#[cfg(test)]
mod tests {
    use super::renamed_dependency;

    #[test]
    fn finds_a_renamed_dependency() {
        let inline = "[package]\nname = \"app\"\n\n[dependencies]\nbackoff = { package = \"retry\", version = \"0.1\" }\n";
        assert_eq!(renamed_dependency(inline, "retry"), Some("backoff".into()));
        let table = "[dependencies.backoff]\nversion = \"0.1\"\npackage = \"retry\"\n";
        assert_eq!(renamed_dependency(table, "retry"), Some("backoff".into()));
        let dev = "[dev-dependencies]\nbackoff = {package=\"retry\"}\n";
        assert_eq!(renamed_dependency(dev, "retry"), Some("backoff".into()));
        let target = "[target.'cfg(unix)'.dependencies]\nbackoff = { package = \"retry\" }\n";
        assert_eq!(renamed_dependency(target, "retry"), Some("backoff".into()));
    }

    #[test]
    fn leaves_direct_and_other_dependencies_alone() {
        let direct = "[dependencies]\nretry = \"0.1\"\n";
        assert_eq!(renamed_dependency(direct, "retry"), None);
        let both =
            "[dependencies]\nretry = \"0.1\"\nold = { package = \"retry\", version = \"0.0.9\" }\n";
        assert_eq!(renamed_dependency(both, "retry"), None);
        let other = "[dependencies]\nserde_json = { package = \"retry-json\" }\n[package]\nname = \"retry\"\n";
        assert_eq!(renamed_dependency(other, "retry"), None);
        let not_deps = "[package]\nbackoff = { package = \"retry\" }\n";
        assert_eq!(renamed_dependency(not_deps, "retry"), None);
    }
}
