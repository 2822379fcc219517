//! Fuzzes `#[retry(...)]`: arbitrary text, lexed into tokens, goes through the
//! attribute's parser, validator and expander, which must answer `Ok` or `Err` and
//! never panic.
//!
//! A proc-macro crate exports nothing but its macros, so the stages are compiled here
//! from retry-macros' own source files; `run` below mirrors `retry_macros::run`.
//!
//! ```text
//! cargo +nightly fuzz run attr fuzz/corpus/attr fuzz/seeds/attr -- -max_total_time=60
//! ```
#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::ItemFn;

#[allow(dead_code)]
#[path = "../../retry-macros/src/args.rs"]
mod args;
#[allow(dead_code)]
#[path = "../../retry-macros/src/expand.rs"]
mod expand;
#[allow(dead_code)]
#[path = "../../retry-macros/src/validate.rs"]
mod validate;

/// The pipeline of `retry_macros::run`: item checks, parse, validate, expand.
fn run(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: ItemFn = syn::parse2(item)?;
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new(constness.span(), "const fn"));
    }
    if let syn::ReturnType::Default = item.sig.output {
        return Err(syn::Error::new(item.sig.ident.span(), "no return type"));
    }
    let args: args::Args = syn::parse2(attr)?;
    let is_async = !matches!(expand::shape(&item), expand::Shape::Sync);
    let config = validate::validate(args, is_async)?;
    expand::expand(config, item)
}

const SYNC_ITEM: &str = "pub fn read(path: &str, owned: String) -> std::io::Result<String> { std::fs::read_to_string(path) }";
const ASYNC_ITEM: &str = "async fn fetch(&self, url: &str, n: u32) -> Result<u32, Error> { self.get(url).await?; Ok(n) }";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(attr) = TokenStream::from_str(text) else {
        return;
    };
    // The parser and the validator alone, for both kinds of function.
    if let Ok(args) = syn::parse2::<args::Args>(attr.clone()) {
        let _ = validate::validate(args, false);
    }
    if let Ok(args) = syn::parse2::<args::Args>(attr.clone()) {
        let _ = validate::validate(args, true);
    }
    // The whole pipeline; an accepted attribute must expand to well-formed Rust.
    for item in [SYNC_ITEM, ASYNC_ITEM] {
        let item = TokenStream::from_str(item).expect("the fixed items lex");
        if let Ok(expanded) = run(attr.clone(), item) {
            if let Err(error) = syn::parse2::<syn::File>(expanded.clone()) {
                panic!("#[retry({attr})] expanded to invalid Rust ({error}): {expanded}");
            }
        }
    }
});
