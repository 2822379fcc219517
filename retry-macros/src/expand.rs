//! Code generation only: a short loop around `retry-core`'s `Retry`.
//!
//! ```text
//! fn f(args) -> R {
//!     const __RETRY_POLICY: Policy =
//!         Keys { max_tries: KeyTries::At(5), ..Keys::DEFAULT }.literal(false, false);
//!     __private::outcome::<R>(
//!         __private::blocking::<R, _, SyncClock<false, false>>(
//!             Undecorrelated::new(&__RETRY_POLICY),
//!         )
//!         .giveup(..)
//!         .run(|__attempt: u32| -> Outcome<R> {
//!             rebind arguments; let __ret: R = { body }; into_outcome::<R>(__ret)
//!         }),
//!     )
//! }
//!
//! async fn f(args) -> R {
//!     const __RETRY_POLICY: Policy = Keys { .. }.literal(..);
//!     let mut __retry = __private::asynchronous::<R, _, AsyncClockFor<..>>(handle);
//!     __retry.start();
//!     loop {
//!         let __wait = {
//!             let __outcome = __private::attempt_async::<R, _>(async { .. }).await;
//!             match __retry.after_with(handle, __private::as_result::<R>(&__outcome)) {
//!                 Step::Done => return __outcome,
//!                 Step::Sleep(__wait) => __wait,
//!             }
//!         };
//!         if __private::nonzero(__wait) { Sleeper::sleep(&sleeper, __wait).await }
//!     }
//! }
//! ```

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Type};

use crate::args::{DurationArg, JitterKind, Key, MaxTries};
use crate::signature::{not_clone_messages, Argument, Function, Rebind, Shape};
use crate::validate::{Config, Limit, Retried, Schedule};

fn duration(private: &TokenStream, d: &DurationArg) -> TokenStream {
    match d {
        DurationArg::Literal { secs, nanos, span } => {
            quote_spanned!(*span=> #private::Duration::new(#secs, #nanos))
        }
        DurationArg::Expr(e) => quote!(#e),
    }
}

/// Whether `path` names a `const` or `static` by Rust's naming convention (its last
/// segment in upper case, the segments before it modules): then the expansion asks it
/// in a constant whether it has a deadline. (`Self::POLICY` or `T::POLICY` may depend
/// on generic parameters, which a constant cannot name: those count as run-time values.)
fn names_a_constant(path: &syn::Path) -> bool {
    let segments: Vec<_> = path.segments.iter().collect();
    let Some((last, modules)) = segments.split_last() else {
        return false;
    };
    let name = last.ident.to_string();
    modules.iter().all(|s| {
        s.arguments.is_empty()
            && s.ident
                .to_string()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
    }) && last.arguments.is_empty()
        && name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// Whether the attribute's own keys build the policy from literals only (a
/// `max_tries = EXPR` is kept apart, see [`policy`]): then it is a constant of the
/// expansion, which the engine reads by reference.
fn is_static(config: &Config) -> bool {
    let literal = |d: &Option<DurationArg>| !matches!(d, Some(DurationArg::Expr(_)));
    let schedule = match &config.schedule {
        None => true,
        Some(Schedule::Expo { factor, .. } | Schedule::Fibo { factor }) => literal(factor),
        Some(Schedule::Constant(interval)) => matches!(interval, DurationArg::Literal { .. }),
        Some(Schedule::Wait(_)) => false,
    };
    config.policy.is_none() && schedule && literal(&config.max_time) && literal(&config.max_delay)
}

/// The `Policy` built from the keys, but for a `max_tries = EXPR`: that limit is kept
/// beside the policy (`WithMaxTries`), so that the rest can stay a constant. One struct
/// literal of the keys (`__private::Keys`), evaluated once by `.policy()` (or, for a
/// constant, by `.literal(..)`, which also checks the expansion's word on it).
fn policy(private: &TokenStream, config: &Config) -> TokenStream {
    let some = |d: &DurationArg| {
        let (span, d) = (d.span(), duration(private, d));
        quote_spanned!(span=> ::core::option::Option::Some(#d))
    };
    let none = || quote!(::core::option::Option::None);
    // Only the keys given are written; `..Keys::DEFAULT` fills in the rest.
    let mut keys = Vec::new();
    match &config.schedule {
        Some(Schedule::Expo { base, factor }) if base.is_some() || factor.is_some() => {
            let base = base.map_or_else(none, |b| quote!(::core::option::Option::Some(#b)));
            let factor = factor.as_ref().map_or_else(none, some);
            keys.push(
                quote!(schedule: #private::KeySchedule::Expo { base: #base, factor: #factor },),
            );
        }
        Some(Schedule::Fibo { factor }) => {
            let factor = factor.as_ref().map_or_else(none, some);
            keys.push(quote!(schedule: #private::KeySchedule::Fibo { factor: #factor },));
        }
        Some(Schedule::Constant(interval)) => {
            let interval = duration(private, interval);
            keys.push(quote!(schedule: #private::KeySchedule::Constant(#interval),));
        }
        Some(Schedule::Expo { .. } | Schedule::Wait(_)) | None => {}
    }
    if let Some((jitter, span)) = config.jitter {
        let variant = match jitter {
            JitterKind::Full => quote!(Full),
            JitterKind::Equal => quote!(Equal),
            JitterKind::Decorrelated => quote!(Decorrelated),
            JitterKind::None => quote!(None),
        };
        keys.push(quote_spanned!(span=>
            jitter: ::core::option::Option::Some(#private::Jitter::#variant),
        ));
    }
    match &config.limit {
        Some(Limit::MaxTries(MaxTries::Literal(n, span))) => {
            keys.push(quote_spanned!(*span=> max_tries: #private::KeyTries::At(#n),));
        }
        Some(Limit::Forever) => keys.push(quote!(max_tries: #private::KeyTries::Forever,)),
        Some(Limit::MaxTries(MaxTries::Expr(_))) | None => {}
    }
    if let Some(d) = &config.max_time {
        let d = some(d);
        keys.push(quote!(max_time: #d,));
    }
    if let Some(d) = &config.max_delay {
        let d = some(d);
        keys.push(quote!(max_delay: #d,));
    }
    // Every field of `Keys` given: no defaults to fill in (clippy would call the update
    // needless; a field added to `Keys` and not here fails to compile).
    const KEYS_FIELDS: usize = 5;
    if keys.len() == KEYS_FIELDS {
        quote!(#private::Keys { #(#keys)* })
    } else {
        quote!(#private::Keys { #(#keys)* ..#private::Keys::DEFAULT })
    }
}

/// The per-attempt statements for the arguments: `before` runs just before an attempt
/// (a clone of each owned argument), `inside` at the start of the attempt's closure or
/// async block (the clone moved in, the reborrows). An async attempt thus owns its
/// copies and holds no `&x` across its awaits: its future is `Send` when `x` is `Send`.
#[derive(Default)]
struct Rebinding {
    /// One trait per owned argument, whose unmet bound names it.
    checks: Vec<TokenStream>,
    before: Vec<TokenStream>,
    inside: Vec<TokenStream>,
}

fn rebinding(private: &TokenStream, arguments: &[Argument]) -> Rebinding {
    let mut out = Rebinding::default();
    for (index, Argument { attrs, rebind }) in arguments.iter().enumerate() {
        match rebind {
            Rebind::Copy {
                source,
                pattern,
                name,
                span,
            } => {
                let check = format_ident!("__RetryCopy{}", index, span = Span::mixed_site());
                let copy = format_ident!("__copy{}", index, span = Span::mixed_site());
                let [message, label, note] = not_clone_messages(name);
                out.checks.push(quote! {
                    #(#attrs)*
                    #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                    trait #check: ::core::marker::Sized {
                        fn copy(&self) -> #private::PerAttempt<Self>;
                    }
                    #(#attrs)*
                    impl<__T: ::core::clone::Clone> #check for __T {
                        #[inline(always)]
                        fn copy(&self) -> #private::PerAttempt<Self> {
                            #private::clone_arg(self)
                        }
                    }
                });
                out.before
                    .push(quote_spanned! {*span=> #(#attrs)* let #copy = #check::copy(&#source);});
                out.inside.push(quote! {
                    #(#attrs)*
                    #[allow(unused_variables)]
                    let #pattern = #copy.take();
                });
            }
            Rebind::Let { pattern, value } => {
                out.inside.push(quote!(#(#attrs)* let #pattern = #value;));
            }
        }
    }
    out
}

pub fn expand(retried: Retried) -> TokenStream {
    let Retried { config, function } = retried;
    let Function {
        attrs,
        vis,
        sig,
        shape,
        ret,
        prelude,
        body,
        arguments,
        ..
    } = function;
    let ret: Type = ret.expect("validated: the function returns a type");
    let private = match &config.krate {
        Some((path, span)) => quote_spanned!(*span=> #path::__private),
        None => quote!(::retry::__private),
    };

    let retry = Ident::new("__retry", Span::mixed_site());
    let outcome = Ident::new("__outcome", Span::mixed_site());
    let wait = Ident::new("__wait", Span::mixed_site());
    let attempt_no = Ident::new("__attempt", Span::mixed_site());
    let ret_value = Ident::new("__ret", Span::mixed_site());

    let fn_name = sig.ident.to_string();
    let constructor = if shape.is_async() {
        quote!(asynchronous)
    } else {
        quote!(blocking)
    };
    // The policy the engine reads by reference: a constant (`&'static`, in read-only
    // data) when the keys are literals, the user's own value for `policy = PATH` (a
    // `const` is promoted), else a value computed once per call. Functions whose
    // policies are read the same way share one instantiation of the runtime's loop:
    // literal keys without decorrelated jitter through `Undecorrelated<&Policy>` (their
    // engine keeps no previous wait), everything else through `&Policy`.
    let policy_value = Ident::new("__retry_policy", Span::mixed_site());
    // Whether the loop keeps a start instant: only for a deadline, which a constant
    // policy answers in a constant (`deadline`); any other policy may have one.
    let mut deadline = quote!(true);
    let (policy_setup, policy_ref) = match &config.policy {
        Some(Expr::Path(path)) => {
            if names_a_constant(&path.path) {
                deadline = quote_spanned!(path.span()=> { #private::deadline(&#path) });
            }
            (TokenStream::new(), quote_spanned!(path.span()=> &#path))
        }
        Some(expr) => (
            quote_spanned!(expr.span()=> let #policy_value: #private::Policy = #expr;),
            quote!(&#policy_value),
        ),
        None => {
            let policy = policy(&private, &config);
            let (setup, base) = if is_static(&config) {
                let constant = Ident::new("__RETRY_POLICY", Span::mixed_site());
                // Only the `max_time` key sets a deadline; the runtime checks that word in
                // a constant (a constant expression in the clock's type would cost every
                // function more compile time than the rest of its expansion).
                let has = config.max_time.is_some();
                deadline = quote!(#has);
                // Without decorrelated jitter the engine keeps no previous wait; that word
                // is checked in the same constant.
                let decorrelated = matches!(config.jitter, Some((JitterKind::Decorrelated, _)));
                let handle = if decorrelated {
                    quote!(&#constant)
                } else {
                    quote!(#private::Undecorrelated::new(&#constant))
                };
                (
                    quote! {
                        const #constant: #private::Policy = #policy.literal(#has, #decorrelated);
                    },
                    handle,
                )
            } else {
                (
                    quote!(let #policy_value: #private::Policy = #policy.policy();),
                    quote!(&#policy_value),
                )
            };
            match &config.limit {
                Some(Limit::MaxTries(MaxTries::Expr(tries))) => {
                    let limit = Ident::new("__retry_tries", Span::mixed_site());
                    (
                        quote!(#setup let #limit: u32 = #tries;),
                        quote!(#private::WithMaxTries::new(#base, #limit)),
                    )
                }
                _ => (setup, base),
            }
        }
    };
    let name = quote!(::core::concat!(::core::module_path!(), "::", #fn_name));
    // Every use of `R` as a `Result` is spanned at one token of the return type, so that
    // a return type that is not a `Result` is one error there.
    let r_span = ret
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let as_r = respan(ret.to_token_stream(), r_span);
    let glue = respan(private.clone(), r_span);
    // The hooks read times (and hedged calls report theirs): then the clock keeps the
    // start, the name and the attempt's due time. The runtime picks the clock from these
    // two answers, and a hook cannot be added to a loop whose clock keeps less.
    let hooks = config.hedge.is_some()
        || config
            .checks
            .iter()
            .any(|(key, _)| matches!(key, Key::OnBackoff | Key::OnGiveup | Key::OnSuccess));
    let clock = if shape.is_async() {
        quote!(#private::AsyncClockFor<#deadline, #hooks>)
    } else {
        quote!(#private::SyncClock<#deadline, #hooks>)
    };
    let mut builder = quote_spanned!(r_span=>
        #glue::#constructor::<#as_r, _, #clock>(#policy_ref)
    );
    // The name is kept only for hooks and events (the clock of any other loop keeps none).
    if hooks || cfg!(feature = "tracing") {
        builder.extend(quote_spanned!(r_span=> .label(#name)));
    }
    if let Some(Schedule::Wait(w)) = &config.schedule {
        builder.extend(quote!(.wait(#private::check::wait(#w))));
    }
    // A value of the wrong type is reported at the value.
    for (key, value) in &config.checks {
        let span = value.span();
        let method = Ident::new(key.name(), span);
        let check = respan(quote!(#private::check::#method), span);
        let checks = respan(quote!(#private::check), span);
        builder.extend(quote_spanned!(span=> .#method({
            #[allow(unused_imports)]
            use #checks::{Passes as _, StandIn as _};
            #check::<#as_r, _, _>(#value).value()
        })));
    }
    if let Some(budget) = &config.budget {
        let method = Ident::new(Key::Budget.name(), budget.span());
        builder.extend(quote!(.#method(#budget)));
    }
    // Events show the error by its `Display`, else `Debug`, else not at all: the
    // expansion knows the concrete type, so method resolution picks, on a value (a
    // closure would be one more function per function). An `impl Trait` in the return
    // type (`_` here) cannot be named: then the stand-in comes from the engine's own
    // error type, through a closure. Without events (the facade's `tracing` feature,
    // which turns on this crate's) nothing shows errors, and the probe is left out.
    if cfg!(feature = "tracing") {
        builder.extend(describe_errors(&private, &glue, &as_r, &ret, r_span));
    }

    let attempt_binding = config
        .attempt
        .as_ref()
        .map(|name| quote!(let #name: u32 = #attempt_no;));
    let Rebinding {
        checks,
        before,
        inside,
    } = rebinding(&private, &arguments);
    // The body's own temporaries (a guard in its tail expression) end with the `let`,
    // before the attempt's copies of the arguments do.
    let body_then = |tail: TokenStream| {
        quote! {
            #(#inside)*
            #attempt_binding
            let #ret_value: #ret = { #body };
            #[allow(unreachable_code)]
            #tail
        }
    };
    let attempt_body = body_then(quote!(#ret_value));
    // A blocking attempt returns the `Result` the runtime judges, which is `R` itself
    // (`?` in the body converts into `R`'s error type); naming it through `IsResult`
    // keeps a return type that is not a `Result` one error at `R`.
    let sync_body = body_then(quote_spanned!(r_span=> #glue::into_outcome::<#as_r>(#ret_value)));
    let attempts = quote_spanned!(r_span=>
        |#attempt_no: u32| -> #glue::Outcome<#as_r> { #(#before)* #sync_body }
    );
    let and = quote_spanned!(r_span=> &);
    let outcome_ref = Ident::new("__outcome", Span::mixed_site().located_at(r_span));
    let sync_call = quote_spanned! {r_span=>
        #glue::outcome::<#as_r>(#builder.run(#attempts))
    };
    let retry_loop = if !shape.is_async() {
        quote! {
            #(#checks)*
            #policy_setup
            #sync_call
        }
    } else if let Some(delay) = &config.hedge {
        // Hedged: the runtime runs the attempts side by side in the fn's own future; each
        // attempt is a fresh `async` block told its number.
        let delay = duration(&private, delay);
        let sleeper = sleeper(&private, &config);
        let capacity = match (&config.policy, &config.limit) {
            (None, Some(Limit::MaxTries(MaxTries::Literal(n, _)))) => {
                quote!(#private::hedge::Inline::<{ #private::hedge::inline_slots(#n) }>)
            }
            (None, None) => quote!(#private::hedge::Inline::<{ #private::hedge::inline_slots(
                #private::Policy::DEFAULT_MAX_TRIES
            ) }>),
            _ => quote!(#private::hedge::Spill),
        };
        let timeout = config.timeout.as_ref().map(|(key_span, limit)| {
            let limit = duration(&private, limit);
            let make_error = match &config.timeout_error {
                Some(e) => {
                    let check = respan(quote!(#private::check::timeout_error), e.span());
                    quote_spanned!(e.span()=> #check::<#as_r, _>(#e))
                }
                None => {
                    let check = respan(quote!(#private::check::timeout), *key_span);
                    quote_spanned!(*key_span=> #check())
                }
            };
            quote!(.timeout_error(#limit, #make_error))
        });
        let number = Ident::new("__number", Span::mixed_site());
        quote! {
            #(#checks)*
            #policy_setup
            #builder
                .sleep(#sleeper)
                #timeout
                .hedge_attempts(#capacity, #delay, |#attempt_no: u32| {
                    #(#before)*
                    let #number = #private::clone_arg(&#attempt_no);
                    #glue::attempt_async::<#as_r, _>(async {
                        let #attempt_no: u32 = #number.take();
                        #attempt_body
                    })
                })
                .await
        }
    } else {
        let attempt = quote!(#glue::attempt_async::<#as_r, _>(async { #attempt_body }));
        let attempt = if before.is_empty() {
            attempt
        } else {
            quote!({ #(#before)* #attempt })
        };
        let attempt = match &config.timeout {
            Some((key_span, limit)) => {
                let limit = duration(&private, limit);
                let make_error = match &config.timeout_error {
                    Some(e) => {
                        let check = respan(quote!(#private::check::timeout_error), e.span());
                        quote_spanned!(e.span()=> #check::<#as_r, _>(#e))
                    }
                    None => {
                        let check = respan(quote!(#private::check::timeout), *key_span);
                        quote_spanned!(*key_span=> #check())
                    }
                };
                let sleeper = sleeper(&private, &config);
                quote!(#private::timed(&#sleeper, #limit, #attempt, #make_error).await)
            }
            None => quote!(#attempt.await),
        };
        let count_attempt = config
            .attempt
            .as_ref()
            .map(|_| quote!(let #attempt_no: u32 = #retry.tries().saturating_add(1);));
        let sleeper = sleeper(&private, &config);
        quote! {
            #(#checks)*
            #policy_setup
            let mut #retry = #builder;
            #retry.start();
            loop {
                // The outcome's scope ends before the sleep, so that the future does not
                // keep it across the sleep.
                let #wait = {
                    #count_attempt
                    let #outcome = #attempt;
                    match #retry.after_with(#policy_ref, #glue::as_result::<#as_r>(#and #outcome_ref)) {
                        #private::Step::Done => return #outcome,
                        #private::Step::Sleep(#wait) => #wait,
                    }
                };
                // A zero wait skips the timer (tokio rounds a zero sleep up to 1 ms).
                if #private::nonzero(#wait) {
                    #private::Sleeper::sleep(&#sleeper, #wait).await;
                }
            }
        }
    };

    // The body's inner attributes (`#![allow(..)]`, which the parse handed to the
    // function) open the new body.
    let (inner, attrs): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
    let body = match shape {
        Shape::Sync | Shape::Async => quote!({ #(#inner)* #retry_loop }),
        Shape::AsyncTrait { call, attrs } => {
            quote!({ #(#inner)* #call(#(#attrs)* async move { #(#prelude)* #retry_loop }) })
        }
        Shape::ReturnsFuture { attrs, capture } => {
            quote!({ #(#inner)* #(#prelude)* #(#attrs)* async #capture { #retry_loop } })
        }
    };
    quote!(#(#attrs)* #vis #sig #body)
}

/// The `.describe_errors(..)` call that picks how events show the error type of `ret`.
fn describe_errors(
    private: &TokenStream,
    glue: &TokenStream,
    as_r: &TokenStream,
    ret: &Type,
    r_span: Span,
) -> TokenStream {
    let names_every_type = !ret
        .to_token_stream()
        .into_iter()
        .any(|t| has_underscore(&t));
    if names_every_type {
        let probe = quote_spanned!(r_span=>
            (&&&#glue::describe::Probe::<<#as_r as #glue::IsResult>::Err>::new()).describer()
        );
        quote! {
            .describe_errors({
                #[allow(unused_imports)]
                use #private::describe::{ViaDebug as _, ViaDisplay as _, ViaNothing as _};
                #probe
            })
        }
    } else {
        let probe = Ident::new("__probe", Span::mixed_site());
        quote! {
            .describe_errors_with(|#probe| {
                #[allow(unused_imports)]
                use #private::describe::{ViaDebug as _, ViaDisplay as _, ViaNothing as _};
                (&&&#probe).describer()
            })
        }
    }
}

/// `tokens`, every one spanned at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                tree = proc_macro2::TokenTree::Group(new);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

fn sleeper(private: &TokenStream, config: &Config) -> TokenStream {
    match &config.sleep {
        Some(s) => quote!(#s),
        None => quote!(#private::DefaultSleeper::default()),
    }
}

/// Whether a token tree holds an inferred type, `_`.
fn has_underscore(tree: &proc_macro2::TokenTree) -> bool {
    match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "_",
        proc_macro2::TokenTree::Group(group) => {
            group.stream().into_iter().any(|t| has_underscore(&t))
        }
        _ => false,
    }
}
