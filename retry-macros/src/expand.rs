//! Code generation only: a short loop around `retry-core`'s `Retry`.
//!
//! ```text
//! fn f(args) -> R {
//!     let mut __retry = ::retry::__private::blocking::<R>(&POLICY).name("path::f")...;
//!     __retry.start();
//!     loop {
//!         let __outcome = ::retry::__private::attempt::<R, _>(|| { rebind owned args; body });
//!         match __retry.after(&__outcome) {
//!             Step::Done => return __outcome,
//!             Step::Sleep(__wait) => ::retry::__private::sleep_blocking(__wait),
//!         }
//!     }
//! }
//! ```
//! Async functions use an `async { .. }` block per attempt instead of a closure.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Block, Expr, FnArg, ItemFn, Pat, PatIdent, ReturnType, Stmt, Type};

use crate::args::{DurationArg, JitterKind, MaxTries, Schedule};
use crate::validate::Config;

/// How the function runs its attempts.
pub enum Shape<'a> {
    Sync,
    Async,
    /// An `#[async_trait]` method, already rewritten to `Box::pin(async move { .. })`.
    AsyncTrait {
        call: &'a syn::ExprCall,
        block: &'a syn::ExprAsync,
    },
}

pub fn shape(item: &ItemFn) -> Shape<'_> {
    if item.sig.asyncness.is_some() {
        return Shape::Async;
    }
    match async_trait_body(&item.block) {
        Some((call, block)) => Shape::AsyncTrait { call, block },
        None => Shape::Sync,
    }
}

/// `Box::pin(async move { .. })` as the whole body: the mark of `#[async_trait]`.
fn async_trait_body(block: &Block) -> Option<(&syn::ExprCall, &syn::ExprAsync)> {
    let [Stmt::Expr(Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    let is_box_pin = func.path.segments.len() >= 2
        && func.path.segments.last().is_some_and(|s| s.ident == "pin")
        && func
            .path
            .segments
            .iter()
            .rev()
            .nth(1)
            .is_some_and(|s| s.ident == "Box");
    match (is_box_pin, call.args.first()) {
        (true, Some(Expr::Async(block))) if call.args.len() == 1 && block.capture.is_some() => {
            Some((call, block))
        }
        _ => None,
    }
}

/// The `Output` of `Pin<Box<dyn Future<Output = R> + ..>>`.
fn future_output(ty: &Type) -> Option<&Type> {
    fn first_type_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
        let Type::Path(p) = ty else { return None };
        let seg = p.path.segments.last()?;
        if seg.ident != name {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
    }
    let boxed = first_type_arg(ty, "Pin")?;
    let Type::TraitObject(object) = first_type_arg(boxed, "Box")? else {
        return None;
    };
    object.bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(t) = bound else {
            return None;
        };
        let seg = t.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

fn is_reference(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) => true,
        Type::Paren(p) => is_reference(&p.elem),
        Type::Group(g) => is_reference(&g.elem),
        _ => false,
    }
}

fn is_mut_reference(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_some(),
        Type::Paren(p) => is_mut_reference(&p.elem),
        Type::Group(g) => is_mut_reference(&g.elem),
        _ => false,
    }
}

/// Replaces `self` (not `self::path`) with `renamed` everywhere in `tokens`, macro
/// arguments included, as `async-trait` does.
fn rename_self(tokens: TokenStream, renamed: &Ident) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Ident(ident) if ident == "self" => {
                let is_path =
                    matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if is_path {
                    out.push(TokenTree::Ident(ident));
                } else {
                    out.push(TokenTree::Ident(Ident::new(
                        &renamed.to_string(),
                        ident.span(),
                    )));
                }
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), rename_self(group.stream(), renamed));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// What each attempt does with the arguments, and the signature's arguments rewritten
/// where a pattern had to become a plain name.
struct Arguments {
    /// `let x = clone_arg(&x);` per owned argument, run at the start of each attempt.
    rebinds: Vec<TokenStream>,
    /// The name the body's `self` takes when `self` is owned.
    renamed_self: Option<Ident>,
}

fn rebind_arguments(item: &mut ItemFn, private: &TokenStream) -> Arguments {
    let mut rebinds = Vec::new();
    let mut renamed_self = None;
    for (index, input) in item.sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                if receiver.reference.is_some() || is_reference(&receiver.ty) {
                    continue;
                }
                let renamed = Ident::new("__self", receiver.self_token.span());
                let mutability = receiver.mutability.take();
                let self_token = receiver.self_token;
                rebinds.push(quote_spanned! {receiver.span()=>
                    #[allow(unused_variables)]
                    let #mutability #renamed = #private::clone_arg(&#self_token);
                });
                renamed_self = Some(renamed);
            }
            FnArg::Typed(arg) => {
                let span = arg.span();
                let by_ref = is_reference(&arg.ty);
                match &mut *arg.pat {
                    Pat::Wild(_) => {}
                    Pat::Ident(PatIdent {
                        by_ref: None,
                        mutability,
                        ident,
                        subpat: None,
                        ..
                    }) => {
                        let Some(mutability) = mutability.take() else {
                            if !by_ref {
                                // Unused in the body is fine: the attribute's expressions may use it.
                                rebinds.push(quote_spanned! {span=>
                                    #[allow(unused_variables)]
                                    let #ident = #private::clone_arg(&#ident);
                                });
                            }
                            continue;
                        };
                        rebinds.push(if is_mut_reference(&arg.ty) {
                            quote!(let #mutability #ident = &mut *#ident;)
                        } else if by_ref {
                            quote!(let #mutability #ident = #ident;)
                        } else {
                            quote_spanned! {span=>
                                #[allow(unused_variables)]
                                let #mutability #ident = #private::clone_arg(&#ident);
                            }
                        });
                    }
                    pat => {
                        let name = format_ident!("__arg{}", index, span = Span::mixed_site());
                        let pattern = pat.to_token_stream();
                        rebinds.push(if is_mut_reference(&arg.ty) {
                            quote!(let #pattern = &mut *#name;)
                        } else if by_ref {
                            quote!(let #pattern = #name;)
                        } else {
                            quote_spanned! {span=>
                                #[allow(unused_variables)]
                                let #pattern = #private::clone_arg(&#name);
                            }
                        });
                        *pat = Pat::Ident(PatIdent {
                            attrs: Vec::new(),
                            by_ref: None,
                            mutability: None,
                            ident: name,
                            subpat: None,
                        });
                    }
                }
            }
        }
    }
    Arguments {
        rebinds,
        renamed_self,
    }
}

fn duration(private: &TokenStream, d: &DurationArg) -> TokenStream {
    match d {
        DurationArg::Literal { secs, nanos, span } => {
            quote_spanned!(*span=> #private::Duration::new(#secs, #nanos))
        }
        DurationArg::Expr(e) => quote!(#e),
    }
}

/// Whether every setting of the policy is a literal (no `policy`, `wait` or budget
/// expression): then the policy is a constant and the call uses the lean state.
fn is_lean(config: &Config) -> bool {
    let literal = |d: &Option<DurationArg>| !matches!(d, Some(DurationArg::Expr(_)));
    let schedule = match &config.schedule {
        None => true,
        Some(Schedule::Expo { factor, .. } | Schedule::Fibo { factor }) => literal(factor),
        Some(Schedule::Constant(interval)) => matches!(interval, DurationArg::Literal { .. }),
        Some(Schedule::Wait(_)) => false,
    };
    config.policy.is_none()
        && config.budget.is_none()
        && schedule
        && !matches!(config.max_tries, Some(MaxTries::Expr(_)))
        && literal(&config.max_time)
        && literal(&config.max_delay)
}

/// The `Policy` expression: `policy = ..` as given, else built from the keys.
fn policy(private: &TokenStream, config: &Config) -> TokenStream {
    if let Some(policy) = &config.policy {
        return quote!(#policy);
    }
    let mut policy = match &config.schedule {
        Some(Schedule::Expo { base, factor }) => {
            let base = base.map(|b| quote!(.base(#b)));
            let factor = factor.as_ref().map(|f| {
                let f = duration(private, f);
                quote!(.factor(#f))
            });
            quote!(#private::Policy::expo() #base #factor)
        }
        Some(Schedule::Fibo { factor }) => {
            let factor = factor.as_ref().map(|f| {
                let f = duration(private, f);
                quote!(.factor(#f))
            });
            quote!(#private::Policy::fibo() #factor)
        }
        Some(Schedule::Constant(interval)) => {
            let interval = duration(private, interval);
            quote!(#private::Policy::constant(#interval))
        }
        Some(Schedule::Wait(_)) | None => quote!(#private::Policy::expo()),
    };
    if let Some(jitter) = config.jitter {
        let variant = match jitter {
            JitterKind::Full => quote!(Full),
            JitterKind::Equal => quote!(Equal),
            JitterKind::Decorrelated => quote!(Decorrelated),
            JitterKind::None => quote!(None),
        };
        policy.extend(quote!(.jitter(#private::Jitter::#variant)));
    }
    match &config.max_tries {
        Some(MaxTries::Literal(n)) => policy.extend(quote!(.max_tries(#n))),
        Some(MaxTries::Expr(e)) => policy.extend(quote!(.max_tries(#e))),
        None if config.forever => policy.extend(quote!(.forever())),
        None => {}
    }
    if let Some(d) = &config.max_time {
        let d = duration(private, d);
        policy.extend(quote!(.max_time(#d)));
    }
    if let Some(d) = &config.max_delay {
        let d = duration(private, d);
        policy.extend(quote!(.max_delay(#d)));
    }
    policy
}

pub fn expand(config: Config, mut item: ItemFn) -> syn::Result<TokenStream> {
    let private = match &config.krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::retry::__private),
    };
    let is_async_trait = matches!(shape(&item), Shape::AsyncTrait { .. });
    let ret: Type = match &item.sig.output {
        ReturnType::Type(_, ty) if is_async_trait => {
            future_output(ty).cloned().ok_or_else(|| {
                syn::Error::new(
                    ty.span(),
                    "#[retry] cannot find the `Output` of this boxed future",
                )
            })?
        }
        ReturnType::Type(_, ty) => (**ty).clone(),
        ReturnType::Default => unreachable!("checked in lib.rs"),
    };
    let arguments = if is_async_trait {
        Arguments {
            rebinds: Vec::new(),
            renamed_self: None,
        }
    } else {
        rebind_arguments(&mut item, &private)
    };

    let retry = Ident::new("__retry", Span::mixed_site());
    let outcome = Ident::new("__outcome", Span::mixed_site());
    let wait = Ident::new("__wait", Span::mixed_site());
    let attempt_no = Ident::new("__attempt", Span::mixed_site());

    let fn_name = item.sig.ident.to_string();
    let policy = policy(&private, &config);
    let is_async = !matches!(shape(&item), Shape::Sync);
    let constructor = if is_async {
        quote!(asynchronous)
    } else {
        quote!(blocking)
    };
    // Every setting a literal: the policy and the name become constants of a local
    // type, and the call keeps only what changes (`__private::Lean`).
    let lean = is_lean(&config);
    let spec = Ident::new("__RETRY_SPEC", Span::mixed_site());
    let name = quote!(::core::concat!(::core::module_path!(), "::", #fn_name));
    let mut builder = if lean {
        quote_spanned! {ret.span()=>
            #private::#constructor::<#ret>(&#spec.policy)
        }
    } else {
        let mut builder = quote_spanned! {ret.span()=>
            #private::#constructor::<#ret>(&#policy)
        };
        builder.extend(quote!(.name(#name)));
        builder
    };
    if let Some(Schedule::Wait(w)) = &config.schedule {
        builder.extend(quote!(.wait(#w)));
    }
    for (method, value) in [
        ("giveup", &config.giveup),
        ("retry_if", &config.retry_if),
        ("retry_if_ok", &config.retry_if_ok),
        ("retry_after", &config.retry_after),
        ("on_backoff", &config.on_backoff),
        ("on_giveup", &config.on_giveup),
        ("on_success", &config.on_success),
        ("budget", &config.budget),
    ] {
        if let Some(value) = value {
            let method = Ident::new(method, value.span());
            builder.extend(quote!(.#method(#value)));
        }
    }

    if lean {
        // J: the generator (full, equal); D: the decorrelated state; neither without
        // jitter. K: 1 when the clock is read (max_time, a hook, or tracing, which only
        // the runtime knows).
        let (rng_slots, decorrelated_slots) = match config.jitter {
            Some(JitterKind::None) => (0usize, 0usize),
            Some(JitterKind::Decorrelated) => (0, 1),
            Some(JitterKind::Full | JitterKind::Equal) | None => (1, 0),
        };
        let clock = if config.max_time.is_some()
            || config.on_backoff.is_some()
            || config.on_giveup.is_some()
            || config.on_success.is_some()
        {
            quote!(1)
        } else {
            quote!({ #private::CLOCK_FOR_TRACING })
        };
        builder = quote!(#private::lean::<#rng_slots, #decorrelated_slots, #clock, _, _, _, _>(&#spec, #builder));
    }

    let attempt_binding = config
        .attempt
        .as_ref()
        .map(|name| quote!(let #name: u32 = #attempt_no;));
    let count_attempt = config
        .attempt
        .as_ref()
        .map(|_| quote!(let #attempt_no: u32 = #retry.tries().saturating_add(1);));
    let sleeper = match &config.sleep {
        Some(s) => quote!(#s),
        None => quote!(#private::DefaultSleeper::default()),
    };

    let rebinds = &arguments.rebinds;
    let attempt = |body: TokenStream| -> TokenStream {
        if is_async {
            let block = quote! {
                #private::attempt_async::<#ret, _>(async { #(#rebinds)* #attempt_binding #body })
            };
            match &config.timeout {
                Some(limit_arg) => {
                    let limit = duration(&private, limit_arg);
                    let make_error = match &config.timeout_error {
                        Some(e) => quote!(#e),
                        None => quote_spanned!(limit_arg.span()=> #private::from_timeout),
                    };
                    quote!(#private::timed(&#sleeper, #limit, #block, #make_error).await)
                }
                None => quote!(#block.await),
            }
        } else {
            quote!(#private::attempt::<#ret, _>(|| { #(#rebinds)* #attempt_binding #body }))
        }
    };
    let sleep = if is_async {
        // The sleep future is held directly (no wrapper); a zero wait skips the timer.
        quote!(if #private::nonzero(#wait) { #private::Sleeper::sleep(&#sleeper, #wait).await })
    } else {
        quote!(#private::sleep_blocking(#wait))
    };
    // The lean state is told its `static` at each step, so the policy is a constant there.
    let (spec_static, spec_arg) = if lean {
        (
            quote! {
                static #spec: #private::Spec = #private::Spec {
                    policy: #policy,
                    name: #name,
                };
            },
            quote!(&#spec,),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let retry_loop = |body: TokenStream| {
        let attempt = attempt(body);
        quote! {
            #spec_static
            let mut #retry = #builder;
            #retry.start();
            loop {
                // The outcome's scope ends before the sleep, so that an async fn's future
                // does not keep it across the sleep.
                let #wait = {
                    #count_attempt
                    let #outcome = #attempt;
                    match #retry.after(#spec_arg &#outcome) {
                        #private::Step::Done => return #outcome,
                        #private::Step::Sleep(#wait) => #wait,
                    }
                };
                #sleep;
            }
        }
    };

    let body = match shape(&item) {
        Shape::AsyncTrait { call, block } => {
            let (kept, per_attempt, rest) =
                split_async_trait_prelude(&block.block.stmts, &item, &private);
            let func = &call.func;
            let inner = retry_loop(quote!(#(#per_attempt)* #(#rest)*));
            let attrs = &block.attrs;
            quote!({ #func(#(#attrs)* async move { #(#kept)* #inner }) })
        }
        _ => {
            let stmts = &item.block.stmts;
            let mut body = quote!(#(#stmts)*);
            if let Some(renamed) = &arguments.renamed_self {
                body = rename_self(body, renamed);
            }
            let inner = retry_loop(body);
            quote!({ #inner })
        }
    };
    let attrs = &item.attrs;
    let vis = &item.vis;
    let sig = &item.sig;
    Ok(quote!(#(#attrs)* #vis #sig #body))
}

/// Splits the body that `#[async_trait]` generated into its prelude (an early-return
/// type hint and `let x = x;` per argument), kept before the loop, and the user's code.
/// An owned argument's binding becomes a clone at the start of each attempt instead.
fn split_async_trait_prelude<'a>(
    stmts: &'a [Stmt],
    item: &ItemFn,
    private: &TokenStream,
) -> (Vec<&'a Stmt>, Vec<TokenStream>, &'a [Stmt]) {
    let mut kept = Vec::new();
    let mut per_attempt = Vec::new();
    let mut index = 0;
    for stmt in stmts {
        match stmt {
            Stmt::Expr(Expr::If(if_expr), _)
                if index == 0 && matches!(&*if_expr.cond, Expr::Let(_)) =>
            {
                kept.push(stmt);
            }
            Stmt::Local(syn::Local {
                pat,
                init: Some(init),
                ..
            }) if init.diverge.is_none() => {
                let Expr::Path(source) = &*init.expr else {
                    break;
                };
                let Some(source) = source.path.get_ident() else {
                    break;
                };
                if argument_is_owned(item, source) {
                    let span = pat.span();
                    per_attempt.push(quote_spanned! {span=>
                        #[allow(unused_variables)]
                        let #pat = #private::clone_arg(&#source);
                    });
                } else {
                    kept.push(stmt);
                }
            }
            _ => break,
        }
        index += 1;
    }
    (kept, per_attempt, &stmts[index..])
}

/// Whether the argument `name` (or `self` for `__self`) of the original signature is
/// owned, judging by its type.
fn argument_is_owned(item: &ItemFn, name: &Ident) -> bool {
    item.sig.inputs.iter().any(|input| match input {
        FnArg::Receiver(r) => name == "self" && r.reference.is_none() && !is_reference(&r.ty),
        FnArg::Typed(arg) => {
            matches!(&*arg.pat, Pat::Ident(p) if p.ident == *name) && !is_reference(&arg.ty)
        }
    })
}
