//! `spikeforge identify`: the chip's identity, link counters and longest request times.

use clap::Args;
use spikeforge_host::client::{max_step_cycles, request_time};
use spikeforge_sim::wire::{build_hash, Command, Space, FLAG_CLASSIFIER_SEES_INPUT};

use super::{LinkArgs, NetworkArgs};

/// Print the chip's identity.
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
        let id = client.identity().clone();
        println!("link: {}", client.link().describe());
        println!(
            "chip: {} protocol {}",
            String::from_utf8_lossy(&id.magic),
            id.version
        );
        println!(
            "network: {} inputs, {} label inputs, {} hidden, {} classes, {} classifier rows, \
             {}-bit weights, {} steps per phase",
            id.inputs,
            id.label_inputs,
            id.hidden_sizes()
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" + "),
            id.classes,
            id.classifier_rows,
            id.weight_bits,
            id.steps
        );
        println!(
            "classifier sees input: {}",
            if id.flags & FLAG_CLASSIFIER_SEES_INPUT != 0 {
                "yes"
            } else {
                "no"
            }
        );
        println!(
            "layer parameters: {}",
            match id.parameter_hash {
                Some(hash) => format!(
                    "fixed in the logic (parameter hash {hash:016x}: only networks with these \
                     parameters load)"
                ),
                None => "registers the host writes".to_string(),
            }
        );
        let widths: Vec<String> = Space::ALL
            .iter()
            .zip(id.widths)
            .map(|(space, w)| format!("{} {w}", space.name()))
            .collect();
        println!(
            "max payload: {} bytes; value widths: {}",
            id.max_payload,
            widths.join(", ")
        );
        let same = if build_hash(&cfg) == id.build_hash {
            "same as"
        } else {
            "differs from"
        };
        println!(
            "build hash: {:#018x} ({same} network {:?})",
            id.build_hash, cfg.name
        );
        let phase = Command::RunPhase {
            word: 0,
            steps: id.steps,
        };
        let (_, clock_hz) = self.link.line()?;
        let timing = spikeforge_host::client::Timing {
            clock_hz,
            ..Default::default()
        };
        println!(
            "longest STEP: {} cycles; longest phase of {} steps: {:.1} ms at {} Hz",
            max_step_cycles(&id),
            id.steps,
            request_time(&id, &phase, 14, client.link().baud(), &timing).as_secs_f64() * 1e3,
            clock_hz
        );
        let status = client.link_status()?;
        println!(
            "link status: {} rx overflows, {} framing errors, {} link errors, {} replays",
            status.rx_overflows, status.framing_errors, status.link_errors, status.replays
        );
        eprintln!("link: {}", client.stats());
        Ok(())
    }
}
