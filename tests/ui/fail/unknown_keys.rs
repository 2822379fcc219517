use retry::retry;

// Every unknown key is reported, each with what it most likely means here.
#[retry(max_attempts = 3, exponential, delay = "1s", when = is_transient, jiter = none, colour = 1)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
