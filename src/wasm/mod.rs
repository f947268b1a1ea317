//! The browser facade: the only module that knows about JavaScript. It forwards, one line
//! per call, to the core's typed calls: [`Data`] over [`crate::workbench::DataBench`]
//! (the table), [`Model`] over [`crate::workbench::ModelBench`] (the last model) and
//! [`Deploy`] over [`crate::deploy::Session`] (the registry, the scenario, the monitor).
//! The page's first module (built without `train`) has the data handle only. The full
//! module also carries, for the npm package (`npm/`), the drift report and the streaming
//! detectors ([`Detector`], `Data.driftAgainst`, `Data.driftFromProfile`).
//!
//! **The contract is generated.** Every request and response is a core serde type that,
//! in this build (`cfg(ts)`, see `build.rs`), derives [`tsify::Tsify`]: its TypeScript
//! declaration lands in the `.d.ts` wasm-bindgen writes (`pkg/driftlab.d.ts`), and the
//! methods here take and return [`Ts<T>`], so that file also carries typed signatures —
//! `step(): StepReport`. The worker and the client are typed from the generated classes;
//! no TypeScript mirror of a Rust type is written by hand. Why tsify rather than ts-rs:
//! ts-rs writes `.ts` files from a native test run, which would have to be committed and
//! checked for staleness, and the method signatures would stay hand-written; tsify's
//! declarations and signatures are produced by the same `make wasm` that builds the module
//! the page runs, so they cannot drift from it. The declarations travel in a custom
//! section that wasm-bindgen strips, so they add nothing to the Wasm; measured by `make
//! wasm` (gzip -9) against the facade before the split, the handles and the core's typed
//! calls took the first-load module from 193,677 to 198,305 B (budget 300 KB) and the full
//! one from 747,147 to 752,283 B; the edge scorer never sees the derive (58,843 → 58,830 B).
//! `tsify` 0.5.8 rather than `tsify-next` 0.5.6: the 0.5 line is released again under its
//! original name, newer than the fork, and 0.5.7 added `Ts<T>`, which converts inside the
//! call (a bad value is an ordinary error) instead of at the ABI, where a failure leaks.
//!
//! Values cross as plain JSON-shaped objects (serde-wasm-bindgen's JSON-compatible
//! serializer: maps as objects, `None` as `null`), which is what tsify's `json` types
//! describe. Every error arrives in JavaScript as an `Error` whose message is the core's
//! (row, column and fix included). The clock (`performance.now()`) and the Wasm memory are
//! read here and handed to the core, which has neither.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use serde::{de::DeserializeOwned, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

mod data;
#[cfg(feature = "train")]
mod deploy;
#[cfg(feature = "train")]
mod drift;
#[cfg(feature = "train")]
mod live;
#[cfg(feature = "train")]
mod model;

pub use data::Data;
#[cfg(feature = "train")]
pub use deploy::Deploy;
#[cfg(feature = "train")]
pub use drift::Detector;
#[cfg(feature = "train")]
pub use model::Model;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// `value` as a plain JavaScript value (maps as objects, `None` as `null`).
fn js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// `value` as its generated TypeScript type.
fn ts<T: Serialize + Tsify>(value: &T) -> Result<Ts<T>, JsError> {
    js(value).map(Ts::new_unchecked)
}

/// Each of `values` as its generated TypeScript type (a JavaScript array).
fn ts_all<T: Serialize + Tsify>(values: &[T]) -> Result<Vec<Ts<T>>, JsError> {
    values.iter().map(ts).collect()
}

/// A JavaScript value read as `T`; `what` names it in the error.
fn rust<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// State that two handles share (the model reads the data handle's table; the deploy
/// handle deploys the model handle's model). A call made while another holds it (a
/// progress callback calling back in) gets an error, never a panic.
struct Shared<T>(Rc<RefCell<T>>);

impl<T> Shared<T> {
    fn new(value: T) -> Shared<T> {
        Shared(Rc::new(RefCell::new(value)))
    }
    #[cfg(feature = "train")]
    fn share(&self) -> Shared<T> {
        Shared(Rc::clone(&self.0))
    }
    fn read(&self) -> Result<Ref<'_, T>, JsError> {
        self.0.try_borrow().map_err(|_| busy())
    }
    fn write(&self) -> Result<RefMut<'_, T>, JsError> {
        self.0.try_borrow_mut().map_err(|_| busy())
    }
}

fn busy() -> JsError {
    JsError::new("the engine is busy with another call: wait for it to finish")
}

/// The worker's clock and the Wasm memory, for the core.
#[cfg(feature = "train")]
struct PageMeter;

#[cfg(feature = "train")]
impl crate::deploy::Meter for PageMeter {
    /// `performance.now()` of the worker (or the page), falling back to `Date.now()`.
    fn now_ms(&mut self) -> f64 {
        use wasm_bindgen::JsCast;
        let global = js_sys::global();
        js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
            .ok()
            .filter(|p| !p.is_undefined())
            .and_then(|p| {
                let now = js_sys::Reflect::get(&p, &JsValue::from_str("now")).ok()?;
                let f: js_sys::Function = now.dyn_into().ok()?;
                f.call0(&p).ok()?.as_f64()
            })
            .unwrap_or_else(js_sys::Date::now)
    }

    /// The Wasm linear memory in bytes.
    fn memory_bytes(&mut self) -> Option<u64> {
        use wasm_bindgen::JsCast;
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().ok()?;
        let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into().ok()?;
        Some(u64::from(buffer.byte_length()))
    }
}
