use retry::retry;

#[retry(expo, 5)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
