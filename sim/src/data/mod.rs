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

    /// The path is a device, a FIFO, a directory or another file that is not a regular file.
    #[error("{}: {kind}, not a regular file; a dataset is read from a file", path.display())]
    NotRegular {
        path: PathBuf,
        /// What it is (`"a character device"`, `"a directory"`, ...).
        kind: &'static str,
    },

    /// The file, or its decompressed gzip stream, is larger than the bound.
    #[error(
        "{}: {} more than {limit} bytes, the bound on a dataset file (MAX_DATASET_BYTES)",
        path.display(),
        if *decompressed { "decompresses to" } else { "holds" }
    )]
    TooLarge {
        path: PathBuf,
        /// The bound in bytes.
        limit: u64,
        /// The decompressed stream went over it, not the file itself.
        decompressed: bool,
    },

    /// Bytes after the last gzip member that do not start another one.
    #[error(
        "{}: trailing garbage after the gzip stream: {bytes} bytes at compressed byte {offset} \
         that start no gzip member",
        path.display()
    )]
    GzipTrailingGarbage {
        path: PathBuf,
        /// Where the garbage starts.
        offset: usize,
        /// How many bytes of it.
        bytes: usize,
    },

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

/// The most bytes a dataset file may hold, and the most its gzip stream may decompress to:
/// 256 MiB, five times MNIST's largest file (47 MB of training images) and thousands of times
/// the digits CSV (0.5 MB), so a device such as `/dev/zero` or a gzip bomb is refused with
/// this bound named instead of filling memory.
pub const MAX_DATASET_BYTES: u64 = 256 << 20;

/// Reads a whole file, transparently decompressing it if it starts with the
/// gzip magic bytes (the file name is not consulted). The file must be a regular file of at
/// most [`MAX_DATASET_BYTES`], decompressing to at most as many.
pub(crate) fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, DatasetError> {
    read_bounded(path, MAX_DATASET_BYTES)
}

/// [`read_maybe_gzip`] with the bound `limit`.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, DatasetError> {
    let io_error = |cause| DatasetError::Io {
        path: path.to_owned(),
        cause,
    };
    let metadata = std::fs::metadata(path).map_err(io_error)?;
    if !metadata.is_file() {
        return Err(DatasetError::NotRegular {
            path: path.to_owned(),
            kind: file_kind(&metadata.file_type()),
        });
    }
    let too_large = |decompressed| DatasetError::TooLarge {
        path: path.to_owned(),
        limit,
        decompressed,
    };
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit.saturating_add(1)).read_to_end(&mut raw))
        .map_err(io_error)?;
    if raw.len() as u64 > limit {
        return Err(too_large(false));
    }
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4));
    let mut rest = raw.as_slice();
    while !rest.is_empty() {
        if !rest.starts_with(&GZIP_MAGIC) {
            return Err(DatasetError::GzipTrailingGarbage {
                path: path.to_owned(),
                offset: raw.len() - rest.len(),
                bytes: rest.len(),
            });
        }
        let room = (limit + 1).saturating_sub(out.len() as u64);
        rest = gunzip_member(path, &raw, rest, room, &mut out)?;
        if out.len() as u64 > limit {
            return Err(too_large(true));
        }
    }
    Ok(out)
}

/// Decompresses the gzip member at the start of `member` (a tail of the file's bytes `raw`)
/// onto `out`, at most `room` bytes of it; returns the bytes after the member.
fn gunzip_member<'a>(
    path: &Path,
    raw: &[u8],
    member: &'a [u8],
    room: u64,
    out: &mut Vec<u8>,
) -> Result<&'a [u8], DatasetError> {
    let mut decoder = flate2::bufread::GzDecoder::new(member);
    match (&mut decoder).take(room).read_to_end(out) {
        // The member's end was not reached: the bound stopped it, which the caller reports.
        Ok(n) if n as u64 == room => Ok(&[]),
        Ok(_) => Ok(decoder.into_inner()),
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

/// What a path that is not a regular file is, for [`DatasetError::NotRegular`].
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
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

    /// Regression: `digits:/dev/zero` read forever. A path that is not a regular file is
    /// refused before any read, naming the path and what it is.
    #[test]
    fn read_maybe_gzip_refuses_what_is_not_a_regular_file() {
        let msg = read_maybe_gzip(Path::new("/dev/zero"))
            .expect_err("a device")
            .to_string();
        assert_eq!(
            msg,
            "/dev/zero: a character device, not a regular file; a dataset is read from a file"
        );
        let dir = TempPath::new("a-directory");
        std::fs::create_dir_all(dir.path()).expect("mkdir");
        let msg = read_maybe_gzip(dir.path())
            .expect_err("a directory")
            .to_string();
        assert!(
            msg.starts_with(&format!(
                "{}: a directory, not a regular file",
                dir.path().display()
            )),
            "{msg}"
        );
    }

    /// Regression: a 1.5 GB gzip bomb took 2.6 GB of memory. A file, or its decompressed
    /// stream, over the bound is refused naming the bound (here lowered to 4,096 bytes).
    #[test]
    fn read_bounded_refuses_a_file_or_a_gzip_stream_over_the_bound() {
        let limit = 4096;
        // The file's path and the length read or the error.
        let read = |name: &str, bytes: &[u8]| {
            let t = TempPath::new(name);
            std::fs::write(t.path(), bytes).expect("write");
            let result = read_bounded(t.path(), limit).map(|data| data.len());
            (
                t.path().display().to_string(),
                result.map_err(|e| e.to_string()),
            )
        };
        let bound = "bytes, the bound on a dataset file (MAX_DATASET_BYTES)";
        assert_eq!(read("bound-at.bin", &[7; 4096]).1, Ok(4096));
        let (path, result) = read("bound-over.bin", &[7; 4097]);
        assert_eq!(result, Err(format!("{path}: holds more than 4096 {bound}")));
        assert_eq!(read("bound-at.gz", &gzip(&[0; 4096])).1, Ok(4096));
        // 1 MiB of zeros is about 1 kB of gzip: a small bomb.
        let bomb = gzip(&vec![0; 1 << 20]);
        assert!(bomb.len() < 4096);
        let (path, result) = read("bound-bomb.gz", &bomb);
        assert_eq!(
            result,
            Err(format!("{path}: decompresses to more than 4096 {bound}"))
        );
        // The bound counts every member of a multi-member stream.
        let members = [gzip(&[1; 3000]), gzip(&[2; 3000])].concat();
        let (path, result) = read("bound-members.gz", &members);
        assert_eq!(
            result,
            Err(format!("{path}: decompresses to more than 4096 {bound}"))
        );
    }

    /// Regression: bytes after the gzip stream were reported as "truncated". They are named
    /// trailing garbage, with their offset and length; a second member is still read.
    #[test]
    fn read_maybe_gzip_names_trailing_garbage() {
        let payload = b"0123456789abcdef".repeat(64);
        let stream = gzip(&payload);
        for garbage in [&b"junk"[..], &[0u8; 16][..], &b"\n"[..]] {
            let t = TempPath::new("trailing.gz");
            std::fs::write(t.path(), [&stream[..], garbage].concat()).expect("write");
            let msg = read_maybe_gzip(t.path()).expect_err("garbage").to_string();
            assert_eq!(
                msg,
                format!(
                    "{}: trailing garbage after the gzip stream: {} bytes at compressed byte {} \
                     that start no gzip member",
                    t.path().display(),
                    garbage.len(),
                    stream.len()
                )
            );
        }
        let two = TempPath::new("two-members.gz");
        std::fs::write(two.path(), [gzip(b"one "), gzip(b"two")].concat()).expect("write");
        assert_eq!(
            read_maybe_gzip(two.path()).expect("two members"),
            b"one two"
        );
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
