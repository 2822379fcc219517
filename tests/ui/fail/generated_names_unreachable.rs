use retry::retry;

#[retry(constant(0))]
fn f() -> Result<u32, ()> {
    // The loop's own state is hygienic: user code cannot name it.
    Ok(__retry.tries())
}

fn main() {}
