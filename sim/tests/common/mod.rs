//! Helpers shared by the integration tests (each test binary uses a part of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shipped digits dataset.
pub const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");

/// A path under the system temp directory unique to this test binary, process and `name`.
fn unique_temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "spikeforge-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ))
}

/// A temp file holding `bytes`, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(name: &str, bytes: &[u8]) -> Self {
        let path = unique_temp_path(name);
        std::fs::write(&path, bytes).expect("write temp file");
        TempFile(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A fresh, empty temp directory, removed with its contents on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let path = unique_temp_path(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
