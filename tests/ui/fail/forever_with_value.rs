use retry::retry;

#[retry(forever = true)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
