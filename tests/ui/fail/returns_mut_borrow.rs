use retry::retry;

struct Lines {
    buffer: String,
}

impl Lines {
    #[retry]
    fn next(&mut self) -> Result<&mut String, std::io::Error> {
        self.buffer.push('x');
        Ok(&mut self.buffer)
    }
}

fn main() {}
