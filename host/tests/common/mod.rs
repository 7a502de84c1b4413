//! Helpers shared by the CLI tests: run the built `spikeforge` binary and read what it wrote
//! (each test binary uses a part of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shipped digits dataset.
pub const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");

/// A directory for one test's files under Cargo's test temp directory.
pub fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("test directory");
    dir
}

/// Run `spikeforge` with `args`.
pub fn spikeforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikeforge"))
        .args(args)
        .output()
        .expect("run spikeforge")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run, require success, return stdout and stderr.
pub fn ok(args: &[&str]) -> (String, String) {
    let out = spikeforge(args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "spikeforge {args:?}: {stderr}");
    (stdout, stderr)
}
