use core::time::Duration;

/// The same wait every time.
///
/// ```
/// # use retry_core::backoff::Constant;
/// # use std::time::Duration;
/// let waits: Vec<_> = Constant::new(Duration::from_millis(250)).take(3).collect();
/// assert_eq!(waits, [Duration::from_millis(250); 3]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constant {
    interval: Duration,
}

impl Constant {
    /// A schedule that always waits `interval`.
    pub const fn new(interval: Duration) -> Self {
        Constant { interval }
    }

    /// The wait.
    pub const fn interval(&self) -> Duration {
        self.interval
    }
}

impl Iterator for Constant {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        Some(self.interval)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_sequence() {
        let waits: Vec<_> = Constant::new(Duration::from_secs(2)).take(4).collect();
        assert_eq!(waits, vec![Duration::from_secs(2); 4]);
    }

    #[test]
    fn zero_interval() {
        assert_eq!(
            Constant::new(Duration::ZERO).nth(1000),
            Some(Duration::ZERO)
        );
    }
}
