//! The core inside WebAssembly, in Node (wasm-bindgen-test). Native builds skip this file.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

mod common {
    pub mod consistency;
    pub mod corpus;
    pub mod onnx_cases;
    #[cfg(feature = "parquet")]
    pub mod parquet_cases;
    pub mod wasm_cases;
}
use common::wasm_cases as cases;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn fingerprints_match_native() {
    cases::fingerprints_match_native();
}

#[wasm_bindgen_test]
fn bad_inputs_give_errors_not_panics() {
    cases::bad_inputs_give_errors_not_panics();
}

#[wasm_bindgen_test]
fn facade_errors_are_exceptions_and_keep_the_table() {
    cases::facade_errors_are_exceptions_and_keep_the_table();
}

/// Issue 6: the Deploy panel's batch job through the facade's handles: the chunks, put
/// together, are exactly what the CLI's scorer writes for the whole file (`score_csv`),
/// and a bad row is named by its place in the whole file (tests/deploy.rs has the rest of
/// the session natively).
#[wasm_bindgen_test]
fn batch_scoring_in_chunks_matches_the_whole_file_scorer() {
    use driftlab::artifact::Artifact;
    use driftlab::dataset::{generate, DatasetOptions};
    use driftlab::wasm::{Data, Deploy, Model};
    use wasm_bindgen::{JsCast, JsValue};
    let message = |e: JsValue| {
        e.dyn_into::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default()
    };
    let get = |v: &JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).unwrap();
    let data = Data::new();
    let model = Model::new(&data);
    let mut deploy = Deploy::new(&model);
    data.load_dataset("fraud", None)
        .map_err(JsValue::from)
        .unwrap();
    let request = js_sys::JSON::parse(r#"{"target": "is_fraud", "model": "logistic"}"#).unwrap();
    let trained: JsValue = model
        .train(tsify::Ts::new_unchecked(request), None)
        .map_err(JsValue::from)
        .unwrap()
        .into();
    let text = get(&trained, "artifact").as_string().unwrap();
    let artifact = Artifact::from_bytes(text.as_bytes()).unwrap();
    let registry: JsValue = deploy
        .deploy_last(None)
        .map_err(JsValue::from)
        .unwrap()
        .into();
    assert_eq!(
        get(&registry, "champion").as_string().as_deref(),
        Some("v1")
    );

    let options = DatasetOptions {
        rows: Some(3_001),
        seed: Some(5),
        drift: Some(0.5),
        noise: None,
    };
    let csv = generate("fraud", &options).unwrap();
    let mut whole = Vec::new();
    driftlab::score::score_csv(&artifact, csv.as_slice(), &mut whole, &mut |_, _| {}).unwrap();
    deploy
        .batch_start(csv.clone(), "f.csv")
        .map_err(JsValue::from)
        .unwrap();
    let mut calls = 0;
    loop {
        calls += 1;
        let p: JsValue = deploy
            .batch_next(Some(700))
            .map_err(JsValue::from)
            .unwrap()
            .into();
        assert!(get(&p, "scoring_ms").as_f64().is_some_and(|ms| ms >= 0.0));
        if get(&p, "done").is_truthy() {
            break;
        }
    }
    assert_eq!(calls, 5);
    let chunked = deploy.batch_result().map_err(JsValue::from).unwrap();
    assert_eq!(chunked, String::from_utf8(whole).unwrap());

    // a ragged row in the third chunk is reported at its row and line in the file
    let mut lines: Vec<&[u8]> = csv.split(|&b| b == b'\n').collect();
    lines[1_600] = b"1,2,3";
    let broken = lines.join(&b'\n');
    deploy
        .batch_start(broken, "broken.csv")
        .map_err(JsValue::from)
        .unwrap();
    let mut error = String::new();
    for _ in 0..5 {
        if let Err(e) = deploy.batch_next(Some(700)).map_err(JsValue::from) {
            error = message(e);
            break;
        }
    }
    assert!(
        error.contains("line 1601") && error.contains("row 1600"),
        "{error}"
    );
    // the job ended with the error; the facade says what to do next
    let e = deploy.batch_result().map_err(JsValue::from).unwrap_err();
    assert!(message(e).contains("choose a CSV file"));
}

#[wasm_bindgen_test]
fn corpus_through_the_facade() {
    cases::corpus_through_the_facade();
}

/// Issue 17: ONNX import inside WebAssembly (the page's full module) gives every fixture
/// model the native build's scores, bit for bit.
#[wasm_bindgen_test]
fn onnx_import_scores_match_native() {
    assert_eq!(
        common::onnx_cases::fingerprint(),
        common::onnx_cases::EXPECTED.trim()
    );
}

/// The crafted Parquet files of tests/parquet_crafted.rs in Wasm (issue #20): a usize is 32
/// bits here, so a string length near 4 GiB wraps, and a panic would abort the module, with
/// no `catch_unwind` to fall back on: every case must be refused by the reader's own checks.
#[cfg(feature = "parquet")]
mod parquet_crafted {
    use super::common::parquet_cases as cases;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn the_crafted_well_formed_file_reads() {
        cases::the_crafted_well_formed_file_reads();
    }

    #[wasm_bindgen_test]
    fn a_page_declaring_two_gibibytes_is_refused_before_it_is_decompressed() {
        cases::a_page_declaring_two_gibibytes_is_refused_before_it_is_decompressed();
    }

    #[wasm_bindgen_test]
    fn a_footer_declaring_billions_of_rows_is_refused_before_reading() {
        cases::a_footer_declaring_billions_of_rows_is_refused_before_reading();
    }

    #[wasm_bindgen_test]
    fn a_dictionary_encoded_page_without_a_dictionary_is_refused() {
        cases::a_dictionary_encoded_page_without_a_dictionary_is_refused();
    }

    #[wasm_bindgen_test]
    fn a_row_group_of_another_schema_or_negative_offsets_is_refused() {
        cases::a_row_group_of_another_schema_or_negative_offsets_is_refused();
    }

    #[wasm_bindgen_test]
    fn a_page_header_declaring_a_list_of_billions_of_booleans_ends_at_its_bytes() {
        cases::a_page_header_declaring_a_list_of_billions_of_booleans_ends_at_its_bytes();
    }

    #[wasm_bindgen_test]
    fn a_string_length_past_its_page_is_refused_before_the_crate_decodes_it() {
        cases::a_string_length_past_its_page_is_refused_before_the_crate_decodes_it();
    }

    #[wasm_bindgen_test]
    fn strings_after_levels_are_walked_as_many_as_the_levels_say_are_not_null() {
        cases::strings_after_levels_are_walked_as_many_as_the_levels_say_are_not_null();
    }

    #[wasm_bindgen_test]
    fn delta_encoded_strings_are_refused_naming_the_encoding() {
        cases::delta_encoded_strings_are_refused_naming_the_encoding();
    }
}

/// The Arrow reader in Wasm (issue #20, item 3): lengths are 32 bits wide here and a panic
/// aborts the module, so the hostile fixtures and a sweep of flipped bytes must all end in
/// errors, and the well-formed files read as natively (tests/arrow.rs has the rest).
#[cfg(feature = "arrow")]
#[wasm_bindgen_test]
fn hostile_arrow_files_are_refused_without_a_panic() {
    use driftlab::table::{read_arrow, ReadOptions};
    let read = |b: &[u8]| read_arrow(b.to_vec(), &ReadOptions::default());
    let types = include_bytes!("fixtures/arrow/types.arrow");
    let stream = include_bytes!("fixtures/arrow/types_dict.arrows");
    assert_eq!(read(types).unwrap().table.rows(), 60);
    assert_eq!(
        read(stream).unwrap().table.fingerprint(),
        read(types).unwrap().table.fingerprint()
    );
    for (name, bytes) in [
        (
            "bad_rows",
            &include_bytes!("fixtures/arrow/bad_rows.arrow")[..],
        ),
        ("bad_body", include_bytes!("fixtures/arrow/bad_body.arrow")),
        (
            "bad_flatbuffer",
            include_bytes!("fixtures/arrow/bad_flatbuffer.arrow"),
        ),
        ("bad_cut", include_bytes!("fixtures/arrow/bad_cut.arrow")),
        ("bad_zstd", include_bytes!("fixtures/arrow/bad_zstd.arrow")),
    ] {
        assert!(read(bytes).is_err(), "{name}");
    }
    for whole in [&types[..], &stream[..]] {
        for at in (0..whole.len()).step_by(11) {
            let mut b = whole.to_vec();
            b[at] ^= 0xa5;
            let _ = read(&b);
        }
    }
}

/// Issue 15: the batch scorers of multinomial logistic regression (its
/// class sums four rows at a time, with Wasm SIMD), binary logistic regression (two rows'
/// exponentials in one `f64x2`, checked also at the exponential's edges) and k-means (two
/// centroids per pass) give the row scorer's bits in
/// Wasm too, on sizes that leave remainders (rows not a multiple of 4, odd class counts,
/// widths not a multiple of 8).
#[wasm_bindgen_test]
fn simd_batch_scorers_match_the_row_scorer() {
    use driftlab::score::{KMeansModel, LogisticModel, Model};
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut u = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    for (rows, p, k) in [(37, 50, 5), (9, 7, 3), (4, 20, 2), (3, 1, 4), (21, 13, 6)] {
        let data: Vec<f64> = (0..rows * p).map(|_| u() * 6.0).collect();
        let mut models = vec![Model::Kmeans(KMeansModel {
            n_features: p,
            centroids: (0..k * p).map(|_| u() * 6.0).collect(),
        })];
        if k > 2 {
            models.push(Model::Logistic(LogisticModel {
                n_classes: k,
                weights: (0..p * k).map(|_| u() * 2.0).collect(),
                intercepts: (0..k).map(|_| u()).collect(),
                positive: 0,
            }));
        }
        // the binary sigmoid, two rows' exponentials side by side in the batch
        models.push(Model::Logistic(LogisticModel {
            n_classes: 2,
            weights: (0..p).map(|_| u() * 2.0).collect(),
            intercepts: vec![u()],
            positive: k % 2,
        }));
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        for m in &models {
            let n = m
                .predict_batch_into(&data, p, &mut values, &mut probabilities)
                .unwrap();
            for (i, x) in data.chunks_exact(p).enumerate() {
                let r = m.predict_row(x).unwrap();
                assert_eq!(
                    values[i].to_bits(),
                    r.value.to_bits(),
                    "{} row {i}",
                    m.kind()
                );
                for (a, b) in probabilities[i * n..(i + 1) * n]
                    .iter()
                    .zip(&r.probabilities)
                {
                    assert_eq!(
                        a.to_bits(),
                        b.to_bits(),
                        "{} row {i} ({rows}×{p}, k={k})",
                        m.kind()
                    );
                }
            }
        }
    }
    // logits at the exponential's edges (overflow, subnormal results, saturation), in
    // pairs with ordinary ones and with each other: the first feature is the logit
    let edges = [
        -800.0, -745.2, -745.0, -744.0, -709.8, -709.7, -708.5, -700.0, -37.0, -1.0, 0.0, 1e-300,
        1.0, 36.0, 700.0, 708.0, 709.0, 709.8, 710.0, 744.0, 745.1, 746.0, 800.0,
    ];
    let p = 3;
    let m = Model::Logistic(LogisticModel {
        n_classes: 2,
        weights: vec![1.0, 0.0, 0.0],
        intercepts: vec![0.0],
        positive: 1,
    });
    for shift in 0..2 {
        let data: Vec<f64> = edges[shift..]
            .iter()
            .flat_map(|&z| [z, 0.5, -0.5])
            .collect();
        let (mut values, mut probabilities) = (Vec::new(), Vec::new());
        m.predict_batch_into(&data, p, &mut values, &mut probabilities)
            .unwrap();
        for (i, x) in data.chunks_exact(p).enumerate() {
            let r = m.predict_row(x).unwrap();
            assert_eq!(values[i].to_bits(), r.value.to_bits(), "logit {}", x[0]);
            for (a, b) in probabilities[2 * i..2 * i + 2].iter().zip(&r.probabilities) {
                assert_eq!(a.to_bits(), b.to_bits(), "logit {}", x[0]);
            }
        }
    }
}

/// Issue 15: boosting's batch scorer, sixteen rows at a time in `v128` lanes
/// (`models/tree/rapid.rs`), gives the row walk's bits in Wasm: random leaf-wise trees of
/// 31 leaves (four bytes of leaf bits per row) and of up to 64 (eight), thresholds on ±0,
/// ±inf and subnormals, both missing sides, 1, 16, 17, 33 and 100 rows, NaN in some blocks.
#[wasm_bindgen_test]
fn boosting_batches_match_the_row_scorer() {
    use driftlab::models::boosting::{BoostedTree, BoostingModel};
    use driftlab::score::Model;
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut u = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let ugly = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324,
        -5e-324,
        0.25,
        -1.0,
    ];
    let cols = 5;
    for (leaves, classes) in [(31, 2), (64, 3), (40, 0)] {
        let mut trees = Vec::new();
        for _ in 0..12 {
            // grown leaf-wise: a random open leaf split each time
            let mut t = BoostedTree {
                feature: vec![0],
                threshold: vec![0.0],
                left: vec![-1],
                right: vec![-1],
                missing: vec![-1],
                value: vec![0.0],
            };
            let mut open = vec![0usize];
            while open.len() < leaves {
                let i = open.swap_remove((u() * open.len() as f64) as usize);
                let n = t.left.len() as i64;
                t.feature[i] = (u() * cols as f64) as usize;
                t.threshold[i] = match u() {
                    v if v < 0.5 => ugly[(u() * ugly.len() as f64) as usize],
                    v => v * 4.0 - 2.0,
                };
                t.left[i] = n;
                t.right[i] = n + 1;
                t.missing[i] = if u() < 0.5 { n } else { n + 1 };
                for _ in 0..2 {
                    t.feature.push(0);
                    t.threshold.push(0.0);
                    t.left.push(-1);
                    t.right.push(-1);
                    t.missing.push(-1);
                    t.value.push(u() - 0.5);
                }
                open.extend([n as usize, n as usize + 1]);
            }
            trees.push(t);
        }
        let outputs = if classes > 2 { classes } else { 1 };
        let m = Model::Boosting(BoostingModel {
            n_features: cols,
            n_classes: classes,
            base_score: (0..outputs).map(|_| u() - 0.5).collect(),
            learning_rate: 0.1,
            trees,
            importance: vec![0.2; cols],
        });
        for (rows, nan) in [(1, 0.0), (16, 0.0), (17, 0.01), (33, 0.0), (100, 0.005)] {
            let data: Vec<f64> = (0..rows * cols)
                .map(|_| match u() {
                    v if v < nan => f64::NAN,
                    v if v < 0.4 => ugly[(u() * ugly.len() as f64) as usize],
                    v => v * 4.0 - 2.0,
                })
                .collect();
            let (mut values, mut probabilities) = (Vec::new(), Vec::new());
            let k = m
                .predict_batch_into(&data, cols, &mut values, &mut probabilities)
                .unwrap();
            for (i, x) in data.chunks_exact(cols).enumerate() {
                let r = m.predict_row(x).unwrap();
                assert_eq!(
                    values[i].to_bits(),
                    r.value.to_bits(),
                    "{leaves} leaves, row {i} of {rows}"
                );
                for (a, b) in probabilities[i * k..(i + 1) * k]
                    .iter()
                    .zip(&r.probabilities)
                {
                    assert_eq!(
                        a.to_bits(),
                        b.to_bits(),
                        "{leaves} leaves, row {i} of {rows}"
                    );
                }
            }
        }
    }
}
