use retry::retry;

#[retry(max_tries = 5000000000)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
