use retry::retry;

#[retry(max_tries = 3, jitter = none, max_tries = 4)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
