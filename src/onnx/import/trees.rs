//! Tree ensembles and support vector machines: ONNX-ML's node lists onto driftlab's tree,
//! boosting and svm families.

use super::build::{Feat, Found, Out};
use super::graph::Node;
use super::ImportError;
use crate::score::Model;

/// A TreeEnsemble operator as a driftlab model.
pub(super) fn ensemble(
    node: &Node<'_>,
    _feats: Vec<Feat>,
) -> Result<(Found, Vec<Out>), ImportError> {
    Err(super::build::unsupported_pub(
        node,
        "tree ensembles are not read yet",
    ))
}

/// An SVM operator as a driftlab model.
pub(super) fn svm(node: &Node<'_>, _feats: Vec<Feat>) -> Result<(Found, Vec<Out>), ImportError> {
    Err(super::build::unsupported_pub(
        node,
        "support vector machines are not read yet",
    ))
}

/// Remaps a tree or svm model's feature indices.
pub(super) fn remap(model: Model, _map: &[usize], _width: usize) -> Result<Model, ImportError> {
    Err(ImportError::Graph(format!(
        "a {} model whose features are reordered is not read yet",
        model.model_kind().name()
    )))
}
