use retry::retry;

#[retry(jitter = random)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
