//! `driftlab`: the command-line tool, a thin shell over the library.
//!
//! Every command prints JSON on stdout (or CSV where it says so), reports errors on
//! stderr with exit code 1, and shows progress on stderr for long work.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The tool is native only; a wasm32 build of the package (for its tests) gets an empty `main`.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use driftlab::{dataset, profile::Profile, table};
    use std::{io::Write, path::PathBuf, process::ExitCode};

    #[derive(Parser)]
    #[command(
        name = "driftlab",
        version,
        about = "Train, score and watch models for drift, from the command line"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// List the built-in datasets (JSON).
        Datasets,
        /// Write a built-in dataset as CSV to stdout.
        Dataset {
            /// Dataset name (see `driftlab datasets`).
            name: String,
            /// Rows to generate or sample.
            #[arg(long)]
            rows: Option<usize>,
            /// Random seed.
            #[arg(long)]
            seed: Option<u64>,
            /// Drift in [0, 1] for datasets that take it (fraud).
            #[arg(long)]
            drift: Option<f64>,
        },
        /// Print the JSON profile of a CSV file.
        Profile {
            /// The CSV file.
            #[arg(long)]
            data: PathBuf,
            /// A target column, to check its class balance.
            #[arg(long)]
            target: Option<String>,
        },
    }

    pub fn main() -> ExitCode {
        match run(Cli::parse()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("driftlab: {e}");
                ExitCode::FAILURE
            }
        }
    }

    type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

    fn run(cli: Cli) -> Result<()> {
        match cli.command {
            Command::Datasets => print_json(&dataset::list()),
            Command::Dataset {
                name,
                rows,
                seed,
                drift,
            } => {
                let csv = dataset::generate(&name, &dataset::DatasetOptions { rows, seed, drift })?;
                std::io::stdout().lock().write_all(&csv)?;
                Ok(())
            }
            Command::Profile { data, target } => {
                let read = read_table(&data)?;
                for note in &read.notes {
                    eprintln!("note: {note}");
                }
                print_json(&Profile::from_table(&read.table, target.as_deref())?)
            }
        }
    }

    fn read_table(path: &PathBuf) -> Result<table::CsvRead> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let spinner = indicatif::ProgressBar::new_spinner()
            .with_message(format!("reading {}", path.display()));
        if bytes.len() > 8 << 20 {
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        let read = table::read_csv(&bytes, &table::ReadOptions::default())
            .map_err(|e| format!("{}: {e}", path.display()));
        spinner.finish_and_clear();
        Ok(read?)
    }

    fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        Ok(())
    }
}
