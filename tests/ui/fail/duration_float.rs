use retry::retry;

#[retry(constant(1.5))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
