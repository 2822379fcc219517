use retry::retry;

#[derive(Debug)]
struct ForeignError;

#[retry(timeout = "5s")]
async fn f() -> Result<(), ForeignError> {
    Ok(())
}

fn main() {}
