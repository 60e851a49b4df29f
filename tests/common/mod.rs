//! Helpers shared by the binary's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A fresh scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tariffnash-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary and asserts it succeeded.
pub fn tariffnash(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_tariffnash"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tariffnash {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs the binary and asserts it failed; returns stderr.
pub fn tariffnash_fails(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tariffnash"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "tariffnash {args:?} should have failed"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}
