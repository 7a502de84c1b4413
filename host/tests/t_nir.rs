//! `spikeforge nir export|import` against the PyPI `nir` package (pinned in
//! scripts/install-tools.sh) as the real client: Python reads our export of the trained
//! default network, Python writes a graph we import and train on `--port sim`, the round trip
//! through files gives the network back bit for bit, and broken files are one-line errors.
#![cfg(feature = "nir")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{dir, ok, spikeforge, text, DIGITS};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::network::{Learned, Network};

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Run one of `tests/nir/*.py` with python3; (success, stdout + stderr).
fn python(script: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(manifest(&format!("tests/nir/{script}")))
        .args(args)
        .output()
        .expect("python3 runs (scripts/install-tools.sh installs it with nir)");
    (out.status.success(), text(&out.stdout) + &text(&out.stderr))
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn python_nir_reads_the_export_of_the_trained_default_network() {
    let d = dir("nir_export");
    let weights = d.join("trained.json");
    let model = d.join("digits.nir");
    ok(&[
        "train",
        "--port",
        "sim",
        "--dataset",
        &format!("digits:{DIGITS}"),
        "--epochs",
        "1",
        "--train-samples",
        "40",
        "--test-samples",
        "10",
        "--save-weights",
        s(&weights),
    ]);
    let (stdout, stderr) = ok(&[
        "nir",
        "export",
        "--weights",
        s(&weights),
        "--out",
        s(&model),
        "--dt",
        "0.002",
    ]);
    assert!(
        stdout.contains("6 nodes, 5 edges, dt = 0.002 s"),
        "{stdout}"
    );
    assert!(stderr.contains("homeostatic part as learned"), "{stderr}");
    let network = manifest("../networks/digits.toml");
    let (passed, out) = python(
        "check_export.py",
        &[s(&model), s(&network), s(&weights), "0.002"],
    );
    assert!(passed, "{out}");
    assert!(out.contains("all parameters match"), "{out}");

    // Negative control: one weight of the file the checker compares against, changed.
    let mut learned: Learned =
        serde_json::from_str(&std::fs::read_to_string(&weights).expect("weights")).expect("json");
    assert!(
        learned.homeostasis[0].iter().any(|&h| h > 0),
        "training raised some homeostatic thresholds, which the export carries"
    );
    learned.weights[0][100] += 1;
    let changed = d.join("changed.json");
    std::fs::write(&changed, learned.to_json()).expect("write");
    let (passed, out) = python(
        "check_export.py",
        &[s(&model), s(&network), s(&changed), "0.002"],
    );
    assert!(!passed, "a changed weight must fail the check: {out}");
    assert!(out.contains("w0.weight: 1 weights mismatch"), "{out}");
    // ... and the wrong time step.
    let (passed, out) = python(
        "check_export.py",
        &[s(&model), s(&network), s(&weights), "0.001"],
    );
    assert!(!passed && out.contains("lif0.tau"), "{out}");
}

#[test]
fn a_graph_written_by_python_imports_and_trains_on_the_simulated_chip() {
    let d = dir("nir_import");
    let model = d.join("two-layer.nir");
    let (passed, out) = python("make_graph.py", &[s(&model), "two-layer", "7"]);
    assert!(passed, "{out}");
    let network = d.join("imported.toml");
    let weights = d.join("imported.json");
    let report = d.join("report.json");
    let (stdout, _) = ok(&[
        "nir",
        "import",
        s(&model),
        "--out-network",
        s(&network),
        "--out-weights",
        s(&weights),
        "--weight-bits",
        "8",
        "--dataset",
        &format!("digits:{DIGITS}"),
        "--samples",
        "60",
        "--report",
        s(&report),
    ]);
    assert!(
        stdout.contains("network \"two-layer\": 64 inputs, hidden 32, 10 classes, 8-bit"),
        "{stdout}"
    );
    assert!(
        stdout.contains("float graph vs chip on 60 samples"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let same = report["agreement"]["same_prediction"]
        .as_f64()
        .expect("agreement");
    assert!(
        same >= 80.0,
        "quantised 8-bit network agrees on {same} % of samples"
    );
    for layer in report["layers"].as_array().expect("layers") {
        assert_eq!(layer["clipped"], 0, "{layer}");
        assert!(
            layer["max_error"].as_f64().expect("max_error") <= 0.5 + 1e-9,
            "{layer}"
        );
    }
    let cfg = NetworkConfig::from_file(&network).expect("a valid network file");
    assert_eq!(cfg.weight_bits, 8);
    assert_eq!(cfg.hidden[0].leak_shift, 1, "tau = 2 dt");

    // It loads onto the chip and keeps learning there.
    let (stdout, _) = ok(&[
        "load",
        "--port",
        "sim",
        "--network",
        s(&network),
        "--weights",
        s(&weights),
    ]);
    assert!(stdout.contains("all as written"), "{stdout}");
    let trained = d.join("trained.json");
    ok(&[
        "train",
        "--port",
        "sim",
        "--network",
        s(&network),
        "--weights",
        s(&weights),
        "--dataset",
        &format!("digits:{DIGITS}"),
        "--epochs",
        "1",
        "--train-samples",
        "20",
        "--test-samples",
        "10",
        "--save-weights",
        s(&trained),
    ]);
    let read = |p: &Path| -> Learned {
        serde_json::from_str(&std::fs::read_to_string(p).expect("weights")).expect("json")
    };
    let (before, after) = (read(&weights), read(&trained));
    assert_eq!(before.weights.len(), after.weights.len());
    assert_ne!(
        before.weights[0], after.weights[0],
        "CSDP changed the imported hidden weights"
    );
}

#[test]
fn export_then_import_through_files_gives_back_the_network_file_and_weights() {
    let d = dir("nir_round_trip");
    for file in [
        "networks/digits-supervised.toml",
        "verilated/networks/deep.toml",
    ] {
        let network = manifest(&format!("../{file}"));
        let stem = network
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        let model = d.join(format!("{stem}.nir"));
        let back_network = d.join(format!("{stem}-back.toml"));
        let back_weights = d.join(format!("{stem}-back.json"));
        ok(&[
            "nir",
            "export",
            "--network",
            s(&network),
            "--out",
            s(&model),
        ]);
        let (stdout, _) = ok(&[
            "nir",
            "import",
            s(&model),
            "--template",
            s(&network),
            "--keep-thresholds",
            "--out-network",
            s(&back_network),
            "--out-weights",
            s(&back_weights),
        ]);
        assert!(stdout.contains(" 0 clipped"), "{stdout}");
        let cfg = NetworkConfig::from_file(&network).expect("network");
        let back = NetworkConfig::from_file(&back_network).expect("network written back");
        assert_eq!(back, cfg, "{file}");
        let learned: Learned =
            serde_json::from_str(&std::fs::read_to_string(&back_weights).expect("weights"))
                .expect("json");
        assert_eq!(learned, Network::new(&cfg).learned(), "{file}");
    }
}

#[test]
fn broken_files_and_graphs_are_one_line_errors_naming_the_node() {
    let d = dir("nir_broken");
    let good = d.join("good.nir");
    assert!(python("make_graph.py", &[s(&good), "two-layer", "1"]).0);
    let bytes = std::fs::read(&good).expect("nir file");
    let garbage = d.join("garbage.nir");
    std::fs::write(&garbage, b"not an HDF5 file at all\n").expect("write");
    let truncated = d.join("truncated.nir");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let mut cases: Vec<(PathBuf, String)> = vec![
        (
            garbage.clone(),
            format!("{}: cannot be read as HDF5", garbage.display()),
        ),
        (
            truncated.clone(),
            format!("{}: cannot be read as HDF5 (", truncated.display()),
        ),
        (d.clone(), format!("{}: not a regular file", d.display())),
    ];
    for (kind, expect) in [
        (
            "cycle",
            "graph: a cycle lif1 -> fc2 -> lif2 -> back -> lif1",
        ),
        ("unsupported", "node \"delay\" (Delay): the chip takes only"),
        ("shape", "node \"fc1\" (Affine): weight has shape (32, 60)"),
    ] {
        let path = d.join(format!("{kind}.nir"));
        let (passed, out) = python("make_graph.py", &[s(&path), kind, "1"]);
        assert!(passed, "{out}");
        cases.push((path, expect.to_string()));
    }
    let network = d.join("out.toml");
    let weights = d.join("out.json");
    for (path, expect) in cases {
        let out = spikeforge(&[
            "nir",
            "import",
            s(&path),
            "--out-network",
            s(&network),
            "--out-weights",
            s(&weights),
        ]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{}: {stderr}", path.display());
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(&expect), "{stderr:?} lacks {expect:?}");
        assert!(
            !network.exists() && !weights.exists(),
            "nothing written on an error"
        );
    }
}
