use retry::{retry, Policy};

const P: Policy = Policy::expo();

#[retry(max_time = "5s", policy = P)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
