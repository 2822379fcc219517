use retry::retry;

async fn fetch() -> Result<u32, ()> {
    Ok(1)
}

#[retry]
fn f() -> impl std::future::Future<Output = Result<u32, ()>> {
    fetch()
}

fn main() {}
