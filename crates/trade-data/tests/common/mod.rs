//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The source-data directory, or `None` (with a message) when absent.
pub fn data_dir() -> Option<PathBuf> {
    let found = trade_data::find_data_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    if found.is_none() {
        println!(
            "skipped: source data not found (set {} or place shared/data beside the repository)",
            trade_data::DATA_ENV
        );
    }
    found
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trade-data-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
