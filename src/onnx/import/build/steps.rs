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
                    });
                }
                Feat::Ind { .. } if o == 0.0 && s == 1.0 => out.push(f.clone()),
                Feat::Ind { .. } => {
                    return Err(unsupported(
                        node,
                        "it scales a one-hot indicator; driftlab scales numeric columns only",
                    ))
                }
            }
        }
        feats.clear();
        self.set(node, 0, Val::Feats(out));
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
