//! A network with two hidden layers through the host on `--port sim`: `train` learns the
//! weights the golden model learns (the weights digest of `spikeforge-sim train`, the same
//! `[[W0...], [W1...], [C...]]` weights file), `verify` finds no difference, `load` of the
//! learned weights reads back as written; and on `--port cosim` the Verilated chip of the
//! deep network (10-7-5-3) is chosen by its network and holds what the golden chip holds.

mod common;

use common::{dir, ok, DIGITS};

use std::path::{Path, PathBuf};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions};

/// The supervised variant: its label rows reach both hidden layers.
const NETWORK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../networks/digits-supervised.toml"
);

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("JSON file");
    serde_json::from_str(&text).expect("valid JSON")
}

/// The digits network with hidden layers of 16 and 12 neurons and 12 steps per phase, written
/// to `dir`.
fn two_layer_network(dir: &Path) -> (PathBuf, NetworkConfig) {
    let digits = std::fs::read_to_string(NETWORK).expect("digits-supervised network");
    let hidden = &digits[digits.find("[[hidden]]").expect("hidden layer")
        ..digits.find("[classifier]").expect("classifier")];
    let first = hidden.replacen("size = 256", "size = 16", 1);
    let second = hidden.replacen("size = 256", "size = 12", 1);
    assert_ne!(first, hidden, "the digits network's hidden size is 256");
    let text = digits
        .replacen("name = \"digits-supervised\"", "name = \"digits-2h\"", 1)
        .replacen("steps = 40", "steps = 12", 1)
        .replacen(hidden, &format!("{first}{second}"), 1);
    let path = dir.join("digits-2h.toml");
    std::fs::write(&path, &text).expect("write network");
    let cfg = NetworkConfig::from_file(&path).expect("valid network");
    assert_eq!(
        cfg.hidden.iter().map(|l| l.size).collect::<Vec<_>>(),
        [16, 12]
    );
    (path, cfg)
}

#[test]
fn t_two_hidden_layers_train_verify_and_load_on_sim() {
    let dir = dir("t_two_hidden_layers");
    let (network, cfg) = two_layer_network(&dir);
    let network = network.to_str().expect("path");
    let (report, weights) = (dir.join("r.json"), dir.join("w.json"));
    let dataset = format!("digits:{DIGITS}");
    let (train_samples, test_samples) = (12, 8);
    let (stdout, _) = ok(&[
        "train",
        "--port",
        "sim",
        "--network",
        network,
        "--dataset",
        &dataset,
        "--epochs",
        "2",
        "--train-samples",
        &train_samples.to_string(),
        "--test-samples",
        &test_samples.to_string(),
        "--report",
        report.to_str().expect("path"),
        "--save-weights",
        weights.to_str().expect("path"),
    ]);

    // What `spikeforge-sim train` runs: the training loop on the golden network.
    let data = load_digits(Path::new(DIGITS)).expect("digits");
    let mut net = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 2,
        train_samples: Some(train_samples),
        test_samples: Some(test_samples),
    };
    let outcome = train(&mut net, &data, &opts, &mut |_| {});
    let report = json(&report);
    assert_eq!(
        report["weights_digest"],
        format!("{:016x}", net.weights_digest()).as_str()
    );
    assert_ne!(
        net.weight_matrices(),
        Network::new(&cfg).weight_matrices(),
        "nothing was learned"
    );
    let want = format!("test accuracy: {:.2}%", outcome.test.accuracy * 100.0);
    assert_eq!(stdout.lines().last(), Some(want.as_str()), "{stdout}");
    let rates = report["per_layer_rate"].as_array().map(Vec::len);
    assert_eq!(rates, Some(3), "a rate per layer: {report}");
    // The weights file holds one matrix and one vector of homeostatic thresholds per layer,
    // hidden layers first.
    assert_eq!(
        json(&weights),
        serde_json::to_value(net.learned()).expect("learned")
    );

    // The chip and the golden model in lockstep, from the learned weights.
    let (stdout, _) = ok(&[
        "verify",
        "--port",
        "sim",
        "--network",
        network,
        "--dataset",
        &dataset,
        "--train-samples",
        "6",
        "--test-samples",
        "4",
        "--weights",
        weights.to_str().expect("path"),
    ]);
    assert!(stdout.contains("verify: 0 differences"), "{stdout}");
    assert!(stdout.contains(", 0 differ in prediction"), "{stdout}");

    // Load the learned weights, dump the chip, and plot the first layer's weights.
    let dump = dir.join("d.json");
    ok(&[
        "load",
        "--port",
        "sim",
        "--network",
        network,
        "--weights",
        weights.to_str().expect("path"),
    ]);
    ok(&[
        "dump",
        "--port",
        "sim",
        "--network",
        network,
        "--load",
        "--weights",
        weights.to_str().expect("path"),
        "--out",
        dump.to_str().expect("path"),
    ]);
    let dump = json(&dump);
    let matrices = net.weight_matrices();
    assert_eq!(dump["hidden_weights"], serde_json::json!(matrices[0]));
    assert_eq!(
        dump["more_hidden"][0]["weights"],
        serde_json::json!(matrices[1])
    );
    assert_eq!(dump["classifier_weights"], serde_json::json!(matrices[2]));
    assert_eq!(
        dump["more_hidden"][0]["membrane"].as_array().map(Vec::len),
        Some(12)
    );
}

#[test]
fn t_two_hidden_layers_identify_on_sim() {
    let dir = dir("t_two_hidden_layers_identify");
    let (network, _) = two_layer_network(&dir);
    let (stdout, _) = ok(&[
        "identify",
        "--port",
        "sim",
        "--network",
        network.to_str().expect("path"),
    ]);
    assert!(
        stdout.contains("network: 64 inputs, 10 label inputs, 16 + 12 hidden, 10 classes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(same as network \"digits-2h\")"),
        "{stdout}"
    );
}

/// On `--port cosim` (with the `cosim` feature): the Verilated chip of the deep network.
#[cfg(feature = "cosim")]
mod verilated_chip {
    use std::path::Path;

    use spikeforge_sim::config::NetworkConfig;
    use spikeforge_sim::network::Network;

    use super::common::{dir, ok, spikeforge, text};
    use super::{json, two_layer_network};

    /// The deep network of the Verilated models: supervised 10-7-5-3, which has a Verilated chip.
    const DEEP: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../verilated/networks/deep.toml"
    );

    /// `dump --load` of the deep network on `port`: the dump without its port.
    fn dump_loaded(dir: &Path, port: &str) -> serde_json::Value {
        let out = dir.join(format!("{port}.json"));
        ok(&[
            "dump",
            "--port",
            port,
            "--network",
            DEEP,
            "--load",
            "--out",
            out.to_str().expect("path"),
        ]);
        let mut dump = json(&out);
        dump.as_object_mut().expect("a JSON object").remove("port");
        dump
    }

    #[test]
    fn t_two_hidden_layers_on_the_verilated_chip() {
        let dir = dir("t_two_hidden_layers_cosim");
        let (stdout, _) = ok(&["identify", "--port", "cosim", "--network", DEEP]);
        assert!(stdout.contains("Verilated chip_deep"), "{stdout}");
        assert!(
            stdout.contains("network: 10 inputs, 3 label inputs, 7 + 5 hidden, 3 classes"),
            "{stdout}"
        );
        // The network loaded through the chip's frames (every layer's weights, state and
        // registers) reads back as from the golden chip.
        let cosim = dump_loaded(&dir, "cosim");
        assert_eq!(cosim, dump_loaded(&dir, "sim"));
        let cfg = NetworkConfig::from_file(Path::new(DEEP)).expect("deep network");
        let net = Network::new(&cfg);
        assert_eq!(
            cosim["more_hidden"][0]["weights"],
            serde_json::json!(net.weight_matrices()[1])
        );

        // A network with two hidden layers and no Verilated chip is refused with the list.
        let (network, _) = two_layer_network(&dir);
        let out = spikeforge(&[
            "identify",
            "--port",
            "cosim",
            "--network",
            network.to_str().expect("path"),
        ]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
        assert!(
            stderr.contains("no Verilated chip is built for network \"digits-2h\"")
                && stderr.contains("chip_deep (network \"deep\")"),
            "{stderr}"
        );
    }
}
