use retry::retry;

#[retry(on_backoff = |tries: u32| println!("{tries}"))]
fn f() -> Result<(), String> {
    Ok(())
}

fn main() {}
