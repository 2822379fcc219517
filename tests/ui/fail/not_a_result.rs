use retry::retry;

#[retry]
fn f() -> u32 {
    4
}

fn main() {}
