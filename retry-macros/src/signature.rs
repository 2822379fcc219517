//! What the function looks like: how it runs its attempts ([`Shape`]), what each
//! attempt does with each argument ([`Rebind`]), the renaming of `self`, and the facts
//! that validation turns into errors. Nothing here reports an error itself.

use std::collections::HashSet;

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Block, Expr, FnArg, GenericArgument, Lifetime, Pat, PatIdent, PathArguments,
    ReturnType, Signature, Stmt, Type, TypeParamBound, Visibility,
};

/// How the function runs its attempts.
pub enum Shape {
    /// A blocking function: a closure per attempt.
    Sync,
    /// An `async fn`: an `async` block per attempt, in the function's own future.
    Async,
    /// An `#[async_trait]` method, already rewritten to `Box::pin(async move { .. })`:
    /// the loop goes inside that block, after async-trait's own prelude.
    AsyncTrait {
        /// `Box::pin`, as async-trait wrote it.
        call: Box<Expr>,
        /// The attributes of the `async move` block.
        attrs: Vec<Attribute>,
    },
    /// `fn f(..) -> impl Future<Output = R> { ..; async move { .. } }`: the statements
    /// before the block run once, the returned future is retried (as `#[instrument]`
    /// instruments it).
    ReturnsFuture {
        /// The attributes of the `async` block.
        attrs: Vec<Attribute>,
        /// `move`, when the block had it.
        capture: Option<syn::Token![move]>,
    },
}

impl Shape {
    pub fn is_async(&self) -> bool {
        !matches!(self, Shape::Sync)
    }
}

/// What one attempt does with one argument so that it runs "as if the function were
/// called again".
pub enum Rebind {
    /// An owned value: each attempt gets a clone of `source`, bound to `pattern`.
    Copy {
        source: TokenStream,
        pattern: TokenStream,
        /// How messages name the argument (`db`, `self`, `(a, b)`).
        name: String,
        span: Span,
    },
    /// `let pattern = value;` at the start of each attempt: a reborrow (`&mut *x`,
    /// `x.as_mut()`, `x.as_deref_mut()`), or a fresh `mut` binding of a copy.
    Let {
        pattern: TokenStream,
        value: TokenStream,
    },
}

/// A [`Rebind`] with the argument's own attributes (`#[cfg(..)]`), which its per-attempt
/// statements carry too.
pub struct Argument {
    pub attrs: Vec<Attribute>,
    pub rebind: Rebind,
}

/// Facts about the function that make `#[retry]` impossible; `validate` words them.
pub enum Problem {
    Const(Span),
    NoReturnType(Span),
    /// An `#[async_trait]` method whose boxed future has no visible `Output`.
    NoFutureOutput(Span),
    /// `-> impl Future` without an `async` block at the end of the body.
    FutureWithoutAsyncBlock(Span),
    /// The return type borrows from a `&mut` argument.
    ReturnsMutBorrow {
        span: Span,
        argument: String,
    },
    /// An owned argument holding a `&mut` borrow that cannot be reborrowed per attempt.
    HoldsMutBorrow {
        span: Span,
        argument: String,
        ty: String,
    },
}

/// The function, taken apart for the expansion.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub vis: syn::Visibility,
    /// The signature as written, but for parameter patterns the attempts destructure
    /// (`(a, b): (u8, u8)` is taken whole, as `__argN`) and `mut` on bindings that the
    /// attempts bind afresh.
    pub sig: Signature,
    pub shape: Shape,
    /// The attempt's type `R` (`impl Trait` parts as `_`), `None` if there is none.
    pub ret: Option<Type>,
    /// Statements that run once, before the retries.
    pub prelude: Vec<Stmt>,
    /// The statements each attempt runs, `self` renamed where it is.
    pub body: TokenStream,
    pub arguments: Vec<Argument>,
    pub problems: Vec<Problem>,
}

/// How an argument's type holds what it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ref,
    MutRef,
    /// `Pin<&mut T>`: reborrowed with `as_mut()`.
    PinMut,
    /// `Option<&mut T>`: reborrowed with `as_deref_mut()`.
    OptionMut,
    /// Owned, but holding a `&mut` somewhere (`(&mut A, &mut B)`, `Vec<&mut T>`).
    HoldsMut,
    Owned,
}

impl Kind {
    fn of(ty: &Type) -> Kind {
        match ty {
            Type::Reference(r) if r.mutability.is_some() => Kind::MutRef,
            Type::Reference(_) => Kind::Ref,
            Type::Paren(p) => Kind::of(&p.elem),
            Type::Group(g) => Kind::of(&g.elem),
            _ => match wrapped_mut_ref(ty) {
                Some("Pin") => Kind::PinMut,
                Some(_) => Kind::OptionMut,
                None if holds_mut_ref(ty) => Kind::HoldsMut,
                None => Kind::Owned,
            },
        }
    }

    /// The per-attempt reborrow of `name`, and whether `name` must be a `mut` binding.
    fn reborrow(self, name: &TokenStream) -> Option<(TokenStream, bool)> {
        match self {
            Kind::MutRef => Some((quote!(&mut *#name), false)),
            Kind::PinMut => Some((quote!(#name.as_mut()), true)),
            Kind::OptionMut => Some((quote!(#name.as_deref_mut()), true)),
            Kind::Ref | Kind::HoldsMut | Kind::Owned => None,
        }
    }
}

/// `Pin<&mut T>` or `Option<&mut T>`: which of the two.
fn wrapped_mut_ref(ty: &Type) -> Option<&'static str> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let wrapper = ["Pin", "Option"].into_iter().find(|w| last.ident == w)?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(Type::Reference(r)))
            if r.mutability.is_some() && args.args.len() == 1 =>
        {
            Some(wrapper)
        }
        _ => None,
    }
}

/// Whether an owned type holds a `&mut` (not counting closure signatures such as
/// `impl FnMut(&mut T)`, which hold none).
fn holds_mut_ref(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'a> Visit<'a> for Finder {
        fn visit_type_reference(&mut self, r: &'a syn::TypeReference) {
            self.0 |= r.mutability.is_some();
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_parenthesized_generic_arguments(
            &mut self,
            _: &'a syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_bare_fn(&mut self, _: &'a syn::TypeBareFn) {}
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// Every identifier in `tokens`, macro arguments and `format!` captures included.
fn identifiers(tokens: TokenStream, out: &mut HashSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                out.insert(ident.to_string());
            }
            TokenTree::Group(group) => identifiers(group.stream(), out),
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

/// Renames the body's `self` to `__self`, as `async-trait` does: in expressions and in
/// macro arguments, but not inside nested items (a nested `impl` has a `self` of its
/// own), nor `self::path`, nor a field named `self` (`self = ?self` in `tracing` macros).
struct RenameSelf;

const RENAMED_SELF: &str = "__self";

impl VisitMut for RenameSelf {
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        if expr.qself.is_none() && expr.path.is_ident("self") {
            let span = expr.path.segments[0].ident.span();
            expr.path = Ident::new(RENAMED_SELF, span).into();
        } else {
            syn::visit_mut::visit_expr_path_mut(self, expr);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = rename_self(std::mem::take(&mut mac.tokens));
    }
}

fn rename_self(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Ident(ident) if ident == "self" => {
                let keep = match iter.peek() {
                    Some(TokenTree::Punct(p)) if p.as_char() == ':' => true,
                    Some(TokenTree::Punct(p)) => {
                        p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone
                    }
                    _ => false,
                };
                if keep {
                    out.push(TokenTree::Ident(ident));
                } else {
                    out.push(TokenTree::Ident(Ident::new(RENAMED_SELF, ident.span())));
                }
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), rename_self(group.stream()));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// `Box::pin(async move { .. })` as the whole body: the mark of `#[async_trait]`.
fn async_trait_body(block: &Block) -> Option<(&Expr, &syn::ExprAsync)> {
    let [Stmt::Expr(Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    let mut segments = func.path.segments.iter().rev();
    let is_box_pin = segments.next().is_some_and(|s| s.ident == "pin")
        && segments.next().is_some_and(|s| s.ident == "Box");
    match (is_box_pin, call.args.first()) {
        (true, Some(Expr::Async(block))) if call.args.len() == 1 && block.capture.is_some() => {
            Some((&call.func, block))
        }
        _ => None,
    }
}

/// The `Output` of a `Future` bound among `bounds`.
fn future_output<'a>(bounds: impl IntoIterator<Item = &'a TypeParamBound>) -> Option<&'a Type> {
    bounds.into_iter().find_map(|bound| {
        let TypeParamBound::Trait(t) = bound else {
            return None;
        };
        let seg = t.path.segments.last()?;
        if seg.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &seg.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// The `Output` of `Pin<Box<dyn Future<Output = R> + ..>>`.
fn boxed_future_output(ty: &Type) -> Option<&Type> {
    fn first_type_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
        let Type::Path(p) = ty else { return None };
        let seg = p.path.segments.last()?;
        if seg.ident != name {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &seg.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
    }
    let boxed = first_type_arg(ty, "Pin")?;
    let Type::TraitObject(object) = first_type_arg(boxed, "Box")? else {
        return None;
    };
    future_output(&object.bounds)
}

/// `impl Future<Output = R>`: `R`.
fn impl_future_output(ty: &Type) -> Option<&Type> {
    match ty {
        Type::ImplTrait(t) => future_output(&t.bounds),
        Type::Paren(p) => impl_future_output(&p.elem),
        Type::Group(g) => impl_future_output(&g.elem),
        _ => None,
    }
}

/// Which lifetime a reference or lifetime argument names: a named one, or the elided
/// lifetime of the argument at an index (`usize::MAX`: elided in the return type).
#[derive(Clone, PartialEq, Eq)]
enum Region {
    Named(String),
    Elided(usize),
}

/// The lifetimes a type mentions, each with the span of its mention.
fn regions(ty: &Type, elided: usize) -> Vec<(Region, Span)> {
    struct Collect(Vec<(Region, Span)>, usize);
    impl Collect {
        fn lifetime(&mut self, lifetime: Option<&Lifetime>, span: Span) {
            let region = match lifetime {
                Some(l) if l.ident == "_" => Region::Elided(self.1),
                Some(l) => Region::Named(l.ident.to_string()),
                None => Region::Elided(self.1),
            };
            self.0.push((region, span));
        }
    }
    impl<'a> Visit<'a> for Collect {
        fn visit_type_reference(&mut self, r: &'a syn::TypeReference) {
            self.lifetime(r.lifetime.as_ref(), r.and_token.span);
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_generic_argument(&mut self, arg: &'a GenericArgument) {
            if let GenericArgument::Lifetime(l) = arg {
                self.lifetime(Some(l), l.span());
            }
            syn::visit::visit_generic_argument(self, arg);
        }
        fn visit_parenthesized_generic_arguments(
            &mut self,
            _: &'a syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_bare_fn(&mut self, _: &'a syn::TypeBareFn) {}
    }
    let mut collect = Collect(Vec::new(), elided);
    collect.visit_type(ty);
    collect.0
}

/// The `&mut` argument (by name) whose borrow `ret` returns, if any, by the lifetime
/// elision rules: an elided output lifetime is the receiver's when it is a reference,
/// else the one input lifetime.
fn mut_borrow_returned(sig: &Signature, ret: &Type) -> Option<(Span, String)> {
    let mut inputs: Vec<(Region, String, bool)> = Vec::new();
    let mut receiver: Option<Region> = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        let (ty, name) = match input {
            FnArg::Receiver(r) => (&*r.ty, "self".to_string()),
            FnArg::Typed(arg) => (&*arg.ty, arg.pat.to_token_stream().to_string()),
        };
        let mutable = matches!(Kind::of(ty), Kind::MutRef | Kind::PinMut | Kind::OptionMut);
        let found = regions(ty, index);
        if let (FnArg::Receiver(_), Some((region, _))) = (input, found.first()) {
            receiver = Some(region.clone());
        }
        for (region, _) in found {
            inputs.push((region, name.clone(), mutable));
        }
    }
    let elided = receiver.or_else(|| match inputs.as_slice() {
        [(region, _, _)] => Some(region.clone()),
        _ => None,
    });
    for (region, span) in regions(ret, usize::MAX) {
        let region = match region {
            Region::Elided(_) => match &elided {
                Some(region) => region.clone(),
                None => continue,
            },
            named => named,
        };
        if let Some((_, name, _)) = inputs
            .iter()
            .find(|(input, _, mutable)| *mutable && *input == region)
        {
            return Some((span, name.clone()));
        }
    }
    None
}

/// Removes `mut` from every binding of a pattern; returns the names it was removed from.
fn strip_mut(pat: &mut Pat) -> Vec<Ident> {
    struct Strip(Vec<Ident>);
    impl VisitMut for Strip {
        fn visit_pat_ident_mut(&mut self, p: &mut PatIdent) {
            if p.mutability.take().is_some() {
                self.0.push(p.ident.clone());
            }
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
    }
    let mut strip = Strip(Vec::new());
    strip.visit_pat_mut(pat);
    strip.0
}

fn escape_braces(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

impl Function {
    pub fn new(item: Item) -> Function {
        let Item {
            attrs,
            vis,
            mut sig,
            body,
        } = item;
        let mut problems = Vec::new();
        if let Some(constness) = &sig.constness {
            problems.push(Problem::Const(constness.span));
        }
        let declared = match &sig.output {
            ReturnType::Type(_, ty) => Some((**ty).clone()),
            ReturnType::Default => {
                problems.push(Problem::NoReturnType(sig.ident.span()));
                None
            }
        };

        // The attempt's statements, when the body was taken apart, and its tokens.
        let (shape, ret, prelude, stmts) = match body {
            Body::Tokens(body) if sig.asyncness.is_some() => {
                (Shape::Async, declared, Vec::new(), Err(body))
            }
            Body::Tokens(body) => (Shape::Sync, declared, Vec::new(), Err(body)),
            Body::Block(block) => {
                let (shape, ret, prelude, stmts) =
                    Self::shape_of_block(&sig, declared, *block, &mut problems);
                (shape, ret, prelude, Ok(stmts))
            }
        };
        let body = match &stmts {
            Ok(stmts) => quote!(#(#stmts)*),
            Err(tokens) => tokens.clone(),
        };
        let ret = ret.map(|mut ret| {
            if let Some((span, argument)) = mut_borrow_returned(&sig, &ret) {
                problems.push(Problem::ReturnsMutBorrow { span, argument });
            }
            InferImplTrait.visit_type_mut(&mut ret);
            ret
        });

        let mut used = HashSet::new();
        identifiers(body.clone(), &mut used);
        let mut function = Function {
            attrs,
            vis,
            sig: Signature {
                output: sig.output.clone(),
                ..sig.clone()
            },
            shape,
            ret,
            prelude,
            body: TokenStream::new(),
            arguments: Vec::new(),
            problems,
        };
        let mut body = body;
        let rename_self = if let (Shape::AsyncTrait { .. }, Ok(stmts)) = (&function.shape, &stmts) {
            let (kept, rest) = function.async_trait_prelude(stmts, &used);
            function.prelude = kept;
            body = quote!(#(#rest)*);
            false
        } else {
            function.rebind_signature(&mut sig, &used)
        };
        function.sig = sig;
        if rename_self {
            // Only here does the body need a syntax tree. If it does not parse, the
            // compiler reports why at the body's own tokens.
            if let Ok(mut block) = syn::parse2::<Block>(quote!({ #body })) {
                RenameSelf.visit_block_mut(&mut block);
                let stmts = block.stmts;
                body = quote!(#(#stmts)*);
            }
        }
        function.body = body;
        function
    }

    /// The shape of a function whose body [`parse`] took apart: not `async fn`, but
    /// returning a future (`async-trait`'s `Box::pin(async move { .. })`, or an
    /// `impl Future` ending in an `async` block), or with inner attributes.
    fn shape_of_block(
        sig: &Signature,
        declared: Option<Type>,
        mut block: Block,
        problems: &mut Vec<Problem>,
    ) -> (Shape, Option<Type>, Vec<Stmt>, Vec<Stmt>) {
        let async_trait = match (&sig.asyncness, async_trait_body(&block)) {
            (None, Some((call, inner))) => Some((call.clone(), inner.clone())),
            _ => None,
        };
        let returns_future = declared.as_ref().and_then(impl_future_output).is_some();
        if sig.asyncness.is_some() {
            (Shape::Async, declared, Vec::new(), block.stmts)
        } else if let Some((call, inner)) = async_trait {
            let output = declared.as_ref().and_then(boxed_future_output).cloned();
            if output.is_none() {
                problems.push(Problem::NoFutureOutput(sig.output.span()));
            }
            let shape = Shape::AsyncTrait {
                call: Box::new(call),
                attrs: inner.attrs,
            };
            (shape, output, Vec::new(), inner.block.stmts)
        } else if returns_future {
            let output = declared.as_ref().and_then(impl_future_output).cloned();
            match block.stmts.pop() {
                Some(Stmt::Expr(Expr::Async(inner), None)) => {
                    let shape = Shape::ReturnsFuture {
                        attrs: inner.attrs,
                        capture: inner.capture,
                    };
                    (shape, output, block.stmts, inner.block.stmts)
                }
                last => {
                    block.stmts.extend(last);
                    problems.push(Problem::FutureWithoutAsyncBlock(sig.output.span()));
                    (Shape::Sync, output, Vec::new(), block.stmts)
                }
            }
        } else {
            (Shape::Sync, declared, Vec::new(), block.stmts)
        }
    }

    /// Decides each argument's [`Rebind`]; returns whether the body's `self` must be
    /// renamed.
    fn rebind_signature(&mut self, sig: &mut Signature, used: &HashSet<String>) -> bool {
        // A `move` block or closure in the body would take a `&mut` captured as is:
        // then even `&mut self` is reborrowed per attempt, under a new name.
        let moves = used.contains("move");
        let mut rename_self = false;
        for (index, input) in sig.inputs.iter_mut().enumerate() {
            match input {
                FnArg::Receiver(receiver) => {
                    if !used.contains("self") {
                        continue;
                    }
                    let renamed = Ident::new(RENAMED_SELF, receiver.self_token.span);
                    let self_token = receiver.self_token;
                    let attrs = receiver.attrs.clone();
                    let kind = Kind::of(&receiver.ty);
                    let rebind = match kind.reborrow(&quote!(#self_token)) {
                        Some((_, _)) if kind == Kind::MutRef && !moves => continue,
                        Some((value, needs_mut)) => {
                            if needs_mut {
                                receiver.mutability = Some(Default::default());
                            }
                            Rebind::Let {
                                pattern: quote!(#renamed),
                                value,
                            }
                        }
                        None if kind == Kind::Ref => continue,
                        None => {
                            let mutability = receiver.mutability.take();
                            Rebind::Copy {
                                source: quote!(#self_token),
                                pattern: quote!(#mutability #renamed),
                                name: "self".into(),
                                span: self_token.span,
                            }
                        }
                    };
                    rename_self = true;
                    self.arguments.push(Argument { attrs, rebind });
                }
                FnArg::Typed(arg) => {
                    let kind = Kind::of(&arg.ty);
                    let attrs = arg.attrs.clone();
                    let span = arg.pat.span();
                    let name = arg.pat.to_token_stream().to_string();
                    if kind == Kind::HoldsMut {
                        self.problems.push(Problem::HoldsMutBorrow {
                            span,
                            argument: name,
                            ty: arg
                                .ty
                                .to_token_stream()
                                .to_string()
                                .replace("& mut ", "&mut ")
                                .replace("& '", "&'")
                                .replace(" ,", ","),
                        });
                        continue;
                    }
                    let rebind = match &mut *arg.pat {
                        Pat::Wild(_) => continue,
                        Pat::Ident(PatIdent {
                            by_ref: None,
                            mutability,
                            ident,
                            subpat: None,
                            ..
                        }) => {
                            if !used.contains(&ident.to_string()) {
                                continue;
                            }
                            let source = quote!(#ident);
                            match kind.reborrow(&source) {
                                Some((value, needs_mut)) => {
                                    let user_mut = if needs_mut {
                                        mutability.replace(Default::default())
                                    } else {
                                        mutability.take()
                                    };
                                    Rebind::Let {
                                        pattern: quote!(#user_mut #ident),
                                        value,
                                    }
                                }
                                None if kind == Kind::Ref => match mutability.take() {
                                    Some(user_mut) => Rebind::Let {
                                        pattern: quote!(#user_mut #ident),
                                        value: source,
                                    },
                                    None => continue,
                                },
                                None => {
                                    let user_mut = mutability.take();
                                    Rebind::Copy {
                                        source,
                                        pattern: quote!(#user_mut #ident),
                                        name,
                                        span,
                                    }
                                }
                            }
                        }
                        pat if kind == Kind::Ref => {
                            // Bindings through a `&T` are copies or shared borrows: the
                            // pattern stays as written; `mut` ones are bound afresh.
                            for ident in strip_mut(pat) {
                                self.arguments.push(Argument {
                                    attrs: attrs.clone(),
                                    rebind: Rebind::Let {
                                        pattern: quote!(mut #ident),
                                        value: quote!(#ident),
                                    },
                                });
                            }
                            continue;
                        }
                        pat => {
                            let whole = format_ident!("__arg{}", index, span = Span::mixed_site());
                            let pattern = pat.to_token_stream();
                            let source = quote!(#whole);
                            let (rebind, needs_mut) = match kind.reborrow(&source) {
                                Some((value, needs_mut)) => {
                                    (Rebind::Let { pattern, value }, needs_mut)
                                }
                                None => (
                                    Rebind::Copy {
                                        source,
                                        pattern,
                                        name,
                                        span,
                                    },
                                    false,
                                ),
                            };
                            *pat = Pat::Ident(PatIdent {
                                attrs: Vec::new(),
                                by_ref: None,
                                mutability: needs_mut.then(Default::default),
                                ident: whole,
                                subpat: None,
                            });
                            rebind
                        }
                    };
                    self.arguments.push(Argument { attrs, rebind });
                }
            }
        }
        rename_self
    }

    /// Splits the body that `#[async_trait]` generated into its prelude (a type hint
    /// and `let x = x;` per owned argument and `self`), kept before the loop, and the
    /// user's code. Owned arguments become per-attempt copies instead; `&mut` ones are
    /// reborrowed per attempt.
    fn async_trait_prelude(
        &mut self,
        stmts: &[Stmt],
        used: &HashSet<String>,
    ) -> (Vec<Stmt>, Vec<Stmt>) {
        let moves = used.contains("move");
        let mut kept = Vec::new();
        let mut index = 0;
        for stmt in stmts {
            match stmt {
                Stmt::Expr(Expr::If(if_expr), _)
                    if index == 0 && matches!(&*if_expr.cond, Expr::Let(_)) =>
                {
                    kept.push(stmt.clone());
                }
                Stmt::Local(local) if local.init.as_ref().is_some_and(|i| i.diverge.is_none()) => {
                    let init = &local.init.as_ref().expect("checked").expr;
                    // `let x = x;`, or `let (a, b) = { let __arg1 = __arg1; __arg1 };`
                    let source = match &**init {
                        Expr::Path(path) => path.path.get_ident(),
                        Expr::Block(block) => match block.block.stmts.last() {
                            Some(Stmt::Expr(Expr::Path(path), None)) => path.path.get_ident(),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(source) = source else { break };
                    let pat = &local.pat;
                    let name = if source == "self" {
                        "self".to_string()
                    } else {
                        pat.to_token_stream().to_string()
                    };
                    match self.declared_kind(source) {
                        Some(Kind::Owned) => self.arguments.push(Argument {
                            attrs: local.attrs.clone(),
                            rebind: Rebind::Copy {
                                source: quote!(#source),
                                pattern: quote!(#pat),
                                name,
                                span: pat.span(),
                            },
                        }),
                        Some(Kind::MutRef) if source == "self" && moves => {
                            kept.push(stmt.clone());
                            self.arguments.push(Argument {
                                attrs: Vec::new(),
                                rebind: Rebind::Let {
                                    pattern: quote!(#pat),
                                    value: quote!(&mut *#pat),
                                },
                            });
                        }
                        _ => kept.push(stmt.clone()),
                    }
                }
                _ => break,
            }
            index += 1;
        }
        // Reference arguments get no `let` from async-trait: they are captured as they
        // are, and `&mut` ones are reborrowed here.
        for input in &self.sig.inputs {
            if let FnArg::Typed(arg) = input {
                if let Pat::Ident(p) = &*arg.pat {
                    let ident = &p.ident;
                    if used.contains(&ident.to_string()) {
                        if let Some((value, false)) = Kind::of(&arg.ty).reborrow(&quote!(#ident)) {
                            self.arguments.push(Argument {
                                attrs: arg.attrs.clone(),
                                rebind: Rebind::Let {
                                    pattern: quote!(#ident),
                                    value,
                                },
                            });
                        }
                    }
                }
            }
        }
        (kept, stmts[index..].to_vec())
    }

    /// The kind of the argument that async-trait's `let` binds from `source`.
    fn declared_kind(&self, source: &Ident) -> Option<Kind> {
        self.sig
            .inputs
            .iter()
            .enumerate()
            .find_map(|(index, input)| match input {
                FnArg::Receiver(r) if source == "self" => Some(Kind::of(&r.ty)),
                FnArg::Typed(arg) => {
                    let named = match &*arg.pat {
                        Pat::Ident(p) => p.ident == *source,
                        _ => *source == format!("__arg{index}"),
                    };
                    named.then(|| Kind::of(&arg.ty))
                }
                FnArg::Receiver(_) => None,
            })
    }
}

/// How messages about an owned argument read; `name` as the user wrote it.
pub fn not_clone_messages(name: &str) -> [String; 3] {
    let name = escape_braces(name);
    let by_ref = if name == "self" {
        "take `&self`".to_string()
    } else {
        format!("take `{name}` by reference (`&{{Self}}`)")
    };
    [
        format!("`{name}` is owned and not `Clone`, but #[retry] runs the body once per attempt, each with its own copy of `{name}`"),
        format!("`{name}` is owned and not `Clone`"),
        format!("{by_ref}, or make `{{Self}}` `Clone`"),
    ]
}

/// The function under the attribute, its body kept as tokens unless its shape depends on
/// the body's statements (see [`Body`]).
pub struct Item {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: Body,
}

/// A function's body: its tokens, which the expansion pastes as they are, or, when the
/// shape depends on its statements or it has inner attributes (`#![..]`, which go with
/// the function's own), the statements.
pub enum Body {
    Tokens(TokenStream),
    Block(Box<Block>),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let group: Group = input.parse()?;
        if group.delimiter() != proc_macro2::Delimiter::Brace || !input.is_empty() {
            return Err(input.error("expected the function's body"));
        }
        let body = group.stream();
        let body = if needs_statements(&sig, &body) {
            // As `ItemFn` parses it: the body's inner attributes are the function's.
            let (inner, stmts) = syn::parse::Parser::parse2(
                |input: ParseStream| {
                    let inner = input.call(Attribute::parse_inner)?;
                    Ok((inner, input.call(Block::parse_within)?))
                },
                body,
            )?;
            attrs.extend(inner);
            Body::Block(Box::new(Block {
                brace_token: syn::token::Brace(group.delim_span()),
                stmts,
            }))
        } else {
            Body::Tokens(body)
        };
        Ok(Item {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Whether the shape of the function depends on its body's statements: a function that
/// is not `async fn` but may return a future built in its body (its return type or its
/// tokens name one), or a body with inner attributes. Any other body is pasted as it is,
/// unparsed (the compiler parses it once, after the expansion).
fn needs_statements(sig: &Signature, body: &TokenStream) -> bool {
    let mut tokens = body.clone().into_iter();
    let inner_attribute = matches!(
        (tokens.next(), tokens.next()),
        (Some(TokenTree::Punct(hash)), Some(TokenTree::Punct(bang)))
            if hash.as_char() == '#' && bang.as_char() == '!'
    );
    if inner_attribute {
        return true;
    }
    if sig.asyncness.is_some() {
        return false;
    }
    let returns_future = match &sig.output {
        ReturnType::Type(_, ty) => {
            impl_future_output(ty).is_some() || boxed_future_output(ty).is_some()
        }
        ReturnType::Default => false,
    };
    returns_future
        || body.clone().into_iter().any(
            |tree| matches!(&tree, TokenTree::Ident(ident) if ident == "async" || ident == "pin"),
        )
}

/// The function under the attribute.
pub fn parse(item: TokenStream) -> syn::Result<Item> {
    syn::parse2(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            "#[retry] goes on a function with a body, e.g. `#[retry] fn f() -> Result<T, E> { .. }`",
        )
    })
}
