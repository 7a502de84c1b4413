//! End to end: the `gen-verilog` binary writes the Verilog and the JSON description, and
//! refuses a network the core cannot hold before writing anything.

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "spikeforge-gen-verilog-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

#[test]
fn writes_verilog_and_description_of_the_default_network() {
    let dir = temp_dir("default");
    let out = dir.join("build");
    let output = Command::new(env!("CARGO_BIN_EXE_gen-verilog"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run gen-verilog");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    assert!(verilog.contains("module top("));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("spikeforge.json")).expect("spikeforge.json"),
    )
    .expect("valid JSON");
    assert_eq!(json["network"]["name"], "digits");
    assert!(json["ports"].as_array().is_some_and(|p| !p.is_empty()));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn refuses_a_network_the_core_cannot_hold() {
    let dir = temp_dir("refuse");
    let network = dir.join("two_layers.toml");
    let default = include_str!("../../networks/digits.toml");
    let hidden = &default[default.find("[[hidden]]").expect("hidden layer")
        ..default.find("[classifier]").expect("classifier")];
    std::fs::write(
        &network,
        default.replace("[classifier]", &format!("{hidden}[classifier]")),
    )
    .expect("write network");
    let out = dir.join("build");
    let output = Command::new(env!("CARGO_BIN_EXE_gen-verilog"))
        .arg("--network")
        .arg(&network)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run gen-verilog");
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: network \"digits\" cannot be generated: the learning core supports exactly 1 \
         hidden layer; the network has 2\n"
    );
    assert!(!out.exists(), "nothing is written for a refused network");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
