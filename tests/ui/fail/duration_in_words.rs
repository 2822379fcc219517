use retry::retry;

#[retry(constant("30 seconds"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
