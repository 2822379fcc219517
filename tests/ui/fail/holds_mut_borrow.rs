use retry::retry;

#[retry]
fn swap(pair: (&mut u8, &mut u8)) -> Result<(), ()> {
    std::mem::swap(pair.0, pair.1);
    Ok(())
}

fn main() {}
