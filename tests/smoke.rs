use retry::retry;
use std::cell::Cell;

thread_local!(static N: Cell<u32> = const { Cell::new(0) });

#[retry(constant("1ms"), jitter = none, max_tries = 5)]
fn flaky(s: String, r: &str) -> std::io::Result<String> {
    N.with(|n| n.set(n.get() + 1));
    if N.with(|n| n.get()) < 3 {
        return Err(std::io::Error::other("x"));
    }
    Ok(format!("{s}{r}"))
}

#[retry(expo(base = 2, factor = "1s"), max_tries = 4, giveup = |e: &String| e == "fatal")]
async fn fetch(url: String, n: &mut u32) -> Result<String, String> {
    *n += 1;
    if *n < 3 { Err(format!("{url} {n}")) } else { Ok(url) }
}

#[test]
fn smoke() {
    assert_eq!(flaky("a".into(), "b").unwrap(), "ab");
}

#[tokio::test(start_paused = true)]
async fn smoke_async() {
    let mut n = 0;
    let start = tokio::time::Instant::now();
    assert_eq!(fetch("u".into(), &mut n).await.unwrap(), "u");
    assert_eq!(n, 3);
    assert!(start.elapsed() <= std::time::Duration::from_secs(3));
}
