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
use std::collections::HashSet;
use syn::spanned::Spanned;

use syn::visit_mut::VisitMut;
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

/// Replaces every `impl Trait` in a type with `_`.
struct InferImplTrait;

impl VisitMut for InferImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            let underscore = syn::Token![_](impl_trait.impl_token.span);
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: underscore,
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// Renames the body's `self` (an owned receiver, copied per attempt) to `__self`, as
/// `async-trait` does: in expressions and in macro arguments, but not inside nested
/// items (a nested `impl` has a `self` of its own).
struct RenameSelf<'a>(&'a Ident);

impl VisitMut for RenameSelf<'_> {
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        if expr.qself.is_none() && expr.path.is_ident("self") {
            let span = expr.path.segments[0].ident.span();
            expr.path = Ident::new(&self.0.to_string(), span).into();
        } else {
            syn::visit_mut::visit_expr_path_mut(self, expr);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = rename_self(std::mem::take(&mut mac.tokens), self.0);
    }
}

/// Replaces `self` (not `self::path`) with `renamed` in macro arguments.
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

/// What each attempt does with the arguments: `before` runs just before the attempt
/// (`let __clone0 = clone_arg(&x);`), `inside` at the start of the attempt's closure or
/// async block (`let x = __clone0;`). The attempt thus owns its copies: an async
/// attempt holds no `&x` across its awaits, so its future is `Send` when `x` is `Send`
/// (not only when it is `Sync`).
#[derive(Default)]
struct Arguments {
    before: Vec<TokenStream>,
    inside: Vec<TokenStream>,
    /// The name the body's `self` takes when `self` is owned.
    renamed_self: Option<Ident>,
}

impl Arguments {
    /// A per-attempt copy of the owned `source`, bound to `pattern` in the attempt.
    fn copy(
        &mut self,
        private: &TokenStream,
        span: Span,
        source: TokenStream,
        pattern: TokenStream,
    ) {
        let copy = format_ident!("__clone{}", self.before.len(), span = Span::mixed_site());
        self.before
            .push(quote_spanned! {span=> let #copy = #private::clone_arg(&#source);});
        self.inside.push(quote! {
            #[allow(unused_variables)]
            let #pattern = #copy.take();
        });
    }
}

/// Every identifier in `tokens`, macro arguments included.
fn identifiers(tokens: TokenStream, out: &mut HashSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                out.insert(ident.to_string());
            }
            TokenTree::Group(group) => identifiers(group.stream(), out),
            // `format!("{name:?}")` names `name` inside a string literal.
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                for (_, after) in text.match_indices('{').map(|(i, _)| text.split_at(i + 1)) {
                    let name: String = after
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

fn rebind_arguments(item: &mut ItemFn, private: &TokenStream) -> Arguments {
    let mut arguments = Arguments::default();
    // An owned argument the body never names is not copied: the attribute's own
    // expressions (`wait = schedule`) may have moved it, and a copy would be wasted.
    let mut used = HashSet::new();
    identifiers(item.block.to_token_stream(), &mut used);
    for (index, input) in item.sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                if receiver.reference.is_some()
                    || is_reference(&receiver.ty)
                    || !used.contains("self")
                {
                    continue;
                }
                let renamed = Ident::new("__self", receiver.self_token.span());
                let mutability = receiver.mutability.take();
                let self_token = receiver.self_token;
                arguments.copy(
                    private,
                    receiver.span(),
                    quote!(#self_token),
                    quote!(#mutability #renamed),
                );
                arguments.renamed_self = Some(renamed);
            }
            FnArg::Typed(arg) => {
                let span = arg.span();
                let by_ref = is_reference(&arg.ty);
                let by_mut_ref = is_mut_reference(&arg.ty);
                match &mut *arg.pat {
                    Pat::Wild(_) => {}
                    Pat::Ident(PatIdent {
                        by_ref: None,
                        mutability,
                        ident,
                        subpat: None,
                        ..
                    }) => {
                        let mutability = mutability.take();
                        if by_mut_ref && mutability.is_some() {
                            arguments
                                .inside
                                .push(quote!(let #mutability #ident = &mut *#ident;));
                        } else if by_ref && mutability.is_some() {
                            arguments
                                .inside
                                .push(quote!(let #mutability #ident = #ident;));
                        } else if !by_ref && used.contains(&ident.to_string()) {
                            arguments.copy(
                                private,
                                span,
                                quote!(#ident),
                                quote!(#mutability #ident),
                            );
                        }
                    }
                    pat => {
                        let name = format_ident!("__arg{}", index, span = Span::mixed_site());
                        let pattern = pat.to_token_stream();
                        if by_mut_ref {
                            arguments.inside.push(quote!(let #pattern = &mut *#name;));
                        } else if by_ref {
                            arguments.inside.push(quote!(let #pattern = #name;));
                        } else {
                            arguments.copy(private, span, quote!(#name), pattern);
                        }
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
    arguments
}

fn duration(private: &TokenStream, d: &DurationArg) -> TokenStream {
    match d {
        DurationArg::Literal { secs, nanos, span } => {
            quote_spanned!(*span=> #private::Duration::new(#secs, #nanos))
        }
        DurationArg::Expr(e) => quote!(#e),
    }
}

/// Whether the attribute's own keys build the policy from literals only: then it is a
/// `static` of the expansion, which the engine reads by reference.
fn is_static(config: &Config) -> bool {
    let literal = |d: &Option<DurationArg>| !matches!(d, Some(DurationArg::Expr(_)));
    let schedule = match &config.schedule {
        None => true,
        Some(Schedule::Expo { factor, .. } | Schedule::Fibo { factor }) => literal(factor),
        Some(Schedule::Constant(interval)) => matches!(interval, DurationArg::Literal { .. }),
        Some(Schedule::Wait(_)) => false,
    };
    config.policy.is_none()
        && schedule
        && !matches!(config.max_tries, Some(MaxTries::Expr(_)))
        && literal(&config.max_time)
        && literal(&config.max_delay)
}

/// Whether `path` names a `const` or `static` by Rust's naming convention (its last
/// segment in upper case), outside `Self` (which an item inside the fn cannot name).
fn names_a_constant(path: &syn::Path) -> bool {
    let Some(last) = path.segments.last() else {
        return false;
    };
    let name = last.ident.to_string();
    path.segments
        .iter()
        .all(|s| s.ident != "Self" && s.arguments.is_empty())
        && name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase())
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
    // `Result<impl Display, E>` cannot be named inside the body: there the `impl Trait`
    // parts are left to inference (`Result<_, E>`).
    let mut ret = ret;
    InferImplTrait.visit_type_mut(&mut ret);
    let mut arguments = if is_async_trait {
        Arguments::default()
    } else {
        rebind_arguments(&mut item, &private)
    };

    let retry = Ident::new("__retry", Span::mixed_site());
    let outcome = Ident::new("__outcome", Span::mixed_site());
    let wait = Ident::new("__wait", Span::mixed_site());
    let attempt_no = Ident::new("__attempt", Span::mixed_site());

    let fn_name = item.sig.ident.to_string();
    let is_async = !matches!(shape(&item), Shape::Sync);
    let constructor = if is_async {
        quote!(asynchronous)
    } else {
        quote!(blocking)
    };
    // The policy the engine reads by reference: a `static` when the keys are literals,
    // the user's `const`/`static` itself for `policy = PATH` (a `const` is promoted),
    // else a value computed once per call.
    let policy_value = Ident::new("__retry_policy", Span::mixed_site());
    let policy_static = Ident::new("__RetryPolicy", Span::mixed_site());
    let const_policy = |policy: TokenStream| {
        (
            quote! {
                struct #policy_static;
                impl #private::ConstPolicy for #policy_static {
                    const POLICY: #private::Policy = #policy;
                }
            },
            quote!(#private::Const::<#policy_static>::new()),
        )
    };
    let (policy_setup, policy_ref) = match &config.policy {
        // A `const` or `static` by its name (SCREAMING_CASE): a compile-time constant too.
        Some(Expr::Path(path)) if names_a_constant(&path.path) => const_policy(quote!(#path)),
        Some(Expr::Path(path)) => (TokenStream::new(), quote_spanned!(path.span()=> &#path)),
        Some(expr) => (
            quote_spanned!(expr.span()=> let #policy_value: #private::Policy = #expr;),
            quote!(&#policy_value),
        ),
        // Literal keys: a compile-time constant, so every decision about it folds.
        None if is_static(&config) => const_policy(policy(&private, &config)),
        None => {
            let policy = policy(&private, &config);
            (
                quote!(let #policy_value: #private::Policy = #policy;),
                quote!(&#policy_value),
            )
        }
    };
    let name = quote!(::core::concat!(::core::module_path!(), "::", #fn_name));
    let mut builder = quote_spanned! {ret.span()=>
        #private::#constructor::<#ret, _>(#policy_ref)
    };
    builder.extend(quote!(.name(#name)));
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

    // Async: a loop of fresh `async` blocks, one per attempt, awaited in the fn's own
    // future. Sync: one closure, called once per attempt by the runtime's loop.
    let retry_loop = |arguments: &Arguments, body: TokenStream| {
        let Arguments { before, inside, .. } = arguments;
        if !is_async {
            return quote! {
                #policy_setup
                #builder.run(|#attempt_no: u32| -> #ret {
                    #(#before)* #(#inside)* #attempt_binding #body
                })
            };
        }
        let attempt = quote!(#private::attempt_async::<#ret, _>(async { #(#inside)* #attempt_binding #body }));
        let attempt = if before.is_empty() {
            attempt
        } else {
            quote!({ #(#before)* #attempt })
        };
        let attempt = match &config.timeout {
            Some(limit_arg) => {
                let limit = duration(&private, limit_arg);
                let make_error = match &config.timeout_error {
                    Some(e) => quote!(#e),
                    None => quote_spanned!(limit_arg.span()=> #private::from_timeout),
                };
                quote!(#private::timed(&#sleeper, #limit, #attempt, #make_error).await)
            }
            None => quote!(#attempt.await),
        };
        quote! {
            #policy_setup
            let mut #retry = #builder;
            #retry.start();
            loop {
                // The outcome's scope ends before the sleep, so that the future does not
                // keep it across the sleep.
                let #wait = {
                    #count_attempt
                    let #outcome = #attempt;
                    match #retry.after(&#outcome) {
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

    let body = match shape(&item) {
        Shape::AsyncTrait { call, block } => {
            let (kept, rest) =
                split_async_trait_prelude(&block.block.stmts, &item, &private, &mut arguments);
            let func = &call.func;
            let inner = retry_loop(&arguments, quote!(#(#rest)*));
            let attrs = &block.attrs;
            quote!({ #func(#(#attrs)* async move { #(#kept)* #inner }) })
        }
        _ => {
            let mut block = item.block.as_ref().clone();
            if let Some(renamed) = &arguments.renamed_self {
                RenameSelf(renamed).visit_block_mut(&mut block);
            }
            let stmts = &block.stmts;
            let inner = retry_loop(&arguments, quote!(#(#stmts)*));
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
    arguments: &mut Arguments,
) -> (Vec<&'a Stmt>, &'a [Stmt]) {
    let mut kept = Vec::new();
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
                    arguments.copy(private, pat.span(), quote!(#source), quote!(#pat));
                } else {
                    kept.push(stmt);
                }
            }
            _ => break,
        }
        index += 1;
    }
    (kept, &stmts[index..])
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
