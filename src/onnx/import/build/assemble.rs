//! The end of the walk: the features become a [`FittedPipeline`] (one step per input
//! column) and the model's feature indices are remapped onto it.

use super::*;

/// The pipeline the features make (one step per input column, in the graph's input order)
/// and the map from the graph's feature index to the pipeline's.
pub(super) fn pipeline(
    reference: &Table,
    target: Option<&str>,
    columns: &[usize],
    found: &Found,
    declared: &HashMap<usize, (Vec<String>, Unseen)>,
    ordinals: &HashMap<usize, Ordinal>,
) -> Result<(FittedPipeline, Vec<usize>), ImportError> {
    let mut inputs = Vec::with_capacity(columns.len());
    let mut features = Vec::new();
    // per column: its first feature index in the pipeline, and its categories
    let mut at: HashMap<usize, (usize, Vec<String>)> = HashMap::new();
    for &col in columns {
        let column = &reference.columns()[col];
        let uses: Vec<&Feat> = found
            .feats
            .iter()
            .filter(|f| match f {
                Feat::Col { col: c, .. } | Feat::Ind { col: c, .. } | Feat::Ord { col: c } => {
                    *c == col
                }
            })
            .collect();
        let step = match uses.first() {
            None => FittedStep::Drop,
            Some(Feat::Col {
                fill,
                offset,
                scale,
                binarize,
                ..
            }) => {
                if uses.iter().any(|u| *u != uses[0]) {
                    return Err(ImportError::Graph(format!(
                        "column {:?} feeds the model twice, transformed differently; driftlab gives a column one step",
                        column.name
                    )));
                }
                let (min, max, mean) = range_of(&column.data);
                FittedStep::Numeric {
                    fill: fill.unwrap_or(mean),
                    center: *offset,
                    scale: 1.0 / scale,
                    min,
                    max,
                    keep: false,
                    binarize: *binarize,
                }
            }
            Some(Feat::Ord { .. }) => {
                if uses.iter().any(|u| *u != uses[0]) {
                    return Err(ImportError::Graph(format!(
                        "column {:?} feeds the model both as an ordinal code and otherwise; driftlab gives a column one step",
                        column.name
                    )));
                }
                let map = ordinals.get(&col).ok_or_else(|| {
                    ImportError::Graph(format!("column {:?} has no encoder", column.name))
                })?;
                let mut pairs: Vec<(String, f64)> = map
                    .keys
                    .iter()
                    .cloned()
                    .zip(map.values.iter().copied())
                    .collect();
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                let (categories, codes) = pairs.into_iter().unzip();
                FittedStep::Ordinal {
                    categories,
                    codes,
                    default: map.default,
                }
            }
            Some(Feat::Ind { .. }) => {
                let (mut cats, unseen) = declared
                    .get(&col)
                    .cloned()
                    .unwrap_or((Vec::new(), Unseen::Ignore));
                for u in &uses {
                    match u {
                        Feat::Ind { cat, .. } if !cats.contains(cat) => cats.push(cat.clone()),
                        Feat::Ind { .. } => {}
                        Feat::Col { .. } | Feat::Ord { .. } => {
                            return Err(ImportError::Graph(format!(
                                "column {:?} feeds the model both as a number and one-hot encoded",
                                column.name
                            )))
                        }
                    }
                }
                cats.sort();
                cats.dedup();
                FittedStep::OneHot {
                    // a missing category is unseen, as ONNX's encoder sees an empty string
                    fill: String::new(),
                    categories: cats,
                    unseen,
                }
            }
        };
        let fitted = FittedColumn {
            name: column.name.clone(),
            kind: column.kind(),
            step,
        };
        match &fitted.step {
            FittedStep::Numeric { .. } | FittedStep::Ordinal { .. } => {
                at.insert(col, (features.len(), Vec::new()));
                features.push(column.name.clone());
            }
            FittedStep::OneHot { categories, .. } => {
                at.insert(col, (features.len(), categories.clone()));
                features.extend(categories.iter().map(|c| format!("{}={c}", column.name)));
            }
            FittedStep::Drop => {}
        }
        inputs.push(fitted);
    }
    let map = found
        .feats
        .iter()
        .map(|f| match f {
            Feat::Col { col, .. } | Feat::Ord { col } => at.get(col).map(|a| a.0),
            Feat::Ind { col, cat } => at
                .get(col)
                .and_then(|(start, cats)| cats.iter().position(|c| c == cat).map(|i| start + i)),
        })
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            ImportError::Graph("a feature reads a column the graph does not take as input".into())
        })?;
    Ok((
        FittedPipeline {
            target: target.map(str::to_owned),
            inputs,
            features,
            crosses: Vec::new(),
            normalize: None,
        },
        map,
    ))
}

/// The smallest and largest finite values and the mean of a reference column.
pub(in crate::onnx::import) fn range_of(data: &ColumnData) -> (f64, f64, f64) {
    let values: Vec<f64> = match data {
        ColumnData::Numeric(v) => v.iter().copied().filter(|x| x.is_finite()).collect(),
        ColumnData::Boolean(v) => v.iter().flatten().map(|b| f64::from(*b)).collect(),
        ColumnData::Categorical { .. } => Vec::new(),
    };
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (min, max, if mean.is_finite() { mean } else { 0.0 })
}

/// The model over the pipeline's features: graph feature `i` is pipeline feature `map[i]`
/// (`width` in all). Weights of one pipeline feature read twice add up; pipeline features
/// the graph never reads (a category it dropped) get weight 0.
pub(super) fn remap(model: Model, map: &[usize], width: usize) -> Result<Model, ImportError> {
    let identity = map.len() == width && map.iter().enumerate().all(|(i, &m)| i == m);
    if identity {
        return Ok(model);
    }
    let spread = |w: &[f64]| {
        let mut out = vec![0.0; width];
        for (i, &m) in map.iter().enumerate() {
            out[m] += w[i];
        }
        out
    };
    Ok(match model {
        Model::Linear(m) => Model::Linear(LinearModel {
            weights: spread(&m.weights),
            intercept: m.intercept,
        }),
        Model::Logistic(m) if m.n_classes == 2 => Model::Logistic(LogisticModel {
            weights: spread(&m.weights),
            ..m
        }),
        Model::Logistic(m) => {
            let k = m.n_classes;
            let mut weights = vec![0.0; width * k];
            for (i, &t) in map.iter().enumerate() {
                for c in 0..k {
                    weights[t * k + c] += m.weights[i * k + c];
                }
            }
            Model::Logistic(LogisticModel { weights, ..m })
        }
        Model::Mlp(mut m) => {
            let n_in = m.sizes[0];
            let first = &m.weights[0];
            let mut w = Vec::with_capacity(first.len() / n_in.max(1) * width);
            for row in first.chunks_exact(n_in.max(1)) {
                w.extend(spread(row));
            }
            m.weights[0] = w;
            m.sizes[0] = width;
            Model::Mlp(m)
        }
        other => trees::remap(other, map, width)?,
    })
}
