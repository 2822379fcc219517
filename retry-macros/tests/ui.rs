//! Compile-time behaviour of `#[retry]`: every misuse is an error at the offending
//! token (reviewed `.stderr` snapshots in the facade's tests/ui/fail), and hygiene
//! holds. Run from this crate so that trybuild builds the facade with this crate's
//! few dev-dependencies rather than the facade's.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("../tests/ui/fail/*.rs");
    t.pass("../tests/ui/pass/*.rs");
}
