use retry::retry;

#[retry]
fn f() {}

fn main() {}
