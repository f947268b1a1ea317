//! Painting the live view: the core's neuron values ([`crate::train::LiveNeurons`], in
//! [−1, 1]) become one `ImageData` per neuron, coloured on TensorFlow Playground's
//! diverging scale (orange for −1, a light grey for 0, blue for +1), here in the worker,
//! so the page receives pictures ready to draw instead of numbers to colour on its own
//! thread. Painting is the boundary's work; the numbers are the core's.

use wasm_bindgen::prelude::*;

use crate::train::LiveNeurons;

/// The colours of −1, 0 and +1.
const NEGATIVE: [f32; 3] = [245.0, 147.0, 34.0];
const ZERO: [f32; 3] = [232.0, 234.0, 235.0];
const POSITIVE: [f32; 3] = [8.0, 119.0, 189.0];

/// One `ImageData` (`size × size`) per neuron, in the core's order.
pub(super) fn paint(neurons: &LiveNeurons) -> Result<js_sys::Array, JsError> {
    let cells = neurons.size * neurons.size;
    let out = js_sys::Array::new();
    let mut rgba = vec![0u8; cells * 4];
    for values in neurons.values.chunks_exact(cells.max(1)) {
        for (px, &v) in rgba.chunks_exact_mut(4).zip(values) {
            let (to, t) = if v < 0.0 {
                (NEGATIVE, -v)
            } else {
                (POSITIVE, v)
            };
            let t = t.min(1.0);
            for c in 0..3 {
                px[c] = (ZERO[c] + (to[c] - ZERO[c]) * t) as u8;
            }
            px[3] = 255;
        }
        let size = u32::try_from(neurons.size).map_err(|_| JsError::new("grid too large"))?;
        // copied into a buffer of its own: an `ImageData` made from a `Clamped` slice keeps
        // a view of the module's memory, which the next neuron (and the next call) paints
        // over, so every picture would show the last neuron
        let own = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
        own.copy_from(&rgba);
        let image = web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&own, size, size)
            .map_err(|_| JsError::new("could not make the neuron's picture"))?;
        out.push(&image);
    }
    Ok(out)
}
