//! Training/serving consistency, native side: see `tests/common/consistency.rs`.

mod common {
    pub mod consistency;
}
use common::consistency;

#[test]
fn native_fingerprints_match_the_fixture() {
    if std::env::var_os("DRIFTLAB_BLESS").is_some() {
        let json = consistency::to_json(&consistency::fingerprints());
        std::fs::write(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/consistency.json"
            ),
            json,
        )
        .unwrap();
        return;
    }
    consistency::check();
}
