//! The expansion names nothing but `::retry`: a body that uses no `tracing`,
//! `tokio` or `rand` compiles without them in scope.
use retry::retry;

#[retry(expo, max_tries = 4, max_time = "50s", giveup = fatal_code)]
fn read(path: &str) -> ::std::io::Result<String> {
    ::std::fs::read_to_string(path)
}

fn fatal_code(e: &::std::io::Error) -> bool {
    e.kind() == ::std::io::ErrorKind::NotFound
}

fn main() {
    assert!(read("/definitely/not/here").is_err());
}
