use retry::retry;

type Count = u32;

#[retry]
async fn count() -> Count {
    4
}

fn main() {}
