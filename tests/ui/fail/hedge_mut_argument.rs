use retry::retry;

struct Conn;

#[retry(hedge = "50ms")]
async fn insert(conn: &mut Conn, name: &str) -> Result<u64, String> {
    let _ = (conn, name);
    Ok(1)
}

fn main() {}
