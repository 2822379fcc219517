use retry::retry;

#[retry(expo, max_time = "50")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
