//! The expansion of the README's examples, kept under review: a committed, pretty-printed
//! copy in `retry-macros/expanded/` (default features) and `retry-macros/expanded/tracing/`
//! (with the `tracing` feature, which adds the choice of how events show the error) must
//! match what the macro writes today. After a deliberate change, regenerate both with
//! `UPDATE_EXPANSION=1 cargo test -p retry-attr-macros --lib` and the same with
//! `--features tracing`, and review the diff.

use std::path::PathBuf;

use quote::quote;

fn check(name: &str, attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) {
    let tokens = crate::run(attr, item).expect("the example expands");
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
    let pretty = prettyplease::unparse(&file);
    let mut path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("expanded");
    if cfg!(feature = "tracing") {
        path.push("tracing");
    }
    let path = path.join(format!("{name}.rs"));
    if std::env::var_os("UPDATE_EXPANSION").is_some() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_EXPANSION=1", path.display()));
    assert_eq!(
        pretty, expected,
        "the expansion of {name} changed: review and regenerate"
    );
    // Only events show errors: without them the expansion does not ask how.
    assert_eq!(
        pretty.contains("describe"),
        cfg!(feature = "tracing"),
        "the error-description probe is there exactly when events are"
    );
    // The expansion names only the facade: no tracing, tokio or rand in the user's crate.
    for dependency in ["tracing", "tokio", "rand"] {
        assert!(
            !pretty.contains(dependency),
            "expansion mentions {dependency}"
        );
    }
}

#[test]
fn readme_async_example() {
    check(
        "readme_async",
        quote!(expo, max_tries = 4, max_time = "50s", giveup = fatal_code),
        quote! {
            async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, reqwest::Error> {
                client.get(url).send().await?.error_for_status()?.text().await
            }
        },
    );
}

#[test]
fn readme_sync_example() {
    check(
        "readme_sync",
        quote!(constant("250ms"), jitter = none, max_tries = 5),
        quote! {
            fn read_config(path: PathBuf) -> std::io::Result<String> {
                std::fs::read_to_string(&path)
            }
        },
    );
}
