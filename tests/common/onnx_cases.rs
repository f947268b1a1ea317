//! Shared by the native ONNX import test and the Wasm one: every fixture model imported
//! and scored on its rows, folded into one fingerprint of the result bits, so that the
//! page's Wasm build is held to the native scores bit for bit
//! (`tests/fixtures/onnx/scores.fnv`; `DRIFTLAB_BLESS=1 cargo test --test onnx_import`
//! rewrites it natively).

use driftlab::onnx::import::{import_model, ImportOptions};
use driftlab::table::{read_csv, ReadOptions};

/// (model, dataset, ONNX file, reference CSV, rows CSV).
pub type Fixture = (&'static str, &'static [u8], &'static [u8], &'static [u8]);

macro_rules! fixtures {
    ($($model:literal / $data:literal),+ $(,)?) => {
        pub const FIXTURES: &[Fixture] = &[$((
            $model,
            include_bytes!(concat!("../fixtures/onnx/", $model, ".onnx")),
            include_bytes!(concat!("../fixtures/onnx/", $data, ".train.csv")),
            include_bytes!(concat!("../fixtures/onnx/", $data, ".rows.csv")),
        )),+];
    };
}

fixtures! {
    "logistic_binary" / "binary", "logistic_multi" / "multi", "logistic_mixed" / "mixed",
    "linear" / "reg", "ridge_mixed" / "mixed", "tree" / "multi", "tree_binary" / "binary", "tree_regressor" / "reg",
    "forest_regressor" / "reg", "forest_binary" / "binary", "forest_multi" / "multi",
    "extra_binary" / "binary", "extra_multi" / "multi", "gboost_binary" / "binary", "gboost_multi" / "multi",
    "gboost_regressor" / "reg", "svr_linear" / "reg", "svr_rbf" / "reg", "svr_poly" / "reg", "svr_poly2" / "reg",
    "svc_linear_binary" / "binary", "svc_linear_multi" / "multi", "svc_rbf_binary" / "binary",
    "svc_rbf_multi" / "multi", "svc_poly_multi" / "multi",
    "mlp_binary" / "binary", "mlp_multi" / "multi", "mlp_regressor" / "reg",
    "gboost_regressor_v5" / "reg",
    "lightgbm_binary" / "binary", "lightgbm_multi" / "multi", "lightgbm_regressor" / "reg",
    "xgboost_binary" / "binary", "xgboost_multi" / "multi", "xgboost_regressor" / "reg",
    "normalizer_l2" / "binary", "normalizer_l1" / "multi", "normalizer_max" / "binary",
    "binarizer" / "binary", "binarizer_tree" / "multi", "ordinal_mixed" / "mixed",
    "ordinal_forest" / "mixed",
}

/// The committed fingerprint.
pub const EXPECTED: &str = include_str!("../fixtures/onnx/scores.fnv");

/// FNV-1a over every fixture model's artifact hash and the bits of its predictions and
/// probabilities on its rows.
pub fn fingerprint() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (model, onnx, train, rows) in FIXTURES {
        let reference = read_csv(train, &ReadOptions::default()).unwrap().table;
        let options = ImportOptions {
            created: "fixed".into(),
        };
        let a = import_model(onnx, &reference, Some("y"), &options)
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        eat(model.as_bytes());
        let rows = read_csv(rows, &ReadOptions::default()).unwrap().table;
        for s in a.score_table(&rows).unwrap() {
            eat(&s.prediction.value.to_bits().to_le_bytes());
            for p in &s.prediction.probabilities {
                eat(&p.to_bits().to_le_bytes());
            }
        }
    }
    format!("{h:016x}")
}
