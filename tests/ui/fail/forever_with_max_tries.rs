use retry::retry;

#[retry(max_tries = 3, forever)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
