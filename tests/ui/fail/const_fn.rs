use retry::retry;

#[retry]
const fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
