use retry::retry;

#[retry(expo)]
struct Config {
    tries: u32,
}

fn main() {}
