//! spikeforge-host: how people use the chip. Transports ([`transport`]), the stop-and-wait
//! protocol client ([`client`]), the chip behind the training loop's [`Model`] trait
//! ([`chip_model`]), the chip and the golden model side by side ([`lockstep`]), snapshots of
//! everything readable ([`snapshot`]), weights files ([`weights`]), NIR graphs in and out
//! ([`nir`]), SVG figures ([`plot`]) and a chip model behind a pseudo-terminal ([`pty`]). The `spikeforge` binary is the command
//! line over them.
//!
//! [`Model`]: spikeforge_sim::model::Model
pub mod chip_model;
pub mod client;
pub mod lockstep;
pub mod nir;
pub mod plot;
pub mod pty;
pub mod snapshot;
pub mod transport;
pub mod weights;
