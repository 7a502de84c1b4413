//! The `spikeforge` command line: one file per subcommand (`struct Cmd` and its `run`), the
//! shared options here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use spikeforge_boards::Board;
use spikeforge_host::client::{Client, LinkStats, Timing};
use spikeforge_host::transport::{Corrupt, Cosim, Port, Serial, SimChip, Transport, PORT_CHOICES};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::{Dataset, DatasetSpec};

mod cosim;
mod dump;
mod identify;
mod infer;
mod load;
mod nir;
mod plot;
mod reset;
mod train;
mod verify;

/// Use a spikeforge chip: load a network, train it on a dataset, read back what it learned
/// and compare it with the golden model.
#[derive(Debug, Parser)]
#[command(name = "spikeforge", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the chip's identity and link counters.
    Identify(identify::Cmd),
    /// Reset the chip (every register to its power-up value; the memories are kept).
    Reset(reset::Cmd),
    /// Load a network (and weights) onto the chip and read it back.
    Load(load::Cmd),
    /// Train on the chip; progress on stderr, test accuracy on stdout.
    Train(train::Cmd),
    /// Classify test samples on the chip: accuracy and confusion matrix.
    Infer(infer::Cmd),
    /// Read weights and state from the chip into a JSON file.
    Dump(dump::Cmd),
    /// Run the same samples on the chip and the golden model and compare everything.
    Verify(verify::Cmd),
    /// NIR graphs: export a trained network, import one trained elsewhere.
    #[command(subcommand)]
    Nir(nir::Cmd),
    /// Draw SVG figures: spike raster, weight images, accuracy curve.
    Plot(plot::Cmd),
    /// Serve a chip model at a pseudo-terminal, for `--port /dev/pts/N`.
    Cosim(cosim::Cmd),
}

/// Run one command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Identify(cmd) => cmd.run(),
        Command::Reset(cmd) => cmd.run(),
        Command::Load(cmd) => cmd.run(),
        Command::Train(cmd) => cmd.run(),
        Command::Infer(cmd) => cmd.run(),
        Command::Dump(cmd) => cmd.run(),
        Command::Verify(cmd) => cmd.run(),
        Command::Nir(cmd) => cmd.run(),
        Command::Plot(cmd) => cmd.run(),
        Command::Cosim(cmd) => cmd.run(),
    }
}

/// The link to the chip.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Serial device path (`/dev/ttyUSB0`, or the pty of `spikeforge cosim --pty`), `sim` for
    /// the golden chip in this process, or `cosim` for the Verilated chip at its UART pins in
    /// this process (built with the `cosim` feature, a default one).
    #[arg(long)]
    port: Port,
    /// The board the chip runs on (`icebreaker`, `ulx3s-85f`, `orangecrab-25f`,
    /// `alchitry-cu`): its UART baud rate and core clock replace --baud and --clock-hz.
    #[arg(long, conflicts_with_all = ["baud", "clock_hz"])]
    board: Option<String>,
    /// Baud rate of a serial port (`cosim`'s line runs at the chip's clocks per bit)
    /// [default: 3000000].
    #[arg(long)]
    baud: Option<u32>,
    /// The chip's clock in Hz, for the request timeouts [default: 12000000].
    #[arg(long)]
    clock_hz: Option<u64>,
    /// Retransmissions of one request before giving up.
    #[arg(long, default_value_t = Timing::default().max_retries)]
    max_retries: u32,
    /// Wait this many milliseconds for every response, and for the link to fall quiet (at the
    /// start of a session and after a link-error response), instead of the timeouts computed
    /// from the chip's clock: for a simulated chip behind a pty (`spikeforge cosim --pty`),
    /// whose pace is that of a process on a loaded machine, not a board's.
    #[arg(long, value_name = "MS", value_parser = parse_timeout)]
    timeout_ms: Option<Duration>,
    /// Testing the link: damage bytes in both directions with this probability per byte.
    #[arg(long, requires = "corrupt_seed")]
    corrupt_rate: Option<f64>,
    /// Seed of the damage (with --corrupt-rate).
    #[arg(long, requires = "corrupt_rate")]
    corrupt_seed: Option<u64>,
}

impl LinkArgs {
    /// Open the link (the simulated chip is generated for `cfg`, the co-simulated one chosen
    /// by it) and start a session.
    pub fn connect(&self, cfg: &NetworkConfig) -> anyhow::Result<Client> {
        let (baud, clock_hz) = self.line()?;
        let link: Box<dyn Transport> =
            match &self.port {
                Port::Sim => Box::new(SimChip::new(cfg)?),
                Port::Cosim => Box::new(Cosim::new(cfg, clock_hz)?),
                Port::Serial(path) => Box::new(Serial::open(path, baud).with_context(|| {
                    format!("--port {}: expected {PORT_CHOICES}", path.display())
                })?),
            };
        let link: Box<dyn Transport> = match (self.corrupt_rate, self.corrupt_seed) {
            (Some(rate), Some(seed)) => Box::new(Corrupt::new(link, rate, seed)?),
            _ => link,
        };
        let timing = Timing {
            clock_hz,
            max_retries: self.max_retries,
            response_timeout: self.timeout_ms,
            ..Timing::default()
        };
        Ok(Client::connect(link, timing)?)
    }
}

impl LinkArgs {
    /// The serial line's baud rate and the chip's clock in Hz: the board's with `--board`,
    /// else `--baud` and `--clock-hz` or their defaults.
    pub fn line(&self) -> anyhow::Result<(u32, u64)> {
        let (baud, clock_hz) = match &self.board {
            Some(name) => {
                let board = Board::named(name)?;
                let baud = u32::try_from(board.baud).with_context(|| {
                    format!("board {name}: baud {} does not fit 32 bits", board.baud)
                })?;
                (baud, board.core_hz)
            }
            None => (
                self.baud
                    .unwrap_or(spikeforge_host::transport::serial::DEFAULT_BAUD),
                self.clock_hz.unwrap_or(Timing::default().clock_hz),
            ),
        };
        if clock_hz == 0 {
            anyhow::bail!("--clock-hz 0: the chip's clock must be positive");
        }
        Ok((baud, clock_hz))
    }
}

/// `--timeout-ms`: a positive whole number of milliseconds.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let ms: u64 = text
        .parse()
        .map_err(|err| format!("{text:?} is not a whole number of milliseconds ({err})"))?;
    if ms == 0 {
        return Err("0 ms: no response arrives in no time; give a positive timeout".to_string());
    }
    Ok(Duration::from_millis(ms))
}

/// The network (and seed) of a command.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Network TOML; the embedded default (networks/digits.toml) when left out. With
    /// `--port sim` the simulated chip is generated for it; `--port cosim` takes the Verilated
    /// chip built for it.
    #[arg(long)]
    network: Option<PathBuf>,
    /// Run seed (replaces the network's `seed`).
    #[arg(long)]
    seed: Option<u64>,
}

impl NetworkArgs {
    /// The validated network with the seed override.
    pub fn load(&self) -> anyhow::Result<NetworkConfig> {
        let mut cfg = match &self.network {
            Some(path) => NetworkConfig::from_file(path)?,
            None => NetworkConfig::default_network()?,
        };
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        Ok(cfg)
    }
}

/// Load `spec` and check that it fits `cfg`.
pub fn dataset(spec: &DatasetSpec, cfg: &NetworkConfig) -> anyhow::Result<Dataset> {
    let data = spikeforge_sim::data::load(spec)?;
    anyhow::ensure!(
        data.pixels() == cfg.inputs,
        "network {:?} has inputs = {} but dataset {spec} has {} pixels per sample",
        cfg.name,
        cfg.inputs,
        data.pixels()
    );
    anyhow::ensure!(
        data.classes == cfg.classes,
        "network {:?} has classes = {} but dataset {spec} has {} classes",
        cfg.name,
        cfg.classes,
        data.classes
    );
    Ok(data)
}

/// Print the session's link counters and the chip's on stderr (the retry count of a run).
pub fn report_link(client: &mut Client) -> anyhow::Result<LinkStats> {
    let chip = client.link_status()?;
    let stats = client.stats();
    eprintln!("link: {stats}");
    eprintln!(
        "chip link status: {} rx overflows, {} framing errors, {} link errors, {} replays",
        chip.rx_overflows, chip.framing_errors, chip.link_errors, chip.replays
    );
    Ok(stats)
}

/// Write `text` to `path`. No directory is created: commands check their outputs with
/// `spikeforge_sim::report::check_outputs` before they run.
pub fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
