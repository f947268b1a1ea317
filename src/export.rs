//! Writes an edge bundle folder: `worker.js`, `driftlab_edge.wasm`, `model.json`,
//! `wrangler.toml`, `serve.mjs`, `package.json` and `README.md`, and, for monitoring,
//! `driftlab_monitor.wasm` (the module the bundle's Durable Object runs; see
//! [`crate::monitor::edge`]). A bundle written without it scores as before and answers
//! `/monitor`, `/labels` and `/metrics` with a 404 that says so: its `worker.js` imports no
//! monitor module (the import line is replaced by `const monitorModule = null;`).
//!
//! The templates live in `edge/bundle/` and are compiled in, so `driftlab export` (the
//! CLI) and the page's Edge panel (which zips [`files`]) write the same layout.

use serde_json::Value;
use std::io;
use std::path::{Path, PathBuf};

/// The ES module worker.
pub const WORKER_JS: &str = include_str!("../edge/bundle/worker.js");
/// The Node runner.
pub const SERVE_MJS: &str = include_str!("../edge/bundle/serve.mjs");
/// The Workers configuration template (`{{NAME}}`).
pub const WRANGLER_TOML: &str = include_str!("../edge/bundle/wrangler.toml");
/// The package.json template (`{{NAME}}`, `{{KIND}}`, `{{HASH}}`).
pub const PACKAGE_JSON: &str = include_str!("../edge/bundle/package.json");
/// The README template (`{{NAME}}`, `{{KIND}}`, `{{TASK}}`, `{{HASH}}`, `{{COLUMNS}}`,
/// `{{EXAMPLE_ROW}}`).
pub const README_MD: &str = include_str!("../edge/bundle/README.md");

/// The line of `worker.js` that imports the monitor module.
const MONITOR_IMPORT: &str =
    "import monitorModule from './driftlab_monitor.wasm'; // driftlab:monitor-import";

/// The files of a bundle without monitoring, by name, for writers that do not write to
/// disk (a zip).
pub fn files(artifact: &[u8], wasm: &[u8]) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    files_with_monitor(artifact, wasm, None)
}

/// The files of a bundle, by name, with the monitor module when given.
pub fn files_with_monitor(
    artifact: &[u8],
    wasm: &[u8],
    monitor: Option<&[u8]>,
) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let doc: Value = serde_json::from_slice(artifact).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the model is not JSON: {e}"),
        )
    })?;
    let kind = doc["model"]["kind"].as_str().unwrap_or("model");
    let task = doc["schema"]["task"].as_str().unwrap_or("");
    let hash = doc["hash"].as_str().unwrap_or("");
    let short = hash.rsplit(':').next().unwrap_or("").get(..8).unwrap_or("");
    let name = worker_name(kind, short);
    let inputs = doc["pipeline"]["inputs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let columns = inputs
        .iter()
        .filter_map(|c| c["name"].as_str())
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let example = example_row(&inputs);
    let fill = |t: &str| {
        t.replace("{{NAME}}", &name)
            .replace("{{KIND}}", kind)
            .replace("{{TASK}}", task)
            .replace("{{HASH}}", hash)
            .replace("{{COLUMNS}}", &columns)
            .replace("{{EXAMPLE_ROW}}", &example)
            .into_bytes()
    };
    let worker = match monitor {
        Some(_) => WORKER_JS.to_owned(),
        None => WORKER_JS.replace(
            MONITOR_IMPORT,
            "const monitorModule = null; // exported without driftlab_monitor.wasm: no monitoring",
        ),
    };
    let mut out = vec![
        ("worker.js", worker.into_bytes()),
        ("driftlab_edge.wasm", wasm.to_vec()),
        ("model.json", artifact.to_vec()),
        ("wrangler.toml", fill(WRANGLER_TOML)),
        ("serve.mjs", SERVE_MJS.as_bytes().to_vec()),
        ("package.json", fill(PACKAGE_JSON)),
        ("README.md", fill(README_MD)),
    ];
    if let Some(m) = monitor {
        out.push(("driftlab_monitor.wasm", m.to_vec()));
    }
    Ok(out)
}

/// Writes the bundle into `out_dir` (created if needed; files there are replaced) and
/// returns the paths written. `artifact` is the model JSON exactly as saved (its hash is
/// checked by the worker at startup); `wasm` is `pkg/edge/driftlab_edge.wasm`, `monitor`
/// `pkg/edge/driftlab_monitor.wasm` (without it the bundle does not monitor).
pub fn write(
    artifact: &[u8],
    wasm: &[u8],
    monitor: Option<&[u8]>,
    out_dir: &Path,
) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)?;
    files_with_monitor(artifact, wasm, monitor)?
        .into_iter()
        .map(|(name, bytes)| {
            let path = out_dir.join(name);
            std::fs::write(&path, bytes)?;
            Ok(path)
        })
        .collect()
}

/// A Workers script name: lowercase letters, digits and dashes, at most 63 characters.
fn worker_name(kind: &str, short_hash: &str) -> String {
    let raw = format!("driftlab-{kind}-{short_hash}");
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

/// One row for the README's curl examples: the training mean (or fill) of numbers, the
/// first category of categories.
fn example_row(inputs: &[Value]) -> String {
    let members: Vec<String> = inputs
        .iter()
        .filter_map(|c| {
            let name = c["name"].as_str()?;
            let step = &c["step"];
            let value = match step["step"].as_str()? {
                "numeric" if c["kind"] == "boolean" => Value::Bool(step["fill"].as_f64()? >= 0.5),
                "numeric" => step["fill"].clone(),
                "one_hot" => step["categories"].get(0).cloned().unwrap_or(Value::Null),
                _ => return None,
            };
            Some(format!("{}: {}", Value::String(name.into()), value))
        })
        .collect();
    format!("{{{}}}", members.join(", "))
}
