//! spikeforge-host: how people use the chip. Transports ([`transport`]) and the stop-and-wait
//! protocol client ([`client`]).
pub mod client;
pub mod transport;
