//! `spikeforge`: load a network onto a chip, train it on a dataset, watch its progress, read
//! back what it learned and compare it with the golden model. See `spikeforge --help`.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            err.exit()
        }
        Err(err) => {
            // One line: clap's message up to its usage hint, its lines joined.
            let text = err.to_string();
            let message = text.split("\n\n").next().unwrap_or(&text);
            let line: Vec<&str> = message.lines().map(str::trim).collect();
            eprintln!("{}", line.join(" "));
            return ExitCode::from(2);
        }
    };
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
