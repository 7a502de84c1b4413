//! End to end: the `gen-verilog` binary writes the Verilog and the JSON description, and
//! refuses a network the core cannot hold before writing anything.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `gen-verilog` run with `args`.
fn gen_verilog(args: &[&dyn AsRef<OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen-verilog"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("run gen-verilog")
}

/// The JSON description a successful run wrote to `out`; panics with its error otherwise.
fn described(output: &Output, out: &Path) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(
        &std::fs::read_to_string(out.join("spikeforge.json")).expect("spikeforge.json"),
    )
    .expect("JSON")
}

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
    let output = gen_verilog(&[&"--out", &out]);
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

/// The default network with a second hidden layer of `size` neurons (its parameters those of
/// the first), written to `dir`.
fn two_layer_network(dir: &Path, size: usize) -> PathBuf {
    let network = dir.join("two_layers.toml");
    let default = include_str!("../../networks/digits.toml");
    let hidden = &default[default.find("[[hidden]]").expect("hidden layer")
        ..default.find("[classifier]").expect("classifier")];
    let second = hidden.replace("\nsize = 256\n", &format!("\nsize = {size}\n"));
    std::fs::write(
        &network,
        default.replace("[classifier]", &format!("{second}[classifier]")),
    )
    .expect("write network");
    network
}

/// Two hidden layers of 1,024: their weights (64 x 1,024 and 1,024 x 1,024 words) share the
/// core's weight memory of 20-bit addresses, which they overflow.
#[test]
fn refuses_a_network_the_core_cannot_hold() {
    let dir = temp_dir("refuse");
    let network = two_layer_network(&dir, 1024);
    let both = std::fs::read_to_string(&network)
        .expect("read network")
        .replace("\nsize = 256\n", "\nsize = 1024\n");
    std::fs::write(&network, both).expect("write network");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--network", &network, &"--out", &out]);
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: network \"digits\" cannot be generated: hidden_weights would need 1114112 \
         words; the learning core's 20-bit addresses of it reach 1048576\n"
    );
    assert!(!out.exists(), "nothing is written for a refused network");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// `networks/mnist.toml`: W of 784 x 384 = 301,056 words, past 16-bit addresses, in a core
/// whose `cmd_addr` is 20 bits and whose event lists keep 19-bit W addresses.
#[test]
fn generates_the_mnist_network() {
    let dir = temp_dir("mnist");
    let out = dir.join("build");
    let network = concat!(env!("CARGO_MANIFEST_DIR"), "/../networks/mnist.toml");
    let output = gen_verilog(&[&"--network", &network, &"--out", &out, &"--lanes", &"4"]);
    let description = described(&output, &out);
    let find = |list: &str, name: &str| {
        description[list]
            .as_array()
            .and_then(|items| items.iter().find(|m| m["name"] == name).cloned())
            .unwrap_or_else(|| panic!("{list} has no {name}"))
    };
    assert_eq!(find("ports", "cmd_addr")["width"], 20);
    let w = find("memories", "hidden_weights");
    assert_eq!(
        (&w["words"], &w["banks"], &w["width"]),
        (&301_056.into(), &4.into(), &9.into())
    );
    assert_eq!(find("memories", "hidden_events")["width"], 19);
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    assert!(
        verilog.contains("input wire  [19:0] cmd_addr;"),
        "a 20-bit cmd_addr"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A READ or WRITE's start is 32 bits on the wire: the MNIST network's chip (W of 301,056
/// words) is generated, its executor keeping the 19 bits of a start its spaces reach.
#[test]
fn generates_the_mnist_chip() {
    let dir = temp_dir("mnist-chip");
    let network = concat!(env!("CARGO_MANIFEST_DIR"), "/../networks/mnist.toml");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--chip", &"--network", &network, &"--out", &out]);
    let description = described(&output, &out);
    assert_eq!(description["network"]["name"], "mnist");
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    assert!(
        verilog.contains("input wire  uart_rx;"),
        "the chip at its pins"
    );
    assert!(
        verilog.contains("localparam  start_mask = 32'h7ffff;"),
        "the start mask of 19 bits (W's 301,056 words)"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn generates_the_core_of_two_hidden_layers() {
    let dir = temp_dir("two-layers");
    let network = two_layer_network(&dir, 32);
    let out = dir.join("build");
    let output = gen_verilog(&[&"--network", &network, &"--out", &out]);
    let description = described(&output, &out);
    let weights = description["memories"]
        .as_array()
        .expect("memories")
        .iter()
        .find(|m| m["name"] == "hidden_weights")
        .expect("hidden_weights memory");
    // 64 x 256 weights of hidden layer 0, then 256 x 32 of hidden layer 1.
    assert_eq!(weights["words"], 64 * 256 + 256 * 32);
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    assert!(verilog.contains("module top("), "the core's top module");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn spram_places_the_weights_in_spram() {
    let dir = temp_dir("spram");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--spram", &"--out", &out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    // 64 x 256 hidden weights: one SPRAM of 16,384 words; 256 x 10 classifier weights: one more.
    assert_eq!(verilog.matches("SB_SPRAM256KA spram_").count(), 2);
    assert!(
        !verilog.contains("module SB_SPRAM256KA"),
        "the generated Verilog carries no model of the primitive"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("spikeforge.json")).expect("spikeforge.json"),
    )
    .expect("valid JSON");
    assert_eq!(json["options"]["weights_in_spram"], true);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// `--paired-banks` with `--spram`: W and C in two SPRAMs each; without `--spram` it is
/// refused.
#[test]
fn paired_banks_split_the_weights_over_four_sprams() {
    let dir = temp_dir("paired");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--spram", &"--paired-banks", &"--out", &out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verilog = std::fs::read_to_string(out.join("spikeforge.v")).expect("spikeforge.v");
    assert_eq!(verilog.matches("SB_SPRAM256KA spram_").count(), 4);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("spikeforge.json")).expect("spikeforge.json"),
    )
    .expect("valid JSON");
    assert_eq!(json["options"]["paired_banks"], true);
    let refused = dir.join("refused");
    let output = gen_verilog(&[&"--paired-banks", &"--out", &refused]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("paired_banks needs the weights in SPRAM (weights_in_spram, --spram)"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!refused.exists(), "nothing is written for a refused option");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The default network's W and C in 8 lanes: one bank of at least one SPRAM per lane each.
#[test]
fn spram_refuses_weights_beyond_four_sprams() {
    let dir = temp_dir("spram-refuse");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--spram", &"--lanes", &"8", &"--out", &out]);
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: network \"digits\" cannot be generated: the weights would need 16 SPRAMs: \
         hidden_weights 16384 and classifier_weights 2560 words of 10 bits, each in 8 bank(s) of \
         whole SPRAMs; an iCE40 UltraPlus has 4 SPRAMs of 16384 x 16 bits\n"
    );
    assert!(!out.exists(), "nothing is written for a refused network");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn refuses_lane_counts_the_core_cannot_take() {
    let dir = temp_dir("lanes-refuse");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--lanes", &"3", &"--out", &out]);
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: network \"digits\" cannot be generated: lanes = 3 is not supported: the \
         learning core takes 1, 2, 4, 8 or 16 lanes\n"
    );
    assert!(!out.exists(), "nothing is written for a refused option");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn lanes_are_recorded_in_the_description() {
    let dir = temp_dir("lanes-4");
    let out = dir.join("build");
    let output = gen_verilog(&[&"--lanes", &"4", &"--out", &out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = std::fs::read_to_string(out.join("spikeforge.json")).expect("spikeforge.json");
    let d: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(d["lanes"], 4);
    let weights = d["memories"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "hidden_weights"))
        .expect("hidden_weights memory");
    assert_eq!(weights["banks"], 4);
    assert_eq!(weights["words"], 64 * 256);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn a_network_too_large_for_a_board_is_refused_before_synthesis() {
    let dir = temp_dir("board-refuse");
    let network = dir.join("wide.toml");
    let default = include_str!("../../networks/digits.toml");
    std::fs::write(
        &network,
        default.replace("\nsize = 256\n", "\nsize = 1184\n"),
    )
    .expect("write network");
    let out = dir.join("build");
    let output = gen_verilog(&[
        &"--board",
        &"icebreaker",
        &"--bitstream",
        &"--network",
        &network,
        &"--out",
        &out,
    ]);
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: network \"digits\" does not fit board icebreaker: the weights would need 8 \
         SPRAMs: hidden_weights 75776 and classifier_weights 11840 words of 10 bits, each in 2 \
         bank(s) of whole SPRAMs; an iCE40 UltraPlus has 4 SPRAMs of 16384 x 16 bits\n"
    );
    assert!(!out.exists(), "no tool ran and nothing was written");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// With `--board`, `--lanes` replaces the board file's lanes and says so, a lane count the core
/// cannot take and SPRAM on a device without it are refused before anything is written, and
/// the options of a bare core that a board fixes itself are refused.
#[test]
fn a_board_build_takes_the_lanes_of_the_command_line() {
    let dir = temp_dir("board-lanes");
    let board_verilog = |lanes: Option<&str>, out: &str| {
        let out = dir.join(out);
        let mut args: Vec<&dyn AsRef<OsStr>> = vec![&"--board", &"orangecrab-25f", &"--out", &out];
        if let Some(lanes) = &lanes {
            args.extend([&"--lanes" as &dyn AsRef<OsStr>, lanes]);
        }
        let output = gen_verilog(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let verilog =
            std::fs::read_to_string(out.join("orangecrab-25f/spikeforge.v")).expect("spikeforge.v");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            verilog,
        )
    };
    let (said, from_file) = board_verilog(None, "file");
    assert!(!said.contains("built with"), "{said}");
    // The board file says 4 lanes: the same core, nothing announced.
    let (said, four) = board_verilog(Some("4"), "four");
    assert!(!said.contains("built with"), "{said}");
    assert!(four == from_file);
    let (said, two) = board_verilog(Some("2"), "two");
    assert!(
        said.starts_with("orangecrab-25f: built with 2 lanes (the board file: 4)\n"),
        "{said}"
    );
    assert!(two != from_file);

    let refused = |args: &[&dyn AsRef<OsStr>], stderr: &str| {
        let out = dir.join("refused");
        let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"--out", &out];
        all.extend(args);
        let output = gen_verilog(&all);
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(stderr),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!out.exists(), "nothing is written for a refused option");
    };
    refused(
        &[&"--board", &"orangecrab-25f", &"--lanes", &"3"],
        "error: --lanes: lanes = 3 is not supported: the learning core takes 1, 2, 4, 8 or 16 \
         lanes\n",
    );
    refused(
        &[&"--board", &"orangecrab-25f", &"--spram"],
        "error: --spram: board orangecrab-25f (",
    );
    refused(
        &[&"--board", &"orangecrab-25f", &"--paired-banks"],
        "error: --paired-banks: board orangecrab-25f keeps its weights in block RAM; paired \
         banks need them in SPRAM (--spram)\n",
    );
    refused(
        &[&"--board", &"orangecrab-25f", &"--clock-hz", &"24000000"],
        "the argument '--board <BOARD>' cannot be used with '--clock-hz <CLOCK_HZ>'",
    );
    refused(
        &[&"--board", &"orangecrab-25f", &"--chip"],
        "the argument '--board <BOARD>' cannot be used with '--chip'",
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// `--core-hz` replaces the board file's core clock: the PLL of `board.v` makes it and the
/// build says so; a clock the PLL cannot make, or one the UART cannot divide, is refused by
/// name before anything is written.
#[test]
fn a_board_build_takes_the_core_clock_of_the_command_line() {
    let dir = temp_dir("board-core-hz");
    let build = |hz: &str, out: &str| {
        let out = dir.join(out);
        let output = gen_verilog(&[&"--board", &"ulx3s-85f", &"--core-hz", &hz, &"--out", &out]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let board = std::fs::read_to_string(out.join("ulx3s-85f/board.v")).ok();
        (output.status.success(), stdout, stderr, board, out)
    };
    let (ok, said, stderr, board, _) = build("35000000", "slow");
    assert!(ok, "{stderr}");
    assert!(
        said.starts_with("ulx3s-85f: built with the core at 35 MHz (the board file: 50 MHz)\n"),
        "{said}"
    );
    let board = board.expect("board.v");
    assert!(
        board.contains("FREQUENCY_PIN_CLKOP=\"35\"") && board.contains("// 35 MHz from the 25"),
        "{board}"
    );
    // The board file's own clock: the same build, nothing announced.
    let (ok, said, stderr, board, _) = build("50000000", "file");
    assert!(ok, "{stderr}");
    assert!(!said.contains("built with"), "{said}");
    assert!(board
        .expect("board.v")
        .contains("FREQUENCY_PIN_CLKOP=\"50\""));
    for (hz, why) in [
        ("0", "core_hz = 0: must be in 1..=1000000000"),
        (
            "36000000",
            "core_hz = 36000000: the ECP5 PLL cannot make exactly 36 MHz from 25 MHz",
        ),
    ] {
        let (ok, _, stderr, _, out) = build(hz, &format!("refused-{hz}"));
        assert!(!ok, "{hz} Hz was built");
        assert!(
            stderr.starts_with(&format!(
                "error: --core-hz: board ulx3s-85f with its core at {hz} Hz"
            )) && stderr.contains(why),
            "{stderr}"
        );
        assert!(!out.exists(), "nothing is written for a refused clock");
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// `--board` takes the board's network profile from the binary, whatever the working
/// directory: the iCEBreaker's chip is the one of `networks/digits.toml` given as a file, not
/// the one of another profile.
#[test]
fn a_board_build_takes_its_embedded_network_profile() {
    let dir = temp_dir("board-profile");
    let chip = |network: Option<&str>, out: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gen-verilog"));
        command
            .args(["--board", "icebreaker", "--out", out])
            .current_dir(&dir);
        if let Some(network) = network {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../networks")
                .join(network);
            command.arg("--network").arg(path);
        }
        let output = command.output().expect("run gen-verilog");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read_to_string(dir.join(out).join("icebreaker/spikeforge.v")).expect("Verilog")
    };
    let embedded = chip(None, "embedded");
    assert!(embedded == chip(Some("digits.toml"), "digits"));
    assert!(embedded != chip(Some("hx8k.toml"), "hx8k"));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn flash_dry_run_prints_the_programmer_command() {
    let output = gen_verilog(&[&"flash", &"--board", &"ulx3s-85f", &"--dry-run"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "openFPGALoader -b ulx3s build/ulx3s-85f/board.bit\n"
    );
    let output = gen_verilog(&[&"flash", &"--board", &"nexys", &"--dry-run"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with("error: unknown board \"nexys\""),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
