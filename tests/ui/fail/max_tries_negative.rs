use retry::retry;

#[retry(max_tries = -1)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
