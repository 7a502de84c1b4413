//! Dataset loaders: the UCI/scikit-learn 8x8 `digits` CSV and MNIST IDX files.
//!
//! Every loader returns a [`Dataset`] with pixels scaled to `0..=255` and a fixed
//! train/test split. Every error is a [`DatasetError`] whose message is a single
//! line that starts with the offending file path and says what was expected,
//! what was found and where (line/field or byte offset).

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

mod digits;
mod mnist;

pub use digits::{load_digits, DIGITS_ROWS, DIGITS_TRAIN_ROWS};
pub use mnist::load_mnist;

/// One labelled image; pixels are intensities scaled to 0..=255, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub pixels: Vec<u8>,
    pub label: u8,
}

/// A labelled image dataset with a fixed train/test split.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// `"digits"` or `"mnist"`.
    pub name: String,
    pub width: usize,
    pub height: usize,
    /// Number of classes (labels are `0..classes`).
    pub classes: usize,
    pub train: Vec<Sample>,
    pub test: Vec<Sample>,
}

impl Dataset {
    /// Number of pixels per sample (`width * height`).
    pub fn pixels(&self) -> usize {
        self.width * self.height
    }
}

/// A dataset location as given on the command line: `digits:PATH` or `mnist:DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetSpec {
    /// Path of the digits CSV (gzip'd or plain).
    Digits(PathBuf),
    /// Directory holding the four MNIST IDX files (plain or `.gz`).
    Mnist(PathBuf),
}

/// The accepted spellings, quoted in parse errors.
const SPEC_FORMS: &str = "expected \"digits:PATH\" or \"mnist:DIR\"";

impl DatasetSpec {
    /// The file (digits) or directory (MNIST) this spec points at.
    pub fn path(&self) -> &Path {
        match self {
            DatasetSpec::Digits(p) | DatasetSpec::Mnist(p) => p,
        }
    }
}

impl FromStr for DatasetSpec {
    type Err = DatasetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| DatasetError::InvalidSpec {
            spec: s.to_owned(),
            reason,
        };
        let Some((kind, path)) = s.split_once(':') else {
            return Err(invalid("missing ':'".to_owned()));
        };
        if path.is_empty() {
            return Err(invalid(format!("empty path after \"{kind}:\"")));
        }
        match kind {
            "digits" => Ok(DatasetSpec::Digits(PathBuf::from(path))),
            "mnist" => Ok(DatasetSpec::Mnist(PathBuf::from(path))),
            other => Err(invalid(format!("unknown dataset kind {other:?}"))),
        }
    }
}

impl fmt::Display for DatasetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetSpec::Digits(p) => write!(f, "digits:{}", p.display()),
            DatasetSpec::Mnist(p) => write!(f, "mnist:{}", p.display()),
        }
    }
}

/// Loads the dataset a [`DatasetSpec`] points at.
pub fn load(spec: &DatasetSpec) -> Result<Dataset, DatasetError> {
    match spec {
        DatasetSpec::Digits(path) => load_digits(path),
        DatasetSpec::Mnist(dir) => load_mnist(dir),
    }
}

/// Why a dataset could not be loaded. Every message is one line starting with
/// the file path (or, for [`DatasetError::InvalidSpec`], the quoted spec).
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A dataset spec string could not be parsed.
    #[error("invalid dataset spec {spec:?}: {reason} ({SPEC_FORMS})")]
    InvalidSpec { spec: String, reason: String },

    /// The file could not be read.
    #[error("{}: cannot read file: {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },

    /// Neither the plain nor the `.gz` variant of a required file exists.
    #[error("{}: no such file (also tried {})", path.display(), gz_path.display())]
    NotFound { path: PathBuf, gz_path: PathBuf },

    /// The gzip stream ended before its end-of-stream marker and trailer.
    #[error(
        "{}: gzip stream ends early after {decompressed} decompressed bytes (file truncated?)",
        path.display()
    )]
    GzipTruncated { path: PathBuf, decompressed: usize },

    /// The gzip decoder rejected the data.
    #[error(
        "{}: corrupt gzip stream at compressed byte {offset} of {size} \
         (after {decompressed} decompressed bytes): {message}",
        path.display()
    )]
    GzipCorrupt {
        path: PathBuf,
        /// Compressed bytes consumed by the decoder when it failed.
        offset: usize,
        /// Total compressed size.
        size: usize,
        decompressed: usize,
        message: String,
    },

    /// A CSV line has the wrong number of fields.
    #[error(
        "{}: line {line}: expected {expected} comma-separated fields, found {found}{}",
        path.display(),
        if *truncated { " (file truncated?)" } else { "" }
    )]
    FieldCount {
        path: PathBuf,
        line: usize,
        expected: usize,
        found: usize,
        /// The line is the last one and the file does not end with a newline.
        truncated: bool,
    },

    /// A blank line before the end of a CSV file.
    #[error(
        "{}: line {line}: blank line, expected {expected} comma-separated fields",
        path.display()
    )]
    BlankLine {
        path: PathBuf,
        line: usize,
        expected: usize,
    },

    /// A CSV field is not a non-negative decimal integer.
    #[error(
        "{}: line {line}, field {field}: {what} {text:?} is not an integer (expected {min}..={max})",
        path.display()
    )]
    NotInteger {
        path: PathBuf,
        line: usize,
        field: usize,
        /// `"pixel"` or `"label"`.
        what: &'static str,
        text: String,
        min: u32,
        max: u32,
    },

    /// A CSV field is an integer outside the allowed range.
    #[error(
        "{}: line {line}, field {field}: {what} {text:?} out of range {min}..={max}",
        path.display()
    )]
    OutOfRange {
        path: PathBuf,
        line: usize,
        field: usize,
        /// `"pixel"` or `"label"`.
        what: &'static str,
        text: String,
        min: u32,
        max: u32,
    },

    /// A CSV file has the wrong number of rows.
    #[error(
        "{}: expected {expected} rows, found {found}{}",
        path.display(),
        if found < expected { " (file truncated?)" } else { "" }
    )]
    RowCount {
        path: PathBuf,
        expected: usize,
        found: usize,
    },

    /// An IDX file is shorter than its header.
    #[error(
        "{}: expected a {expected}-byte IDX header at offset 0, found {found} bytes (file truncated?)",
        path.display()
    )]
    ShortHeader {
        path: PathBuf,
        expected: usize,
        found: usize,
    },

    /// An IDX file has the wrong magic number.
    #[error(
        "{}: bad magic number 0x{found:08x} at offset 0, expected 0x{expected:08x} (IDX {what})",
        path.display()
    )]
    BadMagic {
        path: PathBuf,
        /// `"images"` or `"labels"`.
        what: &'static str,
        expected: u32,
        found: u32,
    },

    /// An IDX header field has an unusable value.
    #[error("{}: {field} {found} at offset {offset}, expected {expected}", path.display())]
    BadHeader {
        path: PathBuf,
        /// Name of the header field, e.g. `"image count"`.
        field: &'static str,
        offset: usize,
        expected: &'static str,
        found: u32,
    },

    /// Test images have a different size from the training images.
    #[error(
        "{}: image size {rows}x{cols} at offset 8, expected {expected_rows}x{expected_cols} to match {}",
        path.display(),
        other.display()
    )]
    DimMismatch {
        path: PathBuf,
        rows: u32,
        cols: u32,
        expected_rows: u32,
        expected_cols: u32,
        /// The file whose size this one must match.
        other: PathBuf,
    },

    /// The IDX payload length does not match the header.
    #[error(
        "{}: expected {expected} bytes of {what} data at offset {offset}, found {found}{}",
        path.display(),
        if *found < *expected { " (file truncated?)" } else { " (trailing bytes?)" }
    )]
    DataLength {
        path: PathBuf,
        /// `"pixel"` or `"label"`.
        what: &'static str,
        offset: usize,
        expected: u128,
        found: u128,
    },

    /// A label file's count differs from its image file's count.
    #[error(
        "{}: label count {found} at offset 4, expected {expected} to match the image count of {}",
        path.display(),
        images.display()
    )]
    CountMismatch {
        path: PathBuf,
        expected: u32,
        found: u32,
        images: PathBuf,
    },

    /// An IDX label is not a valid class.
    #[error(
        "{}: label {value} at index {index} (offset {offset}) out of range 0..={max}",
        path.display()
    )]
    LabelOutOfRange {
        path: PathBuf,
        index: usize,
        offset: usize,
        value: u8,
        max: u8,
    },
}

/// The two magic bytes that start every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a whole file, transparently decompressing it if it starts with the
/// gzip magic bytes (the file name is not consulted).
pub(crate) fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, DatasetError> {
    let raw = std::fs::read(path).map_err(|cause| DatasetError::Io {
        path: path.to_owned(),
        cause,
    })?;
    if raw.starts_with(&GZIP_MAGIC) {
        gunzip(path, &raw)
    } else {
        Ok(raw)
    }
}

/// Decompresses a (possibly multi-member) gzip stream held in memory.
fn gunzip(path: &Path, raw: &[u8]) -> Result<Vec<u8>, DatasetError> {
    let mut decoder = flate2::bufread::MultiGzDecoder::new(raw);
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4));
    match decoder.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        // `read_to_end` keeps what was decoded before the error in `out`.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(DatasetError::GzipTruncated {
            path: path.to_owned(),
            decompressed: out.len(),
        }),
        Err(e) => Err(DatasetError::GzipCorrupt {
            path: path.to_owned(),
            offset: raw.len() - decoder.get_ref().len(),
            size: raw.len(),
            decompressed: out.len(),
            message: e.to_string().replace(['\n', '\r'], " "),
        }),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Temporary files for the loader tests (no `tempfile` dependency).

    use std::io::Write;
    use std::path::{Path, PathBuf};

    /// A path under the system temp dir, unique per process and test name,
    /// removed (file or directory tree) when dropped.
    #[derive(Debug)]
    pub(crate) struct TempPath(PathBuf);

    impl TempPath {
        pub(crate) fn new(name: &str) -> Self {
            let path =
                std::env::temp_dir().join(format!("spikeforge-data-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            let _ = std::fs::remove_file(&path);
            TempPath(path)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
            let _ = std::fs::remove_file(&self.0);
        }
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).expect("gzip into memory");
        enc.finish().expect("finish gzip")
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{gzip, TempPath};
    use super::*;

    #[test]
    fn spec_parses_both_kinds_and_round_trips() {
        let d: DatasetSpec = "digits:data/digits.csv.gz".parse().expect("digits spec");
        assert_eq!(d, DatasetSpec::Digits(PathBuf::from("data/digits.csv.gz")));
        assert_eq!(d.to_string(), "digits:data/digits.csv.gz");
        let m: DatasetSpec = "mnist:/x/y".parse().expect("mnist spec");
        assert_eq!(m, DatasetSpec::Mnist(PathBuf::from("/x/y")));
        assert_eq!(m.to_string(), "mnist:/x/y");
        assert_eq!(m.path(), Path::new("/x/y"));
        // Only the first ':' separates the kind.
        let w: DatasetSpec = "digits:C:\\d.csv".parse().expect("colon in path");
        assert_eq!(w, DatasetSpec::Digits(PathBuf::from("C:\\d.csv")));
    }

    #[test]
    fn spec_errors_name_the_string_and_the_forms() {
        let e = "foo:x".parse::<DatasetSpec>().expect_err("unknown kind");
        assert_eq!(
            e.to_string(),
            "invalid dataset spec \"foo:x\": unknown dataset kind \"foo\" \
             (expected \"digits:PATH\" or \"mnist:DIR\")"
        );
        let e = "nocolon".parse::<DatasetSpec>().expect_err("no colon");
        assert_eq!(
            e.to_string(),
            "invalid dataset spec \"nocolon\": missing ':' (expected \"digits:PATH\" or \"mnist:DIR\")"
        );
        let e = "mnist:".parse::<DatasetSpec>().expect_err("empty path");
        assert!(e.to_string().contains("empty path"), "{e}");
    }

    #[test]
    fn read_maybe_gzip_sniffs_magic_not_name() {
        let payload = b"hello, world\n".repeat(100);
        let plain = TempPath::new("sniff-plain.gz"); // misleading suffix
        std::fs::write(plain.path(), &payload).expect("write");
        assert_eq!(read_maybe_gzip(plain.path()).expect("plain"), payload);
        let gz = TempPath::new("sniff-gz.txt");
        std::fs::write(gz.path(), gzip(&payload)).expect("write");
        assert_eq!(read_maybe_gzip(gz.path()).expect("gz"), payload);
    }

    #[test]
    fn read_maybe_gzip_reports_corruption_and_missing_files() {
        let payload = b"0123456789abcdef".repeat(64);
        let mut bytes = gzip(&payload);
        let n = bytes.len();
        // Break the CRC in the trailer.
        bytes[n - 8] ^= 0xff;
        let t = TempPath::new("corrupt-crc.gz");
        std::fs::write(t.path(), &bytes).expect("write");
        let msg = read_maybe_gzip(t.path()).expect_err("crc").to_string();
        assert!(
            msg.starts_with(&format!(
                "{}: corrupt gzip stream at compressed byte ",
                t.path().display()
            )),
            "{msg}"
        );
        assert!(!msg.contains('\n'));

        let missing = TempPath::new("does-not-exist");
        let msg = read_maybe_gzip(missing.path())
            .expect_err("missing")
            .to_string();
        assert!(
            msg.starts_with(&format!("{}: cannot read file: ", missing.path().display())),
            "{msg}"
        );
    }
}
