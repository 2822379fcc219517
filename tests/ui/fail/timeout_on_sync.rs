use retry::retry;

#[retry(timeout = "5s")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
