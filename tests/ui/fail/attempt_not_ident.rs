use retry::retry;

#[retry(attempt = "n")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
