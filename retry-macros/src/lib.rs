//! The `#[retry]` attribute. Use it through the `retry` crate, which documents every key.
//!
//! Three stages: `args` parses the attribute keeping every token, `validate` applies
//! the rules, `expand` writes a short loop around `retry-core`.

use proc_macro::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::ItemFn;

mod args;
mod expand;
mod validate;

#[cfg(test)]
mod expansion_tests;
#[cfg(test)]
mod parser_props;

/// Retry a function returning `Result` under a backoff policy. See the `retry` crate.
#[proc_macro_attribute]
pub fn retry(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item2: proc_macro2::TokenStream = item.clone().into();
    match run(attr.into(), item2.clone()) {
        Ok(tokens) => tokens.into(),
        // Emit the function as written beside the error, so only the real error shows
        // and the IDE keeps working.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #item2).into()
        }
    }
}

fn run(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let item: ItemFn = syn::parse2(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            "#[retry] goes on a function with a body, e.g. `#[retry] fn f() -> Result<T, E> { .. }`",
        )
    })?;
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            "#[retry] cannot go on a `const fn`: retrying sleeps, which a const fn cannot do",
        ));
    }
    if let syn::ReturnType::Default = item.sig.output {
        return Err(syn::Error::new(
            item.sig.ident.span(),
            "#[retry] needs a function that returns a `Result`; this one returns nothing",
        ));
    }
    let args: args::Args = syn::parse2(attr)?;
    let is_async = !matches!(expand::shape(&item), expand::Shape::Sync);
    let config = validate::validate(args, is_async)?;
    expand::expand(config, item)
}
