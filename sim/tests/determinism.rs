//! End-to-end determinism of the `train` binary, and a check that the default network learns.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TempDir, DIGITS};
use serde_json::Value;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions};

/// Run `train` on 100/50 digits samples for one epoch; returns the report (without the
/// wall-clock `seconds`) and the bytes of the weights file.
fn run_train(dir: &Path, name: &str, seed: u64) -> (Value, Vec<u8>) {
    let report = dir.join(format!("{name}.json"));
    let weights = dir.join(format!("{name}.w"));
    let out = Command::new(env!("CARGO_BIN_EXE_train"))
        .arg("--dataset")
        .arg(format!("digits:{DIGITS}"))
        .args(["--train-samples", "100", "--test-samples", "50"])
        .args(["--epochs", "1", "--seed", &seed.to_string()])
        .arg("--report")
        .arg(&report)
        .arg("--save-weights")
        .arg(&weights)
        .output()
        .expect("run the train binary");
    assert!(
        out.status.success(),
        "train failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    assert!(stdout.starts_with("test accuracy: "), "{stdout}");
    let text = std::fs::read_to_string(&report).expect("read the report");
    let mut json: Value = serde_json::from_str(&text).expect("the report is JSON");
    let obj = json.as_object_mut().expect("the report is an object");
    let seconds = obj.remove("seconds").expect("the report has seconds");
    assert!(seconds.as_f64().is_some_and(|s| s >= 0.0), "{seconds}");
    assert_eq!(obj.get("seed"), Some(&Value::from(seed)));
    assert_eq!(obj.get("train_samples"), Some(&Value::from(100)));
    assert_eq!(obj.get("test_samples"), Some(&Value::from(50)));
    let bytes = std::fs::read(&weights).expect("read the weights file");
    assert!(!bytes.is_empty(), "empty weights file");
    (json, bytes)
}

fn digest(report: &Value) -> &str {
    report
        .get("weights_digest")
        .and_then(Value::as_str)
        .expect("weights_digest is a string")
}

#[test]
fn train_binary_is_deterministic() {
    let dir = TempDir::new("train");
    let (a, wa) = run_train(dir.path(), "a", 3);
    let (b, wb) = run_train(dir.path(), "b", 3);
    assert_eq!(a, b, "reports of two runs with seed 3 differ");
    assert!(wa == wb, "weight files of two runs with seed 3 differ");
    assert_eq!(digest(&a).len(), 16, "digest is 16 hex digits");

    let (c, wc) = run_train(dir.path(), "c", 4);
    assert_ne!(
        digest(&a),
        digest(&c),
        "seeds 3 and 4 give the same weights"
    );
    assert!(wa != wc, "seeds 3 and 4 write the same weight file");
}

/// The default network, trained in-process on all 1,437 digits training samples for one
/// epoch, classifies the 360 test samples far above chance (0.1).
#[test]
fn learns_digits_above_chance() {
    let cfg = NetworkConfig::default_network().expect("default network");
    let data = load_digits(Path::new(DIGITS)).expect("data/digits.csv.gz");
    let mut net = Network::new(&cfg);
    let before = net.weights_digest();
    let opts = TrainOptions {
        epochs: 1,
        train_samples: None,
        test_samples: None,
    };
    let outcome = train(&mut net, &data, &opts, &mut |_| {});
    println!(
        "default network, 1 epoch of digits: test accuracy {:.3}, train accuracy {:.3}, \
         rates {:?}",
        outcome.test.accuracy, outcome.train.accuracy, outcome.test.per_layer_rate
    );
    assert_eq!((outcome.train_samples, outcome.test_samples), (1437, 360));
    assert_eq!(outcome.epoch_test_accuracy.len(), 1);
    assert_ne!(net.weights_digest(), before, "training changed no weight");
    let predicted: u32 = outcome.test.confusion.iter().flatten().sum();
    assert_eq!(predicted, 360);
    assert!(
        outcome.test.accuracy >= 0.5,
        "test accuracy {} below 0.5 (chance is 0.1)",
        outcome.test.accuracy
    );
}
