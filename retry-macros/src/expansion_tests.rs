//! Expansion snapshot tests.
