use retry::retry;

#[retry(expo(base = 0.5))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
