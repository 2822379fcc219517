//! Proptest strategies shared by the property tests: extreme values first (zero, the
//! maxima, NaN and infinities), then ordinary ranges.

use std::time::Duration;

use proptest::prelude::*;
use retry_core::Jitter;

pub fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        2 => Just(Duration::ZERO),
        2 => Just(Duration::MAX),
        1 => Just(Duration::new(u64::MAX, 0)),
        1 => Just(Duration::from_nanos(1)),
        2 => (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        3 => (0u64..100_000_000_000).prop_map(Duration::from_nanos),
    ]
}

pub fn any_base() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(1.0),
        Just(2.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(0.0),
        Just(-0.0),
        Just(u64::MAX as f64),
        Just(1.0 + f64::EPSILON),
        -1e3f64..1e6,
    ]
}

pub fn any_jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated)
    ]
}
