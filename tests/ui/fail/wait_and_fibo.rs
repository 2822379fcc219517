use retry::retry;

#[retry(wait = [std::time::Duration::from_secs(1)], fibo)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
