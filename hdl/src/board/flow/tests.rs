//! Tests of the board flow: the fit check, the board's top level, the Yosys script and the
//! reading of the tools' reports.
use super::*;
use crate::board::{BOARDS, TOP_NAMES, VERILOG_KEYWORDS};

#[test]
fn critical_path_signals_name_the_design_not_the_cells() {
    let path: Vec<Value> = serde_json::from_str(
        r#"[{"type": "clk-to-q"},
            {"net": "chip.chip.core.current_high[12]"},
            {"net": "chip.chip.core.lif.leak.value_CCU2C_S0_7$CCU2_COMB0"},
            {"net": "chip.chip.core.lif.leak.value[3]"},
            {"net": "chip.chip.core.lif$v_next_LUT4_Z_6_D"},
            {"net": "chip.chip.core.goodness_next[31]"}]"#,
    )
    .expect("a path in nextpnr's report format");
    assert_eq!(
        path_signals(&path),
        [
            "chip.core.current_high",
            "chip.core.lif.leak.value",
            "chip.core.lif",
            "chip.core.goodness_next"
        ]
    );
}

#[test]
fn board_synthesis_leaves_out_only_the_share_pass() {
    for board in BOARDS
        .iter()
        .map(|(name, _)| Board::named(name).expect("an embedded board"))
    {
        let script = synth_script(&board);
        let commands: Vec<&str> = script.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(!commands
            .iter()
            .any(|c| c.split_whitespace().next() == Some("share")));
        assert!(
            commands[1].ends_with("-top board_top -run begin:coarse"),
            "{script}"
        );
        assert!(
            commands
                .last()
                .expect("a script")
                .ends_with("-json board.json"),
            "{script}"
        );
        let mapping = match board.family {
            BoardFamily::Ice40 if board.device == "up5k" => {
                "-run map_ram: -abc2 -abc9 -dff -device u "
            }
            BoardFamily::Ice40 => "-run map_ram: -abc9 -device hx ",
            BoardFamily::Ecp5 => "-run map_ram: ",
        };
        assert!(
            commands.last().expect("a script").contains(mapping),
            "{} maps with {mapping:?}:\n{script}",
            board.name
        );
        for pass in [
            "proc",
            "flatten",
            "alumacc",
            "memory -nomap",
            "wreduce",
            "fsm",
        ] {
            assert!(
                commands.contains(&pass),
                "{} lacks {pass}:\n{script}",
                board.name
            );
        }
        let dsp = commands.iter().any(|c| c.contains("mul2dsp.v"));
        assert_eq!(dsp, board.resources.dsp_blocks > 0, "{}", board.name);
    }
}

#[test]
fn over_utilisation_is_read_from_the_nextpnr_log() {
    let log = "Info: Device utilisation:\nInfo: \t         ICESTORM_LC:  6206/ 5280   117%\n\
               Info: \t        ICESTORM_RAM:    24/   30    80%\n";
    assert_eq!(
        over_utilised(log, "up5k").as_deref(),
        Some("after synthesis it needs 6206 ICESTORM_LC cells (117%); the up5k has 5280")
    );
    assert_eq!(
        over_utilised("Info: ICESTORM_RAM: 24/ 30 80%", "up5k"),
        None
    );
}

#[test]
fn memories_take_the_narrowest_block_ram_configuration_that_holds_a_word() {
    // ECP5 DP16KD: 9-bit words in 2048 x 9, 10-bit words in 1024 x 18.
    assert_eq!(blocks(BoardFamily::Ecp5, 784 * 384, 9), 147);
    assert_eq!(blocks(BoardFamily::Ecp5, 784 * 384, 10), 294);
    assert_eq!(blocks(BoardFamily::Ecp5, 2048, 8), 1);
    assert_eq!(blocks(BoardFamily::Ecp5, 100, 36), 2);
    // iCE40 SB_RAM40_4K: 8-bit words in 512 x 8, 10-bit words in 256 x 16.
    assert_eq!(blocks(BoardFamily::Ice40, 256 * 10, 8), 5);
    assert_eq!(blocks(BoardFamily::Ice40, 256 * 10, 10), 10);
    assert_eq!(blocks(BoardFamily::Ice40, 4096, 1), 2);
}

#[test]
fn a_network_too_large_for_the_board_is_refused_before_synthesis() {
    let board = Board::named("alchitry-cu").unwrap_or_else(|e| panic!("{e}"));
    let cfg = NetworkConfig::default_network().unwrap_or_else(|e| panic!("{e}"));
    let err = check_fit(&board, &cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("network \"digits\" does not fit board alchitry-cu: it needs ")
            && err.contains("block RAMs (hidden_weights 64, classifier_weights 10")
            && err.ends_with("the hx8k has 32"),
        "{err}"
    );
    let small = NetworkConfig::from_toml_str(
        include_str!("../../../../networks/hx8k.toml"),
        "networks/hx8k.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_fit(&board, &small).unwrap_or_else(|e| panic!("{e}"));

    // The iCEBreaker: with its weights in SPRAM the default network fits; in block RAM its
    // weights would take 74 block RAMs and the chip 98.
    let icebreaker = Board::named("icebreaker").unwrap_or_else(|e| panic!("{e}"));
    check_fit(&icebreaker, &cfg).unwrap_or_else(|e| panic!("{e}"));
    let block_ram = Board {
        spram: false,
        ..icebreaker.clone()
    };
    let err = check_fit(&block_ram, &cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("it needs 98 block RAMs (hidden_weights 64, classifier_weights 10,")
            && err.ends_with("the up5k has 30"),
        "{err}"
    );
    let up5k = NetworkConfig::from_toml_str(
        include_str!("../../../../networks/up5k.toml"),
        "networks/up5k.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_fit(&icebreaker, &up5k).unwrap_or_else(|e| panic!("{e}"));
}

/// The names of `board_top` outside comments, strings, attributes, numbers and named
/// connections (`.NAME(`): what it declares and instantiates, and its keywords.
fn declared_names(verilog: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in verilog.lines() {
        let mut code = line.split("//").next().unwrap_or("").to_string();
        for (open, close) in [("(*", "*)"), ("\"", "\"")] {
            while let Some(start) = code.find(open) {
                let end = code[start + open.len()..]
                    .find(close)
                    .map_or(code.len(), |e| start + open.len() + e + close.len());
                code.replace_range(start..end, " ");
            }
        }
        let chars: Vec<char> = code.chars().collect();
        let part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '\'';
        let mut i = 0;
        while i < chars.len() {
            if !part(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && part(chars[i]) {
                i += 1;
            }
            let named_connection = start > 0 && chars[start - 1] == '.';
            let number = chars[start].is_ascii_digit();
            if !named_connection && !number {
                names.push(chars[start..i].iter().collect());
            }
        }
    }
    names
}

/// Every name `board_top` writes besides the LEDs is in `TOP_NAMES` (so the boards crate
/// refuses an LED or button of that name) or a keyword, and every one of `TOP_NAMES` is
/// written by some board.
#[test]
fn board_top_declares_only_the_names_the_board_files_reserve() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, _) in BOARDS {
        let board = Board::named(name).unwrap_or_else(|e| panic!("{e}"));
        let v = board_verilog(&board).unwrap_or_else(|e| panic!("{e}"));
        for word in declared_names(&v) {
            let led = board.leds.iter().any(|l| l.name == word)
                || board.buttons.iter().any(|b| b.name == word);
            assert!(
                led || TOP_NAMES.contains(&word.as_str())
                    || VERILOG_KEYWORDS.contains(&word.as_str()),
                "{name}: board.v writes {word:?}, which is not in TOP_NAMES:\n{v}"
            );
            seen.insert(word);
        }
    }
    for name in TOP_NAMES {
        assert!(
            seen.contains(*name),
            "TOP_NAMES holds {name}, which no board.v writes"
        );
    }
}

#[test]
fn board_verilog_drives_leds_with_their_polarity() {
    let board = Board::named("icebreaker").unwrap_or_else(|e| panic!("{e}"));
    let v = board_verilog(&board).unwrap_or_else(|e| panic!("{e}"));
    // 6 MHz: the 12 MHz oscillator halved by a one-bit counter on a global buffer.
    assert!(v.contains("reg [0:0] divider = 1'd0;"), "{v}");
    assert!(
        v.contains(".USER_SIGNAL_TO_GLOBAL_BUFFER(divider[0]), .GLOBAL_BUFFER_OUTPUT(core_clock)"),
        "{v}"
    );
    assert!(v.contains("assign led_red = !(active);"), "{v}");
    // The chip's reset: the button (active low) and the lock (no PLL: at once) through
    // two flip-flops, then 1,024 cycles.
    assert!(v.contains("    input wire button\n"), "{v}");
    assert!(v.contains("assign pll_locked = 1'b1;"), "{v}");
    assert!(
        v.contains("button_sync <= {button_sync[0], !button};"),
        "{v}"
    );
    assert!(v.contains("reg [10:0] power_on = 11'd0;"), "{v}");
    assert!(v.contains("wire chip_reset = !power_on[10];"), "{v}");
    assert!(
        v.contains("top chip(.clock(core_clock), .reset(chip_reset),"),
        "{v}"
    );
    assert!(v.contains("assign led_green = !(!active);"), "{v}");
    // The ULX3S core runs at 50 MHz from the ECP5 PLL (25 MHz / 1 * 2, VCO 600 MHz); at its
    // 25 MHz oscillator's clock it would take no PLL.
    let ulx3s = Board::named("ulx3s-85f").unwrap_or_else(|e| panic!("{e}"));
    let v = board_verilog(&ulx3s).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        v.contains(".CLKI_DIV(1), .CLKFB_DIV(2), .CLKOP_DIV(12)"),
        "{v}"
    );
    assert!(v.contains("assign led0 = active;"), "{v}");
    assert!(v.contains(".CLKOP(core_clock), .LOCK(pll_locked),"), "{v}");
    assert!(
        v.contains("button_sync <= {button_sync[0], !btn_pwr};"),
        "{v}"
    );
    // The iCE40 PLL's lock holds the Alchitry Cu's chip in reset too.
    let alchitry = Board::named("alchitry-cu").unwrap_or_else(|e| panic!("{e}"));
    let v = board_verilog(&alchitry).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        v.contains(".PLLOUTGLOBAL(core_clock), .LOCK(pll_locked),"),
        "{v}"
    );
    assert!(
        v.contains("locked_sync <= {locked_sync[0], pll_locked};"),
        "{v}"
    );
    let direct = Board {
        core_hz: 25_000_000,
        ..ulx3s
    };
    let v = board_verilog(&direct).unwrap_or_else(|e| panic!("{e}"));
    assert!(v.contains("assign core_clock = clock_in;"), "{v}");
}
