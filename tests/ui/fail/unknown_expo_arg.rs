use retry::retry;

#[retry(expo(base = 2, max = "10s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
