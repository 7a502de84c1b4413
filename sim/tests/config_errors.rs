//! Pins the exact one-line error messages of the network config loader and of the `train`
//! binary's error paths, and checks that every shipped network file parses and validates.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TempFile, DIGITS};
use spikeforge_sim::config::{NetworkConfig, DEFAULT_NETWORK_NAME};

const NETWORKS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../networks");
const ORIGIN: &str = "tiny.toml";

/// A small valid network; every error case edits one line of it.
const BASE: &str = r#"name = "tiny"
inputs = 16
classes = 3
steps = 8
negatives = "supervised"
seed = 5
weight_bits = 8

[[hidden]]
size = 24
init_range = 20
leak_shift = 1
threshold = 30
refractory = 1
adapt_step = 1
adapt_target = 4
adapt_min = -20
adapt_max = 200
trace_shift = 2
goodness_threshold = 327680
learn_shift = 12
decay_shift = 0

[classifier]
init_range = 0
leak_shift = 2
threshold = 16
trace_shift = 3
learn_shift = 10
"#;

/// `BASE` with the one line equal to `from` replaced by `to` (`to` may span lines or be empty).
fn edit(from: &str, to: &str) -> String {
    let lines: Vec<&str> = BASE.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| **l == from).count(),
        1,
        "line {from:?} must occur exactly once in BASE"
    );
    lines
        .iter()
        .map(|&l| if l == from { to } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `BASE` with `extra` inserted after the line equal to `after`.
fn insert_after(after: &str, extra: &str) -> String {
    edit(after, &format!("{after}\n{extra}"))
}

fn error_of(text: &str) -> String {
    NetworkConfig::from_toml_str(text, ORIGIN)
        .expect_err("the config must be rejected")
        .to_string()
}

#[test]
fn base_config_is_valid() {
    let cfg = NetworkConfig::from_toml_str(BASE, ORIGIN).expect("BASE is valid");
    assert_eq!((cfg.inputs, cfg.classes, cfg.steps), (16, 3, 8));
    assert_eq!(cfg.hidden.len(), 1);
    assert_eq!(cfg.hidden[0].size, 24);
    assert_eq!(cfg.classifier.size, 3);
    // Supervised: label inputs are presynaptic to the first hidden layer.
    assert_eq!(cfg.hidden_inputs(0), 19);
    assert_eq!(cfg.synapses(), 19 * 24 + 24 * 3);
}

#[test]
fn malformed_toml_names_line_and_column() {
    assert_eq!(
        error_of(&edit("inputs = 16", "inputs = ")),
        "tiny.toml: line 2, column 10: invalid string expected `\"`, `'`"
    );
}

#[test]
fn unknown_field_is_rejected() {
    assert_eq!(
        error_of(&insert_after("trace_shift = 2", "tau = 3")),
        "tiny.toml: line 20, column 1: unknown field `tau`, expected one of `size`, \
         `init_range`, `leak_shift`, `threshold`, `refractory`, `adapt_step`, `adapt_target`, \
         `adapt_min`, `adapt_max`, `homeostasis_step`, `homeostasis_decay_shift`, \
         `homeostasis_max`, `trace_shift`, `goodness_threshold`, `learn_shift`, \
         `decay_shift`"
    );
    // The top-level field list grows with the format; pin its start only.
    let msg = error_of(&insert_after("seed = 5", "colour = \"red\""));
    assert!(
        msg.starts_with(
            "tiny.toml: line 7, column 1: unknown field `colour`, expected one of `name`, `inputs`, "
        ),
        "{msg}"
    );
    assert_eq!(msg.lines().count(), 1, "{msg}");
}

#[test]
fn wrong_type_is_rejected() {
    assert_eq!(
        error_of(&edit("steps = 8", "steps = \"eight\"")),
        "tiny.toml: line 4, column 9: invalid type: string \"eight\", expected i64"
    );
    assert_eq!(
        error_of(&edit("name = \"tiny\"", "name = 3")),
        "tiny.toml: line 1, column 8: invalid type: integer `3`, expected a string"
    );
}

#[test]
fn missing_required_field_is_rejected() {
    assert_eq!(
        error_of(&edit("weight_bits = 8", "")),
        "tiny.toml: line 1, column 1: missing field `weight_bits`"
    );
}

#[test]
fn out_of_range_fields_name_field_value_and_range() {
    let cases = [
        (
            "leak_shift = 1",
            "leak_shift = 16",
            "tiny.toml: hidden[0].leak_shift = 16 is out of range 0..=15",
        ),
        (
            "weight_bits = 8",
            "weight_bits = 1",
            "tiny.toml: weight_bits = 1 is out of range 2..=16",
        ),
        (
            "weight_bits = 8",
            "weight_bits = 17",
            "tiny.toml: weight_bits = 17 is out of range 2..=16",
        ),
        (
            "negatives = \"supervised\"",
            "negatives = \"foo\"",
            "tiny.toml: negatives = \"foo\" is out of range \"supervised\" | \"self-supervised\"",
        ),
        (
            "inputs = 16",
            "inputs = 0",
            "tiny.toml: inputs = 0 is out of range 1..=4096",
        ),
        (
            "seed = 5",
            "seed = -1",
            "tiny.toml: seed = -1 is out of range 0..=9223372036854775807",
        ),
        (
            "init_range = 20",
            "init_range = 128",
            "tiny.toml: hidden[0].init_range = 128 is out of range 0..=127",
        ),
        (
            "adapt_target = 4",
            "adapt_target = 25",
            "tiny.toml: hidden[0].adapt_target = 25 is out of range 0..=24",
        ),
        (
            "decay_shift = 0",
            "decay_shift = 25",
            "tiny.toml: hidden[0].decay_shift = 25 is out of range 0..=24",
        ),
    ];
    for (from, to, want) in cases {
        assert_eq!(
            error_of(&edit(from, to)),
            want,
            "editing {from:?} -> {to:?}"
        );
    }
    // Fields of the classifier are named as such.
    assert_eq!(
        error_of(&edit("trace_shift = 3", "trace_shift = 8")),
        "tiny.toml: classifier.trace_shift = 8 is out of range 0..=7"
    );
    assert_eq!(
        error_of(&edit("learn_shift = 12", "learn_shift = 0")),
        "tiny.toml: hidden[0].learn_shift = 0 is out of range 1..=24"
    );
}

#[test]
fn hidden_layer_count_is_checked() {
    let no_hidden = BASE
        .split("[[hidden]]")
        .next()
        .expect("text before [[hidden]]")
        .to_string()
        + "hidden = []\n"
        + &BASE[BASE.find("[classifier]").expect("classifier table")..];
    assert_eq!(
        error_of(&no_hidden),
        "tiny.toml: hidden = 0 layers is out of range 1..=4 layers"
    );
}

#[test]
fn classifier_size_must_match_classes() {
    assert_eq!(
        error_of(&insert_after("[classifier]", "size = 4")),
        "tiny.toml: classifier.size: 4 must equal classes = 3 (or be left out)"
    );
    // Equal to classes is accepted.
    let cfg = NetworkConfig::from_toml_str(&insert_after("[classifier]", "size = 3"), ORIGIN)
        .expect("classifier.size = classes is valid");
    assert_eq!(cfg.classifier.size, 3);
}

#[test]
fn hidden_layer_needs_goodness_threshold() {
    assert_eq!(
        error_of(&edit("goodness_threshold = 327680", "")),
        "tiny.toml: hidden[0].goodness_threshold: missing"
    );
    assert_eq!(
        error_of(&insert_after("[classifier]", "goodness_threshold = 5")),
        "tiny.toml: classifier.goodness_threshold: the classifier has no goodness; remove the field"
    );
}

#[test]
fn hidden_layer_needs_size() {
    assert_eq!(
        error_of(&edit("size = 24", "")),
        "tiny.toml: hidden[0].size: missing"
    );
}

#[test]
fn empty_name_is_rejected() {
    assert_eq!(
        error_of(&edit("name = \"tiny\"", "name = \"  \"")),
        "tiny.toml: name: must not be empty"
    );
}

#[test]
fn unreadable_file_names_the_path() {
    let path = std::env::temp_dir().join(format!(
        "spikeforge-config-errors-{}-no-such-network.toml",
        std::process::id()
    ));
    let msg = NetworkConfig::from_file(&path)
        .expect_err("missing file")
        .to_string();
    assert!(
        msg.starts_with(&path.display().to_string()),
        "message must start with the path: {msg}"
    );
    assert!(msg.contains("cannot read network file"), "{msg}");
    assert_eq!(msg.lines().count(), 1, "{msg}");
}

#[test]
fn from_file_names_the_file_in_errors() {
    let bad = TempFile::new("range.toml", edit("steps = 8", "steps = 0").as_bytes());
    let msg = NetworkConfig::from_file(bad.path())
        .expect_err("steps = 0")
        .to_string();
    assert_eq!(
        msg,
        format!(
            "{}: steps = 0 is out of range 1..=1024",
            bad.path().display()
        )
    );
}

#[test]
fn embedded_default_network_is_valid() {
    let cfg = NetworkConfig::default_network().expect("embedded default network");
    assert!(!cfg.name.is_empty());
    assert!(!cfg.hidden.is_empty());
    assert_eq!(cfg.classifier.size, cfg.classes);
    // It is the digits network: 8x8 inputs, 10 classes.
    assert_eq!((cfg.inputs, cfg.classes), (64, 10));
    // The embedded copy matches the file on disk.
    let on_disk = NetworkConfig::from_file(&Path::new(NETWORKS_DIR).join("digits.toml"))
        .expect("networks/digits.toml");
    assert_eq!(cfg, on_disk, "embedded vs {DEFAULT_NETWORK_NAME}");
}

#[test]
fn every_shipped_network_is_valid() {
    let mut checked = 0;
    for entry in std::fs::read_dir(NETWORKS_DIR).expect("read networks/") {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let cfg = NetworkConfig::from_file(&path)
            .unwrap_or_else(|e| panic!("{} must be valid: {e}", path.display()));
        assert_eq!(cfg.classifier.size, cfg.classes, "{}", path.display());
        assert!(cfg.synapses() > 0, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 1, "no network files found in {NETWORKS_DIR}");
}

/// Output of the `train` binary.
struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

fn train(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_train"))
        .args(args)
        .output()
        .expect("run the train binary");
    Run {
        success: out.status.success(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The binary failed with exactly `error: {want}\n` on stderr and nothing on stdout.
fn assert_fails_with(run: &Run, want: &str) {
    assert!(!run.success, "train must fail; stderr: {}", run.stderr);
    assert_eq!(run.stdout, "", "stdout must be empty");
    assert_eq!(run.stderr.lines().count(), 1, "one line: {:?}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{:?}", run.stderr);
    assert_eq!(run.stderr, format!("error: {want}\n"));
}

fn digits_spec() -> String {
    format!("--dataset=digits:{DIGITS}")
}

#[test]
fn train_rejects_malformed_network_file() {
    let bad = TempFile::new(
        "malformed.toml",
        edit("inputs = 16", "inputs = ").as_bytes(),
    );
    let network = format!("--network={}", bad.path().display());
    let run = train(&[&network, &digits_spec(), "--epochs=1"]);
    assert_fails_with(
        &run,
        &format!(
            "{}: line 2, column 10: invalid string expected `\"`, `'`",
            bad.path().display()
        ),
    );
}

#[test]
fn train_rejects_out_of_range_field() {
    let bad = TempFile::new(
        "leak.toml",
        edit("leak_shift = 1", "leak_shift = 16").as_bytes(),
    );
    let network = format!("--network={}", bad.path().display());
    let run = train(&[&network, &digits_spec(), "--epochs=1"]);
    assert_fails_with(
        &run,
        &format!(
            "{}: hidden[0].leak_shift = 16 is out of range 0..=15",
            bad.path().display()
        ),
    );
}

#[test]
fn train_rejects_truncated_dataset() {
    let raw = std::fs::read(DIGITS).expect("read data/digits.csv.gz");
    let half = TempFile::new("digits-half.csv.gz", &raw[..raw.len() / 2]);
    let dataset = format!("--dataset=digits:{}", half.path().display());
    let run = train(&[&dataset, "--epochs=1"]);
    assert_fails_with(
        &run,
        &format!(
            "{}: gzip stream ends early after 131837 decompressed bytes (file truncated?)",
            half.path().display()
        ),
    );
}

/// Regression: an I/O error was printed twice (once in the message, once as its source).
#[test]
fn missing_files_are_reported_once() {
    let missing = std::env::temp_dir().join("spikeforge-no-such-network.toml");
    let network = format!("--network={}", missing.display());
    let run = train(&[&network, &digits_spec(), "--epochs=1"]);
    assert_fails_with(
        &run,
        &format!(
            "{}: cannot read network file: No such file or directory (os error 2)",
            missing.display()
        ),
    );
    let data = std::env::temp_dir().join("spikeforge-no-such-digits.csv");
    let dataset = format!("--dataset=digits:{}", data.display());
    let run = train(&[&dataset, "--epochs=1"]);
    assert_fails_with(
        &run,
        &format!(
            "{}: cannot read file: No such file or directory (os error 2)",
            data.display()
        ),
    );
}

/// Regression: `--epochs 0` and `--test-samples 0` trained or tested on nothing and printed an
/// accuracy, exiting 0. Each count is refused, naming the flag and the value.
#[test]
fn train_refuses_zero_epochs_or_samples_naming_the_flag() {
    for flag in ["--epochs", "--train-samples", "--test-samples"] {
        let mut args = vec![digits_spec(), format!("{flag}=0")];
        if flag != "--epochs" {
            args.push("--epochs=1".to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = train(&args);
        assert!(!run.success, "{flag}=0 must fail: {}", run.stdout);
        assert_eq!(run.stdout, "", "stdout must be empty");
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("error: invalid value '0' for '{flag} <")),
            "{first}"
        );
        assert!(first.contains("must be at least 1"), "{first}");
    }
}

/// Regression: `--report` and `--save-weights` created missing directories. A missing one is
/// named before the run, and nothing is created.
#[test]
fn train_refuses_outputs_in_a_missing_directory() {
    let missing = std::env::temp_dir().join(format!(
        "spikeforge-config-errors-{}-no-such-dir",
        std::process::id()
    ));
    let file = missing.join("out.json");
    for flag in ["--report", "--save-weights"] {
        let output = format!("{flag}={}", file.display());
        let run = train(&[&digits_spec(), "--epochs=1", &output]);
        assert_fails_with(
            &run,
            &format!(
                "{flag} {}: directory {} does not exist",
                file.display(),
                missing.display()
            ),
        );
        assert!(!missing.exists(), "{flag} created {}", missing.display());
    }
}
