//! `spikeforge cosim --pty`: a chip model behind a pseudo-terminal, so that every other
//! command reaches it with `--port /dev/pts/N` through the serial transport, as it reaches a
//! board.

use std::io::Write;

use clap::{Args, ValueEnum};
use spikeforge_host::client::Timing;
use spikeforge_host::pty::{Pty, Served};
use spikeforge_host::transport::{Cosim, SimChip, Transport};

use super::NetworkArgs;

/// Serve a chip model at a pseudo-terminal.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    network: NetworkArgs,
    /// Expose the chip's UART as a pseudo-terminal: print its path (`pty: /dev/pts/N`), then
    /// pass bytes both ways until killed.
    #[arg(long, required = true)]
    pty: bool,
    /// The chip behind the pty.
    #[arg(long, value_enum, default_value_t = ModelKind::Cosim)]
    model: ModelKind,
    /// Exit when the first host closes the port, instead of serving host after host.
    #[arg(long)]
    once: bool,
}

/// Which model of the chip answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModelKind {
    /// The Verilated chip built for the network, at its UART pins: bytes from the host are
    /// clocked in bit by bit on `uart_rx`, bytes decoded from `uart_tx` go back (built with
    /// the `cosim` feature, a default one).
    Cosim,
    /// The golden model (`sim::chip::Chip`), answering each byte as it arrives.
    Sim,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let cfg = self.network.load()?;
        let mut chip: Box<dyn Served> = match self.model {
            ModelKind::Cosim => Box::new(Cosim::new(&cfg, Timing::default().clock_hz)?),
            ModelKind::Sim => Box::new(SimChip::new(&cfg)?),
        };
        let pty = Pty::open()?;
        println!("pty: {}", pty.path().display());
        std::io::stdout().flush()?;
        eprintln!(
            "cosim: serving {} on {}; {}",
            chip.describe(),
            pty.path().display(),
            if self.once {
                "until the first host closes the port"
            } else {
                "until killed"
            }
        );
        let stats = pty.serve(&mut *chip, self.once, &mut |event| {
            eprintln!("cosim: {event}");
        })?;
        eprintln!(
            "cosim: {} hosts, {} bytes in, {} bytes out, {} bytes dropped with no host, {} \
             with the host's side full",
            stats.hosts, stats.bytes_in, stats.bytes_out, stats.dropped, stats.overflowed
        );
        Ok(())
    }
}
