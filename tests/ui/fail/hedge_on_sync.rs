use retry::retry;

#[retry(hedge = "50ms")]
fn fetch() -> Result<u64, String> {
    Ok(1)
}

fn main() {}
