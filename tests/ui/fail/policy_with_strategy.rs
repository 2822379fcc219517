use retry::{retry, Policy};

const P: Policy = Policy::expo();

#[retry(policy = P, fibo)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
