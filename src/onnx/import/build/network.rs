//! A network's operators (MatMul/Gemm, Add, Mul, the activations, Softmax): layers are
//! assembled as the walk meets them and become the `mlp` family when the output is reached.

use super::*;

impl<'g> Walk<'g> {
    /// MatMul(X, W) or Gemm(X, W, b): a new layer of the network.
    pub(super) fn matmul(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut net = match self.get(node, 0)? {
            Val::Feats(feats) => Net {
                feats,
                layers: Vec::new(),
            },
            Val::Normed(feats, norm) => {
                self.norm = Some(norm);
                Net {
                    feats,
                    layers: Vec::new(),
                }
            }
            Val::Net(n) => n,
            other => {
                return Err(unsupported(
                    node,
                    &format!("it multiplies {}", describe(&other)),
                ))
            }
        };
        if let Some(last) = net.layers.last() {
            if last.activation.is_none() && node.op == "MatMul" {
                return Err(unsupported(
                    node,
                    "two weight layers without an activation between them",
                ));
            }
        }
        let w = self.constant(node, 1)?;
        let n_in = net.width();
        let trans_a = node.int("transA", 0);
        let trans_b = node.int("transB", 0);
        let (alpha, beta) = (
            f64::from(node.float("alpha", 1.0)),
            f64::from(node.float("beta", 1.0)),
        );
        if trans_a != 0 || (node.op == "Gemm" && (alpha != 1.0 || beta != 1.0)) {
            return Err(unsupported(
                node,
                "Gemm is read with transA = 0 and alpha = beta = 1",
            ));
        }
        let values = w.numbers(&node.name)?;
        let (rows, cols) = match w.dims[..] {
            [r, c] => (r, c),
            _ => return Err(node.bad(format!("the weights have shape {:?}, not a matrix", w.dims))),
        };
        let (fan_in, n_out) = if trans_b != 0 {
            (cols, rows)
        } else {
            (rows, cols)
        };
        if fan_in != n_in {
            return Err(node.bad(format!("weights of {rows} × {cols} for {n_in} inputs")));
        }
        // driftlab: row j holds neuron j's weights
        let mut weights = vec![0.0; n_out * n_in];
        for j in 0..n_out {
            for i in 0..n_in {
                weights[j * n_in + i] = if trans_b != 0 {
                    values[j * cols + i]
                } else {
                    values[i * cols + j]
                };
            }
        }
        let mut layer = Layer {
            n_in,
            weights,
            biases: vec![0.0; n_out],
            biased: false,
            activation: None,
        };
        if node.op == "Gemm" {
            if let Some(name) = node.input(2) {
                let _ = name;
                let b = self.constant(node, 2)?;
                add_bias(node, &mut layer, b.numbers(&node.name)?)?;
            }
        }
        net.layers.push(layer);
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    /// Add, Sub, Mul or Div of features and a constant (skl2onnx writes MinMaxScaler so):
    /// folded into each feature's shift and scale.
    pub(super) fn affine(&mut self, node: &Node<'g>) -> Result<bool, ImportError> {
        let (feats, c, const_first) = match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Feats(f), Val::Const(c)) => (f, c, false),
            (Val::Const(c), Val::Feats(f)) if matches!(node.op, "Add" | "Mul") => (f, c, true),
            _ => return Ok(false),
        };
        let _ = const_first;
        let v = c.numbers(&node.name)?;
        if v.len() != 1 && v.len() != feats.len() {
            return Err(node.bad(format!(
                "{} constants for {} features",
                v.len(),
                feats.len()
            )));
        }
        let mut out = Vec::with_capacity(feats.len());
        for (i, f) in feats.into_iter().enumerate() {
            let k = v[if v.len() == 1 { 0 } else { i }];
            match f {
                Feat::Col {
                    col,
                    fill,
                    offset,
                    scale,
                    binarize: None,
                } => {
                    // (x − o)·s  op  k, kept as (x − o')·s'
                    let (offset, scale) = match node.op {
                        "Add" => (offset - k / scale, scale),
                        "Sub" => (offset + k / scale, scale),
                        "Mul" => (offset, scale * k),
                        _ => (offset, scale / k),
                    };
                    if !(scale.is_finite() && scale > 0.0 && offset.is_finite()) {
                        return Err(unsupported(
                            node,
                            &format!("feature {} ends up scaled by {scale}; driftlab scales by a positive number", i + 1),
                        ));
                    }
                    out.push(Feat::Col {
                        col,
                        fill,
                        offset,
                        scale,
                        binarize: None,
                    });
                }
                ind @ Feat::Ind { .. }
                    if (k == 0.0 && matches!(node.op, "Add" | "Sub"))
                        || (k == 1.0 && matches!(node.op, "Mul" | "Div")) =>
                {
                    out.push(ind)
                }
                Feat::Ind { .. } => {
                    return Err(unsupported(node, "it shifts or scales a one-hot indicator"))
                }
                Feat::Col { .. } | Feat::Ord { .. } => {
                    return Err(unsupported(
                        node,
                        "it shifts or scales a binarized feature or an ordinal code; driftlab scales numeric columns before a Binarizer",
                    ))
                }
            }
        }
        self.set(node, 0, Val::Feats(out));
        Ok(true)
    }

    pub(super) fn add(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        if self.affine(node)? {
            return Ok(());
        }
        // a constant added to a regressor's value (TreeEnsemble has no base value of its
        // own): into the model's base score or intercept
        if let (Val::Value, Val::Const(c)) | (Val::Const(c), Val::Value) =
            (self.get(node, 0)?, self.get(node, 1)?)
        {
            let v = c.numbers(&node.name)?;
            let found = self
                .found
                .as_mut()
                .ok_or_else(|| node.bad("adds to a value before any model"))?;
            match (&mut found.model, v) {
                (Model::Boosting(b), [k]) if b.n_classes == 0 => b.base_score[0] += k,
                (Model::Linear(l), [k]) => l.intercept += k,
                _ => {
                    return Err(unsupported(
                        node,
                        "Add after a model is read as one constant added to a tree ensemble's or a linear regressor's value",
                    ))
                }
            }
            self.set(node, 0, Val::Value);
            return Ok(());
        }
        let (mut net, b) = match (self.get(node, 0)?, self.get(node, 1)?) {
            (Val::Net(n), Val::Const(b)) | (Val::Const(b), Val::Net(n)) => (n, b),
            _ => {
                return Err(unsupported(
                    node,
                    "Add is read as a layer's bias: a network's weighted sums plus a constant",
                ))
            }
        };
        let layer = net
            .layers
            .last_mut()
            .filter(|l| l.activation.is_none())
            .ok_or_else(|| unsupported(node, "a bias added after an activation"))?;
        add_bias(node, layer, b.numbers(&node.name)?)?;
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    pub(super) fn mul(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        if self.affine(node)? {
            return Ok(());
        }
        match (self.get(node, 0)?, self.get(node, 1)?) {
            (v @ (Val::Net(_) | Val::Feats(_)), Val::Const(c))
            | (Val::Const(c), v @ (Val::Net(_) | Val::Feats(_)))
                if c.numbers(&node.name)?.iter().all(|&x| x == 1.0) =>
            {
                self.set(node, 0, v);
                Ok(())
            }
            (Val::Net(mut net), Val::Const(c)) | (Val::Const(c), Val::Net(mut net)) => {
                let s = c.numbers(&node.name)?;
                let layer = net
                    .layers
                    .last_mut()
                    .filter(|l| l.activation.is_none() && s.len() == 1)
                    .ok_or_else(|| {
                        unsupported(node, "Mul is read as a scalar on a layer's weighted sums")
                    })?;
                for w in layer.weights.iter_mut().chain(layer.biases.iter_mut()) {
                    *w *= s[0];
                }
                self.set(node, 0, Val::Net(net));
                Ok(())
            }
            _ => Err(unsupported(
                node,
                "Mul is read as a constant scalar on a network's weighted sums",
            )),
        }
    }

    pub(super) fn activation(&mut self, node: &Node<'g>) -> Result<(), ImportError> {
        let mut net = match self.get(node, 0)? {
            Val::Net(n) => n,
            other => {
                return Err(unsupported(
                    node,
                    &format!(
                        "{} is read on a network's weighted sums, not on {}",
                        node.op,
                        describe(&other)
                    ),
                ))
            }
        };
        let a = match node.op {
            "Relu" => Activation::Relu,
            "Tanh" => Activation::Tanh,
            _ => Activation::Sigmoid,
        };
        let Some(last) = net.layers.last_mut().filter(|l| l.activation.is_none()) else {
            return Err(unsupported(
                node,
                "an activation with no weighted sums before it",
            ));
        };
        last.activation = Some(a);
        self.set(node, 0, Val::Net(net));
        Ok(())
    }

    /// The network is complete: a classifier (after its Softmax, or a sigmoid on one output,
    /// which is read as the last activation and turned into a two-class softmax) or a
    /// regressor (the graph's output is the last layer's sum).
    pub(super) fn finish_net(
        &mut self,
        mut net: Net,
        softmax: Option<&Node<'g>>,
    ) -> Result<Val, ImportError> {
        let sigmoid_out = net
            .layers
            .last()
            .is_some_and(|l| l.activation == Some(Activation::Sigmoid) && l.biases.len() == 1);
        let n_classes = match (softmax, sigmoid_out) {
            (Some(node), _) => {
                if net.layers.last().is_some_and(|l| l.activation.is_some()) {
                    return Err(unsupported(node, "a softmax after an activation"));
                }
                let k = net.width();
                if k < 2 {
                    return Err(unsupported(node, "a softmax over one output"));
                }
                k
            }
            (None, true) => {
                // σ(z) = softmax([0, z])[1]: a zero row for class 0
                let last = net
                    .layers
                    .last_mut()
                    .ok_or_else(|| ImportError::Graph("empty network".into()))?;
                let mut weights = vec![0.0; last.n_in];
                weights.extend_from_slice(&last.weights);
                last.weights = weights;
                last.biases.insert(0, 0.0);
                last.activation = None;
                2
            }
            (None, false) => {
                if net.layers.last().is_some_and(|l| l.activation.is_some()) || net.width() != 1 {
                    return Err(ImportError::Graph(
                        "a network whose output is not one linear value (a regressor) or class probabilities (a softmax, or a sigmoid on one output)".into(),
                    ));
                }
                0
            }
        };
        if net.layers.is_empty() {
            return Err(ImportError::Graph("a network without layers".into()));
        }
        let mut sizes = vec![net.feats.len()];
        sizes.extend(net.layers.iter().map(|l| l.biases.len()));
        let depth = net.layers.len();
        let mut activations = Vec::new();
        for (i, l) in net.layers.iter().enumerate() {
            if i + 1 < depth {
                activations.push(l.activation.unwrap_or(Activation::Linear));
            }
        }
        let model = MlpModel {
            sizes,
            activations,
            weights: net.layers.iter().map(|l| l.weights.clone()).collect(),
            biases: net.layers.iter().map(|l| l.biases.clone()).collect(),
            n_classes,
        };
        let node_for_error = softmax;
        let f = Found {
            model: Model::Mlp(model),
            feats: std::mem::take(&mut net.feats),
            classes: (0..n_classes).map(|c| c.to_string()).collect(),
        };
        if self.found.is_some() {
            return Err(match node_for_error {
                Some(n) => unsupported(n, "the graph already has a model"),
                None => ImportError::Graph("the graph has two models".into()),
            });
        }
        self.found = Some(f);
        if sigmoid_out && softmax.is_none() {
            return Ok(Val::Positive);
        }
        Ok(if n_classes == 0 {
            Val::Value
        } else {
            Val::Probs
        })
    }
}

fn add_bias(node: &Node<'_>, layer: &mut Layer, b: &[f64]) -> Result<(), ImportError> {
    if layer.biased {
        return Err(unsupported(node, "a second bias on one layer"));
    }
    let n = layer.biases.len();
    match b.len() {
        1 => layer.biases.iter_mut().for_each(|x| *x = b[0]),
        len if len == n => layer.biases.copy_from_slice(b),
        len => return Err(node.bad(format!("{len} biases for {n} neurons"))),
    }
    layer.biased = true;
    Ok(())
}
