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
        let first = commands
            .iter()
            .position(|c| c.starts_with("synth_"))
            .expect("a synth command");
        assert!(
            commands[first].ends_with("-top board_top -run begin:coarse"),
            "{script}"
        );
        // The iCE40 map of comparisons with a constant: stashed before the design is read,
        // applied after the small comparisons become lookup tables and before `alumacc`
        // builds the rest as carry chains.
        let at = |command: &str| commands.iter().position(|c| *c == command);
        let compare = at("techmap -map %const_compare");
        if board.family == BoardFamily::Ice40 {
            let stash = at("design -stash const_compare").expect("the map stashed");
            let read = at("read_verilog spikeforge.v board.v").expect("the design read");
            let compare = compare.expect("the map applied");
            assert!(stash < read && read < first, "{script}");
            // Every memory in block RAM, set between reading the design and synthesising it.
            assert_eq!(
                at(BLOCK_RAM_MEMORIES.trim_end()),
                Some(read + 1),
                "{script}"
            );
            assert!(
                at("techmap -map +/cmp2lut.v -D LUT_WIDTH=4").is_some_and(|c| c < compare)
                    && at("alumacc").is_some_and(|a| compare < a),
                "{script}"
            );
        } else {
            assert_eq!(compare, None, "{script}");
            assert_eq!(at(BLOCK_RAM_MEMORIES.trim_end()), None, "{script}");
        }
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
    // weights would take 74 block RAMs and the chip 95 (its parameters fixed: no parameter
    // RAMs).
    let icebreaker = Board::named("icebreaker").unwrap_or_else(|e| panic!("{e}"));
    check_fit(&icebreaker, &cfg).unwrap_or_else(|e| panic!("{e}"));
    let block_ram = Board {
        spram: false,
        paired_banks: false,
        ..icebreaker.clone()
    };
    let err = check_fit(&block_ram, &cfg)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("it needs 95 block RAMs (hidden_weights 64, classifier_weights 10,")
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

/// The iCEBreaker with its core at `mhz` MHz (the board file runs it at 20.25 MHz from the
/// PLL): 12 MHz is the oscillator's pin, 6 MHz takes a fabric divider.
fn icebreaker_at(mhz: u64) -> Board {
    let (_, file) = BOARDS
        .iter()
        .find(|(name, _)| *name == "icebreaker")
        .expect("the iCEBreaker's board file");
    let text = file.replace("core_hz = 20_250_000", &format!("core_hz = {mhz}_000_000"));
    assert_ne!(&text, file, "the board file names its core clock");
    Board::from_toml_str(&text, &format!("icebreaker-{mhz}mhz.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every name `board_top` writes besides the LEDs is in `TOP_NAMES` (so the boards crate
/// refuses an LED or button of that name) or a keyword, and every one of `TOP_NAMES` is
/// written by some board (or by the iCEBreaker at 6 MHz, for the divider, or 12 MHz).
#[test]
fn board_top_declares_only_the_names_the_board_files_reserve() {
    let mut seen = std::collections::BTreeSet::new();
    let boards = BOARDS
        .iter()
        .map(|(name, _)| Board::named(name).unwrap_or_else(|e| panic!("{e}")))
        .chain([icebreaker_at(6), icebreaker_at(12)]);
    for board in boards {
        let name = &board.name;
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
    // The core at 20.25 MHz from the PLL, which takes the oscillator's pin, its own pad.
    assert!(
        v.contains(
            "SB_PLL40_PAD #(.FEEDBACK_PATH(\"SIMPLE\"), .DIVR(4'd0), .DIVF(7'd53), \
             .DIVQ(3'd5), .FILTER_RANGE(3'd1)) pll (\n        .PACKAGEPIN(clock_in), \
             .PLLOUTGLOBAL(core_clock), .LOCK(pll_locked)"
        ),
        "{v}"
    );
    assert!(
        !v.contains("divider") && !v.contains("SB_PLL40_CORE"),
        "{v}"
    );
    // Elsewhere the PLL takes the clock from the fabric (the Alchitry Cu: 30 from 100 MHz).
    let alchitry = Board::named("alchitry-cu").unwrap_or_else(|e| panic!("{e}"));
    let core_pll = board_verilog(&alchitry).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        core_pll.contains("SB_PLL40_CORE #(") && core_pll.contains(".REFERENCECLK(clock_in)"),
        "{core_pll}"
    );
    // At the oscillator's 12 MHz: the pin's clock, neither divider nor PLL.
    let pin = board_verilog(&icebreaker_at(12)).unwrap_or_else(|e| panic!("{e}"));
    assert!(pin.contains("assign core_clock = clock_in;"), "{pin}");
    assert!(
        !pin.contains("divider") && !pin.contains("SB_PLL40"),
        "{pin}"
    );
    assert!(pin.contains("assign pll_locked = 1'b1;"), "{pin}");
    // At 6 MHz: the 12 MHz oscillator halved by a one-bit counter on a global buffer.
    let slow = board_verilog(&icebreaker_at(6)).unwrap_or_else(|e| panic!("{e}"));
    assert!(slow.contains("reg [0:0] divider = 1'd0;"), "{slow}");
    assert!(
        slow.contains(
            ".USER_SIGNAL_TO_GLOBAL_BUFFER(divider[0]), .GLOBAL_BUFFER_OUTPUT(core_clock)"
        ),
        "{slow}"
    );
    assert!(v.contains("assign led_red = !(active);"), "{v}");
    // The chip's reset: the button (active low) and the PLL's lock through two flip-flops,
    // then 1,024 cycles.
    assert!(v.contains("    input wire button\n"), "{v}");
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

/// Yosys proves `map` equivalent to its own comparisons on a module of comparisons with a
/// constant on either side: unsigned, signed and mixed, of different widths, each of `<`,
/// `<=`, `>`, `>=`, against constants at the ends of the range and inside it, and of two
/// signals (which the map leaves to the carry chain: the 16 cells that remain). `Err` has
/// Yosys's log.
fn prove_compare_map(map: &str, name: &str) -> Result<(), String> {
    let mut checks = Vec::new();
    let operands = [
        ("a", "5'd0"),
        ("a", "5'd31"),
        ("a", "5'd9"),
        ("sa", "-5'sd16"),
        ("sa", "5'sd15"),
        ("sa", "-5'sd3"),
        ("sa", "5'sd0"),
        ("wide", "33'h1_0000_0003"),
        ("swide", "-33'sd5"),
        ("a", "9'd300"),
        ("sa", "-9'sd200"),
        ("a", "sa"),
        ("a", "b"),
    ];
    for (x, c) in operands {
        for op in ["<", "<=", ">", ">="] {
            checks.push(format!("{x} {op} {c}"));
            checks.push(format!("{c} {op} {x}"));
        }
    }
    let width = checks.len();
    let body: String = checks
        .iter()
        .enumerate()
        .map(|(i, check)| format!("  assign y[{i}] = {check};\n"))
        .collect();
    let design = format!(
        "module compare(input [4:0] a, input [4:0] b, input signed [4:0] sa,\n\
         input [32:0] wide, input signed [32:0] swide, output [{}:0] y);\n{body}endmodule\n",
        width - 1
    );
    let script = format!(
        "{}read_verilog compare.v\nproc\nopt_clean\nrename compare gold\n\
         read_verilog compare.v\nproc\nopt_clean\nrename compare gate\n\
         techmap -map %const_compare gate\nopt_expr gate\nopt_clean gate\n\
         select -assert-count 16 gate/t:$lt gate/t:$le gate/t:$gt gate/t:$ge\n\
         miter -equiv -flatten -make_assert gold gate miter\n\
         sat -verify -prove-asserts miter\n",
        stashed_compare_map(map)
    );
    run_yosys(
        &format!("compare-map-{name}"),
        ("compare.v", &design),
        &script,
    )
}

/// Runs Yosys (`-q`) on `script` in a directory of its own that holds `source` (its name and
/// text); `Err` holds Yosys's output when it fails.
fn run_yosys(name: &str, source: (&str, &str), script: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("spikeforge-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(source.0), source.1).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("script.ys"), script).map_err(|e| e.to_string())?;
    let output = std::process::Command::new("yosys")
        .args(["-q", "script.ys"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("yosys could not be run: {e}"))?;
    let log = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    if output.status.success() {
        Ok(())
    } else {
        Err(log)
    }
}

#[test]
fn comparisons_with_a_constant_map_to_logic_that_yosys_proves_equivalent() {
    if let Err(log) = prove_compare_map(CONST_COMPARE_MAP, "map") {
        panic!("the map differs from Yosys's comparisons:\n{log}");
    }
    // Negative control: `<=` and `>=` left un-negated must be caught.
    let broken = CONST_COMPARE_MAP.replace("below[W+1] ^ NEGATE", "below[W+1]");
    assert_ne!(broken, CONST_COMPARE_MAP);
    assert!(prove_compare_map(&broken, "broken").is_err());
}

/// Runs the iCE40 board script `script` on a 98-byte ROM (a memory with contents that is
/// never written, read a cycle after its address) and asserts that it takes one block RAM.
fn rom_in_block_ram(script: &str, name: &str) -> Result<(), String> {
    let bytes: String = (0..98u32)
        .map(|i| format!("    mem[{i}] = 8'd{};\n", (i * 37 + 11) % 256))
        .collect();
    let design = format!(
        "module rom(input clock, input [6:0] address, output reg [7:0] data);\n\
         reg [7:0] mem [0:97];\ninitial begin\n{bytes}end\n\
         always @(posedge clock) data <= mem[address];\nendmodule\n"
    );
    run_yosys(
        &format!("rom-block-ram-{name}"),
        ("rom.v", &design),
        &format!("{script}select -assert-count 1 t:SB_RAM40_4K\n"),
    )
}

#[test]
fn ice40_boards_keep_a_rom_in_block_ram() {
    let board = Board::named("icebreaker").unwrap_or_else(|e| panic!("{e}"));
    let script = synth_script_of(&board, &["rom.v"], "rom", "");
    if let Err(log) = rom_in_block_ram(&script, "board") {
        panic!("the iCE40 board script builds the ROM from logic:\n{log}");
    }
    // Negative control: without the command Yosys builds this ROM from lookup tables.
    let without = script.replace(BLOCK_RAM_MEMORIES, "");
    assert_ne!(without, script);
    assert!(rom_in_block_ram(&without, "without").is_err());
}
