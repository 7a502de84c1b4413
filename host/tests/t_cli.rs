//! The `spikeforge` binary on `--port sim`: identify, load, train, infer, dump and verify
//! (zero differences from the golden model), a link damaged at 1e-3 per byte giving the same
//! report with its retransmissions counted, and one-line errors for bad inputs.

mod common;

use common::{dir, ok, spikeforge, text, DIGITS};

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions};

/// Run, require failure with one line on stderr, return it.
fn fails(args: &[&str]) -> String {
    let out = spikeforge(args);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "spikeforge {args:?} succeeded");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr:?}");
    stderr.trim_end().to_string()
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("JSON file");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn t_cli_reset_sim() {
    let (stdout, stderr) = ok(&["reset", "--port", "sim"]);
    assert!(
        stdout.contains(
            "reset: every register of the chip is at its power-up value (link counters 0 0 0 0)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("load the network before the next step"),
        "{stdout}"
    );
    // IDENTIFY, RESET, LINK_STATUS: each answered at the first try.
    assert!(
        stderr.contains("link: 3 requests, 0 retransmissions"),
        "{stderr}"
    );
}

#[test]
fn t_cli_identify_sim() {
    let (stdout, stderr) = ok(&["identify", "--port", "sim"]);
    assert!(
        stdout.contains(
            "network: 64 inputs, 0 label inputs, 256 hidden, 10 classes, 256 classifier rows, \
             10-bit weights, 40 steps per phase"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("(same as network \"digits\")"), "{stdout}");
    assert!(stdout.contains("link status: 0 rx overflows"), "{stdout}");
    assert!(
        stderr.contains("link: 2 requests, 0 retransmissions"),
        "{stderr}"
    );
    let (stdout, _) = ok(&["identify", "--port", "sim", "--timeout-ms", "250"]);
    assert!(stdout.contains("link status: 0 rx overflows"), "{stdout}");
}

/// Built without the `cosim` feature (`cargo test -p spikeforge-host --no-default-features`),
/// the Verilated chip is refused in one line that names the feature, on `--port cosim` and
/// behind a pty alike; nothing falls back to another chip.
#[cfg(not(feature = "cosim"))]
#[test]
fn t_cli_cosim_without_the_feature_names_it() {
    for args in [&["identify", "--port", "cosim"][..], &["cosim", "--pty"]] {
        let stderr = fails(args);
        assert!(
            stderr.contains("this spikeforge was built without the `cosim` feature"),
            "{stderr}"
        );
    }
}

/// Without the `nir` feature (no HDF5 library), `nir export` and `nir import` refuse in one
/// line naming it, before anything is written.
#[cfg(not(feature = "nir"))]
#[test]
fn t_cli_nir_without_the_feature_names_it() {
    let dir = dir("t_cli_nir_without");
    let (model, network, weights) = (dir.join("m.nir"), dir.join("n.toml"), dir.join("w.json"));
    let path = |p: &std::path::Path| p.to_str().expect("UTF-8").to_string();
    std::fs::write(&model, b"").expect("write");
    for args in [
        vec![
            "nir".to_string(),
            "export".into(),
            "--out".into(),
            path(&model),
        ],
        vec![
            "nir".to_string(),
            "import".into(),
            path(&model),
            "--out-network".into(),
            path(&network),
            "--out-weights".into(),
            path(&weights),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = fails(&args);
        assert!(
            stderr.contains("this spikeforge was built without the `nir` feature"),
            "{stderr}"
        );
        assert!(!network.exists() && !weights.exists(), "nothing written");
    }
}

/// A weights file of weights alone (the older layout) loads with its homeostatic thresholds
/// at 0 and a note saying so; a threshold that is not a 16-bit unsigned number is refused,
/// named.
#[test]
fn t_cli_weights_files_old_layout_and_bad_homeostasis() {
    let dir = dir("t_cli_weights_layouts");
    let cfg = NetworkConfig::default_network().expect("default network");
    let learned = Network::new(&cfg).learned();
    let old = dir.join("old.json");
    std::fs::write(&old, serde_json::to_string(&learned.weights).expect("json")).expect("write");
    let (stdout, stderr) = ok(&[
        "load",
        "--port",
        "sim",
        "--weights",
        old.to_str().expect("path"),
    ]);
    assert!(stdout.contains("all as written"), "{stdout}");
    assert!(
        stderr.contains(
            "holds weights alone (an older weights file): every homeostatic threshold starts at 0"
        ),
        "{stderr}"
    );
    let mut bad = serde_json::to_value(&learned).expect("json");
    bad["homeostasis"][0][3] = serde_json::json!(70000);
    let bad_file = dir.join("bad.json");
    std::fs::write(&bad_file, bad.to_string()).expect("write");
    let stderr = fails(&[
        "load",
        "--port",
        "sim",
        "--weights",
        bad_file.to_str().expect("path"),
    ]);
    assert!(
        stderr.contains("homeostasis[0][3] = 70000 is outside 0..=65535"),
        "{stderr}"
    );
}

/// `--board` takes the board's core clock (50 MHz on the ULX3S) and baud rate.
#[test]
fn t_cli_identify_sim_on_a_board() {
    let (stdout, _) = ok(&["identify", "--port", "sim", "--board", "ulx3s-85f"]);
    assert!(stdout.contains("ms at 50000000 Hz"), "{stdout}");
    let (stdout, _) = ok(&["identify", "--port", "sim"]);
    assert!(stdout.contains("ms at 12000000 Hz"), "{stdout}");
}

#[test]
fn t_cli_train_infer_dump_verify_sim() {
    let dir = dir("t_cli_train");
    let (report, weights, dump) = (dir.join("r.json"), dir.join("w.json"), dir.join("d.json"));
    let dataset = format!("digits:{DIGITS}");
    let (stdout, stderr) = ok(&[
        "train",
        "--port",
        "sim",
        "--dataset",
        &dataset,
        "--epochs",
        "2",
        "--train-samples",
        "30",
        "--test-samples",
        "20",
        "--report",
        report.to_str().expect("path"),
        "--save-weights",
        weights.to_str().expect("path"),
        "--dump",
        dump.to_str().expect("path"),
    ]);
    assert!(stderr.contains("epoch 2/2: test accuracy"), "{stderr}");
    // The golden model trained by the same loop gives the same numbers.
    let cfg = NetworkConfig::default_network().expect("default network");
    let data = load_digits(Path::new(DIGITS)).expect("digits");
    let mut net = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 2,
        train_samples: Some(30),
        test_samples: Some(20),
    };
    let outcome = train(&mut net, &data, &opts, &mut |_| {});
    let want = format!("test accuracy: {:.2}%", outcome.test.accuracy * 100.0);
    assert_eq!(stdout.lines().last(), Some(want.as_str()), "{stdout}");
    let report = json(&report);
    assert_eq!(
        report["weights_digest"],
        format!("{:016x}", net.weights_digest()).as_str()
    );
    assert_eq!(
        report["epoch_test_accuracy"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(report["link"]["retransmissions"], 0);
    assert_eq!(report["port"], "sim (golden chip of network \"digits\")");
    let dump = json(&dump);
    let learned: Vec<i64> = net.hidden[0].weights.iter().map(|&w| w.into()).collect();
    assert_eq!(dump["hidden_weights"], serde_json::json!(learned));
    assert_eq!(
        dump["hidden"]["homeostasis"].as_array().map(Vec::len),
        Some(256)
    );

    // The weights file holds what the chip learned: the weights and every homeostatic
    // threshold, as the golden model trained by the same loop has them.
    let saved = json(&weights);
    assert_eq!(saved, serde_json::to_value(net.learned()).expect("json"));
    assert!(
        net.hidden[0].homeostasis.iter().any(|&h| h > 0),
        "training raised homeostatic thresholds"
    );
    assert_eq!(saved["homeostasis"][0], dump["hidden"]["homeostasis"]);
    // Loaded, they are on the chip again.
    let reloaded = dir.join("reloaded.json");
    ok(&[
        "dump",
        "--port",
        "sim",
        "--load",
        "--weights",
        weights.to_str().expect("path"),
        "--out",
        reloaded.to_str().expect("path"),
    ]);
    assert_eq!(
        json(&reloaded)["hidden"]["homeostasis"],
        dump["hidden"]["homeostasis"]
    );

    // The saved weights load, classify and verify.
    let weights = weights.to_str().expect("path");
    let (stdout, _) = ok(&["load", "--port", "sim", "--weights", weights]);
    assert!(stdout.contains("all as written"), "{stdout}");
    let (stdout, _) = ok(&[
        "infer",
        "--port",
        "sim",
        "--dataset",
        &dataset,
        "--weights",
        weights,
        "--test-samples",
        "20",
    ]);
    assert!(stdout.contains("confusion (rows: true class"), "{stdout}");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.len() > 4 && l[..4].trim().parse::<u8>().is_ok())
            .count(),
        10,
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("test accuracy: ")),
        "{stdout}"
    );
    let (stdout, _) = ok(&[
        "verify",
        "--port",
        "sim",
        "--dataset",
        &dataset,
        "--weights",
        weights,
        "--train-samples",
        "10",
        "--test-samples",
        "10",
    ]);
    // 10 samples x 3 phases, then 10 test and 10 training samples classified.
    assert!(stdout.contains("phases: 50 on sim"), "{stdout}");
    assert!(
        stdout.contains(", 0 differ in prediction or spike counts"),
        "{stdout}"
    );
    assert!(
        stdout.contains("state: 0 of 20345 values differ"),
        "{stdout}"
    );
    assert!(stdout.ends_with("verify: 0 differences\n"), "{stdout}");
    let power_up = dir.join("power_up.json");
    let (stdout, _) = ok(&[
        "dump",
        "--port",
        "sim",
        "--out",
        power_up.to_str().expect("path"),
    ]);
    assert!(stdout.contains("dumped 20345 values"), "{stdout}");
    assert_eq!(
        json(&power_up)["generators"]["encoder"],
        0,
        "a chip at power-up"
    );
}

#[test]
fn t_cli_train_through_a_damaged_link_reports_the_same() {
    let dir = dir("t_cli_corrupt");
    let dataset = format!("digits:{DIGITS}");
    let run = |name: &str, extra: &[&str]| {
        let path = dir.join(name);
        let mut args = vec![
            "train",
            "--port",
            "sim",
            "--dataset",
            &dataset,
            "--epochs",
            "1",
            "--train-samples",
            "20",
            "--test-samples",
            "20",
            "--report",
            path.to_str().expect("path"),
        ];
        args.extend_from_slice(extra);
        let (stdout, stderr) = ok(&args);
        let mut report = json(&path);
        let link = report["link"].clone();
        let object = report.as_object_mut().expect("report object");
        for key in ["seconds", "port", "link"] {
            object.remove(key);
        }
        (stdout, stderr, report, link)
    };
    let clean = run("clean.json", &[]);
    let damaged = run(
        "damaged.json",
        &["--corrupt-rate", "0.001", "--corrupt-seed", "3"],
    );
    assert_eq!(damaged.0, clean.0, "the same test accuracy");
    assert_eq!(damaged.2, clean.2, "the same report");
    let retransmissions = damaged.3["retransmissions"].as_u64().expect("counter");
    assert!(retransmissions > 0, "{}", damaged.3);
    assert_eq!(damaged.3["requests"], clean.3["requests"]);
    assert!(
        damaged
            .1
            .contains(&format!("{retransmissions} retransmissions")),
        "{}",
        damaged.1
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

#[test]
fn t_cli_bad_inputs_give_one_line_errors() {
    let dir = dir("t_cli_errors");
    let full = std::fs::read(DIGITS).expect("digits");
    let cut = dir.join("cut.csv.gz");
    std::fs::write(&cut, &full[..full.len() / 2]).expect("write");
    let garbage = dir.join("garbage.csv.gz");
    std::fs::write(&garbage, [&full[..], b"junk"].concat()).expect("write");
    let garbage_at = format!(
        "garbage.csv.gz: trailing garbage after the gzip stream: 4 bytes at compressed byte {}",
        full.len()
    );
    let short = dir.join("short.csv.gz");
    std::fs::write(&short, gzip(b"0,1,2,3\n")).expect("write");
    let bad_toml = dir.join("bad.toml");
    std::fs::write(&bad_toml, "name = \"x\"\ninputs = 64\nclasses = [\n").expect("write");
    let bad_range = dir.join("range.toml");
    let default = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../networks/digits.toml"
    ))
    .expect("default network");
    std::fs::write(&bad_range, default.replace("steps = 40", "steps = 5000")).expect("write");
    let bad_weights = dir.join("weights.json");
    std::fs::write(&bad_weights, "[[1, 2, 3], []]").expect("write");
    let train = |dataset: String, extra: &[&str]| {
        let mut args = vec![
            "train".to_string(),
            "--port".into(),
            "sim".into(),
            "--epochs".into(),
            "1".into(),
            "--dataset".into(),
            dataset,
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&args)
    };
    let cases = [
        (
            train(format!("digits:{}", cut.display()), &[]),
            "gzip stream ends early",
        ),
        (
            train(format!("digits:{}", short.display()), &[]),
            "expected 65 comma-separated fields, found 4",
        ),
        // Regression: these read forever, and were reported as truncated.
        (
            train("digits:/dev/zero".into(), &[]),
            "/dev/zero: a character device, not a regular file",
        ),
        (
            train(format!("digits:{}", garbage.display()), &[]),
            &garbage_at,
        ),
        (
            train("digits:/no/such/file.csv".into(), &[]),
            "/no/such/file.csv",
        ),
        (
            train(
                format!("digits:{DIGITS}"),
                &["--network", bad_toml.to_str().expect("path")],
            ),
            "bad.toml: line 4",
        ),
        (
            train(
                format!("digits:{DIGITS}"),
                &["--network", bad_range.to_str().expect("path")],
            ),
            "5000",
        ),
        (
            train(
                format!("digits:{DIGITS}"),
                &["--weights", bad_weights.to_str().expect("path")],
            ),
            "W has 3 weights; network \"digits\" takes 16384",
        ),
        (train("kind:x".into(), &[]), "unknown dataset kind \"kind\""),
        (
            fails(&["identify", "--port", "/dev/no-such-tty"]),
            "/dev/no-such-tty at 3000000 baud: cannot open",
        ),
        // Regression: "cannot open" without naming the other choices.
        (
            fails(&["identify", "--port", "bogus"]),
            "--port bogus: expected a serial device path, \"sim\" or \"cosim\": bogus at \
             3000000 baud: cannot open",
        ),
        (
            fails(&[
                "identify",
                "--port",
                "/dev/no-such-tty",
                "--board",
                "icebreaker",
            ]),
            "/dev/no-such-tty at 1000000 baud: cannot open",
        ),
        (
            fails(&["identify", "--port", "sim", "--board", "nexys"]),
            "unknown board \"nexys\"; the boards are icebreaker",
        ),
        (
            fails(&[
                "identify",
                "--port",
                "sim",
                "--board",
                "icebreaker",
                "--baud",
                "9600",
            ]),
            "--baud",
        ),
        // Regression: 0 images per row became 1.
        (
            fails(&[
                "plot",
                "weights",
                "--from",
                bad_weights.to_str().expect("path"),
                "--columns",
                "0",
                "--out",
                dir.join("w.svg").to_str().expect("path"),
            ]),
            "invalid value '0' for '--columns <COLUMNS>'",
        ),
        (
            fails(&["identify", "--port", "sim", "--corrupt-rate", "0.1"]),
            "--corrupt-seed",
        ),
        (
            fails(&[
                "identify",
                "--port",
                "sim",
                "--corrupt-rate",
                "2",
                "--corrupt-seed",
                "1",
            ]),
            "corruption rate 2 is outside 0..=1",
        ),
        (
            fails(&["identify", "--port", "sim", "--timeout-ms", "0"]),
            "invalid value '0' for '--timeout-ms <MS>': 0 ms: no response arrives in no time",
        ),
        (
            fails(&["identify", "--port", "sim", "--timeout-ms", "2s"]),
            "invalid value '2s' for '--timeout-ms <MS>': \"2s\" is not a whole number of \
             milliseconds",
        ),
    ];
    for (line, needle) in cases {
        assert!(line.contains(needle), "{line:?} should name {needle:?}");
    }
}

/// Regression: `train --test-samples 0` and `infer --test-samples 0` printed "0.00%",
/// `verify --train-samples 0 --test-samples 0` "0 differences" and `--epochs 0` a train
/// accuracy, each exiting 0. A run on zero samples or epochs is refused, naming the flag and
/// the value, before anything is loaded.
#[test]
fn t_cli_zero_samples_or_epochs_are_refused_naming_the_flag() {
    let dataset = format!("digits:{DIGITS}");
    let run = |command: &str, flag: &str| {
        let mut args = vec![command, "--port", "sim", "--dataset", &dataset, flag, "0"];
        if command == "train" && flag != "--epochs" {
            args.extend(["--epochs", "1"]);
        }
        fails(&args)
    };
    let cases = [
        ("train", "--epochs"),
        ("train", "--train-samples"),
        ("train", "--test-samples"),
        ("infer", "--test-samples"),
        ("verify", "--epochs"),
        ("verify", "--train-samples"),
        ("verify", "--test-samples"),
    ];
    for (command, flag) in cases {
        let line = run(command, flag);
        let want = format!("invalid value '0' for '{flag} <");
        assert!(line.contains(&want), "{command} {flag} 0: {line:?}");
        assert!(line.contains("must be at least 1"), "{command}: {line:?}");
    }
    let both = fails(&[
        "verify",
        "--port",
        "sim",
        "--dataset",
        &dataset,
        "--train-samples",
        "0",
        "--test-samples",
        "0",
    ]);
    assert!(both.contains("'--train-samples <"), "{both:?}");
}

/// Regression: `--report /nonexistent/r.json` created the directory. Every output file's
/// directory must exist; a missing one is named before the run, and nothing is created.
#[test]
fn t_cli_outputs_in_a_missing_directory_are_refused_before_the_run() {
    let missing = dir("t_cli_outputs").join("no-such-dir");
    let _ = std::fs::remove_dir_all(&missing);
    let file = missing.join("out.json");
    let file = file.to_str().expect("path");
    let dataset = format!("digits:{DIGITS}");
    let train = [
        "train",
        "--port",
        "sim",
        "--epochs",
        "1",
        "--dataset",
        &dataset,
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        ([&train[..], &["--report", file]].concat(), "--report"),
        (
            [&train[..], &["--save-weights", file]].concat(),
            "--save-weights",
        ),
        ([&train[..], &["--dump", file]].concat(), "--dump"),
        (
            vec![
                "infer",
                "--port",
                "sim",
                "--dataset",
                &dataset,
                "--report",
                file,
            ],
            "--report",
        ),
        (vec!["dump", "--port", "sim", "--out", file], "--out"),
        (
            vec!["plot", "accuracy", "--report", DIGITS, "--out", file],
            "--out",
        ),
    ];
    for (args, flag) in cases {
        let line = fails(&args);
        let want = format!(
            "error: {flag} {file}: directory {} does not exist",
            missing.display()
        );
        assert_eq!(line, want, "{args:?}");
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
}
