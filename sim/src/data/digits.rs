//! The 8x8 handwritten digits (UCI / scikit-learn `digits.csv.gz`).
//!
//! Format: one sample a line, 65 comma-separated integers: 64 pixel values in
//! `0..=16` (row-major) then the label in `0..=9`. No header. The file may be
//! gzip'd or plain (detected by the gzip magic bytes).

use std::path::Path;

use super::{read_maybe_gzip, Dataset, DatasetError, Sample};

/// Number of rows the digits file must contain.
pub const DIGITS_ROWS: usize = 1797;
/// The first `DIGITS_TRAIN_ROWS` rows are the training set, the rest the test set.
pub const DIGITS_TRAIN_ROWS: usize = 1437;

const WIDTH: usize = 8;
const HEIGHT: usize = 8;
const PIXELS: usize = WIDTH * HEIGHT;
const FIELDS: usize = PIXELS + 1;
const PIXEL_MAX: u32 = 16;
const CLASSES: usize = 10;
const LABEL_MAX: u32 = CLASSES as u32 - 1;
/// Longest field text quoted verbatim in an error message.
const MAX_QUOTED: usize = 32;

/// Loads the digits dataset: the first [`DIGITS_TRAIN_ROWS`] rows become the
/// training set, the remaining rows the test set. Pixels are scaled from
/// `0..=16` to `0..=255` as `p * 255 / 16`.
pub fn load_digits(path: &Path) -> Result<Dataset, DatasetError> {
    let bytes = read_maybe_gzip(path)?;
    let mut samples = parse_rows(path, &bytes)?;
    if samples.len() != DIGITS_ROWS {
        return Err(DatasetError::RowCount {
            path: path.to_owned(),
            expected: DIGITS_ROWS,
            found: samples.len(),
        });
    }
    let test = samples.split_off(DIGITS_TRAIN_ROWS);
    Ok(Dataset {
        name: "digits".to_owned(),
        width: WIDTH,
        height: HEIGHT,
        classes: CLASSES,
        train: samples,
        test,
    })
}

/// Parses every line of the CSV text; `path` is only used in error messages.
fn parse_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Sample>, DatasetError> {
    let ends_with_newline = bytes.last() == Some(&b'\n');
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if ends_with_newline || bytes.is_empty() {
        // The (empty) piece after the final newline is not a row.
        lines.pop();
    }
    let last = lines.len();
    let mut samples = Vec::with_capacity(lines.len());
    for (i, raw) in lines.into_iter().enumerate() {
        let line = i + 1;
        let text = raw.strip_suffix(b"\r").unwrap_or(raw);
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(DatasetError::BlankLine {
                path: path.to_owned(),
                line,
                expected: FIELDS,
            });
        }
        let fields: Vec<&[u8]> = text.split(|&b| b == b',').collect();
        if fields.len() != FIELDS {
            return Err(DatasetError::FieldCount {
                path: path.to_owned(),
                line,
                expected: FIELDS,
                found: fields.len(),
                truncated: line == last && !ends_with_newline,
            });
        }
        let mut pixels = Vec::with_capacity(PIXELS);
        for (j, field) in fields[..PIXELS].iter().enumerate() {
            let p = parse_field(path, line, j + 1, field, "pixel", PIXEL_MAX)?;
            // p <= 16, so p * 255 / 16 <= 255.
            pixels.push(u8::try_from(p * 255 / PIXEL_MAX).unwrap_or(u8::MAX));
        }
        let label = parse_field(path, line, FIELDS, fields[PIXELS], "label", LABEL_MAX)?;
        samples.push(Sample {
            pixels,
            label: u8::try_from(label).unwrap_or(u8::MAX),
        });
    }
    Ok(samples)
}

/// Parses one field as a decimal integer in `0..=max` (surrounding spaces and
/// tabs allowed).
fn parse_field(
    path: &Path,
    line: usize,
    field: usize,
    raw: &[u8],
    what: &'static str,
    max: u32,
) -> Result<u32, DatasetError> {
    let trimmed = raw.trim_ascii();
    let text = || quote_text(trimmed);
    if trimmed.is_empty() || !trimmed.iter().all(u8::is_ascii_digit) {
        return Err(DatasetError::NotInteger {
            path: path.to_owned(),
            line,
            field,
            what,
            text: text(),
            min: 0,
            max,
        });
    }
    let value = trimmed.iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    });
    match value {
        Some(v) if v <= max => Ok(v),
        _ => Err(DatasetError::OutOfRange {
            path: path.to_owned(),
            line,
            field,
            what,
            text: text(),
            min: 0,
            max,
        }),
    }
}

/// The field text for an error message, shortened if very long.
fn quote_text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.chars().count() > MAX_QUOTED {
        let mut short: String = s.chars().take(MAX_QUOTED).collect();
        short.push_str("...");
        short
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{gzip, TempPath};
    use super::*;

    /// The pixel value (0..=16) of synthetic row `r`, pixel `c`.
    fn synth_pixel(r: usize, c: usize) -> usize {
        (r * 7 + c * 3) % 17
    }

    /// A valid 1797-row digits CSV whose row `r` has label `r % 10`.
    fn synth_csv() -> String {
        let mut s = String::new();
        for r in 0..DIGITS_ROWS {
            let row: Vec<String> = (0..PIXELS)
                .map(|c| synth_pixel(r, c).to_string())
                .chain(std::iter::once((r % 10).to_string()))
                .collect();
            s.push_str(&row.join(","));
            s.push('\n');
        }
        s
    }

    /// Replaces line `line` (1-based) of `csv`.
    fn with_line(csv: &str, line: usize, new: &str) -> String {
        let mut lines: Vec<&str> = csv.lines().collect();
        lines[line - 1] = new;
        let mut s = lines.join("\n");
        s.push('\n');
        s
    }

    fn write(name: &str, bytes: &[u8]) -> TempPath {
        let t = TempPath::new(name);
        std::fs::write(t.path(), bytes).expect("write temp file");
        t
    }

    fn err_msg(name: &str, bytes: &[u8]) -> (TempPath, String) {
        let t = write(name, bytes);
        let e = load_digits(t.path()).expect_err("load should fail");
        let msg = e.to_string();
        assert!(!msg.contains('\n'), "multi-line message: {msg}");
        (t, msg)
    }

    fn check_synth(ds: &Dataset) {
        assert_eq!(ds.name, "digits");
        assert_eq!(
            (ds.width, ds.height, ds.classes, ds.pixels()),
            (8, 8, 10, 64)
        );
        assert_eq!(ds.train.len(), DIGITS_TRAIN_ROWS);
        assert_eq!(ds.test.len(), DIGITS_ROWS - DIGITS_TRAIN_ROWS);
        for (r, s) in ds.train.iter().chain(&ds.test).enumerate() {
            assert_eq!(usize::from(s.label), r % 10);
            for (c, &p) in s.pixels.iter().enumerate() {
                assert_eq!(usize::from(p), synth_pixel(r, c) * 255 / 16);
            }
        }
    }

    #[test]
    fn digits_synthetic_plain_and_gzip() {
        let csv = synth_csv();
        let plain = write("digits-plain.csv", csv.as_bytes());
        check_synth(&load_digits(plain.path()).expect("plain"));
        let gz = write("digits-gz.csv.gz", &gzip(csv.as_bytes()));
        check_synth(&load_digits(gz.path()).expect("gzip"));
        // CRLF line endings and no final newline are fine too.
        let crlf = csv.replace('\n', "\r\n");
        let crlf = write("digits-crlf.csv", crlf.trim_end().as_bytes());
        check_synth(&load_digits(crlf.path()).expect("crlf"));
    }

    #[test]
    fn digits_pixel_scaling() {
        let row = |p: usize| {
            let mut v = vec![p.to_string(); PIXELS];
            v.push("3".to_owned());
            v.join(",")
        };
        let csv = [0, 8, 16, 1]
            .iter()
            .map(|&p| row(p))
            .collect::<Vec<_>>()
            .join("\n");
        let samples = parse_rows(Path::new("x"), csv.as_bytes()).expect("parse");
        let firsts: Vec<u8> = samples.iter().map(|s| s.pixels[0]).collect();
        assert_eq!(firsts, [0, 127, 255, 15]);
        assert!(samples.iter().all(|s| s.label == 3 && s.pixels.len() == 64));
    }

    #[test]
    fn digits_bad_field_count() {
        let csv = with_line(&synth_csv(), 12, &["1"; 40].join(","));
        let (t, msg) = err_msg("digits-fields.csv", csv.as_bytes());
        assert_eq!(
            msg,
            format!(
                "{}: line 12: expected 65 comma-separated fields, found 40",
                t.path().display()
            )
        );
    }

    #[test]
    fn digits_label_out_of_range() {
        let csv = synth_csv();
        let line12 = csv.lines().nth(11).expect("line 12");
        let bad = format!("{},11", &line12[..line12.rfind(',').expect("comma")]);
        let (t, msg) = err_msg("digits-label.csv", with_line(&csv, 12, &bad).as_bytes());
        assert_eq!(
            msg,
            format!(
                "{}: line 12, field 65: label \"11\" out of range 0..=9",
                t.path().display()
            )
        );
    }

    #[test]
    fn digits_pixel_out_of_range_and_non_integer() {
        let csv = synth_csv();
        let mut fields: Vec<String> = vec!["0".to_owned(); FIELDS];
        fields[4] = "17".to_owned();
        let (t, msg) = err_msg(
            "digits-pixel.csv",
            with_line(&csv, 3, &fields.join(",")).as_bytes(),
        );
        assert_eq!(
            msg,
            format!(
                "{}: line 3, field 5: pixel \"17\" out of range 0..=16",
                t.path().display()
            )
        );
        fields[4] = "1.5".to_owned();
        let (t, msg) = err_msg(
            "digits-float.csv",
            with_line(&csv, 7, &fields.join(",")).as_bytes(),
        );
        assert_eq!(
            msg,
            format!(
                "{}: line 7, field 5: pixel \"1.5\" is not an integer (expected 0..=16)",
                t.path().display()
            )
        );
        fields[4] = "0".to_owned();
        fields[64] = "-1".to_owned();
        let (t, msg) = err_msg(
            "digits-neg.csv",
            with_line(&csv, 9, &fields.join(",")).as_bytes(),
        );
        assert_eq!(
            msg,
            format!(
                "{}: line 9, field 65: label \"-1\" is not an integer (expected 0..=9)",
                t.path().display()
            )
        );
        fields[64] = "99999999999999999999".to_owned();
        let (_t, msg) = err_msg(
            "digits-huge.csv",
            with_line(&csv, 9, &fields.join(",")).as_bytes(),
        );
        assert!(
            msg.ends_with("label \"99999999999999999999\" out of range 0..=9"),
            "{msg}"
        );
    }

    #[test]
    fn digits_blank_line_in_the_middle() {
        let csv = with_line(&synth_csv(), 100, "");
        let (t, msg) = err_msg("digits-blank.csv", csv.as_bytes());
        assert_eq!(
            msg,
            format!(
                "{}: line 100: blank line, expected 65 comma-separated fields",
                t.path().display()
            )
        );
    }

    #[test]
    fn digits_row_count() {
        let csv = synth_csv();
        let short: String = csv.lines().take(1200).map(|l| format!("{l}\n")).collect();
        let (t, msg) = err_msg("digits-short.csv", short.as_bytes());
        assert_eq!(
            msg,
            format!(
                "{}: expected 1797 rows, found 1200 (file truncated?)",
                t.path().display()
            )
        );
        let long = format!("{csv}{}\n", csv.lines().next().expect("first line"));
        let (t, msg) = err_msg("digits-long.csv", long.as_bytes());
        assert_eq!(
            msg,
            format!("{}: expected 1797 rows, found 1798", t.path().display())
        );
        let (t, msg) = err_msg("digits-empty.csv", b"");
        assert_eq!(
            msg,
            format!(
                "{}: expected 1797 rows, found 0 (file truncated?)",
                t.path().display()
            )
        );
    }

    #[test]
    fn digits_plain_file_cut_mid_line() {
        let csv = synth_csv();
        let cut = &csv.as_bytes()[..csv.len() / 2];
        let (t, msg) = err_msg("digits-cut.csv", cut);
        let line = cut.iter().filter(|&&b| b == b'\n').count() + 1;
        let prefix = format!(
            "{}: line {line}: expected 65 comma-separated fields, found ",
            t.path().display()
        );
        assert!(msg.starts_with(&prefix), "{msg}");
        assert!(msg.ends_with(" (file truncated?)"), "{msg}");
    }

    #[test]
    fn digits_truncated_gzip() {
        let gz = gzip(synth_csv().as_bytes());
        let (t, msg) = err_msg("digits-trunc.csv.gz", &gz[..gz.len() - 30]);
        let prefix = format!("{}: gzip stream ends early after ", t.path().display());
        assert!(msg.starts_with(&prefix), "{msg}");
        assert!(
            msg.ends_with(" decompressed bytes (file truncated?)"),
            "{msg}"
        );
    }
}
