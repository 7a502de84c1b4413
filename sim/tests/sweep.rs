//! The sweep on tiny digits runs: results independent of the thread count, and the `sweep`
//! binary's table, CSV and one-line errors.

mod common;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::{Command, Output};

use common::{TempDir, DIGITS};
use spikeforge_sim::data::{load, DatasetSpec};
use spikeforge_sim::sweep::{run_sweep, Axis, Grid, NetworkSource, RunResult, SweepOptions};
use spikeforge_sim::train::TrainOptions;

fn digits_spec() -> DatasetSpec {
    DatasetSpec::Digits(PathBuf::from(DIGITS))
}

/// Every run of a 2-point, 2-seed grid with the float reference, on `jobs` threads.
fn tiny_sweep(jobs: usize) -> Vec<RunResult> {
    let axes = ["hidden[0].size=32", "classifier.learn_shift=13,14"]
        .iter()
        .map(|a| a.parse::<Axis>())
        .collect::<Result<Vec<_>, _>>()
        .expect("valid --set arguments");
    let grid =
        Grid::new(&NetworkSource::default_network(), axes, Some(vec![1, 2])).expect("a valid grid");
    let spec = digits_spec();
    let data = load(&spec).expect("load digits");
    grid.check_dataset(&data, &spec)
        .expect("the grid fits digits");
    let opts = SweepOptions {
        train: TrainOptions {
            epochs: 1,
            train_samples: Some(60),
            test_samples: Some(30),
        },
        float: true,
        jobs: NonZeroUsize::new(jobs).expect("jobs > 0"),
    };
    run_sweep(&grid, &data, &opts, &|_, _, _| {}).expect("the sweep runs")
}

#[test]
fn sweep_results_do_not_depend_on_the_number_of_threads() {
    let without_seconds = |results: Vec<RunResult>| {
        results
            .into_iter()
            .map(|r| RunResult { seconds: 0.0, ..r })
            .collect::<Vec<_>>()
    };
    let one = without_seconds(tiny_sweep(1));
    let two = without_seconds(tiny_sweep(2));
    assert_eq!(one.len(), 2 * 2 * 2);
    assert_eq!(one, two);
    // The seeds and the settings do change the weights.
    let mut digests: Vec<u64> = one.iter().map(|r| r.weights_digest).collect();
    digests.sort_unstable();
    digests.dedup();
    assert_eq!(digests.len(), one.len(), "{one:?}");
}

fn sweep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sweep"))
        .arg("--dataset")
        .arg(format!("digits:{DIGITS}"))
        .args(args)
        .output()
        .expect("run the sweep binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn sweep_binary_prints_a_table_best_first_and_a_csv_row_per_run() {
    let dir = TempDir::new("sweep-cli");
    let csv = dir.path().join("sweep.csv");
    let out = sweep(&[
        "--set",
        "hidden[0].size=16,32",
        "--set",
        "classifier.learn_shift=13,14",
        "--seeds",
        "1,2",
        "--epochs",
        "1",
        "--train-samples",
        "60",
        "--test-samples",
        "30",
        "--jobs",
        "2",
        "--out",
        csv.to_str().expect("UTF-8 temp path"),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    // A caption, a header and one row per grid point.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2 + 4, "{stdout}");
    assert!(
        lines[0].starts_with("4 point(s) x 2 seed(s), best first"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("hidden[0].size  classifier.learn_shift  test %"),
        "{stdout}"
    );
    let means: Vec<f64> = lines[2..]
        .iter()
        .map(|row| {
            row.split_whitespace()
                .nth(2)
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("no test % in {row:?}"))
        })
        .collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "{stdout}");
    // One progress line per run on stderr.
    let progress = stderr.lines().filter(|l| l.starts_with('[')).count();
    assert_eq!(progress, 8, "{stderr}");
    assert!(stderr.contains("[8/8] "), "{stderr}");

    let rows = std::fs::read_to_string(&csv).expect("read the CSV");
    let rows: Vec<&str> = rows.lines().collect();
    assert_eq!(rows.len(), 1 + 8, "{rows:?}");
    assert_eq!(
        rows[0],
        "hidden[0].size,classifier.learn_shift,seed,model,test_accuracy,train_accuracy,\
         per_layer_rate,weights_digest,seconds"
    );
    assert!(rows[1].starts_with("16,13,1,fixed,"), "{}", rows[1]);
    assert!(rows[8].starts_with("32,14,2,fixed,"), "{}", rows[8]);
}

fn assert_fails_with(out: &Output, want: &str) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "must fail: {stderr}");
    assert_eq!(stderr, format!("error: {want}\n"));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn sweep_binary_rejects_a_bad_set_in_one_line_before_running() {
    let out = sweep(&[
        "--set",
        "hidden[0].size=16,32",
        "--set",
        "hidden[3].size=256,512",
        "--epochs",
        "1",
    ]);
    assert_fails_with(
        &out,
        "--set 'hidden[3].size=256,512': the network has 1 hidden layer(s)",
    );
    let out = sweep(&["--set", "hidden[0].learn_shift=16,30", "--epochs", "1"]);
    assert_fails_with(
        &out,
        "--set 'hidden[0].learn_shift=30': <embedded networks/digits.toml>: \
         hidden[0].learn_shift = 30 is out of range 1..=24",
    );
}

#[test]
fn sweep_binary_rejects_zero_jobs_and_a_missing_output_directory() {
    let out = sweep(&["--epochs", "1", "--jobs", "0"]);
    assert_fails_with(&out, "--jobs 0: give at least 1 thread");
    let dir = TempDir::new("sweep-cli-missing");
    let csv = dir.path().join("no-such-dir").join("sweep.csv");
    let out = sweep(&[
        "--epochs",
        "1",
        "--out",
        csv.to_str().expect("UTF-8 temp path"),
    ]);
    assert_fails_with(
        &out,
        &format!(
            "--out {}: directory {} does not exist",
            csv.display(),
            dir.path().join("no-such-dir").display()
        ),
    );
    assert!(!dir.path().join("no-such-dir").exists());
}

/// A sweep of zero epochs or samples is refused, naming the flag and the value.
#[test]
fn sweep_binary_refuses_zero_epochs_or_samples() {
    for args in [
        &["--epochs", "0"][..],
        &["--epochs", "1", "--train-samples", "0"],
        &["--epochs", "1", "--test-samples", "0"],
    ] {
        let out = sweep(args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        let flag = args[args.len() - 2];
        assert!(
            stderr.starts_with(&format!("error: invalid value '0' for '{flag} <")),
            "{stderr}"
        );
    }
}
