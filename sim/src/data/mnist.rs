//! MNIST in the IDX format (LeCun et al.): four files in one directory, each
//! plain or gzip'd (`.gz` suffix; the plain file wins if both exist).
//!
//! Images: big-endian header `0x00000803, count, rows, cols`, then
//! `count * rows * cols` unsigned bytes. Labels: `0x00000801, count`, then
//! `count` bytes.

use std::path::{Path, PathBuf};

use super::{read_maybe_gzip, Dataset, DatasetError, Sample};

const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;
const CLASSES: u8 = 10;

/// Loads MNIST (or any IDX dataset laid out like it) from `dir`. Images may be
/// any `rows x cols` (both at least 1) as long as train and test agree; labels
/// must be below 10. Pixels are used as they are.
pub fn load_mnist(dir: &Path) -> Result<Dataset, DatasetError> {
    let train_images_path = locate(dir, TRAIN_IMAGES)?;
    let train_labels_path = locate(dir, TRAIN_LABELS)?;
    let test_images_path = locate(dir, TEST_IMAGES)?;
    let test_labels_path = locate(dir, TEST_LABELS)?;

    let train_bytes = read_maybe_gzip(&train_images_path)?;
    let train = parse_images(&train_images_path, &train_bytes)?;
    let test_bytes = read_maybe_gzip(&test_images_path)?;
    let test = parse_images(&test_images_path, &test_bytes)?;
    if (test.rows, test.cols) != (train.rows, train.cols) {
        return Err(DatasetError::DimMismatch {
            path: test_images_path,
            rows: test.rows,
            cols: test.cols,
            expected_rows: train.rows,
            expected_cols: train.cols,
            other: train_images_path,
        });
    }

    let train_labels = read_labels(&train_labels_path, train.count, &train_images_path)?;
    let test_labels = read_labels(&test_labels_path, test.count, &test_images_path)?;

    let width = to_usize(train.cols);
    let height = to_usize(train.rows);
    Ok(Dataset {
        name: "mnist".to_owned(),
        width,
        height,
        classes: usize::from(CLASSES),
        train: samples(train.pixels, width * height, &train_labels),
        test: samples(test.pixels, width * height, &test_labels),
    })
}

/// The plain file if it exists, else the `.gz` one, else a `NotFound` error
/// naming both.
fn locate(dir: &Path, name: &str) -> Result<PathBuf, DatasetError> {
    let plain = dir.join(name);
    if plain.is_file() {
        return Ok(plain);
    }
    let gz_path = dir.join(format!("{name}.gz"));
    if gz_path.is_file() {
        return Ok(gz_path);
    }
    Err(DatasetError::NotFound {
        path: plain,
        gz_path,
    })
}

/// A validated IDX image file.
struct Images<'a> {
    count: u32,
    rows: u32,
    cols: u32,
    pixels: &'a [u8],
}

fn parse_images<'a>(path: &Path, bytes: &'a [u8]) -> Result<Images<'a>, DatasetError> {
    check_header(path, bytes, IMAGES_HEADER, IMAGES_MAGIC, "images")?;
    let count = be_u32(bytes, 4);
    let rows = be_u32(bytes, 8);
    let cols = be_u32(bytes, 12);
    let header_error = |field, offset, expected, found| DatasetError::BadHeader {
        path: path.to_owned(),
        field,
        offset,
        expected,
        found,
    };
    if count == 0 {
        return Err(header_error("image count", 4, "at least 1", count));
    }
    if rows == 0 {
        return Err(header_error("row count", 8, "at least 1", rows));
    }
    if cols == 0 {
        return Err(header_error("column count", 12, "at least 1", cols));
    }
    let pixels = &bytes[IMAGES_HEADER..];
    let expected = u128::from(count) * u128::from(rows) * u128::from(cols);
    check_length(path, "pixel", IMAGES_HEADER, expected, pixels.len())?;
    Ok(Images {
        count,
        rows,
        cols,
        pixels,
    })
}

/// Reads and validates a label file that must hold `count` labels for `images`.
fn read_labels(path: &Path, count: u32, images: &Path) -> Result<Vec<u8>, DatasetError> {
    let bytes = read_maybe_gzip(path)?;
    check_header(path, &bytes, LABELS_HEADER, LABELS_MAGIC, "labels")?;
    let found = be_u32(&bytes, 4);
    if found != count {
        return Err(DatasetError::CountMismatch {
            path: path.to_owned(),
            expected: count,
            found,
            images: images.to_owned(),
        });
    }
    let labels = &bytes[LABELS_HEADER..];
    check_length(
        path,
        "label",
        LABELS_HEADER,
        u128::from(count),
        labels.len(),
    )?;
    if let Some((index, &value)) = labels.iter().enumerate().find(|(_, &l)| l >= CLASSES) {
        return Err(DatasetError::LabelOutOfRange {
            path: path.to_owned(),
            index,
            offset: LABELS_HEADER + index,
            value,
            max: CLASSES - 1,
        });
    }
    Ok(labels.to_vec())
}

/// Checks that `bytes` holds at least a `header`-byte header starting with `magic`.
fn check_header(
    path: &Path,
    bytes: &[u8],
    header: usize,
    magic: u32,
    what: &'static str,
) -> Result<(), DatasetError> {
    if bytes.len() < header {
        return Err(DatasetError::ShortHeader {
            path: path.to_owned(),
            expected: header,
            found: bytes.len(),
        });
    }
    let found = be_u32(bytes, 0);
    if found != magic {
        return Err(DatasetError::BadMagic {
            path: path.to_owned(),
            what,
            expected: magic,
            found,
        });
    }
    Ok(())
}

fn check_length(
    path: &Path,
    what: &'static str,
    offset: usize,
    expected: u128,
    found: usize,
) -> Result<(), DatasetError> {
    let found = found as u128;
    if found == expected {
        Ok(())
    } else {
        Err(DatasetError::DataLength {
            path: path.to_owned(),
            what,
            offset,
            expected,
            found,
        })
    }
}

/// The big-endian `u32` at `offset`; callers have checked the length.
fn be_u32(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_be_bytes(word)
}

/// Header dimensions as `usize`; they were checked against the data length, so
/// they fit.
fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn samples(pixels: &[u8], per_image: usize, labels: &[u8]) -> Vec<Sample> {
    pixels
        .chunks_exact(per_image)
        .zip(labels)
        .map(|(p, &label)| Sample {
            pixels: p.to_vec(),
            label,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{gzip, TempPath};
    use super::*;

    const ROWS: u32 = 4;
    const COLS: u32 = 3;

    fn idx_images(count: u32, rows: u32, cols: u32, seed: u8) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [IMAGES_MAGIC, count, rows, cols] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        let n = count * rows * cols;
        v.extend((0..n).map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed)));
        v
    }

    fn idx_labels(labels: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
        v.extend_from_slice(&(labels.len() as u32).to_be_bytes());
        v.extend_from_slice(labels);
        v
    }

    /// A directory with 5 train + 3 test images of 4x3; `gz` selects which
    /// files are written gzip'd (with the `.gz` suffix).
    fn write_dir(name: &str, gz: [bool; 4]) -> TempPath {
        let dir = TempPath::new(name);
        std::fs::create_dir_all(dir.path()).expect("mkdir");
        let files = [
            (TRAIN_IMAGES, idx_images(5, ROWS, COLS, 1)),
            (TRAIN_LABELS, idx_labels(&[0, 1, 2, 9, 4])),
            (TEST_IMAGES, idx_images(3, ROWS, COLS, 2)),
            (TEST_LABELS, idx_labels(&[7, 8, 3])),
        ];
        for ((file, bytes), gz) in files.into_iter().zip(gz) {
            if gz {
                std::fs::write(dir.path().join(format!("{file}.gz")), gzip(&bytes)).expect("write");
            } else {
                std::fs::write(dir.path().join(file), bytes).expect("write");
            }
        }
        dir
    }

    fn put(dir: &TempPath, file: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.path().join(file);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    fn err(dir: &TempPath) -> String {
        let msg = load_mnist(dir.path()).expect_err("should fail").to_string();
        assert!(!msg.contains('\n'), "{msg}");
        msg
    }

    fn check(ds: &Dataset) {
        assert_eq!(ds.name, "mnist");
        assert_eq!(
            (ds.width, ds.height, ds.classes, ds.pixels()),
            (3, 4, 10, 12)
        );
        assert_eq!(ds.train.len(), 5);
        assert_eq!(ds.test.len(), 3);
        let train_labels: Vec<u8> = ds.train.iter().map(|s| s.label).collect();
        assert_eq!(train_labels, [0, 1, 2, 9, 4]);
        let test_labels: Vec<u8> = ds.test.iter().map(|s| s.label).collect();
        assert_eq!(test_labels, [7, 8, 3]);
        let expected: Vec<u8> = (0..12u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(1))
            .collect();
        assert_eq!(ds.train[0].pixels, expected);
        let expected: Vec<u8> = (24..36u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(2))
            .collect();
        assert_eq!(ds.test[2].pixels, expected);
    }

    #[test]
    fn mnist_plain_gzip_and_mixed() {
        check(&load_mnist(write_dir("mnist-plain", [false; 4]).path()).expect("plain"));
        check(&load_mnist(write_dir("mnist-gz", [true; 4]).path()).expect("gz"));
        check(
            &load_mnist(write_dir("mnist-mixed", [true, false, false, true]).path())
                .expect("mixed"),
        );
    }

    #[test]
    fn mnist_prefers_plain_file() {
        let dir = write_dir("mnist-prefer", [false; 4]);
        // A broken .gz beside the good plain file is ignored.
        put(&dir, &format!("{TRAIN_IMAGES}.gz"), b"garbage");
        check(&load_mnist(dir.path()).expect("plain wins"));
    }

    #[test]
    fn mnist_missing_file_names_both_paths() {
        let dir = write_dir("mnist-missing", [false; 4]);
        std::fs::remove_file(dir.path().join(TEST_LABELS)).expect("rm");
        let plain = dir.path().join(TEST_LABELS);
        let gz = dir.path().join(format!("{TEST_LABELS}.gz"));
        assert_eq!(
            err(&dir),
            format!(
                "{}: no such file (also tried {})",
                plain.display(),
                gz.display()
            )
        );
    }

    #[test]
    fn mnist_bad_magic() {
        let dir = write_dir("mnist-magic", [false; 4]);
        // Label file where the image file should be.
        let p = put(
            &dir,
            TRAIN_IMAGES,
            &idx_labels(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5]),
        );
        assert_eq!(
            err(&dir),
            format!(
                "{}: bad magic number 0x00000801 at offset 0, expected 0x00000803 (IDX images)",
                p.display()
            )
        );
        let p = put(&dir, TRAIN_IMAGES, &[0, 0, 8]);
        assert_eq!(
            err(&dir),
            format!(
                "{}: expected a 16-byte IDX header at offset 0, found 3 bytes (file truncated?)",
                p.display()
            )
        );
    }

    #[test]
    fn mnist_truncated_and_overlong_data() {
        let dir = write_dir("mnist-trunc", [false; 4]);
        let good = idx_images(5, ROWS, COLS, 1);
        let p = put(&dir, TRAIN_IMAGES, &good[..good.len() - 7]);
        assert_eq!(
            err(&dir),
            format!(
                "{}: expected 60 bytes of pixel data at offset 16, found 53 (file truncated?)",
                p.display()
            )
        );
        let mut long = good.clone();
        long.push(0);
        let p = put(&dir, TRAIN_IMAGES, &long);
        assert_eq!(
            err(&dir),
            format!(
                "{}: expected 60 bytes of pixel data at offset 16, found 61 (trailing bytes?)",
                p.display()
            )
        );
        // Truncated gzip stream.
        std::fs::remove_file(&p).expect("rm");
        let gz = gzip(&good);
        let p = put(&dir, &format!("{TRAIN_IMAGES}.gz"), &gz[..gz.len() - 5]);
        let msg = err(&dir);
        assert!(
            msg.starts_with(&format!("{}: gzip stream ends early after ", p.display())),
            "{msg}"
        );
    }

    #[test]
    fn mnist_label_count_mismatch_and_short_labels() {
        let dir = write_dir("mnist-count", [false; 4]);
        let p = put(&dir, TEST_LABELS, &idx_labels(&[1, 2]));
        assert_eq!(
            err(&dir),
            format!(
                "{}: label count 2 at offset 4, expected 3 to match the image count of {}",
                p.display(),
                dir.path().join(TEST_IMAGES).display()
            )
        );
        let mut short = idx_labels(&[1, 2, 3]);
        short.pop();
        let p = put(&dir, TEST_LABELS, &short);
        assert_eq!(
            err(&dir),
            format!(
                "{}: expected 3 bytes of label data at offset 8, found 2 (file truncated?)",
                p.display()
            )
        );
    }

    #[test]
    fn mnist_label_out_of_range() {
        let dir = write_dir("mnist-label", [false; 4]);
        let p = put(&dir, TRAIN_LABELS, &idx_labels(&[0, 1, 2, 12, 4]));
        assert_eq!(
            err(&dir),
            format!(
                "{}: label 12 at index 3 (offset 11) out of range 0..=9",
                p.display()
            )
        );
    }

    #[test]
    fn mnist_dims_must_agree_and_be_nonzero() {
        let dir = write_dir("mnist-dims", [false; 4]);
        let p = put(&dir, TEST_IMAGES, &idx_images(3, 3, 4, 2));
        assert_eq!(
            err(&dir),
            format!(
                "{}: image size 3x4 at offset 8, expected 4x3 to match {}",
                p.display(),
                dir.path().join(TRAIN_IMAGES).display()
            )
        );
        let p = put(&dir, TEST_IMAGES, &idx_images(3, 0, 4, 2));
        assert_eq!(
            err(&dir),
            format!(
                "{}: row count 0 at offset 8, expected at least 1",
                p.display()
            )
        );
    }
}
