use retry::retry;

#[retry(constant("5 parsecs"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
