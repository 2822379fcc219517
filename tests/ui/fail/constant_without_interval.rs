use retry::retry;

#[retry(constant)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
