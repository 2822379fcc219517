//! placeholder
#![forbid(unsafe_code)]

pub use retry_core::*;
pub use retry_macros::retry;
