//! Sets `cfg(ts)` when the crate is built for the page: wasm32 with the `browser` feature.
//! Under it, the types the page sends and receives derive `tsify::Tsify`, which writes their
//! TypeScript declarations into the `.d.ts` that wasm-bindgen generates (see
//! `src/wasm/mod.rs`). Native builds and the edge scorer never see the derive, so the core
//! does not depend on wasm-bindgen there.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ts)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_BROWSER").is_some() {
        println!("cargo::rustc-cfg=ts");
    }
}
