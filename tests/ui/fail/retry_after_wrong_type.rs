use retry::retry;

fn hint(_: &String) -> u64 {
    5
}

#[retry(retry_after = hint)]
async fn f() -> Result<(), String> {
    Ok(())
}

fn main() {}
