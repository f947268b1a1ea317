//! Two build-time settings of the core.
//!
//! **The page's TypeScript contract.** `cfg(ts)` is set when the crate is built for the page:
//! wasm32 with the `browser` feature. Under it, the types the page sends and receives derive
//! `tsify::Tsify`, which writes their TypeScript declarations into the `.d.ts` that
//! wasm-bindgen generates (see `src/wasm/mod.rs`). Native builds and the edge scorer never see
//! the derive, so the core does not depend on wasm-bindgen there.
//!
//! **The edge scorer inside the CLI**, so that an installed binary can `driftlab export`
//! without a checkout. For a native build with the `cli` feature, the scorer is
//! `$DRIFTLAB_EDGE_WASM` when set, else `pkg/edge/driftlab_edge.wasm` (what `make wasm`
//! writes). When that file exists it is copied into `OUT_DIR` and the binary includes it
//! (`cfg(driftlab_edge_embedded)`); when it does not, the binary looks for one at run time and
//! says how to point at one (`export --wasm`). The Makefile builds the scorer before the tests
//! build the binary.
//!
//! Nothing is watched for wasm32 builds: the edge scorer is itself built from this crate for
//! wasm32, and a core that depended on its own scorer would rebuild it forever. Natively the
//! script watches the scorer, or while it is missing the nearest of `pkg/edge/` and `pkg/`
//! that exists, so that building the scorer later builds it in. A path that does not exist
//! is never watched: cargo would rerun the script, and so rebuild the core, on every build.
//! (On a fresh checkout without pkg/, a binary built before `make wasm` finds the scorer at
//! run time under pkg/edge/ instead.) The edge monitor module beside the scorer is embedded
//! the same way; while it is missing, the scorer's folder is watched so that building it
//! later builds it in.
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ts)");
    println!("cargo::rustc-check-cfg=cfg(driftlab_edge_embedded)");
    println!("cargo::rustc-check-cfg=cfg(driftlab_monitor_embedded)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DRIFTLAB_EDGE_WASM");
    let wasm32 = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if wasm32 {
        if std::env::var_os("CARGO_FEATURE_BROWSER").is_some() {
            println!("cargo::rustc-cfg=ts");
        }
        return;
    }
    if std::env::var_os("CARGO_FEATURE_CLI").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let scorer = match std::env::var_os("DRIFTLAB_EDGE_WASM") {
        Some(path) => manifest.join(path),
        None => manifest.join("pkg/edge/driftlab_edge.wasm"),
    };
    if !scorer.is_file() {
        let watch = ["pkg/edge", "pkg"].map(|d| manifest.join(d));
        if let Some(dir) = watch.iter().find(|d| d.is_dir()) {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        return;
    }
    println!("cargo::rerun-if-changed={}", scorer.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::copy(&scorer, out.join("driftlab_edge.wasm"))
        .unwrap_or_else(|e| panic!("cannot copy {} into the build: {e}", scorer.display()));
    println!("cargo::rustc-cfg=driftlab_edge_embedded");
    // the edge monitor module (the bundle's Durable Object) beside it, when built
    let monitor = scorer.with_file_name("driftlab_monitor.wasm");
    if monitor.is_file() {
        println!("cargo::rerun-if-changed={}", monitor.display());
        std::fs::copy(&monitor, out.join("driftlab_monitor.wasm"))
            .unwrap_or_else(|e| panic!("cannot copy {} into the build: {e}", monitor.display()));
        println!("cargo::rustc-cfg=driftlab_monitor_embedded");
    } else if let Some(dir) = monitor.parent() {
        // built later (make wasm writes the scorer first): watch its folder until it appears
        println!("cargo::rerun-if-changed={}", dir.display());
    }
}
