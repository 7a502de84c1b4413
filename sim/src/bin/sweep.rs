//! `sweep`: train a grid of network variants (`--set PATH=V1,V2,...`) over seeds on a pool of
//! threads; a table best first on stdout, one CSV row per run.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::report::check_output;
use spikeforge_sim::sweep::{run_sweep, write_csv, Axis, Grid, NetworkSource, SweepOptions};
use spikeforge_sim::train::{parse_count, TrainOptions};

/// Train every combination of the `--set` values, over seeds, and rank the results.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Network TOML; the embedded default (networks/digits.toml) when left out.
    #[arg(long)]
    network: Option<PathBuf>,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// `PATH=V1,V2,...`: the values of a network field, e.g. `hidden[0].learn_shift=14,15,16`
    /// (repeatable; the grid is the product of all lists).
    #[arg(long = "set", value_name = "PATH=V1,V2,...")]
    set: Vec<String>,
    /// Run seeds (replace the network's `seed`); the network's own seed when left out.
    #[arg(long, value_delimiter = ',', value_name = "S1,S2,...")]
    seeds: Option<Vec<u64>>,
    /// Passes over the training samples.
    #[arg(long, value_parser = parse_count::<NonZeroU32>)]
    epochs: NonZeroU32,
    /// Training runs side by side, one per thread.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Write one CSV row per run here (the directory must exist).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also run the f32 reference at every point and seed.
    #[arg(long)]
    float: bool,
    /// Use only the first N training samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    train_samples: Option<NonZeroUsize>,
    /// Use only the first N test samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    test_samples: Option<NonZeroUsize>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let jobs = NonZeroUsize::new(args.jobs)
        .ok_or_else(|| anyhow::anyhow!("--jobs 0: give at least 1 thread"))?;
    let axes = args
        .set
        .iter()
        .map(|arg| arg.parse::<Axis>())
        .collect::<Result<Vec<_>, _>>()?;
    let source = NetworkSource::load(args.network.as_deref())?;
    let grid = Grid::new(&source, axes, args.seeds)?;
    if let Some(path) = &args.out {
        check_output("--out", path)?;
    }
    let dataset = spikeforge_sim::data::load(&args.dataset)?;
    grid.check_dataset(&dataset, &args.dataset)?;
    let opts = SweepOptions {
        train: TrainOptions {
            epochs: args.epochs.get(),
            train_samples: args.train_samples.map(NonZeroUsize::get),
            test_samples: args.test_samples.map(NonZeroUsize::get),
        },
        float: args.float,
        jobs,
    };
    eprintln!(
        "sweep: {} point(s), {} run(s) on {jobs} thread(s)",
        grid.points().len(),
        grid.runs(opts.float).len()
    );
    let results = run_sweep(&grid, &dataset, &opts, &|done, total, result| {
        eprintln!("{}", grid.progress_line(done, total, result));
    })?;
    print!("{}", grid.table(&grid.summaries(&results)));
    if let Some(path) = &args.out {
        write_csv(path, &grid.csv(&results))?;
        eprintln!("wrote {} run(s) to {}", results.len(), path.display());
    }
    Ok(())
}
