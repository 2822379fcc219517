use retry::retry;

#[retry(max_tries = 3u8)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
