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
    use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
    use driftlab::{
        artifact::Artifact,
        dataset,
        defaults::DEFAULTS,
        detector,
        drift::{self, DriftOptions, TestKind},
        metrics::{self, Predicted},
        prep::{ColumnSpec, PipelineSpec},
        profile::Profile,
        score,
        table::{self, ColumnData},
        train::{self, ModelKind, ModelParams, TrainError, TrainRequest},
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
            /// Noise in [0, 0.5] for the 2-D sets (moons, circles, xor, spirals, blobs,
            /// gaussian, plane, multi-gaussian).
            #[arg(long)]
            noise: Option<f64>,
        },
        /// Print the JSON profile of a CSV, Parquet or Arrow file.
        Profile {
            /// The CSV, Parquet or Arrow file.
            #[arg(long)]
            data: PathBuf,
            /// A target column, to check its class balance.
            #[arg(long)]
            target: Option<String>,
        },
        /// Train a model on a CSV, Parquet or Arrow file and write its artifact (JSON); prints the test metrics.
        ///
        /// By default a stratified quarter of the rows is held out for the metrics;
        /// `--test-fraction 0` trains on every row, `--test FILE` trains on every row and
        /// judges the model on FILE.
        Train {
            /// The training CSV, Parquet or Arrow file.
            #[arg(long)]
            data: PathBuf,
            /// The target column (leave out for kmeans).
            #[arg(long)]
            target: Option<String>,
            /// The model kind.
            #[arg(long, value_parser = model_kinds())]
            model: ModelKind,
            /// Hyperparameters as key=value, repeatable (`--help` lists each kind's).
            #[arg(long = "param", long_help = params_help())]
            params: Vec<String>,
            /// Share of rows held out for testing, in [0, 1); 0 trains on every row and
            /// prints no test metrics [default: 0.25, or 0 with --test].
            #[arg(long)]
            test_fraction: Option<f64>,
            /// A CSV, Parquet or Arrow file to judge the model on: train on every row of --data, print the metrics
            /// on this file and keep them in the artifact.
            #[arg(long, value_name = "FILE")]
            test: Option<PathBuf>,
            /// Keep a column that the default pipeline drops (one like an identifier, or
            /// free text with over 50 categories; the output lists them with the reason).
            /// Repeatable or comma-separated.
            #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
            keep: Vec<String>,
            /// Numeric columns keep their missing cells for the model instead of the
            /// training mean: tree, forest and boosting learn at every split which side a
            /// missing value goes (other models refuse it).
            #[arg(long)]
            keep_missing: bool,
            /// Add a derived input computed from numeric columns after scaling: `x^2`,
            /// `x*y` or `sin(x)` (x and y column names). Repeatable.
            #[arg(long, value_name = "CROSS")]
            feature: Vec<String>,
            /// Seed of the split and of randomised trainers.
            #[arg(long, default_value_t = DEFAULTS.seed)]
            seed: u64,
            /// Where to write the artifact.
            #[arg(long)]
            out: PathBuf,
        },
        /// Turn an ONNX model (from skl2onnx or onnxmltools) into a driftlab artifact (JSON summary).
        ///
        /// The reference table (CSV, Parquet or Arrow: the training data, or rows like it) feeds the
        /// graph's inputs and becomes the model's drift reference: one graph input per column
        /// named after it, or one numeric input as wide as the table's columns besides the
        /// target, in order.
        #[cfg(feature = "onnx")]
        Import {
            /// The ONNX file.
            #[arg(long)]
            model: PathBuf,
            /// The reference table (CSV, Parquet or Arrow).
            #[arg(long)]
            reference: PathBuf,
            /// The reference's target column, if it has one (not an input).
            #[arg(long)]
            target: Option<String>,
            /// Where to write the artifact.
            #[arg(long)]
            out: PathBuf,
        },
        /// Score a CSV, Parquet or Arrow file with a model: CSV (or Parquet, for an --out ending in
        /// .parquet) with `prediction` and, for classifiers, `p_<class>`.
        Score {
            /// The model artifact.
            #[arg(long)]
            model: PathBuf,
            /// The CSV, Parquet or Arrow file to score (streamed: any size, constant memory).
            #[arg(long)]
            data: PathBuf,
            /// Where to write the scores (default: CSV on stdout); a name ending in .parquet
            /// gets a Parquet file, written row group by row group.
            #[arg(long)]
            out: Option<PathBuf>,
        },
        /// Score a labelled CSV, Parquet or Arrow file with a model and print its metrics (JSON).
        Evaluate {
            /// The model artifact.
            #[arg(long)]
            model: PathBuf,
            /// The labelled CSV, Parquet or Arrow file.
            #[arg(long)]
            data: PathBuf,
            /// The column holding the true labels or values.
            #[arg(long)]
            target: String,
        },
        /// Metrics of predictions already in a CSV, Parquet or Arrow file (JSON).
        Metrics {
            /// The CSV, Parquet or Arrow file.
            #[arg(long)]
            data: PathBuf,
            /// The column holding the true labels or values.
            #[arg(long)]
            target: String,
            /// A column of positive-class scores (binary classification).
            #[arg(
                long,
                conflicts_with = "prediction",
                required_unless_present = "prediction"
            )]
            score: Option<String>,
            /// A column of predicted labels or values.
            #[arg(long)]
            prediction: Option<String>,
            /// The positive label.
            #[arg(long)]
            positive: Option<String>,
            /// The decision threshold for --score.
            #[arg(long, default_value_t = 0.5)]
            threshold: f64,
        },
        /// Write the edge bundle of a model: worker.js, the scorer .wasm, model.json, wrangler.toml, serve.mjs, README.
        /// With --format onnx, write the model and its pipeline as one ONNX file instead.
        ///
        /// The scorer is built into the binary when pkg/edge/driftlab_edge.wasm existed when it
        /// was compiled; otherwise pass --wasm PATH (or set DRIFTLAB_EDGE_WASM).
        Export {
            /// The model artifact.
            #[arg(long)]
            model: PathBuf,
            /// The bundle folder to write (created if needed), or with --format onnx the .onnx file.
            #[arg(long)]
            out: PathBuf,
            /// `bundle`: the edge bundle; `onnx`: an ONNX model (one input per column, outputs
            /// `label` and `probabilities`, or `variable`) for onnxruntime and other ONNX runtimes.
            #[arg(long, value_enum, ignore_case = true, default_value_t = ExportFormat::Bundle)]
            format: ExportFormat,
            /// The edge scorer to bundle (a driftlab_edge.wasm that `make wasm` builds).
            #[arg(long, env = "DRIFTLAB_EDGE_WASM", value_name = "PATH", long_help = WASM_HELP)]
            wasm: Option<PathBuf>,
        },
        /// Compare two CSV, Parquet or Arrow files column by column and print the drift report (JSON).
        Drift {
            /// The reference CSV, Parquet or Arrow file (e.g. the training data).
            #[arg(long)]
            reference: PathBuf,
            /// The current CSV, Parquet or Arrow file (e.g. last week's traffic).
            #[arg(long)]
            current: PathBuf,
            /// Only these columns, comma-separated.
            #[arg(long, value_delimiter = ',')]
            columns: Option<Vec<String>>,
            /// The test for every column, or `auto` to choose per column.
            #[arg(long, value_enum, ignore_case = true, default_value_t = DriftTest::Auto)]
            test: DriftTest,
            /// The threshold for every column (a p-value for ks/chisquare/z, a distance otherwise).
            #[arg(long)]
            threshold: Option<f64>,
        },
        /// Run a streaming change detector over one column and print its alarms (JSON).
        Monitor {
            /// The CSV, Parquet or Arrow file holding the stream, one row per observation.
            #[arg(long)]
            data: PathBuf,
            /// The numeric or boolean column to watch (for ddm/eddm: 1 = error, 0 = correct).
            #[arg(long)]
            column: String,
            /// The change detector.
            #[arg(long, value_enum, ignore_case = true, default_value_t = DetectorName::Adwin)]
            detector: DetectorName,
            /// Detector parameters as key=value, repeatable (an unknown key is an error naming the valid ones).
            #[arg(long = "param", value_parser = parse_param)]
            params: Vec<(String, String)>,
        },
        /// Drive a running edge bundle: send a CSV's rows to its /score in batches, and
        /// their labels to /labels some batches later (JSON summary, with /monitor at the end).
        ///
        /// The target column (the bundle's /model names it) is left out of the rows and sent
        /// as the labels. For demos and tests, e.g. `driftlab dataset fraud --drift 1`.
        Replay {
            /// The bundle's base URL, e.g. http://127.0.0.1:8787 (plain HTTP).
            #[arg(long)]
            url: String,
            /// The rows (CSV, Parquet or Arrow).
            #[arg(long)]
            data: PathBuf,
            /// Send a batch's labels this many batches after the batch (0: right after it);
            /// without it, no labels are sent.
            #[arg(long, value_name = "N")]
            labels_after: Option<usize>,
            /// Rows per second at most (default: as fast as the bundle answers).
            #[arg(long, value_name = "R")]
            rate: Option<f64>,
            /// Rows per /score request.
            #[arg(long, default_value_t = 100)]
            batch: usize,
            /// The bearer token, when the bundle has DRIFTLAB_TOKEN set.
            #[arg(long, env = "DRIFTLAB_TOKEN", hide_env_values = true)]
            token: Option<String>,
        },
        /// Print a shell completion script, e.g. `driftlab completions bash > /etc/bash_completion.d/driftlab`.
        Completions {
            /// The shell.
            shell: clap_complete::Shell,
        },
    }

    /// The edge scorer built into this binary (see build.rs).
    #[cfg(driftlab_edge_embedded)]
    const EMBEDDED_EDGE: Option<&[u8]> = Some(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/driftlab_edge.wasm"
    )));
    #[cfg(not(driftlab_edge_embedded))]
    const EMBEDDED_EDGE: Option<&[u8]> = None;
    /// The edge monitor module built in beside it (the bundle's Durable Object runs it).
    #[cfg(driftlab_monitor_embedded)]
    const EMBEDDED_MONITOR: Option<&[u8]> = Some(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/driftlab_monitor.wasm"
    )));
    #[cfg(not(driftlab_monitor_embedded))]
    const EMBEDDED_MONITOR: Option<&[u8]> = None;

    #[cfg(driftlab_edge_embedded)]
    const WASM_HELP: &str = "The edge scorer to bundle. Default: the one built into this binary \
        (from pkg/edge/driftlab_edge.wasm when it was compiled).";
    #[cfg(not(driftlab_edge_embedded))]
    const WASM_HELP: &str = "The edge scorer to bundle: a driftlab_edge.wasm, which `make wasm` \
        writes to pkg/edge/ of a checkout. This binary has none built in (it was compiled \
        before `make wasm`; build it again after to carry one), so the default is \
        pkg/edge/driftlab_edge.wasm in the working directory or in the checkout this binary \
        was built in.";

    /// Where no scorer is built in and none is found: how to point at one.
    const NO_EDGE_SCORER: &str = "this driftlab has no edge scorer built in and found none at pkg/edge/driftlab_edge.wasm: pass --wasm PATH or set DRIFTLAB_EDGE_WASM=PATH to a driftlab_edge.wasm (in a checkout, `make wasm` builds one at pkg/edge/driftlab_edge.wasm, and a `cargo build` after it builds it into the binary)";

    /// `export --format`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum ExportFormat {
        /// The edge bundle (a folder).
        Bundle,
        /// One ONNX file.
        Onnx,
    }

    /// `drift --test`: the core's tests ([`TestKind`]) and `auto`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum DriftTest {
        /// Per column: ks, chisquare or z up to 1,000 reference rows, wasserstein or jensenshannon above.
        Auto,
        /// Two-sample Kolmogorov–Smirnov (p-value; numeric columns).
        Ks,
        /// Chi-square goodness of fit against the reference proportions (p-value).
        Chisquare,
        /// Two-proportion z-test (p-value; two categories).
        Z,
        /// Population Stability Index (distance).
        Psi,
        /// Jensen–Shannon distance, base 2.
        #[value(alias = "js")]
        Jensenshannon,
        /// Wasserstein distance in reference standard deviations (numeric columns).
        Wasserstein,
    }

    impl DriftTest {
        fn kind(self) -> Option<TestKind> {
            match self {
                DriftTest::Auto => None,
                DriftTest::Ks => Some(TestKind::Ks),
                DriftTest::Chisquare => Some(TestKind::Chisquare),
                DriftTest::Z => Some(TestKind::Z),
                DriftTest::Psi => Some(TestKind::Psi),
                DriftTest::Jensenshannon => Some(TestKind::Jensenshannon),
                DriftTest::Wasserstein => Some(TestKind::Wasserstein),
            }
        }
    }

    /// `monitor --detector`: the detectors [`detector::build`] knows.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum DetectorName {
        /// ADaptive WINdowing: a change in the mean of a numeric stream.
        Adwin,
        /// Drift Detection Method: a rise in the error rate of a 0/1 stream (1 = error).
        Ddm,
        /// Early DDM: the distance between errors of a 0/1 stream shrinks (1 = error).
        Eddm,
        /// Page-Hinkley: a cumulative shift of the mean, up, down or both.
        #[value(alias = "pagehinkley", alias = "ph")]
        PageHinkley,
        /// KS WINdowing: a KS test between a recent and an older window.
        Kswin,
    }

    /// `--model`'s choices, each with its one-line summary, from the registry.
    fn model_kinds() -> impl clap::builder::TypedValueParser<Value = ModelKind> {
        use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
        let kinds = ModelKind::ALL.map(|k| PossibleValue::new(k.name()).help(k.summary()));
        PossibleValuesParser::new(kinds).try_map(|s: String| ModelKind::parse(&s))
    }

    /// `--param`'s long help: every kind's parameters with default, range and doc, from the
    /// catalog.
    fn params_help() -> String {
        let mut text = String::from(
            "Hyperparameters as key=value, repeatable. Each kind's, with its default and range:\n",
        );
        for kind in driftlab::models::catalog() {
            text.push_str(&format!("\n{}\n", kind.kind));
            for p in &kind.params {
                let key = format!("{}={}", p.name, p.default);
                text.push_str(&format!("  {key:<32} {}; {}\n", p.range, p.doc));
            }
        }
        text
    }

    fn parse_param(s: &str) -> std::result::Result<(String, String), String> {
        s.split_once('=')
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .ok_or_else(|| format!("{s:?} is not key=value, e.g. --param delta=0.002"))
    }

    pub fn main() -> ExitCode {
        // the Parquet and Arrow readers turn a panic of the parquet or arrow crates on a
        // malformed file into an error naming where (src/table/): its backtrace is not shown
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info
                .location()
                .is_some_and(|l| l.file().contains("/parquet-") || l.file().contains("/arrow-"))
            {
                default_hook(info)
            }
        }));
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
            Command::Replay {
                url,
                data,
                labels_after,
                rate,
                batch,
                token,
            } => {
                let read = read_table(&data)?;
                print_json(&replay::run(
                    &url,
                    &read.table,
                    labels_after,
                    rate,
                    batch,
                    token.as_deref(),
                )?)
            }
            Command::Completions { shell } => {
                // into memory first: clap_complete panics on a failed write (a closed pipe)
                let mut script = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "driftlab", &mut script);
                std::io::stdout().lock().write_all(&script)?;
                Ok(())
            }
            Command::Dataset {
                name,
                rows,
                seed,
                drift,
                noise,
            } => {
                let csv = dataset::generate(
                    &name,
                    &dataset::DatasetOptions {
                        rows,
                        seed,
                        drift,
                        noise,
                    },
                )?;
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
            Command::Train {
                data,
                target,
                model,
                params,
                test_fraction,
                test,
                keep,
                keep_missing,
                feature,
                seed,
                out,
            } => {
                let test_fraction = match (test_fraction, &test) {
                    (Some(f), Some(_)) if f != 0.0 => return Err(format!(
                        "--test {} judges the model on that file, so no rows of --data are held out; drop --test-fraction {f} (or drop --test to hold out rows of --data)",
                        test.as_ref().map_or(String::new(), |t| t.display().to_string())
                    )
                    .into()),
                    (_, Some(_)) => 0.0,
                    (f, None) => f.unwrap_or(DEFAULTS.test_fraction),
                };
                let read = read_table(&data)?;
                let test_read = test.as_ref().map(read_table).transpose()?;
                let kind = model;
                let mut pipeline = default_pipeline(&read.table, target.as_deref(), &keep)?;
                if keep_missing {
                    pipeline.keep_missing();
                }
                for f in &feature {
                    pipeline
                        .crosses
                        .push(driftlab::prep::Cross::parse(f).ok_or_else(|| {
                            format!("--feature {f}: write x^2, x*y or sin(x) with column names")
                        })?);
                }
                let dropped: Vec<_> = pipeline
                    .reasons
                    .iter()
                    .map(|(column, reason)| serde_json::json!({"column": column, "reason": reason}))
                    .collect();
                let mut notes: Vec<String> = pipeline
                    .reasons
                    .iter()
                    .map(|(column, reason)| {
                        format!("{column:?} is left out of the features: {reason}; keep it with --keep {column}")
                    })
                    .collect();
                let request = TrainRequest {
                    target,
                    kind,
                    params: ModelParams::parse(kind, &params)?,
                    test_fraction,
                    seed,
                    pipeline: Some(pipeline),
                    task: Default::default(),
                    created: now_rfc3339(),
                    parent: None,
                };
                let bar = spinner(&format!("training {model}"));
                let mut progress = |p: train::Progress| {
                    bar.set_message(format!("training {model}: {}", p.stage));
                };
                let trained = match (&test_read, &test) {
                    (Some(t), Some(path)) => {
                        train::train_with_test(&read.table, &t.table, &request, &mut progress)
                            .map_err(|e| match e {
                                TrainError::TestTable(e) => {
                                    format!("{} (--test): {e}", path.display())
                                }
                                e => e.to_string(),
                            })
                    }
                    _ => train::train(&read.table, &request, &mut progress)
                        .map_err(|e| e.to_string()),
                };
                bar.finish_and_clear();
                let (artifact, evaluation) = trained?;
                if evaluation.metrics.is_none() {
                    notes.push(
                        "no rows were held out (--test-fraction 0): the model trained on every row and has no test metrics; judge it with --test FILE or `driftlab evaluate`"
                            .to_owned(),
                    );
                }
                for note in &notes {
                    eprintln!("note: {note}");
                }
                std::fs::write(&out, artifact.to_bytes()?)
                    .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
                print_json(&serde_json::json!({
                    "model": out.display().to_string(),
                    "kind": kind.name(),
                    "hash": artifact.hash,
                    "classes": artifact.classes,
                    "features": artifact.pipeline.features,
                    "train_rows": evaluation.train_rows.len(),
                    "test_rows": evaluation.test_rows.len(),
                    "test": test.map(|t| t.display().to_string()),
                    "dropped": dropped,
                    "metrics": evaluation.metrics,
                    "notes": notes,
                }))
            }
            #[cfg(feature = "onnx")]
            Command::Import {
                model,
                reference,
                target,
                out,
            } => {
                use driftlab::onnx::import::{import_model, ImportOptions};
                let bytes = std::fs::read(&model)
                    .map_err(|e| format!("cannot read {}: {e}", model.display()))?;
                let read = read_table(&reference)?;
                for note in &read.notes {
                    eprintln!("note: {note}");
                }
                let options = ImportOptions {
                    created: now_rfc3339(),
                };
                let artifact = import_model(&bytes, &read.table, target.as_deref(), &options)
                    .map_err(|e| format!("{}: {e}", model.display()))?;
                std::fs::write(&out, artifact.to_bytes()?)
                    .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
                print_json(&serde_json::json!({
                    "model": out.display().to_string(),
                    "kind": artifact.model.kind(),
                    "hash": artifact.hash,
                    "classes": artifact.classes,
                    "features": artifact.pipeline.features,
                    "reference_rows": read.table.rows(),
                    "lineage": artifact.lineage.params,
                }))
            }
            Command::Score { model, data, out } => {
                let artifact = read_artifact(&model)?;
                let mut file = std::fs::File::open(&data)
                    .map_err(|e| format!("cannot read {}: {e}", data.display()))?;
                let total = file.metadata().map(|m| m.len()).unwrap_or(0);
                let (parquet_in, arrow_in) = {
                    use std::io::{Read, Seek};
                    let mut magic = [0u8; 6];
                    let n = file.read(&mut magic).unwrap_or(0);
                    file.seek(std::io::SeekFrom::Start(0))?;
                    (table::is_parquet(&magic[..n]), table::is_arrow(&magic[..n]))
                };
                let parquet_out = out.as_ref().is_some_and(|p| is_parquet_path(p));
                let bar = indicatif::ProgressBar::new(total).with_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                let mut progress = |bytes: u64, rows: u64| {
                    bar.set_position(bytes);
                    bar.set_message(format!("{rows} rows"));
                };
                let input = if parquet_in {
                    let batches = table::ParquetBatches::from_file(file, &Default::default())
                        .map_err(|e| format!("{}: {e}", data.display()))?;
                    score::ScoreInput::Parquet(batches)
                } else if arrow_in {
                    let batches = table::ArrowBatches::from_file(file, &Default::default())
                        .map_err(|e| format!("{}: {e}", data.display()))?;
                    score::ScoreInput::Arrow(batches)
                } else {
                    score::ScoreInput::Csv(std::io::BufReader::new(file))
                };
                let format = if parquet_out {
                    score::ScoreOutput::Parquet
                } else {
                    score::ScoreOutput::Csv
                };
                let result = match &out {
                    Some(path) => {
                        let f = std::fs::File::create(path)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                        let written = score::score_stream(
                            &artifact,
                            input,
                            std::io::BufWriter::new(f),
                            format,
                            &mut progress,
                        );
                        if written.is_err() {
                            // no half-written file left behind under the name asked for
                            let _ = std::fs::remove_file(path);
                        }
                        written
                    }
                    None => score::score_stream(
                        &artifact,
                        input,
                        std::io::stdout(),
                        format,
                        &mut progress,
                    ),
                };
                bar.finish_and_clear();
                result.map_err(|e| format!("{}: {e}", data.display()))?;
                Ok(())
            }
            Command::Evaluate {
                model,
                data,
                target,
            } => {
                let artifact = read_artifact(&model)?;
                let read = read_table(&data)?;
                let (metrics, _) = train::evaluate_table(&artifact, &read.table, &target)
                    .map_err(|e| format!("{}: {e}", data.display()))?;
                print_json(&metrics)
            }
            Command::Metrics {
                data,
                target,
                score,
                prediction,
                positive,
                threshold,
            } => {
                let read = read_table(&data)?;
                let predicted = match (&score, &prediction) {
                    (Some(column), _) => Predicted::Score {
                        column,
                        positive: positive.as_deref(),
                        threshold,
                    },
                    (None, Some(column)) => Predicted::Prediction {
                        column,
                        positive: positive.as_deref(),
                    },
                    (None, None) => return Err("pass --score COL or --prediction COL".into()),
                };
                print_json(&metrics::from_table(&read.table, &target, predicted)?)
            }
            Command::Export {
                model,
                out,
                format,
                wasm,
            } => {
                let bytes = std::fs::read(&model)
                    .map_err(|e| format!("cannot read {}: {e}", model.display()))?;
                let artifact = Artifact::from_bytes(&bytes)
                    .map_err(|e| format!("{}: {e}", model.display()))?;
                if format == ExportFormat::Onnx {
                    return export_onnx(&artifact, &out);
                }
                let (scorer, from) = match (wasm, EMBEDDED_EDGE) {
                    (Some(path), _) => (read_scorer(&path)?, path.display().to_string()),
                    (None, Some(bytes)) => (bytes.to_vec(), "built in".to_owned()),
                    (None, None) => {
                        let path = default_edge_wasm().ok_or(NO_EDGE_SCORER)?;
                        (read_scorer(&path)?, path.display().to_string())
                    }
                };
                // the monitor module beside the scorer (or built in with it), when there is one
                let monitor = match EMBEDDED_MONITOR {
                    Some(m) if from == "built in" => Some(m.to_vec()),
                    _ => std::path::Path::new(&from)
                        .parent()
                        .map(|d| d.join("driftlab_monitor.wasm"))
                        .and_then(|p| std::fs::read(p).ok()),
                };
                let files = driftlab::export::write(&bytes, &scorer, monitor.as_deref(), &out)
                    .map_err(|e| format!("cannot write the bundle to {}: {e}", out.display()))?;
                print_json(&serde_json::json!({
                    "out": out.display().to_string(),
                    "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                    "kind": artifact.model.kind(),
                    "hash": artifact.hash,
                    "scorer": from,
                    "monitor": monitor.is_some(),
                }))
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
                    test: test.kind(),
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
                let name = name.to_possible_value().map(|v| v.get_name().to_owned());
                let mut detector = detector::build(name.as_deref().unwrap_or_default(), &params)?;
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
        // CSV, Parquet or Arrow, told apart by the first bytes (PAR1, ARROW1 or FF FF FF FF)
        let read = table::read_table(&bytes, &table::ReadOptions::default())
            .map_err(|e| format!("{}: {e}", path.display()));
        spinner.finish_and_clear();
        Ok(read?)
    }

    /// `export --format onnx`: the artifact as one ONNX file (the core's
    /// `onnx::export`), and a summary of the graph's inputs and outputs.
    #[cfg(feature = "onnx")]
    fn export_onnx(artifact: &Artifact, out: &std::path::Path) -> Result<()> {
        let model = driftlab::onnx::export::export(artifact)?;
        let bytes = driftlab::onnx::encode_model(&model);
        std::fs::write(out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        let names = |v: &[driftlab::onnx::proto::ValueInfoProto]| {
            v.iter()
                .map(|i| i.name.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let graph = model.graph.unwrap_or_default();
        print_json(&serde_json::json!({
            "out": out.display().to_string(),
            "format": "onnx",
            "bytes": bytes.len(),
            "kind": artifact.model.kind(),
            "hash": artifact.hash,
            "inputs": names(&graph.input),
            "outputs": names(&graph.output),
            "nodes": graph.node.len(),
        }))
    }

    /// `export --format onnx` in a build without ONNX.
    #[cfg(not(feature = "onnx"))]
    fn export_onnx(_: &Artifact, _: &std::path::Path) -> Result<()> {
        Err("this driftlab was built without ONNX (the cargo feature `onnx`)".into())
    }

    /// True for a path ending in `.parquet` (or `.parq`, `.pq`), in any case.
    fn is_parquet_path(path: &std::path::Path) -> bool {
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["parquet", "parq", "pq"]
                .iter()
                .any(|p| e.eq_ignore_ascii_case(p))
        })
    }

    /// The default pipeline of `table`, with the columns in `keep` given their kind's
    /// default step instead of being dropped.
    fn default_pipeline(
        table: &table::Table,
        target: Option<&str>,
        keep: &[String],
    ) -> Result<PipelineSpec> {
        let mut pipeline = PipelineSpec::default_for(table, target)?;
        for name in keep {
            let column = table
                .require(name)
                .map_err(|e| format!("--keep {name}: {e}"))?;
            if Some(name.as_str()) == target {
                return Err(
                    format!("--keep {name}: that is the target, which is never a feature").into(),
                );
            }
            if pipeline.reasons.remove(name).is_some() {
                pipeline
                    .columns
                    .insert(name.clone(), ColumnSpec::default_for(column.kind()));
            }
        }
        Ok(pipeline)
    }

    fn read_artifact(path: &PathBuf) -> Result<Artifact> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(Artifact::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?)
    }

    fn read_scorer(path: &PathBuf) -> Result<Vec<u8>> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the edge scorer {}: {e}", path.display()))?;
        if !bytes.starts_with(b"\0asm") {
            return Err(format!("{} is not a WebAssembly module: pass the driftlab_edge.wasm that `make wasm` builds", path.display()).into());
        }
        Ok(bytes)
    }

    /// `pkg/edge/driftlab_edge.wasm` in the working directory, or in the repository this
    /// binary was built in (`target/<profile>/driftlab` → `pkg/edge/`).
    fn default_edge_wasm() -> Option<PathBuf> {
        let relative = PathBuf::from("pkg/edge/driftlab_edge.wasm");
        let beside_repo = std::env::current_exe().ok().and_then(|exe| {
            exe.parent()?
                .parent()?
                .parent()
                .map(|repo| repo.join(&relative))
        });
        std::iter::once(relative)
            .chain(beside_repo)
            .find(|p| p.is_file())
    }

    fn spinner(message: &str) -> indicatif::ProgressBar {
        let bar = indicatif::ProgressBar::new_spinner().with_message(message.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }

    /// The current UTC time as RFC 3339, for the artifact's lineage.
    fn now_rfc3339() -> String {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let (days, rem) = (secs / 86_400, secs % 86_400);
        // civil-from-days (Howard Hinnant's algorithm)
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3_600,
            rem % 3_600 / 60,
            rem % 60
        )
    }

    /// `driftlab replay`: HTTP to a running bundle (ureq, plain HTTP).
    mod replay {
        use super::Result;
        use driftlab::table::Table;
        use serde_json::{json, Value};
        use std::time::{Duration, Instant};

        fn agent() -> ureq::Agent {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .into()
        }

        fn answer(
            r: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
            what: &str,
        ) -> Result<(u16, Value)> {
            let mut r = r.map_err(|e| format!("{what}: {e}"))?;
            let status = r.status().as_u16();
            let text = r
                .body_mut()
                .read_to_string()
                .map_err(|e| format!("{what}: {e}"))?;
            Ok((
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            ))
        }

        /// Sends the rows, then the labels; returns the summary.
        pub(super) fn run(
            url: &str,
            table: &Table,
            labels_after: Option<usize>,
            rate: Option<f64>,
            batch: usize,
            token: Option<&str>,
        ) -> Result<Value> {
            if batch == 0 || batch > 10_000 {
                return Err("--batch: use 1 to 10000 rows per request".into());
            }
            if let Some(r) = rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
                return Err(format!("--rate {r}: use a number of rows per second above 0").into());
            }
            let base = url.trim_end_matches('/');
            let agent = agent();
            let bearer = token.map(|t| format!("Bearer {t}"));
            let get = |path: &str| {
                let mut r = agent.get(&format!("{base}{path}"));
                if let Some(b) = &bearer {
                    r = r.header("Authorization", b);
                }
                answer(r.call(), &format!("GET {base}{path}"))
            };
            let post = |path: &str, body: &Value| {
                let mut r = agent
                    .post(&format!("{base}{path}"))
                    .header("Content-Type", "application/json");
                if let Some(b) = &bearer {
                    r = r.header("Authorization", b);
                }
                answer(
                    r.send(serde_json::to_vec(body)?.as_slice()),
                    &format!("POST {base}{path}"),
                )
            };
            let (status, card) = get("/model")?;
            if status != 200 {
                return Err(format!("GET {base}/model answered {status}: {card}").into());
            }
            let target = card["schema"]["target"].as_str().map(str::to_owned);
            let labels_column = match (&target, labels_after) {
                (Some(t), Some(_)) => Some(table.column(t).ok_or_else(|| {
                    format!("--labels-after: the data has no column {t:?} (the model's target) to send as labels")
                })?),
                (None, Some(_)) => {
                    return Err("--labels-after: the model has no target, so there are no labels to send".into())
                }
                _ => None,
            };
            let started = Instant::now();
            let (mut sent, mut statuses, mut labelled) = (
                0usize,
                std::collections::BTreeMap::<u16, u64>::new(),
                0usize,
            );
            let mut waiting: std::collections::VecDeque<Vec<(String, usize)>> = Default::default();
            let mut send_labels = |ids: Vec<(String, usize)>| -> Result<()> {
                let Some(col) = labels_column else {
                    return Ok(());
                };
                let entries: Vec<Value> = ids
                    .iter()
                    .filter_map(|(id, row)| {
                        let label = serde_json::to_value(col.get(*row)?).ok()?;
                        (!label.is_null()).then(|| json!({"id": id, "label": label}))
                    })
                    .collect();
                if entries.is_empty() {
                    return Ok(());
                }
                let (status, body) = post("/labels", &json!({ "labels": entries }))?;
                if status != 200 {
                    return Err(format!("POST {base}/labels answered {status}: {body}").into());
                }
                labelled += entries.len();
                Ok(())
            };
            let rows = table.rows();
            for start in (0..rows).step_by(batch) {
                let end = (start + batch).min(rows);
                let body: Vec<Value> = (start..end)
                    .map(|r| {
                        Value::Object(
                            table
                                .columns()
                                .iter()
                                .filter(|c| Some(&c.name) != target.as_ref())
                                .map(|c| {
                                    (
                                        c.name.clone(),
                                        c.get(r)
                                            .and_then(|v| serde_json::to_value(v).ok())
                                            .unwrap_or(Value::Null),
                                    )
                                })
                                .collect(),
                        )
                    })
                    .collect();
                let (status, answer) = post("/score", &json!({ "rows": body }))?;
                *statuses.entry(status).or_default() += 1;
                if status == 200 {
                    let ids = answer["predictions"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .zip(start..end)
                                .filter_map(|(p, row)| Some((p["id"].as_str()?.to_owned(), row)))
                                .collect()
                        })
                        .unwrap_or_default();
                    waiting.push_back(ids);
                } else {
                    eprintln!("rows {start}..{end}: {status} {answer}");
                }
                sent = end;
                if let Some(n) = labels_after {
                    while waiting.len() > n {
                        let ids = waiting.pop_front().unwrap_or_default();
                        send_labels(ids)?;
                    }
                }
                if let Some(r) = rate {
                    let due = Duration::from_secs_f64(sent as f64 / r);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
            }
            if labels_after.is_some() {
                while let Some(ids) = waiting.pop_front() {
                    send_labels(ids)?;
                }
            }
            let (_, monitor) = get("/monitor")?;
            Ok(json!({
                "url": base,
                "rows": sent,
                "requests": statuses,
                "labels": labelled,
                "seconds": started.elapsed().as_secs_f64(),
                "monitor": monitor,
            }))
        }
    }

    fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        Ok(())
    }
}
