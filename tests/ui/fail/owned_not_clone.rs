use retry::retry;

struct Connection;

#[retry]
fn send(conn: Connection, payload: &str) -> Result<usize, ()> {
    let _ = conn;
    Ok(payload.len())
}

fn main() {}
