//! `spikeforge reset`: the chip's RESET request.

use clap::Args;

use super::{LinkArgs, NetworkArgs};

/// Reset the chip: every register back at its power-up value, the memories kept.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let cfg = self.network.load()?;
        let mut client = self.link.connect(&cfg)?;
        client.reset()?;
        let status = client.link_status()?;
        println!(
            "reset: every register of the chip is at its power-up value (link counters {} {} \
             {} {}); its memories are as they were: load the network before the next step \
             (`spikeforge load`)",
            status.rx_overflows, status.framing_errors, status.link_errors, status.replays
        );
        eprintln!("link: {}", client.stats());
        Ok(())
    }
}
