use retry::retry;

fn fatal(code: u32) -> bool {
    code > 500
}

#[retry(giveup = fatal)]
fn f() -> Result<(), String> {
    Ok(())
}

fn main() {}
