//! Integration tests for the dataset loaders against the shipped
//! `data/digits.csv.gz`, pinning the exact error messages users see.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::{TempFile, DIGITS};
use spikeforge_sim::data::{load, load_digits, DatasetSpec, DIGITS_ROWS, DIGITS_TRAIN_ROWS};

fn digits_csv_text() -> String {
    let raw = std::fs::read(DIGITS).expect("read data/digits.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_string(&mut text)
        .expect("decompress data/digits.csv.gz");
    text
}

#[test]
fn real_digits_split_and_shape() {
    let ds = load_digits(Path::new(DIGITS)).expect("load real digits");
    assert_eq!(ds.name, "digits");
    assert_eq!((ds.width, ds.height, ds.classes), (8, 8, 10));
    assert_eq!(ds.pixels(), 64);
    assert_eq!((DIGITS_ROWS, DIGITS_TRAIN_ROWS), (1797, 1437));
    assert_eq!(ds.train.len(), 1437);
    assert_eq!(ds.test.len(), 360);
    for s in ds.train.iter().chain(&ds.test) {
        assert_eq!(s.pixels.len(), 64);
        assert!(s.label < 10);
    }
    let mut seen = [0usize; 10];
    for s in &ds.train {
        seen[usize::from(s.label)] += 1;
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "class missing from train: {seen:?}"
    );

    // Same dataset through the spec entry point.
    let spec: DatasetSpec = format!("digits:{DIGITS}").parse().expect("spec");
    let via_spec = load(&spec).expect("load via spec");
    assert_eq!(via_spec.train, ds.train);
    assert_eq!(via_spec.test, ds.test);
}

#[test]
fn real_digits_first_test_sample() {
    // Line 1438 of the file (first test row).
    #[rustfmt::skip]
    const RAW: [u32; 64] = [
        0, 4, 16, 15, 2, 0, 0, 0,
        0, 11, 15, 15, 7, 0, 0, 0,
        0, 9, 10, 6, 14, 0, 0, 0,
        0, 0, 0, 7, 15, 0, 0, 0,
        0, 0, 0, 13, 10, 0, 0, 0,
        0, 0, 1, 16, 7, 2, 2, 0,
        0, 1, 12, 16, 15, 16, 15, 0,
        0, 4, 16, 16, 16, 12, 11, 0,
    ];
    let ds = load_digits(Path::new(DIGITS)).expect("load real digits");
    let first = &ds.test[0];
    assert_eq!(first.label, 2);
    let expected: Vec<u8> = RAW
        .iter()
        .map(|&p| u8::try_from(p * 255 / 16).expect("fits"))
        .collect();
    assert_eq!(first.pixels, expected);
    assert_eq!(&first.pixels[..4], &[0, 63, 255, 239]);
    // Cross-check against the text itself.
    let text = digits_csv_text();
    let line = text.lines().nth(DIGITS_TRAIN_ROWS).expect("line 1438");
    let fields: Vec<u32> = line.split(',').map(|f| f.parse().expect("int")).collect();
    assert_eq!(&fields[..64], &RAW);
    assert_eq!(fields[64], 2);
}

#[test]
fn real_digits_plain_copy_loads_identically() {
    let plain = TempFile::new("digits-plain.csv", digits_csv_text().as_bytes());
    let a = load_digits(plain.path()).expect("plain copy");
    let b = load_digits(Path::new(DIGITS)).expect("gzip original");
    assert_eq!(a.train, b.train);
    assert_eq!(a.test, b.test);
}

#[test]
fn truncated_real_file_error_is_pinned() {
    let raw = std::fs::read(DIGITS).expect("read data/digits.csv.gz");
    let half = TempFile::new("digits-half.csv.gz", &raw[..raw.len() / 2]);
    let msg = load_digits(half.path()).expect_err("truncated").to_string();
    assert_eq!(
        msg,
        format!(
            "{}: gzip stream ends early after 131837 decompressed bytes (file truncated?)",
            half.path().display()
        )
    );
}

#[test]
fn bad_label_error_is_pinned() {
    let text = digits_csv_text();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = &mut lines[11];
    let comma = line.rfind(',').expect("comma");
    line.truncate(comma);
    line.push_str(",11");
    let csv = lines.join("\n") + "\n";
    let bad = TempFile::new("digits-badlabel.csv", csv.as_bytes());
    let msg = load_digits(bad.path()).expect_err("bad label").to_string();
    assert_eq!(
        msg,
        format!(
            "{}: line 12, field 65: label \"11\" out of range 0..=9",
            bad.path().display()
        )
    );
}

#[test]
fn spec_parsing() {
    assert_eq!(
        "digits:x".parse::<DatasetSpec>().expect("digits:x"),
        DatasetSpec::Digits(PathBuf::from("x"))
    );
    assert_eq!(
        "mnist:dir".parse::<DatasetSpec>().expect("mnist:dir"),
        DatasetSpec::Mnist(PathBuf::from("dir"))
    );
    assert_eq!(
        DatasetSpec::Mnist(PathBuf::from("dir")).to_string(),
        "mnist:dir"
    );
    assert_eq!(
        DatasetSpec::Digits(PathBuf::from("x")).to_string(),
        "digits:x"
    );
    assert_eq!(
        "foo:x".parse::<DatasetSpec>().expect_err("foo").to_string(),
        "invalid dataset spec \"foo:x\": unknown dataset kind \"foo\" \
         (expected \"digits:PATH\" or \"mnist:DIR\")"
    );
    assert_eq!(
        "nocolon"
            .parse::<DatasetSpec>()
            .expect_err("nocolon")
            .to_string(),
        "invalid dataset spec \"nocolon\": missing ':' (expected \"digits:PATH\" or \"mnist:DIR\")"
    );
}

#[test]
fn missing_digits_file() {
    let path = std::env::temp_dir().join(format!(
        "spikeforge-datasets-it-{}-no-such-file.csv.gz",
        std::process::id()
    ));
    let msg = load_digits(&path).expect_err("missing").to_string();
    assert!(
        msg.starts_with(&format!("{}: cannot read file: ", path.display())),
        "{msg}"
    );
}
