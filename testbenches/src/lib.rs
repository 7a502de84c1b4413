//! spikeforge-testbenches
//!
//! See this crate's README: it is a placeholder until its issue lands.
