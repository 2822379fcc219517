use retry::retry;

#[retry(crate = "not a path")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
