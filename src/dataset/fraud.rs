//! `fraud`: seeded card transactions whose fraud changes shape under drift.
//!
//! The story the product teaches: a fraud model trained on last year's transactions keeps
//! running, its accuracy stays high (fraud is rare), and its recall quietly collapses,
//! because both the customers and the fraudsters changed.
//!
//! Each row is drawn in two steps. First the label: fraud with probability
//! `2% + 1% × drift`. Then the features, from one of three profiles:
//!
//! - **legitimate** customers: mostly card-present everyday purchases (grocery,
//!   restaurant, fuel) in the daytime, at home. With drift they shop online more, spend
//!   more, play more online games, use new devices more, and the business expands into
//!   new countries (`BR`, `IN`, `PH`, unseen at drift 0): *data drift*.
//! - **old fraud** (all fraud at drift 0): stolen card numbers spent card-not-present on
//!   large electronics and travel purchases, at night, often from abroad and far from the
//!   cardholder's home.
//! - **new fraud** (a share `drift` of fraud): taken-over or freshly opened accounts
//!   making bursts of small `online_gaming` purchases from new devices, in the daytime, at
//!   home: *concept drift*. To a model that learnt the old pattern these look like
//!   ordinary customers.
//!
//! About 1% of cells are missing (written empty) in `distance_from_home_km` and
//! `account_age_days`, and 0.5% in `device_new`, completely at random.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{check_drift, DatasetError, DatasetInfo, Task};

/// The columns of the `fraud` CSV, in order; the target `is_fraud` is last.
pub const FRAUD_COLUMNS: [&str; 10] = [
    "amount",
    "hour",
    "merchant_category",
    "country",
    "card_present",
    "account_age_days",
    "tx_last_24h",
    "distance_from_home_km",
    "device_new",
    "is_fraud",
];

const DEFAULT_ROWS: usize = 5_000;
const MAX_ROWS: usize = 1_000_000;

/// Fraud rate at drift 0 and its increase at drift 1.
const FRAUD_RATE: f64 = 0.02;
const FRAUD_RATE_DRIFT: f64 = 0.01;
/// Share of missing cells, completely at random.
const MISSING_DISTANCE: f64 = 0.012;
const MISSING_ACCOUNT_AGE: f64 = 0.008;
const MISSING_DEVICE: f64 = 0.005;

/// The merchant categories, with for each: the legitimate share at drift 0, at drift 1,
/// the chance a legitimate purchase is made with the card present, and the log of a
/// typical legitimate amount.
const CATEGORIES: [(&str, f64, f64, f64, f64); 9] = [
    // name,          w0,   w1,   present, ln amount
    ("grocery", 0.26, 0.20, 0.90, 3.6),
    ("restaurant", 0.18, 0.14, 0.90, 3.3),
    ("fuel", 0.13, 0.09, 0.97, 3.8),
    ("fashion", 0.12, 0.13, 0.55, 4.2),
    ("pharmacy", 0.08, 0.06, 0.85, 3.0),
    ("electronics", 0.09, 0.10, 0.50, 4.9),
    ("travel", 0.06, 0.07, 0.30, 5.5),
    ("online_gaming", 0.03, 0.15, 0.00, 2.7),
    ("entertainment", 0.05, 0.06, 0.50, 3.4),
];
/// Shares of the old fraud pattern over [`CATEGORIES`], in the same order.
const OLD_FRAUD_CATEGORIES: [f64; 9] = [0.02, 0.01, 0.01, 0.10, 0.01, 0.50, 0.28, 0.03, 0.04];
/// Shares of the new fraud pattern over [`CATEGORIES`], in the same order.
const NEW_FRAUD_CATEGORIES: [f64; 9] = [0.05, 0.0, 0.0, 0.08, 0.0, 0.05, 0.0, 0.70, 0.12];

const HOME: &str = "US";
const ABROAD: [&str; 6] = ["CA", "MX", "GB", "DE", "FR", "JP"];
/// Markets the business expands into under drift: unseen at drift 0.
const NEW_MARKETS: [&str; 3] = ["BR", "IN", "PH"];
/// Share of legitimate transactions from the new markets at drift 1.
const NEW_MARKET_SHARE: f64 = 0.10;

/// One card transaction, as written to a row of the `fraud` CSV.
///
/// Serializing it with the `csv` crate gives exactly that row: `None` becomes an empty
/// field, booleans `true`/`false`, `is_fraud` `0`/`1`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FraudRecord {
    /// Amount in dollars, rounded to cents (log-normal, by category).
    pub amount: f64,
    /// Hour of the day, 0 to 23.
    pub hour: u8,
    /// Merchant category: `grocery`, `restaurant`, `fuel`, `fashion`, `pharmacy`,
    /// `electronics`, `travel`, `online_gaming` or `entertainment`.
    pub merchant_category: &'static str,
    /// ISO country code of the merchant; `US` is home. `BR`, `IN` and `PH` appear only
    /// under drift.
    pub country: &'static str,
    /// Whether the card was physically present (chip or contactless).
    pub card_present: bool,
    /// Age of the customer's account in days; `None` when missing.
    pub account_age_days: Option<u32>,
    /// Transactions on the same card in the previous 24 hours.
    pub tx_last_24h: u32,
    /// Distance between the transaction and the cardholder's home, in km (one decimal);
    /// `None` when missing.
    pub distance_from_home_km: Option<f64>,
    /// Whether the purchase came from a device not seen before for this account; `None`
    /// when missing.
    pub device_new: Option<bool>,
    /// The label: 1 for fraud, 0 for a legitimate transaction.
    pub is_fraud: u8,
}

/// Which of the three profiles a row is drawn from.
#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Legit,
    OldFraud,
    NewFraud,
}

/// A seeded stream of card transactions at a chosen drift: the lower-level form of the
/// `fraud` dataset, for streaming scenarios.
///
/// The generator keeps its random state, so successive calls continue one stream:
/// drawing 1 000 rows and then 1 000 more gives the same rows as drawing 2 000 at once
/// (at the same drift). The drift may change between calls, e.g. to script a gradual
/// drift.
///
/// ```
/// use driftlab::dataset::FraudGenerator;
///
/// let mut stream = FraudGenerator::new(42);
/// let before = stream.records(500, 0.0)?;
/// let after = stream.csv(500, 1.0, true)?; // header + 500 drifted rows
/// assert_eq!(before.len(), 500);
/// assert_eq!(String::from_utf8(after).unwrap().lines().count(), 501);
/// # Ok::<(), driftlab::dataset::DatasetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct FraudGenerator {
    rng: StdRng,
}

impl FraudGenerator {
    /// A generator seeded with `seed` (the `fraud` dataset uses
    /// [`DEFAULT_SEED`](super::DEFAULT_SEED) unless told otherwise).
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The next transaction at `drift`.
    ///
    /// # Errors
    /// [`DatasetError::InvalidDrift`] unless `drift` is a finite number in `[0, 1]`.
    pub fn record(&mut self, drift: f64) -> Result<FraudRecord, DatasetError> {
        let drift = check_drift(drift)?;
        Ok(self.draw(drift))
    }

    /// The next `n` transactions at `drift`.
    ///
    /// # Errors
    /// [`DatasetError::InvalidDrift`] unless `drift` is a finite number in `[0, 1]`.
    pub fn records(&mut self, n: usize, drift: f64) -> Result<Vec<FraudRecord>, DatasetError> {
        let drift = check_drift(drift)?;
        let mut out = Vec::with_capacity(n.min(MAX_ROWS));
        for _ in 0..n {
            out.push(self.draw(drift));
        }
        Ok(out)
    }

    /// Writes the next `n` transactions at `drift` as CSV rows to `out`, preceded by the
    /// header row ([`FRAUD_COLUMNS`]) when `header` is true. Lines end with `\n`.
    ///
    /// # Errors
    /// [`DatasetError::InvalidDrift`] unless `drift` is a finite number in `[0, 1]`;
    /// [`DatasetError::Csv`] if `out` fails.
    pub fn write_csv<W: std::io::Write>(
        &mut self,
        out: W,
        n: usize,
        drift: f64,
        header: bool,
    ) -> Result<(), DatasetError> {
        let drift = check_drift(drift)?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .from_writer(out);
        if header {
            writer.write_record(FRAUD_COLUMNS)?;
        }
        for _ in 0..n {
            writer.serialize(self.draw(drift))?;
        }
        writer.flush().map_err(csv::Error::from)?;
        Ok(())
    }

    /// The next `n` transactions at `drift` as CSV bytes, with the header row first when
    /// `header` is true.
    ///
    /// # Errors
    /// [`DatasetError::InvalidDrift`] unless `drift` is a finite number in `[0, 1]`.
    pub fn csv(&mut self, n: usize, drift: f64, header: bool) -> Result<Vec<u8>, DatasetError> {
        // About 60 bytes a row.
        let mut out = Vec::with_capacity(n.min(MAX_ROWS).saturating_mul(64));
        self.write_csv(&mut out, n, drift, header)?;
        Ok(out)
    }

    /// One transaction at a drift already checked to be in `[0, 1]`.
    fn draw(&mut self, d: f64) -> FraudRecord {
        let rng = &mut self.rng;
        let fraud_rate = FRAUD_RATE + FRAUD_RATE_DRIFT * d;
        let profile = if rng.gen::<f64>() < fraud_rate {
            if rng.gen::<f64>() < d {
                Profile::NewFraud
            } else {
                Profile::OldFraud
            }
        } else {
            Profile::Legit
        };

        let category = match profile {
            Profile::Legit => pick(rng, |i| lerp(CATEGORIES[i].1, CATEGORIES[i].2, d)),
            Profile::OldFraud => pick(rng, |i| OLD_FRAUD_CATEGORIES[i]),
            Profile::NewFraud => pick(rng, |i| NEW_FRAUD_CATEGORIES[i]),
        };
        let (merchant_category, _, _, present, ln_amount) = CATEGORIES[category];

        let card_present = match profile {
            // Customers move online as drift grows.
            Profile::Legit => rng.gen::<f64>() < present * (1.0 - 0.35 * d),
            // Cloned cards are sometimes used in store.
            Profile::OldFraud => present > 0.0 && rng.gen::<f64>() < 0.05,
            Profile::NewFraud => false,
        };

        let amount = match profile {
            Profile::Legit => log_normal(rng, ln_amount + 0.25 * d, 0.7),
            Profile::OldFraud => log_normal(rng, ln_amount + 1.6, 0.6),
            Profile::NewFraud => log_normal(rng, 2.6, 0.5),
        };
        let amount = ((amount * 100.0).round() / 100.0).max(0.01);

        let hour = match profile {
            Profile::OldFraud if rng.gen::<f64>() < 0.75 => rng.gen_range(0u8..6),
            Profile::NewFraud => wrap_hour(16.0 + 4.0 * normal(rng)),
            _ => wrap_hour(14.0 + 4.5 * normal(rng)),
        };

        let (country, abroad) = match profile {
            Profile::OldFraud if rng.gen::<f64>() < 0.65 => (pick_code(rng, &ABROAD), true),
            Profile::OldFraud => (HOME, false),
            _ => {
                let u = rng.gen::<f64>();
                let new_market = NEW_MARKET_SHARE * d;
                let abroad_share = if merchant_category == "travel" {
                    0.40
                } else {
                    0.06
                };
                if u < new_market {
                    (pick_code(rng, &NEW_MARKETS), false)
                } else if u < new_market + abroad_share * (1.0 - new_market) {
                    (pick_code(rng, &ABROAD), true)
                } else {
                    (HOME, false)
                }
            }
        };

        let distance = if abroad {
            rng.gen_range(800.0..9_000.0)
        } else {
            match profile {
                Profile::OldFraud => log_normal(rng, 5.0, 1.0),
                _ if card_present => log_normal(rng, 1.8, 1.0),
                _ => log_normal(rng, 2.5, 1.2),
            }
        };
        let distance = ((distance * 10.0).round() / 10.0).min(20_000.0);

        let account_age = match profile {
            Profile::NewFraud => log_normal(rng, 3.2, 0.9),
            Profile::Legit => log_normal(rng, 6.3 - 0.4 * d, 1.1),
            Profile::OldFraud => log_normal(rng, 6.3, 1.1),
        };
        let account_age = account_age.round().clamp(1.0, 9_000.0) as u32;

        let tx_last_24h = match profile {
            Profile::Legit => poisson(rng, 1.8),
            Profile::OldFraud => poisson(rng, 2.6),
            Profile::NewFraud => 3 + poisson(rng, 5.0),
        };

        let p_device_new = match profile {
            Profile::Legit if card_present => 0.01,
            Profile::Legit => 0.06 + 0.10 * d,
            Profile::OldFraud if card_present => 0.01,
            Profile::OldFraud => 0.10,
            Profile::NewFraud => 0.85,
        };
        let device_new = rng.gen::<f64>() < p_device_new;

        // Missing completely at random; the draws are made for every row so that the
        // stream does not depend on which cells went missing.
        let keep_distance = rng.gen::<f64>() >= MISSING_DISTANCE;
        let keep_age = rng.gen::<f64>() >= MISSING_ACCOUNT_AGE;
        let keep_device = rng.gen::<f64>() >= MISSING_DEVICE;

        FraudRecord {
            amount,
            hour,
            merchant_category,
            country,
            card_present,
            account_age_days: keep_age.then_some(account_age),
            tx_last_24h,
            distance_from_home_km: keep_distance.then_some(distance),
            device_new: keep_device.then_some(device_new),
            is_fraud: u8::from(profile != Profile::Legit),
        }
    }
}

/// What [`super::list`] shows for `fraud`.
pub(super) fn info() -> DatasetInfo {
    DatasetInfo {
        name: "fraud",
        title: "Card fraud (with drift)",
        description: "Synthetic card transactions with about 2% fraud. The drift option (0 to 1) \
                      moves customers online and into new countries and changes how fraudsters \
                      operate, so a model trained at drift 0 keeps its accuracy at drift 1 while \
                      its recall collapses.",
        task: Task::Classification,
        target: Some("is_fraud"),
        default_rows: DEFAULT_ROWS,
        max_rows: MAX_ROWS,
        features: FRAUD_COLUMNS.len() - 1,
        generated: true,
        source: "generated by driftlab (seeded)",
        license: "MIT OR Apache-2.0 (generated by driftlab)",
        drift: true,
    }
}

/// `a` at 0, `b` at 1.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// An index into [`CATEGORIES`] drawn with the (unnormalised) weights `weight(i)`.
fn pick(rng: &mut StdRng, weight: impl Fn(usize) -> f64) -> usize {
    let total: f64 = (0..CATEGORIES.len()).map(&weight).sum();
    let mut u = rng.gen::<f64>() * total;
    for i in 0..CATEGORIES.len() {
        let w = weight(i);
        if u < w {
            return i;
        }
        u -= w;
    }
    // Rounding left `u` a hair above the last weight: the last category with weight.
    (0..CATEGORIES.len())
        .rev()
        .find(|&i| weight(i) > 0.0)
        .unwrap_or(0)
}

/// A uniformly chosen country code. Sampled as a `u32`, never a `usize`: rand draws a
/// `usize` range differently on 32-bit wasm32 and 64-bit native targets.
fn pick_code(rng: &mut StdRng, codes: &[&'static str]) -> &'static str {
    let n = u32::try_from(codes.len()).unwrap_or(u32::MAX).max(1);
    codes
        .get(rng.gen_range(0..n) as usize)
        .copied()
        .unwrap_or(HOME)
}

fn normal(rng: &mut StdRng) -> f64 {
    super::standard_normal(rng)
}

fn log_normal(rng: &mut StdRng, mu: f64, sigma: f64) -> f64 {
    libm::exp(mu + sigma * normal(rng))
}

/// A normal draw rounded to an hour of the day.
fn wrap_hour(h: f64) -> u8 {
    // `as` saturates; any finite h lands in 0..24.
    (h.round() as i64).rem_euclid(24) as u8
}

/// A Poisson draw by Knuth's multiplication method (fine for the small means used here).
fn poisson(rng: &mut StdRng, lambda: f64) -> u32 {
    let limit = libm::exp(-lambda);
    let mut k = 0;
    let mut p = rng.gen::<f64>();
    while p > limit && k < 1_000 {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse;
    use super::super::{generate, DatasetOptions};
    use super::*;

    fn rows(n: usize, seed: u64, drift: f64) -> Vec<FraudRecord> {
        FraudGenerator::new(seed).records(n, drift).unwrap()
    }

    fn fraud_rate(rs: &[FraudRecord]) -> f64 {
        rs.iter().filter(|r| r.is_fraud == 1).count() as f64 / rs.len() as f64
    }

    fn share(rs: &[FraudRecord], f: impl Fn(&FraudRecord) -> bool) -> f64 {
        rs.iter().filter(|r| f(r)).count() as f64 / rs.len().max(1) as f64
    }

    #[test]
    fn csv_has_the_documented_columns() {
        let bytes = generate("fraud", &DatasetOptions::default()).unwrap();
        let (header, body) = parse(&bytes);
        assert_eq!(header, FRAUD_COLUMNS);
        assert_eq!(body.len(), DEFAULT_ROWS);
        for row in &body {
            assert!(row[0].parse::<f64>().unwrap() > 0.0);
            assert!(row[1].parse::<u8>().unwrap() < 24);
            assert!(matches!(row[4].as_str(), "true" | "false"));
            assert!(matches!(row[8].as_str(), "true" | "false" | ""));
            assert!(matches!(row[9].as_str(), "0" | "1"));
        }
    }

    #[test]
    fn records_and_csv_agree_and_the_stream_continues() {
        let records = rows(300, 5, 0.3);
        let mut g = FraudGenerator::new(5);
        let mut bytes = g.csv(100, 0.3, true).unwrap();
        bytes.extend(g.csv(200, 0.3, false).unwrap());
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for r in &records {
            w.serialize(r).unwrap();
        }
        assert_eq!(w.into_inner().unwrap(), bytes);
    }

    #[test]
    fn fraud_rate_is_realistic() {
        let at0 = fraud_rate(&rows(60_000, 42, 0.0));
        let at1 = fraud_rate(&rows(60_000, 42, 1.0));
        assert!((0.017..0.023).contains(&at0), "{at0}");
        assert!((0.026..0.034).contains(&at1), "{at1}");
    }

    #[test]
    fn some_cells_are_missing() {
        let rs = rows(50_000, 42, 0.0);
        let d = share(&rs, |r| r.distance_from_home_km.is_none());
        let a = share(&rs, |r| r.account_age_days.is_none());
        let v = share(&rs, |r| r.device_new.is_none());
        assert!((0.008..0.016).contains(&d), "{d}");
        assert!((0.005..0.012).contains(&a), "{a}");
        assert!((0.002..0.008).contains(&v), "{v}");
        let text =
            String::from_utf8(generate("fraud", &DatasetOptions::default()).unwrap()).unwrap();
        assert!(text.contains(",,"));
    }

    #[test]
    fn drift_shifts_the_features() {
        let r0 = rows(50_000, 1, 0.0);
        let r1 = rows(50_000, 1, 1.0);
        let gaming = |r: &FraudRecord| r.merchant_category == "online_gaming";
        assert!(share(&r0, gaming) < 0.05);
        assert!(share(&r1, gaming) > 0.12);
        let present = |r: &FraudRecord| r.card_present;
        assert!(share(&r0, present) > share(&r1, present) + 0.15);
        let new_market = |r: &FraudRecord| NEW_MARKETS.contains(&r.country);
        assert_eq!(share(&r0, new_market), 0.0);
        assert!(share(&r1, new_market) > 0.05);
        // Customers spend more in every category (the overall mix also moves toward
        // cheap online_gaming purchases, so compare within the other categories).
        let median = |rs: &[FraudRecord]| {
            let mut a: Vec<f64> = rs
                .iter()
                .filter(|r| r.is_fraud == 0 && r.merchant_category != "online_gaming")
                .map(|r| r.amount)
                .collect();
            a.sort_by(f64::total_cmp);
            a[a.len() / 2]
        };
        assert!(
            median(&r1) > median(&r0) * 1.2,
            "{} {}",
            median(&r0),
            median(&r1)
        );
    }

    #[test]
    fn drift_changes_the_fraud_mechanism() {
        let fraud = |d: f64| -> Vec<FraudRecord> {
            rows(100_000, 9, d)
                .into_iter()
                .filter(|r| r.is_fraud == 1)
                .collect()
        };
        let (f0, f1) = (fraud(0.0), fraud(1.0));
        let old = |r: &FraudRecord| !r.card_present && r.amount > 150.0;
        let new = |r: &FraudRecord| r.merchant_category == "online_gaming" && r.amount < 50.0;
        assert!(share(&f0, old) > 0.6, "{}", share(&f0, old));
        assert!(share(&f1, old) < 0.05);
        assert!(share(&f0, new) < 0.05);
        assert!(share(&f1, new) > 0.6);
        // Night-time fraud gives way to daytime fraud.
        let night = |r: &FraudRecord| r.hour < 6;
        assert!(share(&f0, night) > 0.5);
        assert!(share(&f1, night) < 0.1);
    }

    /// Numeric features for the test model: one-hot categories, log amount, etc.
    fn features(r: &FraudRecord) -> Vec<f64> {
        let mut x = vec![
            (r.amount).ln(),
            f64::from(r.hour),
            f64::from(u8::from(r.card_present)),
            f64::from(r.account_age_days.unwrap_or(600)).ln(),
            f64::from(r.tx_last_24h),
            (1.0 + r.distance_from_home_km.unwrap_or(10.0)).ln(),
            f64::from(u8::from(r.device_new.unwrap_or(false))),
            f64::from(u8::from(r.country != HOME)),
            f64::from(u8::from(r.hour < 6)),
        ];
        x.extend(
            CATEGORIES
                .iter()
                .map(|c| f64::from(u8::from(c.0 == r.merchant_category))),
        );
        x
    }

    /// A plain logistic regression by batch gradient descent on standardized features.
    struct Logistic {
        mean: Vec<f64>,
        sd: Vec<f64>,
        w: Vec<f64>,
        b: f64,
    }

    impl Logistic {
        fn fit(rs: &[FraudRecord]) -> Self {
            let xs: Vec<Vec<f64>> = rs.iter().map(features).collect();
            let k = xs[0].len();
            let n = xs.len() as f64;
            let mean: Vec<f64> = (0..k)
                .map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / n)
                .collect();
            let sd: Vec<f64> = (0..k)
                .map(|j| {
                    let v = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
                    v.sqrt().max(1e-9)
                })
                .collect();
            let mut m = Logistic {
                mean,
                sd,
                w: vec![0.0; k],
                b: 0.0,
            };
            let zs: Vec<Vec<f64>> = xs.iter().map(|x| m.standardize(x)).collect();
            for _ in 0..300 {
                let mut gw = vec![0.0; k];
                let mut gb = 0.0;
                for (z, r) in zs.iter().zip(rs) {
                    let e = m.prob_z(z) - f64::from(r.is_fraud);
                    gb += e;
                    for (g, zj) in gw.iter_mut().zip(z) {
                        *g += e * zj;
                    }
                }
                m.b -= gb / n;
                for (w, g) in m.w.iter_mut().zip(&gw) {
                    *w -= g / n;
                }
            }
            m
        }
        fn standardize(&self, x: &[f64]) -> Vec<f64> {
            x.iter()
                .enumerate()
                .map(|(j, v)| (v - self.mean[j]) / self.sd[j])
                .collect()
        }
        fn prob_z(&self, z: &[f64]) -> f64 {
            let s = self.b + z.iter().zip(&self.w).map(|(a, b)| a * b).sum::<f64>();
            1.0 / (1.0 + (-s).exp())
        }
        /// (accuracy, recall) at threshold 0.5.
        fn evaluate(&self, rs: &[FraudRecord]) -> (f64, f64) {
            let (mut right, mut tp, mut pos) = (0, 0, 0);
            for r in rs {
                let p = self.prob_z(&self.standardize(&features(r))) >= 0.5;
                let y = r.is_fraud == 1;
                right += usize::from(p == y);
                pos += usize::from(y);
                tp += usize::from(p && y);
            }
            (
                right as f64 / rs.len() as f64,
                tp as f64 / pos.max(1) as f64,
            )
        }
    }

    #[test]
    fn a_model_trained_at_drift_0_silently_loses_its_recall() {
        let model = Logistic::fit(&rows(20_000, 1, 0.0));
        let (acc0, recall0) = model.evaluate(&rows(20_000, 2, 0.0));
        let (acc1, recall1) = model.evaluate(&rows(20_000, 2, 1.0));
        assert!(recall0 > 0.6, "recall at drift 0: {recall0}");
        assert!(acc0 > 0.98, "accuracy at drift 0: {acc0}");
        assert!(recall1 < 0.25, "recall at drift 1: {recall1}");
        assert!(acc1 > 0.95, "accuracy at drift 1: {acc1}");
    }

    #[test]
    fn bad_drift_is_refused_by_the_generator() {
        let mut g = FraudGenerator::new(1);
        assert!(g.record(f64::NAN).is_err());
        assert!(g.records(3, 2.0).is_err());
        assert!(g.csv(3, -1.0, true).is_err());
        assert_eq!(g.csv(0, 0.0, true).unwrap(), b"amount,hour,merchant_category,country,card_present,account_age_days,tx_last_24h,distance_from_home_km,device_new,is_fraud\n");
        assert!(g.csv(0, 0.0, false).unwrap().is_empty());
    }
}
