//! Writes `onnx.rs` (prost messages for the `onnx` package) into the folder given.
fn main() {
    let out = std::env::args().nth(1).expect("usage: onnx-proto-gen OUT_DIR");
    let mut config = prost_build::Config::new();
    config.out_dir(&out);
    config
        .compile_protos(&["src/onnx/onnx-ml.proto"], &["src/onnx"])
        .expect("protoc failed (apt-get install protobuf-compiler)");
}
