//! A crate that depends on the facade under another name (`backoff = { package =
//! "retry-attr" }`) gets one error from `#[backoff::retry]` that says to add
//! `crate = "backoff"`, and compiles once it does. trybuild cannot rename a dependency,
//! so this test builds a small crate with Cargo itself (offline, in a target directory
//! of its own under this workspace's `target/`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn project(dir: &Path, attribute: &str) {
    let facade = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"renamed\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nbackoff = {{ package = \"retry-attr\", path = {:?}, default-features = false }}\n\n\
             [workspace]\n",
            facade.canonicalize().unwrap()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("#[{attribute}]\npub fn f() -> Result<(), ()> {{ Ok(()) }}\n"),
    )
    .unwrap();
}

fn check(dir: &Path, target: &Path) -> (bool, String) {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let _ = std::fs::copy(lock, dir.join("Cargo.lock"));
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(dir)
        .output()
        .expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_renamed_dependency_is_told_to_name_its_crate() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/renamed-dependency");
    let target = root.join("target");

    let without = root.join("without");
    project(&without, "backoff::retry");
    let (ok, stderr) = check(&without, &target);
    assert!(!ok, "it compiled without `crate = ..`:\n{stderr}");
    assert!(
        stderr.contains("write `#[backoff::retry(crate = \"backoff\")]`"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error:").count(),
        2,
        "one error (and cargo's summary line):\n{stderr}"
    );

    let with = root.join("with");
    project(&with, "backoff::retry(crate = \"backoff\")");
    let (ok, stderr) = check(&with, &target);
    assert!(ok, "{stderr}");
}
