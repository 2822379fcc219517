use retry::retry;

#[retry(giveup)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
