//! Property tests of the attribute parser: random and mutated `#[retry(...)]` token
//! streams go through the parser, the validator and the whole pipeline (`crate::run`,
//! expansion included). Each stage answers `Ok` or `Err`; none may panic, an error
//! always has a message, and an accepted attribute expands to well-formed Rust.
//!
//! Inputs are built from the attribute's own vocabulary (`crate::args::KEYS`, nested
//! argument names, jitter kinds), duration literals good and bad, integers at and past
//! the limits, random identifiers and punctuation, nested groups, and then mutated:
//! truncated, duplicated, deleted, swapped and spliced, at the top level or inside a
//! group.

use std::str::FromStr;

use proc_macro2::{Group, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::sample::{select, Index};

use crate::args::{Args, KEYS};

/// Names that appear inside the attribute's groups and after `jitter =`.
const NESTED: &[&str] = &[
    "base",
    "factor",
    "interval",
    "full",
    "equal",
    "decorrelated",
    "none",
];

const PUNCT: &[&str] = &[
    "=", ",", ",", "|", "&", "::", ".", "-", "+", "*", "!", "#", "?", ":", ";", "<", ">", "=>",
    "..", "'a", "'static", "$", "@", "/", "%", "^", "~",
];

const IDENTS: &[&str] = &[
    "self", "Self", "crate", "super", "async", "move", "fn", "let", "r#type", "r#fn", "_",
    "Duration", "u32", "true", "false", "None", "Some",
];

/// Literals at and past every limit the parser checks.
const LITERALS: &[&str] = &[
    "0",
    "1",
    "3",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1u8",
    "5u32",
    "0x10",
    "1_000",
    "0.0",
    "0.5",
    "1.0",
    "1.5",
    "2.",
    "1e308",
    "1e309",
    "2f32",
    "'x'",
    "b'x'",
    "b\"x\"",
    "c\"x\"",
    "r#\"1s\"#",
    "\"\"",
    "\" \"",
    "\"1s\"",
    "\"250ms\"",
    "\"1m30s\"",
    "\"1.5s\"",
    "\"1h 2m\"",
    "\"5\"",
    "\"s\"",
    "\"1.2.3s\"",
    "\"0.5ns\"",
    "\"1µs\"",
    "\"99999999999999999999999h\"",
    "\"18446744073709551615s\"",
    "\"18446744073709551616s\"",
    "\"213503982334601d\"",
    "\"::\"",
    "\"::retry\"",
    "\"a b\"",
    "\"1\"",
];

fn atom() -> BoxedStrategy<String> {
    prop_oneof![
        5 => select(KEYS).prop_map(String::from),
        2 => select(NESTED).prop_map(String::from),
        2 => select(IDENTS).prop_map(String::from),
        2 => "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
        4 => select(PUNCT).prop_map(String::from),
        3 => select(LITERALS).prop_map(String::from),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|x| format!("{x:?}")),
        // Duration-like strings, mostly malformed.
        2 => "[0-9.]{0,5}(ns|us|µs|ms|s|m|h|d|x| |)[0-9.]{0,3}(s|m|h|)"
            .prop_map(|s| format!("{s:?}")),
    ]
    .boxed()
}

/// A token tree's source: an atom, or a group of pieces in any delimiter.
fn piece() -> BoxedStrategy<String> {
    atom()
        .prop_recursive(3, 40, 6, |inner| {
            (
                select(&["()", "[]", "{}"][..]),
                prop::collection::vec(inner, 0..6),
            )
                .prop_map(|(delims, inside)| {
                    let (open, close) = delims.split_at(1);
                    format!("{open}{}{close}", inside.join(" "))
                })
        })
        .boxed()
}

/// Pieces joined by a space or nothing (`=` `=` may fuse into `==`, idents into one).
fn random_attr() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), any::<bool>()), 0..14).prop_map(|pieces| {
        let mut source = String::new();
        for (piece, space) in pieces {
            source.push_str(&piece);
            if space {
                source.push(' ');
            }
        }
        source
    })
}

fn duration() -> BoxedStrategy<String> {
    prop_oneof![
        select(LITERALS).prop_map(String::from),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("Duration::from_secs(1)".to_string()),
        Just("::std::time::Duration::MAX".to_string()),
        Just("cfg.timeout".to_string()),
        Just("{ let s = 2; Duration::from_millis(s) }".to_string()),
        Just("if a { x } else { y }".to_string()),
    ]
    .boxed()
}

fn callable() -> BoxedStrategy<String> {
    select(
        &[
            "fatal",
            "path::to::fatal",
            "|e: &E| e.is_fatal()",
            "|_| true",
            "move |d| log(d)",
            "Self::check",
            "<T as Trait>::check",
            "&BUDGET",
            "tokio::time::sleep",
            "|d| async_std::task::sleep(d)",
            "HTTP",
            "POLICY.max_tries(2)",
            "|_t| E::Timeout",
        ][..],
    )
    .prop_map(String::from)
    .boxed()
}

/// One key with a value of roughly the right kind (good or bad).
fn good_arg() -> BoxedStrategy<String> {
    let keyed = |keys: &'static [&'static str], value: BoxedStrategy<String>| {
        (select(keys), value).prop_map(|(k, v)| format!("{k} = {v}"))
    };
    prop_oneof![
        Just("expo".to_string()),
        Just("fibo".to_string()),
        Just("forever".to_string()),
        (
            prop::option::of(select(LITERALS)),
            prop::option::of(duration()),
            any::<bool>()
        )
            .prop_map(|(base, factor, swap)| {
                let mut parts: Vec<String> = Vec::new();
                parts.extend(base.map(|b| format!("base = {b}")));
                parts.extend(factor.map(|f| format!("factor = {f}")));
                if swap {
                    parts.reverse();
                }
                format!("expo({})", parts.join(", "))
            }),
        prop::option::of(duration()).prop_map(|f| format!(
            "fibo({})",
            f.map(|f| format!("factor = {f}")).unwrap_or_default()
        )),
        duration().prop_map(|d| format!("constant({d})")),
        duration().prop_map(|d| format!("constant(interval = {d})")),
        select(
            &[
                "[1, 2]",
                "waits()",
                "cfg.schedule.clone()",
                "std::iter::repeat(d)"
            ][..]
        )
        .prop_map(|w| format!("wait = {w}")),
        select(&["full", "equal", "decorrelated", "none", "half", "Full", "3"][..])
            .prop_map(|j| format!("jitter = {j}")),
        prop_oneof![
            select(LITERALS).prop_map(String::from),
            Just("cfg.tries".to_string()),
            Just("n + 1".to_string())
        ]
        .prop_map(|n| format!("max_tries = {n}")),
        keyed(&["max_time", "max_delay", "timeout"], duration()),
        keyed(
            &[
                "giveup",
                "retry_if",
                "retry_if_ok",
                "retry_after",
                "on_backoff",
                "on_giveup",
                "on_success",
                "budget",
                "timeout_error",
                "sleep",
                "policy",
            ],
            callable()
        ),
        select(
            &[
                "\"::retry\"",
                "\"my::retry\"",
                "\"\"",
                "\"1\"",
                "\"a b\"",
                "retry"
            ][..]
        )
        .prop_map(|c| format!("crate = {c}")),
        select(&["n", "attempt", "_", "self", "5", "r#try"][..])
            .prop_map(|a| format!("attempt = {a}")),
    ]
    .boxed()
}

fn structured_attr() -> impl Strategy<Value = String> {
    (prop::collection::vec(good_arg(), 0..8), any::<bool>()).prop_map(|(args, trailing)| {
        let mut source = args.join(", ");
        if trailing && !source.is_empty() {
            source.push(',');
        }
        source
    })
}

/// A change to a token list; `deep` applies it inside the group at `at`, if there is one.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(Index),
    Delete(Index),
    Duplicate(Index, Index),
    Swap(Index, Index),
    Insert(Index, String),
    Replace(Index, String),
    Deep(Index, Box<Mutation>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let leaf = prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        any::<Index>().prop_map(Mutation::Delete),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<Index>(), piece()).prop_map(|(a, p)| Mutation::Insert(a, p)),
        (any::<Index>(), piece()).prop_map(|(a, p)| Mutation::Replace(a, p)),
    ];
    leaf.prop_recursive(2, 4, 1, |inner| {
        (any::<Index>(), inner).prop_map(|(at, m)| Mutation::Deep(at, Box::new(m)))
    })
}

fn lex(source: &str) -> Option<Vec<TokenTree>> {
    TokenStream::from_str(source)
        .ok()
        .map(|tokens| tokens.into_iter().collect())
}

fn mutate(tokens: &mut Vec<TokenTree>, mutation: &Mutation) {
    let len = tokens.len();
    match mutation {
        Mutation::Truncate(at) => tokens.truncate(at.index(len + 1)),
        Mutation::Delete(at) if len > 0 => {
            tokens.remove(at.index(len));
        }
        Mutation::Duplicate(from, to) if len > 0 => {
            let copy = tokens[from.index(len)].clone();
            tokens.insert(to.index(len + 1), copy);
        }
        Mutation::Swap(a, b) if len > 0 => tokens.swap(a.index(len), b.index(len)),
        Mutation::Insert(at, piece) => {
            let new = lex(piece).unwrap_or_default();
            let at = at.index(len + 1);
            tokens.splice(at..at, new);
        }
        Mutation::Replace(at, piece) if len > 0 => {
            let new = lex(piece).unwrap_or_default();
            let at = at.index(len);
            tokens.splice(at..=at, new);
        }
        Mutation::Deep(at, inner) if len > 0 => {
            let at = at.index(len);
            if let TokenTree::Group(group) = &tokens[at] {
                let mut inside: Vec<TokenTree> = group.stream().into_iter().collect();
                mutate(&mut inside, inner);
                let mut new = Group::new(group.delimiter(), inside.into_iter().collect());
                new.set_span(group.span());
                tokens[at] = TokenTree::Group(new);
            }
        }
        _ => {}
    }
}

/// Whole top-level arguments (split at commas) appended again: duplicate keys, two
/// schedules.
fn duplicate_args(tokens: &mut Vec<TokenTree>, picks: &[Index]) {
    let mut args: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for token in tokens.iter() {
        match token {
            TokenTree::Punct(p) if p.as_char() == ',' => args.push(Vec::new()),
            _ => args.last_mut().expect("never empty").push(token.clone()),
        }
    }
    args.retain(|arg| !arg.is_empty());
    if args.is_empty() {
        return;
    }
    for pick in picks {
        let arg = &args[pick.index(args.len())];
        tokens.push(TokenTree::Punct(proc_macro2::Punct::new(
            ',',
            proc_macro2::Spacing::Alone,
        )));
        tokens.extend(arg.iter().cloned());
    }
}

fn items() -> [TokenStream; 3] {
    [
        quote::quote! {
            /// Docs.
            pub fn read(path: &str, n: u32, owned: String) -> std::io::Result<String> {
                let _ = (n, owned);
                std::fs::read_to_string(path)
            }
        },
        quote::quote! {
            async fn fetch<'a, T: Clone>(&self, url: &'a str, body: T) -> Result<T, Error> where T: Send {
                self.get(url).await?;
                Ok(body)
            }
        },
        quote::quote! {
            async fn cancel(mut x: u8, (a, b): (u8, u8)) -> Result<(), E> {
                x += a + b;
                if x > 3 { return Err(E) }
                Ok(())
            }
        },
    ]
}

/// Runs every stage on `attr`; a panic anywhere fails the property.
fn check(attr: &TokenStream, items: &[TokenStream]) -> Result<(), TestCaseError> {
    let parses = match syn::parse2::<Args>(attr.clone()) {
        Ok(args) => {
            let mut args = Some(args);
            for item in &items[..2] {
                // Validation consumes `Args`: parse once more for the second run.
                let args = match args.take() {
                    Some(args) => args,
                    None => syn::parse2::<Args>(attr.clone())
                        .map_err(|e| TestCaseError::fail(e.to_string()))?,
                };
                let function = crate::signature::parse(item.clone())
                    .map(crate::signature::Function::new)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if let Err(error) = crate::validate::validate(args, function) {
                    prop_assert!(!error.to_string().is_empty());
                    prop_assert!(!error.to_compile_error().is_empty());
                }
            }
            true
        }
        Err(error) => {
            prop_assert!(!error.to_string().is_empty());
            false
        }
    };
    for item in items {
        match crate::run(attr.clone(), item.clone()) {
            Ok(expanded) => {
                prop_assert!(parses, "an attribute the parser rejects expanded: `{attr}`");
                if let Err(error) = syn::parse2::<syn::File>(expanded.clone()) {
                    return Err(TestCaseError::fail(format!(
                        "`#[retry({attr})]` expanded to invalid Rust ({error}):\n{expanded}"
                    )));
                }
            }
            Err(error) => {
                prop_assert!(!error.to_string().is_empty());
                prop_assert!(!error.to_compile_error().is_empty());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_streams_never_panic(source in random_attr()) {
        // Every piece is balanced, so lexing fails only on fused oddities; skip those.
        if let Some(tokens) = lex(&source) {
            check(&tokens.into_iter().collect(), &items())?;
        }
    }

    #[test]
    fn mutated_attributes_never_panic(
        source in structured_attr(),
        duplicates in prop::collection::vec(any::<Index>(), 0..3),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let mut tokens = lex(&source).expect("structured attributes lex");
        duplicate_args(&mut tokens, &duplicates);
        for mutation in &mutations {
            mutate(&mut tokens, mutation);
        }
        check(&tokens.into_iter().collect(), &items())?;
    }

    #[test]
    fn truncated_text_never_panics(source in structured_attr(), cut in any::<Index>()) {
        let boundaries: Vec<usize> = source.char_indices().map(|(i, _)| i).chain([source.len()]).collect();
        let cut = boundaries[cut.index(boundaries.len())];
        if let Some(tokens) = lex(&source[..cut]) {
            check(&tokens.into_iter().collect(), &items())?;
        }
    }
}

/// Inputs at the edges, kept as a fixed list so they run on every test run.
#[test]
fn edge_cases_are_errors_not_panics() {
    let cases = [
        "",
        ",",
        ",,",
        "expo,",
        "expo()",
        "expo(base)",
        "expo(base =)",
        "expo(base = , factor = \"1s\")",
        "expo(factor = \"1s\",)",
        "expo(base = 2, base = 3)",
        "expo(base = 0.5)",
        "expo(base = 1e309)",
        "expo(base = 18446744073709551616)",
        "expo = 2",
        "fibo()",
        "fibo(interval = 1)",
        "constant",
        "constant()",
        "constant(,)",
        "constant(interval)",
        "constant(interval =)",
        "constant(interval = 1, interval = 2)",
        "constant(1, 2)",
        "constant(\"1s\" \"2s\")",
        "constant(\"18446744073709551616s\")",
        "constant(\"1.0000000001s\")",
        "wait",
        "wait =",
        "jitter",
        "jitter =",
        "jitter = 5",
        "jitter = full full",
        "max_tries",
        "max_tries =",
        "max_tries = 0",
        "max_tries = -1",
        "max_tries = 4294967296",
        "max_tries = 1.5",
        "max_tries = \"3\"",
        "forever = true",
        "forever(1)",
        "forever, max_tries = 2",
        "max_time = \"\"",
        "max_time = 1u8",
        "max_delay = 'x'",
        "crate",
        "crate = \"\"",
        "crate = \"::\"",
        "crate = 5",
        "attempt",
        "attempt = 5",
        "attempt = self",
        "policy = P, expo",
        "expo, fibo, constant(1), wait = w",
        "r#expo",
        "r#max_tries = 2",
        "sleep = s",
        "timeout = 1, timeout_error = f",
        "giveup = |e| true, giveup = |e| false",
        "= 1",
        "1 = 1",
        "#",
        "::",
        "(expo)",
        "[expo]",
        "{expo}",
    ];
    let items = items();
    for source in cases {
        let attr = TokenStream::from_str(source)
            .unwrap_or_else(|e| panic!("`{source}` does not lex: {e}"));
        if let Err(error) = check(&attr, &items) {
            panic!("`#[retry({source})]`: {error}");
        }
    }
}
