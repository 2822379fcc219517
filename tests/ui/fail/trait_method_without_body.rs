use retry::retry;

trait Store {
    #[retry]
    fn get(&self) -> Result<u32, ()>;
}

fn main() {}
