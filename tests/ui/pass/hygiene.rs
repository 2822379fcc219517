//! The expansion never depends on the user's scope: shadowed std names, a local
//! `mod core`, and user locals named like generated ones all work.
#![allow(dead_code, non_camel_case_types)]

use retry::retry;

mod core {}
mod std {}
struct Duration;
struct Option;
type Result<T> = ::core::result::Result<T, String>;
struct Policy;
fn loop_helper() {}

#[retry(constant("1ms"), max_tries = 2, max_time = "1s", giveup = |e: &String| e.is_empty())]
fn sync_fn(__retry: u32, __outcome: &str, __wait: u8) -> Result<u32> {
    let __attempt = 1;
    let __arg0 = 2;
    Ok(__retry + __attempt + __arg0 + __outcome.len() as u32 + __wait as u32)
}

#[retry(expo, max_tries = 2, attempt = n)]
async fn async_fn(__retry: String) -> Result<usize> {
    let __outcome = __retry.len() + n as usize;
    Ok(__outcome)
}

fn main() {
    assert_eq!(sync_fn(1, "ab", 3), Ok(1 + 1 + 2 + 2 + 3));
}
