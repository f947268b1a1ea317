//! The browser facade: the only module that knows about JavaScript.
//!
//! A [`Workbench`] lives in the page's Web Worker and holds the loaded table. Every method
//! takes and returns plain JSON-shaped values; every error arrives in JavaScript as an
//! `Error` whose message is the core's (row, column and fix included). A failed load
//! leaves the previous table in place.

use crate::{
    dataset,
    profile::Profile,
    table::{read_csv, Cell, ColumnKind, CsvRead, ReadOptions, Table},
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Rows of the table preview sent to the page.
const PREVIEW_ROWS: usize = 50;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// The worker's state: the loaded table.
#[wasm_bindgen]
pub struct Workbench {
    name: String,
    table: Option<Table>,
}

#[derive(Serialize)]
struct Loaded<'a> {
    name: &'a str,
    rows: usize,
    columns: Vec<ColumnInfo<'a>>,
    preview: Preview<'a>,
    profile: Profile,
    notes: &'a [String],
}

#[derive(Serialize)]
struct ColumnInfo<'a> {
    name: &'a str,
    kind: ColumnKind,
}

#[derive(Serialize)]
struct Preview<'a> {
    columns: Vec<&'a str>,
    rows: Vec<Vec<Cell<'a>>>,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // maps as plain objects, so the page reads `profile.columns[0].name`
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

#[wasm_bindgen]
impl Workbench {
    /// An empty workbench.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workbench {
        Workbench {
            name: String::new(),
            table: None,
        }
    }

    /// The built-in datasets.
    pub fn datasets(&self) -> Result<JsValue, JsError> {
        to_js(&dataset::list())
    }

    /// Loads a built-in dataset; `options` is `{rows?, seed?, drift?}`.
    #[wasm_bindgen(js_name = loadDataset)]
    pub fn load_dataset(&mut self, name: &str, options: JsValue) -> Result<JsValue, JsError> {
        let options: dataset::DatasetOptions = if options.is_undefined() || options.is_null() {
            dataset::DatasetOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("dataset options: {e}")))?
        };
        let csv = dataset::generate(name, &options)?;
        let read = read_csv(&csv, &ReadOptions::default())?;
        self.load(name, read)
    }

    /// Loads CSV bytes (a dropped or picked file).
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, bytes: &[u8], file_name: &str) -> Result<JsValue, JsError> {
        let read = read_csv(bytes, &ReadOptions::default())
            .map_err(|e| JsError::new(&format!("{file_name}: {e}")))?;
        self.load(file_name, read)
    }

    /// The profile of the loaded table, checking the class balance of `target` if given.
    pub fn profile(&self, target: Option<String>) -> Result<JsValue, JsError> {
        let table = self.table()?;
        to_js(&Profile::from_table(table, target.as_deref())?)
    }

    fn table(&self) -> Result<&Table, JsError> {
        self.table
            .as_ref()
            .ok_or_else(|| JsError::new("no data is loaded yet: pick a dataset or drop a CSV file"))
    }

    /// Profiles a freshly read table and, when all went well, makes it the loaded one
    /// (so a bad file never replaces good data).
    fn load(&mut self, name: &str, read: CsvRead) -> Result<JsValue, JsError> {
        let profile = Profile::from_table(&read.table, None)?;
        let table = &read.table;
        let loaded = Loaded {
            name,
            rows: table.rows(),
            columns: table
                .columns()
                .iter()
                .map(|c| ColumnInfo {
                    name: &c.name,
                    kind: c.kind(),
                })
                .collect(),
            preview: Preview {
                columns: table.column_names(),
                rows: table.head(PREVIEW_ROWS),
            },
            profile,
            notes: &read.notes,
        };
        let js = to_js(&loaded)?;
        self.name = name.to_owned();
        self.table = Some(read.table);
        Ok(js)
    }
}

impl Default for Workbench {
    fn default() -> Self {
        Self::new()
    }
}
