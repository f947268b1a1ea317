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
    use driftlab::{
        dataset, detector,
        drift::{self, DriftOptions, TestKind},
        profile::Profile,
        table::{self, ColumnData},
    };
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
        /// Compare two CSV files column by column and print the drift report (JSON).
        Drift {
            /// The reference CSV (e.g. the training data).
            #[arg(long)]
            reference: PathBuf,
            /// The current CSV (e.g. last week's traffic).
            #[arg(long)]
            current: PathBuf,
            /// Only these columns, comma-separated.
            #[arg(long, value_delimiter = ',')]
            columns: Option<Vec<String>>,
            /// The test for every column, or `auto` to choose per column.
            #[arg(long, default_value = "auto")]
            test: String,
            /// The threshold for every column (a p-value for ks/chisquare/z, a distance otherwise).
            #[arg(long)]
            threshold: Option<f64>,
        },
        /// Run a streaming change detector over one column and print its alarms (JSON).
        Monitor {
            /// The CSV holding the stream, one row per observation.
            #[arg(long)]
            data: PathBuf,
            /// The numeric or boolean column to watch (for ddm/eddm: 1 = error, 0 = correct).
            #[arg(long)]
            column: String,
            /// adwin, ddm, eddm, page-hinkley or kswin.
            #[arg(long, default_value = "adwin")]
            detector: String,
            /// Detector parameters as key=value, repeatable.
            #[arg(long = "param", value_parser = parse_param)]
            params: Vec<(String, String)>,
        },
    }

    fn parse_param(s: &str) -> std::result::Result<(String, String), String> {
        s.split_once('=')
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .ok_or_else(|| format!("{s:?} is not key=value, e.g. --param delta=0.002"))
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
            Command::Drift {
                reference,
                current,
                columns,
                test,
                threshold,
            } => {
                let reference = read_table(&reference)?;
                let current = read_table(&current)?;
                let options = DriftOptions {
                    columns,
                    test: TestKind::parse_choice(&test)?,
                    threshold,
                    ..Default::default()
                };
                print_json(&drift::drift_report(
                    &reference.table,
                    &current.table,
                    &options,
                )?)
            }
            Command::Monitor {
                data,
                column,
                detector: name,
                params,
            } => {
                let read = read_table(&data)?;
                let values: Vec<f64> = match &read.table.require(&column)?.data {
                    ColumnData::Numeric(v) => v.clone(),
                    ColumnData::Boolean(v) => v.iter().map(|b| b.map_or(f64::NAN, f64::from)).collect(),
                    ColumnData::Categorical { .. } => {
                        return Err(format!(
                            "column {column:?} is categorical; monitor watches a numeric or boolean column (for ddm/eddm, 1 = error and 0 = correct)"
                        )
                        .into())
                    }
                };
                let mut detector = detector::build(&name, &params)?;
                let run = detector::run(detector.as_mut(), &values);
                print_json(&detector::RunReport::new(detector.as_ref(), run))
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
