//! The browser facade for the second half of the loop: the model registry (champion,
//! challenger, traffic modes), scenarios streamed through the deployed model, the
//! monitor's timeline and alarms, and retraining on fresh labels.

/// The deploy-side state of a [`super::Workbench`].
#[derive(Default)]
pub(super) struct DeployState {}
