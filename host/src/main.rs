//! `spikeforge`: load a network onto a chip, train it on a dataset, watch its progress, read
//! back what it learned and compare it with the golden model. See `spikeforge --help`.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: the causes joined, newlines in them flattened.
            let line = format!("{err:#}").replace('\n', " ");
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}
