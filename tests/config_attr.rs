//! A policy read from a string means what the same keys mean in `#[retry(...)]`: the
//! attribute's function and the parsed policy make the same attempts and sleep the same
//! waits (without jitter, so both are exact).

use std::time::Duration;

use retry::testing::FakeSleeps;
use retry::{retry, Policy};

/// Defines a function under `#[retry(KEYS)]` that always fails, runs it with sleeps
/// recorded, and checks its attempts and sleeps against `TEXT` parsed as a `Policy`,
/// run through the call-site API and through `Policy::waits`.
macro_rules! same_as_attribute {
    ($text:literal, $($keys:tt)*) => {{
        #[retry($($keys)*)]
        fn under_attribute(calls: &mut u32) -> Result<(), ()> {
            *calls += 1;
            Err(())
        }
        let policy: Policy = $text.parse().unwrap_or_else(|e| panic!("{}: {e}", $text));

        let sleeps = FakeSleeps::start();
        let mut calls = 0;
        let _ = under_attribute(&mut calls);
        let attribute = (calls, sleeps.recorded());
        drop(sleeps);

        let sleeps = FakeSleeps::start();
        let mut calls = 0;
        let _: Result<(), ()> = policy.retry(|| { calls += 1; Err(()) }).call();
        let parsed = (calls, sleeps.recorded());
        drop(sleeps);

        assert_eq!(attribute, parsed, "{}", $text);
        assert_eq!(policy.waits().collect::<Vec<_>>(), parsed.1, "{}", $text);
        attribute
    }};
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn strings_mean_what_the_attribute_means() {
    let (calls, waits) = same_as_attribute!("jitter = none", jitter = none);
    assert_eq!((calls, waits), (3, vec![ms(1000), ms(2000)]));

    let (calls, waits) = same_as_attribute!(
        "expo(base = 3, factor = 100ms), jitter = none, max_tries = 4",
        expo(base = 3, factor = "100ms"),
        jitter = none,
        max_tries = 4
    );
    assert_eq!((calls, waits), (4, vec![ms(100), ms(300), ms(900)]));

    let (calls, waits) = same_as_attribute!(
        r#"fibo(factor = "1s"), jitter = none, max_tries = 6"#,
        fibo(factor = "1s"),
        jitter = none,
        max_tries = 6
    );
    assert_eq!(calls, 6);
    assert_eq!(waits, [1, 1, 2, 3, 5].map(Duration::from_secs));

    // max_time without max_tries: the budget is the limit (attempts at 0, 10, 20, 25 s).
    let (calls, waits) = same_as_attribute!(
        "constant(10s), jitter = none, max_time = 25s",
        constant("10s"),
        jitter = none,
        max_time = "25s"
    );
    assert_eq!(calls, 4);
    assert_eq!(waits, [10, 10, 5].map(Duration::from_secs));

    // Any order: max_tries still applies with max_time.
    let (calls, _) = same_as_attribute!(
        "max_time = 1m, constant(interval = 2), max_tries = 2, jitter = none",
        max_time = "1m",
        constant(interval = 2),
        max_tries = 2,
        jitter = none
    );
    assert_eq!(calls, 2);

    let (calls, waits) = same_as_attribute!(
        "expo, jitter = none, forever, max_time = 1m30s, max_delay = 20s",
        expo,
        jitter = none,
        forever,
        max_time = "1m30s",
        max_delay = "20s"
    );
    assert_eq!(waits, [1, 2, 4, 8, 16, 20, 20, 19].map(Duration::from_secs));
    assert_eq!(calls, 9);
}
