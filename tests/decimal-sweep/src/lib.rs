//! The decimal parser (`src/decimal.rs`) and its tests (`src/decimal/tests.rs`), compiled
//! again in this crate, which the workspace's `Cargo.toml` optimises in the `dev` profile
//! (`[profile.dev.package.driftlab-decimal-sweep]`: opt-level 3, overflow checks kept).
//!
//! Why: the tests compare [`decimal::parse_f64`] with `str::parse::<f64>` on a seeded sweep
//! of random strings, most of whose time goes to the parser's slow path (a big decimal
//! shifted by powers of two). In the core's debug `cargo test` 1,000,000 strings took 19 s
//! of CPU (36–39 s wall on a loaded 2-core machine); optimised here, 3.5 s of CPU. The
//! core's own debug run keeps the hard cases and sweeps 20,000 strings; this crate runs the
//! same file on 1,000,000 (debug assertions off, overflow checks on), and
//! `cargo test -p driftlab-decimal-sweep -- --ignored` on 40,000,000.
//!
//! The source is the core's, by path, not a copy: what is proven here is what the core
//! and its three builds (page, CLI, edge) compile.

#[path = "../../../src/decimal.rs"]
pub mod decimal;
