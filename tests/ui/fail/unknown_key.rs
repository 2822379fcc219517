use retry::retry;

#[retry(expo, max_retries = 3)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
