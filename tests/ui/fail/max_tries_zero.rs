use retry::retry;

#[retry(max_tries = 0)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
