//! Model-checked tests of [`Budget`]: loom runs every interleaving of a few threads
//! withdrawing, depositing and asking `allows_retry`, and the token count must come out
//! exact in each one: no update is lost, none is applied twice, the count stays within
//! `0..=max_tokens`.
//!
//! Only built with loom, which swaps the budget's atomics for loom's:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p retry-core --no-default-features --test loom --release
//! ```
//!
//! `Budget::new` is not `const` under loom, so each model builds its budget inside
//! `loom::model`, and leaks it (a few bytes per execution) to get the `&'static Budget`
//! the engine takes; threads report through their join handles. Sharing through
//! references rather than `Arc`s keeps every model down to the budget's own atomic
//! operations, so each runs in well under a second.
#![cfg(loom)]

use std::time::Duration;

use loom::thread;
use retry_core::{Budget, Jitter, Policy};

fn leak(budget: Budget) -> &'static Budget {
    Box::leak(Box::new(budget))
}

/// Runs `each` on `n` loom threads and collects what they return.
fn on_threads<R: 'static>(n: usize, each: impl Fn() -> R + Copy + Send + 'static) -> Vec<R> {
    let handles: Vec<_> = (0..n).map(|_| thread::spawn(each)).collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn concurrent_withdrawals_are_all_counted() {
    loom::model(|| {
        let budget = leak(Budget::new(5, 0.1));
        on_threads(3, move || budget.withdraw());
        assert_eq!(budget.tokens(), 2.0);
    });
}

#[test]
fn withdrawals_stop_at_zero() {
    loom::model(|| {
        let budget = leak(Budget::new(1, 0.5));
        on_threads(2, move || budget.withdraw());
        assert_eq!(budget.tokens(), 0.0);
        assert!(!budget.allows_retry());
    });
}

#[test]
fn deposits_and_withdrawals_interleave_exactly() {
    loom::model(|| {
        // 4 tokens, down to 2 before the threads start: no interleaving meets a bound,
        // so every order must end at 2 + 0.5 + 0.5 - 1.
        let budget = leak(Budget::new(4, 0.5));
        budget.withdraw();
        budget.withdraw();
        let depositors: Vec<_> = (0..2)
            .map(|_| thread::spawn(move || budget.deposit()))
            .collect();
        budget.withdraw();
        for t in depositors {
            t.join().unwrap();
        }
        assert_eq!(budget.tokens(), 2.0);
    });
}

#[test]
fn concurrent_deposits_stop_at_the_maximum() {
    loom::model(|| {
        // 0.25 short of full: one deposit fills it, the other is cut to nothing.
        let budget = leak(Budget::new(1, 0.75));
        budget.withdraw();
        budget.deposit();
        assert_eq!(budget.tokens(), 0.75);
        on_threads(2, move || budget.deposit());
        assert_eq!(budget.tokens(), 1.0);
    });
}

#[test]
fn at_most_one_retry_sees_tokens_above_half() {
    loom::model(|| {
        // 4 tokens: a retry needs more than 2 left. Three failing calls withdraw one
        // each and then ask; only a count of 3 allows it, and the count only falls, so
        // at most one of them (the first to withdraw, if it asks before the others
        // withdraw) may retry.
        let budget = leak(Budget::new(4, 0.1));
        let call = move || {
            budget.withdraw();
            budget.allows_retry()
        };
        let others: Vec<_> = (0..2).map(|_| thread::spawn(call)).collect();
        let mut allowed = usize::from(call());
        for t in others {
            allowed += usize::from(t.join().unwrap());
        }
        assert!(allowed <= 1, "{allowed} retries allowed");
        assert_eq!(budget.tokens(), 1.0);
    });
}

/// Two blocking retry loops share a budget: every attempt withdraws exactly one token,
/// whatever the interleaving, and the budget stops the retries at half.
#[test]
fn retry_loops_account_every_attempt() {
    loom::model(|| {
        let budget = leak(Budget::new(4, 0.5));
        let attempts: u32 = on_threads(2, move || {
            let mut attempts = 0u32;
            let result: Result<(), ()> = Policy::constant(Duration::ZERO)
                .jitter(Jitter::None)
                .max_tries(3)
                .retry(|| {
                    attempts += 1;
                    Err(())
                })
                .budget(budget)
                .call();
            assert!(result.is_err());
            attempts
        })
        .into_iter()
        .sum();
        // Two first attempts, and a retry only while 3 of the 4 tokens are left.
        assert!((2..=3).contains(&attempts), "{attempts} attempts");
        assert_eq!(budget.tokens(), f64::from(4 - attempts));
    });
}

/// A success deposits and a failure withdraws, concurrently, through the retry loop.
#[test]
fn retry_loops_deposit_on_success() {
    loom::model(|| {
        let budget = leak(Budget::new(10, 0.5));
        // Below the cap, so the deposit is never cut and the order does not matter.
        budget.withdraw();
        let ok = thread::spawn(move || {
            let result: Result<u8, ()> = Policy::expo().retry(|| Ok(1)).budget(budget).call();
            assert_eq!(result, Ok(1));
        });
        let result: Result<(), ()> = Policy::expo()
            .max_tries(1)
            .retry(|| Err(()))
            .budget(budget)
            .call();
        assert!(result.is_err());
        ok.join().unwrap();
        assert_eq!(budget.tokens(), 8.5);
    });
}
