use retry::retry;

struct Client;

impl Client {
    #[retry]
    fn send(self) -> Result<(), ()> {
        let _client = self;
        Ok(())
    }
}

fn main() {}
