//! Compile-time behaviour of `#[retry]`: every misuse is an error at the offending
//! token (reviewed `.stderr` snapshots in tests/ui/fail), and hygiene holds.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
