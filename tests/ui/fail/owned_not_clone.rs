use retry::retry;

struct Connection;

// Two owned arguments of one type: each message names its own argument.
#[retry]
fn send(conn: Connection, backup: Connection, payload: &str) -> Result<usize, ()> {
    let _ = (conn, backup);
    Ok(payload.len())
}

fn main() {}
