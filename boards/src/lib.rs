//! spikeforge-boards: the boards spikeforge builds for, readable without rust-hdl.
//!
//! One TOML file per board in `boards/` ([`BOARDS`], embedded), parsed raw with serde and then
//! validated into a [`Board`]: its FPGA family and device, the oscillator and the core clock
//! (which [`clock`] must make exactly), the UART's baud rate (a whole number of core clock
//! cycles per bit, `spikeforge_sim::wire::line::clocks_per_bit`), the pins, the FPGA's
//! resources and the programmer. A refused file is a [`BoardError`] naming the file and the
//! field. [`Board::constraints`] is the text of the board's pin constraints (`constraints/`).
//!
//! The flow from a network and a board to a bitstream (the board's top-level Verilog, Yosys,
//! nextpnr) is `spikeforge_hdl::board::flow`; the host reads a board here for its baud rate
//! and core clock.
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::wire::line::clocks_per_bit;

pub mod clock;

/// The boards that come with spikeforge: name and TOML.
pub const BOARDS: &[(&str, &str)] = &[
    ("icebreaker", include_str!("../icebreaker.toml")),
    ("ulx3s-85f", include_str!("../ulx3s-85f.toml")),
    ("orangecrab-25f", include_str!("../orangecrab-25f.toml")),
    ("alchitry-cu", include_str!("../alchitry-cu.toml")),
];

/// The network profiles the boards name (`network = "networks/..."`): path and TOML, embedded
/// so that an installed `gen-verilog --board` finds them ([`Board::network_config`]).
pub const NETWORKS: &[(&str, &str)] = &[
    (
        "networks/digits.toml",
        include_str!("../../networks/digits.toml"),
    ),
    (
        "networks/hx8k.toml",
        include_str!("../../networks/hx8k.toml"),
    ),
];

/// The names the board's top module `board_top` (`spikeforge_hdl::board::flow::board_verilog`)
/// declares besides its LEDs: the module and its ports, its nets, its instances and the
/// modules they are. An LED becomes a port of `board_top` and a button will, so neither may
/// take one of these names (a test of `board_verilog` checks that every name it writes is
/// here).
pub const TOP_NAMES: &[&str] = &[
    "board_top",
    "clock_in",
    "uart_rx",
    "uart_tx",
    "core_clock",
    "active",
    "pll_locked",
    "button_sync",
    "locked_sync",
    "power_on",
    "chip_reset",
    "divider",
    "core_clock_buffer",
    "pll",
    "chip",
    "top",
    "SB_GB",
    "SB_PLL40_CORE",
    "SB_PLL40_PAD",
    "EHXPLLL",
];

/// The keywords of Verilog-2005 (IEEE 1364-2005, Annex B), which no port name may be.
#[rustfmt::skip]
pub const VERILOG_KEYWORDS: &[&str] = &[
    "always", "and", "assign", "automatic", "begin", "buf", "bufif0", "bufif1", "case", "casex",
    "casez", "cell", "cmos", "config", "deassign", "default", "defparam", "design", "disable",
    "edge", "else", "end", "endcase", "endconfig", "endfunction", "endgenerate", "endmodule",
    "endprimitive", "endspecify", "endtable", "endtask", "event", "for", "force", "forever",
    "fork", "function", "generate", "genvar", "highz0", "highz1", "if", "ifnone", "incdir",
    "include", "initial", "inout", "input", "instance", "integer", "join", "large", "liblist",
    "library", "localparam", "macromodule", "medium", "module", "nand", "negedge", "nmos", "nor",
    "noshowcancelled", "not", "notif0", "notif1", "or", "output", "parameter", "pmos", "posedge",
    "primitive", "pull0", "pull1", "pulldown", "pullup", "pulsestyle_ondetect",
    "pulsestyle_onevent", "rcmos", "real", "realtime", "reg", "release", "repeat", "rnmos",
    "rpmos", "rtran", "rtranif0", "rtranif1", "scalared", "showcancelled", "signed", "small",
    "specify", "specparam", "strong0", "strong1", "supply0", "supply1", "table", "task", "time",
    "tran", "tranif0", "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "unsigned",
    "use", "uwire", "vectored", "wait", "wand", "weak0", "weak1", "while", "wire", "wor", "xnor",
    "xor",
];

/// FPGA family of a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardFamily {
    /// Lattice iCE40 (`synth_ice40`, `nextpnr-ice40`, `icepack`; `.pcf`).
    Ice40,
    /// Lattice ECP5 (`synth_ecp5`, `nextpnr-ecp5`, `ecppack`; `.lpf`).
    Ecp5,
}

impl BoardFamily {
    /// `ice40` or `ecp5`.
    pub fn name(self) -> &'static str {
        match self {
            BoardFamily::Ice40 => "ice40",
            BoardFamily::Ecp5 => "ecp5",
        }
    }

    /// Devices nextpnr knows for the family (its `--<device>` option).
    fn devices(self) -> &'static [&'static str] {
        match self {
            BoardFamily::Ice40 => &[
                "lp384", "lp1k", "lp8k", "hx1k", "hx8k", "up3k", "up5k", "u4k",
            ],
            BoardFamily::Ecp5 => &["12k", "25k", "45k", "85k", "um-25k", "um-45k", "um-85k"],
        }
    }

    /// File extension of the pin constraints.
    pub fn constraints_extension(self) -> &'static str {
        match self {
            BoardFamily::Ice40 => "pcf",
            BoardFamily::Ecp5 => "lpf",
        }
    }
}

/// What an LED shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedRole {
    /// Lit while the chip executes or answers a request.
    Active,
    /// Lit while the chip waits for a request.
    Idle,
    /// Not driven by the design (held off).
    Off,
}

/// One LED of a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Led {
    /// Port name in the board's Verilog.
    pub name: String,
    /// Package pin.
    pub pin: String,
    /// Lit when the pin is driven low.
    pub active_low: bool,
    /// What it shows.
    pub role: LedRole,
}

/// One button of a board. The one that `resets` is a port of the board's top module: pressed,
/// it holds the chip in reset; the others are listed only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// Name.
    pub name: String,
    /// Package pin.
    pub pin: String,
    /// Pressed reads low.
    pub active_low: bool,
    /// It is the chip's reset button (at most one per board).
    pub resets: bool,
}

/// The resources of the board's FPGA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    /// Logic cells (iCE40 LCs, ECP5 LUT4s).
    pub logic_cells: u64,
    /// Block RAMs (iCE40 4-kbit `SB_RAM40_4K`, ECP5 18-kbit `DP16KD`).
    pub ram_blocks: u64,
    /// iCE40 UltraPlus SPRAMs.
    pub spram_blocks: u64,
    /// Multiplier blocks.
    pub dsp_blocks: u64,
}

/// A validated board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// Short name (the file name without `.toml`).
    pub name: String,
    /// One line for people.
    pub description: String,
    /// FPGA family.
    pub family: BoardFamily,
    /// nextpnr device (`up5k`, `85k`, ...).
    pub device: String,
    /// Package (`sg48`, `CABGA381`, ...).
    pub package: String,
    /// Oscillator pin.
    pub clock_pin: String,
    /// Oscillator frequency.
    pub clock_hz: u64,
    /// Core clock: the oscillator, or an ECP5 PLL output.
    pub core_hz: u64,
    /// The oscillator's pin is the iCE40 PLL's own pad (the iCEBreaker's pin 35): a PLL takes
    /// the pin directly (`SB_PLL40_PAD`), since nextpnr cannot place `SB_PLL40_CORE`, which
    /// takes the clock from the fabric, beside it. Used when the core clock comes from the PLL.
    pub pll_pad: bool,
    /// UART baud rate.
    pub baud: u64,
    /// FPGA input from the host's transmitter.
    pub uart_rx_pin: String,
    /// FPGA output to the host's receiver.
    pub uart_tx_pin: String,
    /// Programmer and its arguments before the bitstream path.
    pub flash_tool: String,
    /// Arguments of the programmer.
    pub flash_args: Vec<String>,
    /// Network profile: one of [`NETWORKS`] (a path relative to the repository root).
    pub network: String,
    /// The weights (hidden and classifier) in SPRAM.
    pub spram: bool,
    /// With `spram`: each lane's weights in two banks, so that learning reads one while it
    /// writes the other (the core option `paired_banks`): one cycle per group of synapses.
    pub paired_banks: bool,
    /// Synapses per clock.
    pub lanes: usize,
    /// Two neuron data stages (the core option `split_neuron`).
    pub split_neuron: bool,
    /// The rounding of learning over two stages (the core option `split_rounding`).
    pub split_rounding: bool,
    /// The layers' parameters fixed at the network's values (the core option
    /// `fixed_parameters`): the chip then takes only networks with those parameters.
    pub fixed_parameters: bool,
    /// The FPGA's resources.
    pub resources: Resources,
    /// LEDs.
    pub leds: Vec<Led>,
    /// Buttons.
    pub buttons: Vec<Button>,
}

/// Why a board file was refused: one line naming the file and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// No board of that name.
    #[error("unknown board {name:?}; the boards are {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The known names.
        known: String,
    },
    /// TOML syntax, a missing field, a field of the wrong type or an unknown field.
    #[error("{origin}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A field with a value the flow cannot use.
    #[error("{origin}: {field} = {value}: {reason}")]
    Invalid {
        /// The file.
        origin: String,
        /// The field.
        field: String,
        /// Its value.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    name: String,
    description: String,
    family: String,
    device: String,
    package: String,
    clock_pin: String,
    clock_hz: i64,
    core_hz: i64,
    #[serde(default)]
    pll_pad: bool,
    baud: i64,
    uart_rx_pin: String,
    uart_tx_pin: String,
    flash_tool: String,
    flash_args: Vec<String>,
    network: String,
    spram: bool,
    #[serde(default)]
    paired_banks: bool,
    lanes: i64,
    #[serde(default)]
    split_neuron: bool,
    #[serde(default)]
    split_rounding: bool,
    #[serde(default)]
    fixed_parameters: bool,
    resources: RawResources,
    #[serde(default)]
    leds: Vec<RawLed>,
    #[serde(default)]
    buttons: Vec<RawButton>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResources {
    logic_cells: i64,
    ram_blocks: i64,
    spram_blocks: i64,
    dsp_blocks: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLed {
    name: String,
    pin: String,
    active_low: bool,
    shows: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawButton {
    name: String,
    pin: String,
    active_low: bool,
    #[serde(default)]
    resets: bool,
}

/// Whether a core clock of `core_hz` can run a chip of `family` whose oscillator gives
/// `clock_hz`, at `baud`: `core_hz` is positive and at most 1 GHz, the family's PLL makes it
/// from the oscillator unless it is the oscillator's, and the UART's bit is a whole number of
/// its cycles. Else the field at fault (`core_hz` or `baud`), its value and why.
fn check_core_clock(
    family: BoardFamily,
    clock_hz: u64,
    core_hz: u64,
    baud: u64,
) -> Result<(), (&'static str, u64, String)> {
    if !(1..=1_000_000_000).contains(&core_hz) {
        return Err(("core_hz", core_hz, "must be in 1..=1000000000".to_string()));
    }
    if core_hz != clock_hz {
        let pll = match family {
            BoardFamily::Ice40 => clock::ice40_clock(clock_hz, core_hz).map(|_| ()),
            BoardFamily::Ecp5 => clock::ecp5_pll(clock_hz, core_hz).map(|_| ()),
        };
        pll.map_err(|e| ("core_hz", core_hz, e))?;
    }
    clocks_per_bit(core_hz, baud).map_err(|e| ("baud", baud, e.to_string()))?;
    Ok(())
}

impl Board {
    /// One of [`BOARDS`] by name.
    pub fn named(name: &str) -> Result<Board, BoardError> {
        let (_, text) = BOARDS
            .iter()
            .find(|(known, _)| *known == name)
            .ok_or_else(|| BoardError::Unknown {
                name: name.to_string(),
                known: BOARDS
                    .iter()
                    .map(|(known, _)| *known)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        Board::from_toml_str(text, &format!("boards/{name}.toml"))
    }

    /// A board file.
    pub fn from_file(path: &Path) -> Result<Board, BoardError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BoardError::Parse {
            origin: origin.clone(),
            message: format!("cannot read board file: {e}"),
        })?;
        Board::from_toml_str(&text, &origin)
    }

    /// Parse and validate board TOML; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Board, BoardError> {
        let raw: RawBoard = toml::from_str(text).map_err(|e| BoardError::Parse {
            origin: origin.to_string(),
            message: e.message().replace('\n', " "),
        })?;
        let invalid =
            |field: &str, value: &dyn std::fmt::Display, reason: &str| BoardError::Invalid {
                origin: origin.to_string(),
                field: field.to_string(),
                value: value.to_string(),
                reason: reason.to_string(),
            };
        check_file_stem(&raw.name).map_err(|reason| invalid("name", &quoted(&raw.name), reason))?;
        check_comment(&raw.description)
            .map_err(|reason| invalid("description", &quoted(&raw.description), reason))?;
        if !NETWORKS.iter().any(|(path, _)| *path == raw.network) {
            return Err(invalid(
                "network",
                &quoted(&raw.network),
                &format!("the embedded profiles are {}", profile_paths()),
            ));
        }
        let family = match raw.family.as_str() {
            "ice40" => BoardFamily::Ice40,
            "ecp5" => BoardFamily::Ecp5,
            other => return Err(invalid("family", &other, "the families are ice40 and ecp5")),
        };
        if !family.devices().contains(&raw.device.as_str()) {
            return Err(invalid(
                "device",
                &raw.device,
                &format!(
                    "nextpnr-{} knows {}",
                    family.name(),
                    family.devices().join(", ")
                ),
            ));
        }
        let positive = |field: &str, value: i64, max: i64| -> Result<u64, BoardError> {
            if (1..=max).contains(&value) {
                Ok(u64::try_from(value).unwrap_or(0))
            } else {
                Err(invalid(field, &value, &format!("must be in 1..={max}")))
            }
        };
        let clock_hz = positive("clock_hz", raw.clock_hz, 1_000_000_000)?;
        let core_hz = positive("core_hz", raw.core_hz, 1_000_000_000)?;
        let baud = positive("baud", raw.baud, 100_000_000)?;
        if raw.pll_pad && family != BoardFamily::Ice40 {
            return Err(invalid(
                "pll_pad",
                &raw.pll_pad,
                "only an iCE40's PLL has a pad of its own (SB_PLL40_PAD)",
            ));
        }
        check_core_clock(family, clock_hz, core_hz, baud)
            .map_err(|(field, value, reason)| invalid(field, &value, &reason))?;
        let lanes = positive("lanes", raw.lanes, 16)?;
        let count = |field: &str, value: i64| -> Result<u64, BoardError> {
            u64::try_from(value).map_err(|_| invalid(field, &value, "must not be negative"))
        };
        let resources = Resources {
            logic_cells: positive("resources.logic_cells", raw.resources.logic_cells, 1 << 24)?,
            ram_blocks: count("resources.ram_blocks", raw.resources.ram_blocks)?,
            spram_blocks: count("resources.spram_blocks", raw.resources.spram_blocks)?,
            dsp_blocks: count("resources.dsp_blocks", raw.resources.dsp_blocks)?,
        };
        if raw.spram && resources.spram_blocks == 0 {
            return Err(invalid("spram", &raw.spram, "the device has no SPRAM"));
        }
        if raw.paired_banks && !raw.spram {
            return Err(invalid(
                "paired_banks",
                &raw.paired_banks,
                "paired banks serve weights in SPRAM, and spram = false",
            ));
        }
        let mut pins = vec![
            ("clock_pin".to_string(), raw.clock_pin.clone()),
            ("uart_rx_pin".to_string(), raw.uart_rx_pin.clone()),
            ("uart_tx_pin".to_string(), raw.uart_tx_pin.clone()),
        ];
        let mut names = Vec::new();
        let mut leds = Vec::new();
        for (i, led) in raw.leds.into_iter().enumerate() {
            let role = match led.shows.as_str() {
                "active" => LedRole::Active,
                "idle" => LedRole::Idle,
                "off" => LedRole::Off,
                other => {
                    return Err(invalid(
                        &format!("leds[{i}].shows"),
                        &other,
                        "an LED shows active, idle or off",
                    ))
                }
            };
            names.push((format!("leds[{i}].name"), led.name.clone()));
            pins.push((format!("leds[{i}].pin"), led.pin.clone()));
            leds.push(Led {
                name: led.name,
                pin: led.pin,
                active_low: led.active_low,
                role,
            });
        }
        let mut buttons = Vec::new();
        for (i, button) in raw.buttons.into_iter().enumerate() {
            names.push((format!("buttons[{i}].name"), button.name.clone()));
            pins.push((format!("buttons[{i}].pin"), button.pin.clone()));
            if button.resets {
                if let Some(other) = buttons.iter().position(|b: &Button| b.resets) {
                    return Err(invalid(
                        &format!("buttons[{i}].resets"),
                        &"true",
                        &format!("buttons[{other}] already resets the chip; one button does"),
                    ));
                }
            }
            buttons.push(Button {
                name: button.name,
                pin: button.pin,
                active_low: button.active_low,
                resets: button.resets,
            });
        }
        for (i, (field, name)) in names.iter().enumerate() {
            check_port_name(name).map_err(|reason| invalid(field, &quoted(name), &reason))?;
            if let Some((other, _)) = names[..i].iter().find(|(_, n)| n == name) {
                return Err(invalid(
                    field,
                    &quoted(name),
                    &format!("the name is also {other}"),
                ));
            }
        }
        for (i, (field, pin)) in pins.iter().enumerate() {
            if pin.is_empty() || !pin.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid(field, pin, "a pin is letters and digits"));
            }
            if let Some((other, _)) = pins[..i].iter().find(|(_, p)| p == pin) {
                return Err(invalid(field, pin, &format!("the pin is also {other}")));
            }
        }
        Ok(Board {
            name: raw.name,
            description: raw.description,
            family,
            device: raw.device,
            package: raw.package,
            clock_pin: raw.clock_pin,
            clock_hz,
            core_hz,
            pll_pad: raw.pll_pad,
            baud,
            uart_rx_pin: raw.uart_rx_pin,
            uart_tx_pin: raw.uart_tx_pin,
            flash_tool: raw.flash_tool,
            flash_args: raw.flash_args,
            network: raw.network,
            spram: raw.spram,
            paired_banks: raw.paired_banks,
            lanes: usize::try_from(lanes).unwrap_or(1),
            split_neuron: raw.split_neuron,
            split_rounding: raw.split_rounding,
            fixed_parameters: raw.fixed_parameters,
            resources,
            leds,
            buttons,
        })
    }

    /// The board with its core clocked at `core_hz` instead of its file's `core_hz`, checked
    /// as the file's is: the family's PLL makes it from the oscillator (or it is the
    /// oscillator's) and the UART's bit at the board's baud rate is a whole number of its
    /// cycles.
    pub fn with_core_hz(self, core_hz: u64) -> Result<Board, BoardError> {
        check_core_clock(self.family, self.clock_hz, core_hz, self.baud).map_err(
            |(field, value, reason)| BoardError::Invalid {
                origin: format!("board {} with its core at {core_hz} Hz", self.name),
                field: field.to_string(),
                value: value.to_string(),
                reason,
            },
        )?;
        Ok(Board { core_hz, ..self })
    }

    /// The board's network profile, validated from its embedded copy in [`NETWORKS`]: no file
    /// is read.
    pub fn network_config(&self) -> Result<NetworkConfig, BoardError> {
        let invalid = |reason: String| BoardError::Invalid {
            origin: format!("board {}", self.name),
            field: "network".to_string(),
            value: quoted(&self.network),
            reason,
        };
        let (path, text) = NETWORKS
            .iter()
            .find(|(path, _)| *path == self.network)
            .ok_or_else(|| invalid(format!("the embedded profiles are {}", profile_paths())))?;
        NetworkConfig::from_toml_str(text, &format!("<embedded {path}>"))
            .map_err(|e| invalid(e.to_string()))
    }

    /// The pin constraints (`.pcf` for iCE40, `.lpf` for ECP5) of the board's top-level ports.
    pub fn constraints(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Generated from boards/{}.toml by spikeforge-hdl; `cargo run --bin gen-verilog -- \
             --write-constraints` regenerates it.",
            self.name
        );
        let mut ports = vec![
            ("clock_in", self.clock_pin.as_str()),
            ("uart_rx", self.uart_rx_pin.as_str()),
            ("uart_tx", self.uart_tx_pin.as_str()),
        ];
        for led in &self.leds {
            ports.push((led.name.as_str(), led.pin.as_str()));
        }
        // The reset button, pulled to its released level (the iCE40 has pull-ups only).
        let button = self.reset_button();
        match self.family {
            BoardFamily::Ice40 => {
                for (port, pin) in ports {
                    let _ = writeln!(out, "set_io {port} {pin}");
                }
                if let Some(b) = button {
                    let pull = if b.active_low { "-pullup yes " } else { "" };
                    let _ = writeln!(out, "set_io {pull}{} {}", b.name, b.pin);
                }
            }
            BoardFamily::Ecp5 => {
                for (port, pin) in ports {
                    let _ = writeln!(out, "LOCATE COMP \"{port}\" SITE \"{pin}\";");
                    let _ = writeln!(out, "IOBUF PORT \"{port}\" IO_TYPE=LVCMOS33;");
                }
                if let Some(b) = button {
                    let pull = if b.active_low { "UP" } else { "DOWN" };
                    let _ = writeln!(out, "LOCATE COMP \"{}\" SITE \"{}\";", b.name, b.pin);
                    let _ = writeln!(
                        out,
                        "IOBUF PORT \"{}\" IO_TYPE=LVCMOS33 PULLMODE={pull};",
                        b.name
                    );
                }
                let _ = writeln!(
                    out,
                    "FREQUENCY PORT \"clock_in\" {} MHZ;",
                    mhz(self.clock_hz)
                );
            }
        }
        out
    }

    /// The button that resets the chip, if the board has one.
    pub fn reset_button(&self) -> Option<&Button> {
        self.buttons.iter().find(|b| b.resets)
    }

    /// File name of the constraints in `constraints/`.
    pub fn constraints_file(&self) -> String {
        format!("{}.{}", self.name, self.family.constraints_extension())
    }

    /// The programmer's command line for `bitstream`.
    pub fn flash_command(&self, bitstream: &Path) -> Vec<String> {
        let mut command = vec![self.flash_tool.clone()];
        command.extend(self.flash_args.iter().cloned());
        command.push(bitstream.display().to_string());
        command
    }
}

/// The paths of [`NETWORKS`], for messages.
fn profile_paths() -> String {
    NETWORKS
        .iter()
        .map(|(path, _)| *path)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` in quotes, its special characters escaped, for a message of one line.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// A port name of `board_top`: a Verilog identifier (`[A-Za-z_][A-Za-z0-9_]*`) that is no
/// keyword and none of [`TOP_NAMES`].
fn check_port_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "a port name is a Verilog identifier: letters, digits and _, not starting with a \
             digit"
                .to_string(),
        );
    }
    if VERILOG_KEYWORDS.contains(&name) {
        return Err("a Verilog keyword cannot name a port".to_string());
    }
    if TOP_NAMES.contains(&name) {
        return Err(format!(
            "board_top already declares it; its names are {}",
            TOP_NAMES.join(", ")
        ));
    }
    Ok(())
}

/// A board name: a plain file stem (the board's directory under `--out` and its constraints
/// file are named after it).
fn check_file_stem(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    let first = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if first && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err("a board name is a file stem: letters, digits, - and _, starting with a letter or digit")
    }
}

/// A description: one line of text, which `board.v` carries in a comment.
fn check_comment(text: &str) -> Result<(), &'static str> {
    if text.chars().any(char::is_control) || text.contains("*/") {
        Err("a description is one line without control characters or */ (it becomes a Verilog comment)")
    } else {
        Ok(())
    }
}

/// `hz` in MHz with up to three decimals and no trailing zeros.
pub fn mhz(hz: u64) -> String {
    let text = format!("{:.3}", hz as f64 / 1e6);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_validates() {
        for (name, _) in BOARDS {
            let board = Board::named(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&board.name, name);
        }
    }

    /// Regression: `gen-verilog --board` read the board's network through a path fixed at
    /// build time, which an installed binary cannot find. The profiles are embedded, each
    /// board names one of them, and a board naming another file is refused.
    #[test]
    fn every_board_finds_its_network_profile_embedded() {
        let names: Vec<String> = BOARDS
            .iter()
            .map(|(name, _)| {
                let board = Board::named(name).unwrap_or_else(|e| panic!("{e}"));
                board
                    .network_config()
                    .unwrap_or_else(|e| panic!("{e}"))
                    .name
            })
            .collect();
        assert_eq!(names, ["digits", "digits", "digits", "digits-hx8k"]);
        let good = BOARDS[0].1;
        let err = Board::from_toml_str(
            &good.replace("networks/digits.toml", "networks/mine.toml"),
            "test.toml",
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "test.toml: network = \"networks/mine.toml\": the embedded profiles are \
                 networks/digits.toml, networks/hx8k.toml"
            )
        );
        let mut board = Board::named("icebreaker").unwrap_or_else(|e| panic!("{e}"));
        board.network = "networks/mine.toml".to_string();
        let err = board.network_config().err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.starts_with(
                "board icebreaker: network = \"networks/mine.toml\": the embedded profiles"
            )),
            "{err:?}"
        );
    }

    /// The checked-in constraints are exactly what the board files generate.
    #[test]
    fn checked_in_constraints_match_the_board_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../constraints");
        for (name, _) in BOARDS {
            let board = Board::named(name).unwrap_or_else(|e| panic!("{e}"));
            let path = dir.join(board.constraints_file());
            let on_disk = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                on_disk,
                board.constraints(),
                "{} differs from boards/{name}.toml; regenerate with `cargo run --bin \
                 gen-verilog -- --write-constraints`",
                path.display()
            );
        }
    }

    /// Regression: an LED named `uart_tx`, `clock_in` or `wire`, or two of one name, reached
    /// `board.v` (duplicate ports or a syntax error), a description with a newline landed in
    /// it as code, and a board name such as `../..` was joined to `--out`.
    #[test]
    fn names_and_descriptions_are_checked_before_they_reach_the_verilog() {
        let good = BOARDS[0].1;
        let led = |name: &str| good.replace("name = \"led_red\"", &format!("name = {name:?}"));
        let mut cases = vec![];
        for port in [
            "uart_tx",
            "clock_in",
            "uart_rx",
            "core_clock",
            "active",
            "pll",
            "chip_reset",
            "power_on",
        ] {
            cases.push((
                led(port),
                format!("leds[0].name = \"{port}\": board_top already declares it"),
            ));
        }
        for (name, reason) in [
            ("wire", "a Verilog keyword cannot name a port"),
            ("endmodule", "a Verilog keyword cannot name a port"),
            ("1led", "a port name is a Verilog identifier"),
            ("led-red", "a port name is a Verilog identifier"),
            ("led red", "a port name is a Verilog identifier"),
            ("", "a port name is a Verilog identifier"),
            ("led_green", "the name is also leds[0].name"),
        ] {
            let field = if name == "led_green" {
                "leds[1].name"
            } else {
                "leds[0].name"
            };
            cases.push((led(name), format!("{field} = {name:?}: {reason}")));
        }
        cases.push((
            good.replace("name = \"button\"", "name = \"led_green\""),
            "buttons[0].name = \"led_green\": the name is also leds[1].name".to_string(),
        ));
        cases.push((
            format!("{good}\n[[buttons]]\nname = \"b2\"\npin = \"12\"\nactive_low = true\nresets = true\n"),
            "buttons[1].resets = true: buttons[0] already resets the chip; one button does"
                .to_string(),
        ));
        cases.push((
            good.replace("name = \"button\"", "name = \"input\""),
            "buttons[0].name = \"input\": a Verilog keyword".to_string(),
        ));
        for (description, shown) in [
            ("x\\nassign uart_tx = 1;", "\"x\\nassign uart_tx = 1;\""),
            ("x\\r", "\"x\\r\""),
            ("x */ y", "\"x */ y\""),
        ] {
            cases.push((
                good.replace(
                    "description = \"1BitSquared iCEBreaker (iCE40 UP5K-SG48)\"",
                    &format!("description = \"{description}\""),
                ),
                format!("description = {shown}: a description is one line"),
            ));
        }
        for name in ["../..", "a/b", "", ".hidden", "x y", "..\\x"] {
            let toml_name = name.replace('\\', "\\\\");
            cases.push((
                good.replace("name = \"icebreaker\"", &format!("name = \"{toml_name}\"")),
                format!("name = {name:?}: a board name is a file stem"),
            ));
        }
        for (text, want) in cases {
            let err = Board::from_toml_str(&text, "test.toml")
                .err()
                .map(|e| e.to_string());
            let err = err.unwrap_or_else(|| panic!("accepted a board with {want}"));
            assert_eq!(err.lines().count(), 1, "{err:?}");
            assert!(err.starts_with("test.toml: "), "{err}");
            assert!(err.contains(&want), "{err} does not name {want}");
        }
        // Any Verilog identifier that is free is fine, upper case and a leading _ included.
        for name in ["LED_R", "_led", "led9"] {
            let board =
                Board::from_toml_str(&led(name), "test.toml").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(board.leds[0].name, name);
        }
    }

    #[test]
    fn bad_board_files_are_refused_with_the_field_named() {
        let good = BOARDS[0].1;
        let cases = [
            (
                good.replace("family = \"ice40\"", "family = \"xilinx\""),
                "family = xilinx",
            ),
            (
                good.replace("device = \"up5k\"", "device = \"up9k\""),
                "device = up9k",
            ),
            (
                good.replace("baud = 1_000_000", "baud = 6_000_000"),
                "baud = 6000000",
            ),
            (
                good.replace("uart_tx_pin = \"9\"", "uart_tx_pin = \"6\""),
                "the pin is also uart_rx_pin",
            ),
            (good.replace("lanes = 1", "lanes = 0"), "lanes = 0"),
            (
                good.replace("core_hz = 20_250_000", "core_hz = 5_000_000"),
                "core_hz = 5000000",
            ),
            (
                BOARDS[1].1.replace(
                    "core_hz = 50_000_000",
                    "core_hz = 50_000_000\npll_pad = true",
                ),
                "pll_pad = true: only an iCE40's PLL has a pad of its own",
            ),
            (
                good.replace("spram = true", "spram = false"),
                "paired_banks = true: paired banks serve weights in SPRAM, and spram = false",
            ),
            (
                good.replace("shows = \"active\"", "shows = \"blink\""),
                "leds[0].shows = blink",
            ),
            (
                good.replace("name = \"icebreaker\"", "nme = \"icebreaker\""),
                "unknown field `nme`",
            ),
        ];
        for (text, want) in cases {
            let err = Board::from_toml_str(&text, "test.toml")
                .err()
                .map(|e| e.to_string());
            let err = err.unwrap_or_else(|| panic!("accepted a board with {want}"));
            assert!(err.starts_with("test.toml: "), "{err}");
            assert!(err.contains(want), "{err} does not name {want}");
        }
        assert_eq!(
            Board::named("nexys").err().map(|e| e.to_string()),
            Some(
                "unknown board \"nexys\"; the boards are icebreaker, ulx3s-85f, \
                 orangecrab-25f, alchitry-cu"
                    .to_string()
            )
        );
    }
}
