//! The `#[retry]` attribute. Use it through the `retry-attr` package (library `retry`),
//! which documents every key.
//!
//! Three stages: `args` parses the attribute keeping every token, `validate` applies
//! every rule to it and to the function that `signature` takes apart, `expand`
//! writes a short loop around `retry-core`.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use quote::quote;

mod args;
mod expand;
mod signature;
mod validate;

#[cfg(test)]
mod expansion_tests;
#[cfg(test)]
mod parser_props;

/// Retry a function returning `Result` under a backoff policy. See the `retry` crate.
#[proc_macro_attribute]
pub fn retry(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match run(attr.into(), item.clone()) {
        Ok(tokens) => tokens.into(),
        // Emit the function as written beside the error, so only the real error shows
        // and the IDE keeps working.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #item).into()
        }
    }
}

fn run(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args: args::Args = syn::parse2(attr)?;
    let function = signature::Function::new(signature::parse(item)?);
    let retried = validate::validate(args, function)?;
    Ok(expand::expand(retried))
}
