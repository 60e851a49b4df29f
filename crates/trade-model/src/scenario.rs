//! Tariff scenarios: named changes to the baseline tariffs, as a trade
//! economist writes them ("the US adds 10 points on everyone but China, 145
//! on China").
//!
//! A [`Scenario`] is a list of [`TariffChange`]s applied in order. Each names
//! importers, exporters and sectors (names from the calibration, or `"all"`),
//! optional sectors to leave out, and either `add` (percentage points on top
//! of the current tariff) or `set` (a level in percent). A region's tariff on
//! itself is never touched. Units are percent: `"add": 10` is +0.10.

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::tariffs::Tariffs;

/// A selection of names: `"all"` or an explicit list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Selection {
    /// One name, or the wildcard `"all"`.
    One(String),
    /// Several names.
    Many(Vec<String>),
}

impl Selection {
    fn resolve(&self, field: &str, names: &[String]) -> Result<Vec<usize>> {
        let list: Vec<&String> = match self {
            Selection::One(s) if s == "all" => return Ok((0..names.len()).collect()),
            Selection::One(s) => vec![s],
            Selection::Many(v) => v.iter().collect(),
        };
        list.into_iter()
            .map(|name| {
                names
                    .iter()
                    .position(|n| n == name)
                    .ok_or_else(|| ModelError::Config {
                        field: field.into(),
                        problem: format!("unknown name `{name}`; valid: all, {}", names.join(", ")),
                    })
            })
            .collect()
    }
}

/// One change to a block of tariffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffChange {
    /// Importing regions that levy the tariffs.
    pub importer: Selection,
    /// Exporting regions the tariffs fall on.
    pub exporters: Selection,
    /// Sectors covered (default all).
    #[serde(default = "all")]
    pub sectors: Selection,
    /// Sectors left out (e.g. services).
    #[serde(default)]
    pub except_sectors: Vec<String>,
    /// Percentage points added to the current tariff.
    #[serde(default)]
    pub add: Option<f64>,
    /// New tariff level, percent.
    #[serde(default)]
    pub set: Option<f64>,
}

fn all() -> Selection {
    Selection::One("all".into())
}

/// A named set of tariff changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// The changes, applied in order.
    pub changes: Vec<TariffChange>,
}

impl Scenario {
    /// Reads a scenario from JSON.
    pub fn from_json_str(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|source| ModelError::Json {
            path: "<scenario>".into(),
            source,
        })
    }

    /// Applies the changes to `base`; errors name the change and the problem.
    /// Returns the new tariffs and, per importer, whether any of its tariffs changed.
    pub fn apply(
        &self,
        base: &Tariffs,
        regions: &[String],
        sectors: &[String],
    ) -> Result<(Tariffs, Vec<bool>)> {
        let mut t = base.clone();
        let mut touched = vec![false; regions.len()];
        for (c, change) in self.changes.iter().enumerate() {
            let field = |what: &str| format!("changes[{c}].{what}");
            let importers = change.importer.resolve(&field("importer"), regions)?;
            let exporters = change.exporters.resolve(&field("exporters"), regions)?;
            let mut secs = change.sectors.resolve(&field("sectors"), sectors)?;
            let except = Selection::Many(change.except_sectors.clone())
                .resolve(&field("except_sectors"), sectors)?;
            secs.retain(|s| !except.contains(s));
            let op: fn(f64, f64) -> f64 = match (change.add, change.set) {
                (Some(a), None) if a.is_finite() => |old: f64, v: f64| old + v / 100.0,
                (None, Some(s)) if s.is_finite() => |_old: f64, v: f64| v / 100.0,
                (Some(_), Some(_)) => {
                    return Err(ModelError::Config {
                        field: field("add/set"),
                        problem: "give either `add` or `set`, not both".into(),
                    })
                }
                (None, None) => {
                    return Err(ModelError::Config {
                        field: field("add/set"),
                        problem: "give `add` (percentage points) or `set` (percent)".into(),
                    })
                }
                _ => {
                    return Err(ModelError::Config {
                        field: field("add/set"),
                        problem: "value is not a finite number".into(),
                    })
                }
            };
            let value = change.add.or(change.set).unwrap_or(0.0);
            for &n in &importers {
                for &i in exporters.iter().filter(|&&i| i != n) {
                    for &j in &secs {
                        let new = op(t.get(n, i, j), value);
                        if new < 0.0 {
                            return Err(ModelError::Config {
                                field: field("add/set"),
                                problem: format!(
                                    "tariff of {} on {} in {} would be {:.2}% (negative)",
                                    regions[n],
                                    regions[i],
                                    sectors[j],
                                    100.0 * new
                                ),
                            });
                        }
                        t.set(n, i, j, new);
                        touched[n] = true;
                    }
                }
            }
        }
        t.check()?;
        Ok((t, touched))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn add_set_wildcards_and_exceptions() {
        let regions = names(&["A", "B", "C"]);
        let sectors = names(&["goods", "services"]);
        let base = Tariffs::zeros(3, 2);
        let sc = Scenario::from_json_str(
            r#"{"changes": [
                {"importer": "A", "exporters": "all", "except_sectors": ["services"], "add": 10},
                {"importer": "A", "exporters": ["C"], "sectors": "goods", "set": 145}
            ]}"#,
        )
        .unwrap();
        let (t, touched) = sc.apply(&base, &regions, &sectors).unwrap();
        assert_eq!(touched, vec![true, false, false]);
        assert!((t.get(0, 1, 0) - 0.10).abs() < 1e-15);
        assert!((t.get(0, 2, 0) - 1.45).abs() < 1e-15);
        assert_eq!(t.get(0, 1, 1), 0.0);
        assert_eq!(t.get(0, 0, 0), 0.0);
        assert_eq!(t.get(1, 0, 0), 0.0);
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let regions = names(&["A", "B"]);
        let sectors = names(&["goods"]);
        let sc = Scenario::from_json_str(
            r#"{"changes": [{"importer": "X", "exporters": "all", "add": 1}]}"#,
        )
        .unwrap();
        let err = sc
            .apply(&Tariffs::zeros(2, 1), &regions, &sectors)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("changes[0].importer") && err.contains("`X`") && err.contains("A, B"),
            "{err}"
        );
        let sc = Scenario::from_json_str(
            r#"{"changes": [{"importer": "A", "exporters": "B", "sectors": ["food"], "add": 1}]}"#,
        )
        .unwrap();
        let err = sc
            .apply(&Tariffs::zeros(2, 1), &regions, &sectors)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("changes[0].sectors") && err.contains("goods"),
            "{err}"
        );
    }

    #[test]
    fn add_and_set_are_exclusive_and_required() {
        let regions = names(&["A", "B"]);
        let sectors = names(&["goods"]);
        for body in [
            r#"{"importer": "A", "exporters": "B", "add": 1, "set": 2}"#,
            r#"{"importer": "A", "exporters": "B"}"#,
        ] {
            let sc = Scenario::from_json_str(&format!(r#"{{"changes": [{body}]}}"#)).unwrap();
            let err = sc
                .apply(&Tariffs::zeros(2, 1), &regions, &sectors)
                .unwrap_err()
                .to_string();
            assert!(err.contains("changes[0].add/set"), "{err}");
        }
        let sc = Scenario::from_json_str(
            r#"{"changes": [{"importer": "A", "exporters": "B", "add": -5}]}"#,
        )
        .unwrap();
        assert!(sc
            .apply(&Tariffs::zeros(2, 1), &regions, &sectors)
            .unwrap_err()
            .to_string()
            .contains("negative"));
        assert!(Scenario::from_json_str(
            r#"{"changes": [{"importer": "A", "exporter": "B", "add": 1}]}"#
        )
        .is_err());
    }
}
