//! Numeric helpers shared by the profile, the drift tests, the detectors and the monitor:
//! sorting floats, linear quantiles, and writing floats so that they come back exactly.
//!
//! They live here, below all of those modules, so that no two of them import each other
//! for a helper (`profile` used to call `drift::sort_f64` while `drift` reads profiles).
//!
//! **Two linear quantiles.** Both interpolate linearly between order statistics (NumPy's
//! default method); they differ only in how the arithmetic rounds:
//! * [`quantile_linear`] follows NumPy's arithmetic step for step (`virtual_index`,
//!   `gamma`, and the `gamma >= 0.5` branch), so the PSI edges of the drift tests equal
//!   `numpy.quantile`'s bit for bit;
//! * [`exact_quantile`] is the profile's and the median imputer's (`lo + (hi − lo) ·
//!   frac`). Its values are written into every artifact (the profile's quantiles, the
//!   fitted pipeline's medians), so it stays as it is: NumPy's rounding here would change
//!   artifacts trained before and after.
//!
//! **Floats in saved state** ([`serde_f64`]): JSON has no NaN or infinity (serde_json
//! writes them as `null`), but a detector's state holds both (DDM's `p_min` is NaN
//! before its warm start, Page-Hinkley's running minimum starts at `+∞`). The adapter
//! writes `±∞` as the strings `"inf"` and `"-inf"` — the convention of the drift report's
//! statistics — and NaN as `null`, and reads all of them back, so a saved monitor or
//! detector continues bit for bit.

/// Sorts in IEEE total order (`f64::total_cmp`: `-∞ < … < -0.0 < 0.0 < … < +∞`) by an LSD
/// radix sort ([`radsort`]), linear in the length: on 100,000 values several times faster
/// than `sort_unstable_by(f64::total_cmp)`, which the drift report used to spend most of
/// its time in. Short slices take the comparison sort.
pub(crate) fn sort_f64(v: &mut [f64]) {
    if v.len() < 256 {
        v.sort_unstable_by(f64::total_cmp);
    } else {
        radsort::sort(v);
    }
}

/// A sorted copy (see [`sort_f64`]).
pub(crate) fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    sort_f64(&mut v);
    v
}

/// NumPy's `quantile(sorted, q)` (method `linear`), computed as NumPy computes it so the
/// result is the same to the last bit. NaN for an empty slice.
pub(crate) fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let virtual_index = nf * q + (1.0 - q) - 1.0;
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let lo = (prev.max(0.0) as usize).min(n - 1);
    let hi = ((prev + 1.0).max(0.0) as usize).min(n - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    if a == b {
        return a;
    }
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// The profile's linear-interpolation quantile of sorted values; 0 when empty (see the
/// [module docs](self) for why it is not [`quantile_linear`]).
pub(crate) fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => {
            let pos = q * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let frac = pos - lo as f64;
            sorted[lo] + (sorted[hi] - sorted[lo]) * frac
        }
    }
}

/// Serde adapters for floats that must come back exactly, NaN and `±∞` included (see the
/// [module docs](self)): `#[serde(with = "crate::numeric::serde_f64")]` on an `f64`,
/// `serde_f64::vec` on a `Vec<f64>`, `serde_f64::map` on a map of floats.
pub(crate) mod serde_f64 {
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;
    use serde::{Deserialize, Serialize};
    use std::fmt;

    /// Writes a float: finite as a number, NaN as `null`, `±∞` as `"inf"` / `"-inf"`.
    pub(crate) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else if x.is_nan() {
            s.serialize_none()
        } else {
            s.serialize_str(if *x > 0.0 { "inf" } else { "-inf" })
        }
    }

    struct F64Visitor;

    impl<'de> Visitor<'de> for F64Visitor {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, null (NaN), \"inf\" or \"-inf\"")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
            Ok(f64::NAN)
        }
        fn visit_none<E: de::Error>(self) -> Result<f64, E> {
            Ok(f64::NAN)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
            d.deserialize_any(F64Visitor)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            match v {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "nan" | "NaN" => Ok(f64::NAN),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }

    /// Reads what [`serialize`] writes (and any plain number).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(F64Visitor)
    }

    /// One float through the adapter, for containers.
    #[derive(Clone, Copy)]
    struct Exact(f64);

    impl Serialize for Exact {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(&self.0, s)
        }
    }

    impl<'de> Deserialize<'de> for Exact {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(d).map(Exact)
        }
    }

    /// The adapter for `Vec<f64>`.
    pub(crate) mod vec {
        use super::Exact;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes each float as [`super::serialize`] does.
        pub(crate) fn serialize<S: Serializer, T>(v: &T, s: S) -> Result<S::Ok, S::Error>
        where
            for<'a> &'a T: IntoIterator<Item = &'a f64>,
        {
            s.collect_seq(v.into_iter().map(|&x| Exact(x)))
        }

        /// Reads what [`serialize`] writes (into a `Vec` or a `VecDeque`).
        pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: FromIterator<f64>>(
            d: D,
        ) -> Result<T, D::Error> {
            Ok(Vec::<Exact>::deserialize(d)?
                .into_iter()
                .map(|x| x.0)
                .collect())
        }
    }

    /// The adapter for `BTreeMap<String, f64>`.
    pub(crate) mod map {
        use super::Exact;
        use serde::{Deserialize, Deserializer, Serializer};
        use std::collections::BTreeMap;

        /// Writes each value as [`super::serialize`] does.
        pub(crate) fn serialize<S: Serializer>(
            m: &BTreeMap<String, f64>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            s.collect_map(m.iter().map(|(k, &v)| (k, Exact(v))))
        }

        /// Reads what [`serialize`] writes.
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<BTreeMap<String, f64>, D::Error> {
            Ok(BTreeMap::<String, Exact>::deserialize(d)?
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_in_total_order() {
        let mut v: Vec<f64> = (0..600)
            .map(|i| ((i * 7919) % 601) as f64 - 300.0)
            .collect();
        v.extend([f64::INFINITY, -0.0, 0.0, f64::NEG_INFINITY]);
        let mut want = v.clone();
        want.sort_unstable_by(f64::total_cmp);
        sort_f64(&mut v);
        assert_eq!(
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(sorted(&[3.0, -1.0, 2.0]), [-1.0, 2.0, 3.0]);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let s = [1.0, 2.0, 4.0, 8.0];
        // numpy.quantile([1, 2, 4, 8], [0, 0.5, 0.9, 1]) = [1, 3, 6.8, 8]
        for (q, want) in [(0.0, 1.0), (0.5, 3.0), (1.0, 8.0)] {
            assert_eq!(quantile_linear(&s, q), want);
            assert_eq!(exact_quantile(&s, q), want);
        }
        assert!((quantile_linear(&s, 0.9) - 6.8).abs() < 1e-12);
        assert!((exact_quantile(&s, 0.9) - 6.8).abs() < 1e-12);
        assert!(quantile_linear(&[], 0.5).is_nan());
        assert_eq!(exact_quantile(&[], 0.5), 0.0);
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Floats {
        #[serde(with = "serde_f64")]
        x: f64,
        #[serde(with = "serde_f64::vec")]
        v: Vec<f64>,
        #[serde(with = "serde_f64::map")]
        m: std::collections::BTreeMap<String, f64>,
    }

    #[test]
    fn floats_come_back_exactly() {
        let odd = [
            0.1 + 0.2,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE / 3.0,
            f64::MAX,
            1e-300,
        ];
        let f = Floats {
            x: f64::NEG_INFINITY,
            v: odd.to_vec(),
            m: odd
                .iter()
                .enumerate()
                .map(|(i, &x)| (i.to_string(), x))
                .collect(),
        };
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("\"-inf\""), "{json}");
        let back: Floats = serde_json::from_str(&json).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.v), bits(&f.v));
        assert_eq!(back, f);
        let nan: Floats =
            serde_json::from_str(r#"{"x": null, "v": [null, "nan"], "m": {}}"#).unwrap();
        assert!(nan.x.is_nan() && nan.v.iter().all(|x| x.is_nan()));
        assert!(serde_json::from_str::<Floats>(r#"{"x": "lots", "v": [], "m": {}}"#).is_err());
    }
}
