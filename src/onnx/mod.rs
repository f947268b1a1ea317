//! ONNX in and out: the protobuf layer both directions share, and [`export`] (an artifact
//! as an ONNX graph).
//!
//! [`proto`] holds the messages of the official `onnx-ml.proto` (the ONNX IR plus the
//! `ai.onnx.ml` types), generated once by prost-build and committed
//! (`scripts/gen_onnx_proto.sh`), so no build needs `protoc`. prost is the well-kept
//! protobuf crate with the smallest footprint (derive macros over plain structs, no
//! runtime reflection); its decoder checks every declared length against the bytes that
//! are really there before it reads, so a file that declares a 2 GB tensor in 40 bytes
//! is an error, not an allocation, and nesting is capped (100 levels) so a hostile graph
//! cannot exhaust the stack.

pub mod export;
pub mod import;
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod proto;

use prost::Message;

/// What can go wrong reading an ONNX file's bytes.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The bytes are not an ONNX model (truncated, corrupt, or another format).
    #[error(
        "not a readable ONNX model ({0}); export it again with skl2onnx or onnxmltools, \
         or check the file was copied whole"
    )]
    Decode(#[from] prost::DecodeError),
}

/// Decodes an ONNX model from its protobuf bytes.
pub fn decode_model(bytes: &[u8]) -> Result<proto::ModelProto, OnnxError> {
    Ok(proto::ModelProto::decode(bytes)?)
}

/// Encodes an ONNX model to its protobuf bytes.
pub fn encode_model(model: &proto::ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}
