use retry::retry;

#[retry(expo, constant("1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
