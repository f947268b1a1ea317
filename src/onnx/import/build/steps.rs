//! The preprocessing operators (Imputer, Scaler, OneHotEncoder, Concat, the feature
//! extractors): each folds into the per-feature steps ([`Feat`]) of the values it reads.

use super::*;

impl<'g> Walk<'g> {
    pub(super) fn imputer(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut feats = self.feats(node, 0)?;
        let values = node.floats("imputed_value_floats")?;
        let replaced = node.float("replaced_value_float", f32::NAN);
        if !replaced.is_nan() {
            return Err(unsupported(
                node,
                "it replaces a number, not NaN; driftlab imputes missing values only",
            ));
        }
        if values.len() != 1 && values.len() != feats.len() {
            return Err(node.bad(format!(
                "{} imputed values for {} features",
                values.len(),
                feats.len()
            )));
        }
        for (i, f) in feats.iter_mut().enumerate() {
            let v = values[if values.len() == 1 { 0 } else { i }];
            match f {
                Feat::Col {
                    fill: fill @ None,
                    offset,
                    scale,
                    binarize: None,
                    ..
                } if *offset == 0.0 && *scale == 1.0 => *fill = Some(v),
                _ => {
                    return Err(unsupported(
                        node,
                        "it imputes a feature that was already imputed, scaled or encoded; driftlab imputes raw columns",
                    ))
                }
            }
        }
        self.set(node, 0, Val::Feats(feats));
        Ok(())
    }

    pub(super) fn scaler(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut feats = self.feats(node, 0)?;
        let offsets = node.floats("offset")?;
        let scales = node.floats("scale")?;
        let pick = |v: &[f64], i: usize, d: f64| match v.len() {
            0 => Ok(d),
            1 => Ok(v[0]),
            n if n == feats.len() => Ok(v[i]),
            n => Err(node.bad(format!("{n} values for {} features", feats.len()))),
        };
        let mut out = Vec::with_capacity(feats.len());
        for (i, f) in feats.iter().enumerate() {
            let (o, s) = (pick(&offsets, i, 0.0)?, pick(&scales, i, 1.0)?);
            match f {
                Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                    binarize: None,
                } => {
                    if !(s.is_finite() && s > 0.0 && o.is_finite()) {
                        return Err(unsupported(
                            node,
                            &format!(
                                "feature {} is scaled by {s} (offset {o}); driftlab scales by a positive number (a constant column's scale is 1)",
                                i + 1
                            ),
                        ));
                    }
                    // ((x − a)·b − o)·s = (x − (a + o/b))·(b·s)
                    out.push(Feat::Col {
                        col: *col,
                        fill: *fill,
                        offset: offset + o / scale,
                        scale: scale * s,
                        binarize: None,
                    });
                }
                Feat::Ind { .. } if o == 0.0 && s == 1.0 => out.push(f.clone()),
                Feat::Ind { .. } => {
                    return Err(unsupported(
                        node,
                        "it scales a one-hot indicator; driftlab scales numeric columns only",
                    ))
                }
                Feat::Col { .. } | Feat::Ord { .. } => {
                    return Err(unsupported(
                        node,
                        "it scales a binarized feature or an ordinal code; driftlab scales numeric columns, before a Binarizer",
                    ))
                }
            }
        }
        feats.clear();
        self.set(node, 0, Val::Feats(out));
        Ok(())
    }

    /// A Binarizer: each numeric feature becomes `x > threshold` (after its imputation and
    /// scaling); a one-hot indicator is left as it is when the threshold is in [0, 1).
    pub(super) fn binarizer(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let feats = self.feats(node, 0)?;
        let t = f64::from(node.float("threshold", 0.0));
        if !t.is_finite() {
            return Err(node.bad(format!("threshold {t} is not a finite number")));
        }
        let mut out = Vec::with_capacity(feats.len());
        for (i, f) in feats.into_iter().enumerate() {
            match f {
                Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                    binarize: None,
                } => out.push(Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                    binarize: Some(t),
                }),
                ind @ Feat::Ind { .. } if (0.0..1.0).contains(&t) => out.push(ind),
                _ => {
                    return Err(unsupported(
                        node,
                        &format!(
                            "feature {} is already binarized, a one-hot indicator cut at {t} (all ones or all zeros), or an ordinal code; driftlab binarizes a numeric column after its imputation and scaling",
                            i + 1
                        ),
                    ))
                }
            }
        }
        self.set(node, 0, Val::Feats(out));
        Ok(())
    }

    /// A LabelEncoder on a text column (skl2onnx's OrdinalEncoder): its keys, their numbers
    /// (`values_int64s` or `values_floats`) and the default for any other string.
    pub(super) fn ordinal(&mut self, node: &Node<'g>, col: usize) -> Result<(), ImportError> {
        let keys = node.strings("keys_strings")?;
        if keys.is_empty() {
            return Err(unsupported(
                node,
                "it encodes a text input without keys_strings; driftlab reads a LabelEncoder from strings (keys_strings) to numbers (values_int64s or values_floats)",
            ));
        }
        let ints = node.ints("values_int64s");
        let (values, default): (Vec<f64>, f64) = if !ints.is_empty() {
            (
                ints.iter().map(|&v| v as f64).collect(),
                node.int("default_int64", -1) as f64,
            )
        } else {
            (
                node.floats("values_floats")?,
                f64::from(node.float("default_float", -0.0)),
            )
        };
        if values.len() != keys.len() {
            return Err(node.bad(format!(
                "{} keys for {} numbers (values_int64s or values_floats); a LabelEncoder on a text input must give each key a number",
                keys.len(),
                values.len()
            )));
        }
        if !default.is_finite() || !values.iter().all(|v| v.is_finite()) {
            return Err(node.bad("a number of the encoder is not finite"));
        }
        let mut sorted = keys.clone();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(node.bad(format!("key {:?} is given twice", w[0])));
        }
        let map = Ordinal {
            keys,
            values,
            default,
        };
        match self.ordinals.get(&col) {
            Some(m) if *m != map => {
                return Err(unsupported(
                    node,
                    "the column is encoded twice, differently; driftlab gives a column one step",
                ))
            }
            _ => {}
        }
        self.ordinals.insert(col, map);
        self.set(node, 0, Val::Feats(vec![Feat::Ord { col }]));
        Ok(())
    }

    pub(super) fn one_hot(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let col = match self.get(node, 0)? {
            Val::Text(col) => col,
            Val::Feats(_) => {
                return Err(unsupported(
                    node,
                    "it one-hot encodes numbers (cats_int64s); driftlab one-hot encodes categorical columns: give that column as text (string input) to the exporter",
                ))
            }
            other => {
                return Err(unsupported(
                    node,
                    &format!("it reads {}", describe(&other)),
                ))
            }
        };
        let cats = node.strings("cats_strings")?;
        if cats.is_empty() {
            return Err(node.bad("no cats_strings: the categories of a text column"));
        }
        let unseen = if node.int("zeros", 1) == 1 {
            Unseen::Ignore
        } else {
            Unseen::Error
        };
        let feats = cats
            .iter()
            .map(|c| Feat::Ind {
                col,
                cat: c.clone(),
            })
            .collect();
        let entry = self.categories.entry(col).or_insert((Vec::new(), unseen));
        for c in cats {
            if !entry.0.contains(&c) {
                entry.0.push(c);
            }
        }
        self.set(node, 0, Val::Feats(feats));
        Ok(())
    }

    pub(super) fn concat(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let n = node.proto.input.len();
        if node.op == "Concat" && n == 2 {
            if let (Val::Negative, Val::Positive) = (self.get(node, 0)?, self.positive(node, 1)?) {
                self.set(node, 0, Val::Probs);
                return Ok(());
            }
        }
        if node.op == "Concat" && !matches!(node.int("axis", 1), 1 | -1) {
            return Err(unsupported(
                node,
                "Concat is read along the features (axis 1)",
            ));
        }
        let mut all = Vec::new();
        for i in 0..n {
            all.extend(self.feats(node, i)?);
        }
        if node.op == "FeatureVectorizer" {
            let dims = node.ints("inputdimensions");
            if !dims.is_empty() && dims.iter().sum::<i64>() != all.len() as i64 {
                return Err(node.bad(format!(
                    "inputdimensions sum to {} but the inputs hold {} features",
                    dims.iter().sum::<i64>(),
                    all.len()
                )));
            }
        }
        self.set(node, 0, Val::Feats(all));
        Ok(())
    }

    pub(super) fn extract(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Feats(f), Val::Const(idx)) => {
                let idx = idx.numbers(&node.name)?;
                let mut out = Vec::with_capacity(idx.len().min(f.len()));
                for &i in idx {
                    let i = i as i64;
                    let at = if i < 0 { f.len() as i64 + i } else { i };
                    out.push(
                        usize::try_from(at)
                            .ok()
                            .and_then(|at| f.get(at))
                            .cloned()
                            .ok_or_else(|| {
                                node.bad(format!("index {i} is outside the {} features", f.len()))
                            })?,
                    );
                }
                self.set(node, 0, Val::Feats(out));
            }
            (Val::Text(col), Val::Const(_)) => self.set(node, 0, Val::Text(col)),
            (Val::Const(classes), Val::ArgMax) => {
                let labels: Vec<String> = match &classes.values {
                    Values::Numbers(v) => v.iter().map(|x| label_of_number(*x)).collect(),
                    Values::Strings(s) => s.clone(),
                };
                let found = self
                    .found
                    .as_mut()
                    .ok_or_else(|| node.bad("looks up a class before any model"))?;
                if labels.len() != found.classes.len() {
                    return Err(node.bad(format!(
                        "{} class labels for a model of {} classes",
                        labels.len(),
                        found.classes.len()
                    )));
                }
                found.classes = labels;
                self.set(node, 0, Val::Label);
            }
            (a, b) => {
                return Err(unsupported(
                    node,
                    &format!(
                        "it reads {} at {}; it is read on features with constant indices, or on a constant list of classes at the predicted class",
                        describe(&b),
                        describe(&a)
                    ),
                ))
            }
        }
        Ok(())
    }
}
