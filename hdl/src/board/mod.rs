//! Boards: the board files and their types are `spikeforge_boards`' (re-exported here, readable
//! without rust-hdl); the flow from a network to a bitstream on a board is [`flow`].
pub use spikeforge_boards::*;

pub mod flow;
