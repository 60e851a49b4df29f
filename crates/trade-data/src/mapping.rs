//! Mapping files: which source countries form a model region, which source
//! industries or sectors form a model sector, where each sector's tariffs come
//! from, and the sector parameters theta and psi. Mappings are data (JSON), so
//! users can regroup regions or sectors without touching code.
//!
//! A region file lists regions in order, each with its member codes; a code in
//! two regions, a source code in no region, or a member code that no source
//! uses is an error naming the code. A sector file does the same for sectors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{io_err, DataError, Result};

/// Reads and parses a JSON file.
pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    serde_json::from_str(&text).map_err(|source| DataError::Json {
        path: path.display().to_string(),
        source,
    })
}

/// One model region and the source codes (countries) it groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionSpec {
    /// Region (player) name.
    pub name: String,
    /// Source codes in this region.
    pub members: Vec<String>,
}

/// Country -> region mapping, in region order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionMapping {
    /// What the grouping is and why.
    #[serde(default)]
    pub description: String,
    /// Regions in the order they take in the calibration.
    pub regions: Vec<RegionSpec>,
    /// Source spellings renamed before lookup (e.g. WIOD 2013 `ROM` -> `ROU`).
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// The file it came from (for messages); not part of the JSON.
    #[serde(skip)]
    pub file: String,
}

/// Resolves source codes to region (or sector) indices and remembers which
/// member codes were seen, so unused ones can be reported.
#[derive(Debug, Clone)]
pub struct Grouping {
    file: String,
    kind: &'static str,
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    aliases: BTreeMap<String, String>,
    seen: BTreeSet<String>,
}

impl Grouping {
    /// Builds a grouping from (group name, members) pairs; rejects a code listed twice.
    pub fn new(
        file: &str,
        kind: &'static str,
        groups: &[(String, Vec<String>)],
        aliases: &BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut names = Vec::new();
        let mut name_set = BTreeSet::new();
        for (g, (name, members)) in groups.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(DataError::Mapping {
                    file: file.into(),
                    code: format!("{kind} #{g}"),
                    problem: "empty name".into(),
                });
            }
            if !name_set.insert(name.clone()) {
                return Err(DataError::Mapping {
                    file: file.into(),
                    code: name.clone(),
                    problem: format!("{kind} name listed twice"),
                });
            }
            names.push(name.clone());
            for m in members {
                if let Some(&prev) = index.get(m) {
                    let prev: usize = prev;
                    return Err(DataError::Mapping {
                        file: file.into(),
                        code: m.clone(),
                        problem: format!(
                            "mapped twice: to {kind} `{}` and to `{name}`",
                            groups[prev].0
                        ),
                    });
                }
                index.insert(m.clone(), g);
            }
        }
        for (from, to) in aliases {
            if !index.contains_key(to) {
                return Err(DataError::Mapping {
                    file: file.into(),
                    code: from.clone(),
                    problem: format!("alias target `{to}` is not a member of any {kind}"),
                });
            }
            if index.contains_key(from) {
                return Err(DataError::Mapping {
                    file: file.into(),
                    code: from.clone(),
                    problem: "is both a member and an alias (mapped twice)".into(),
                });
            }
        }
        Ok(Grouping {
            file: file.into(),
            kind,
            names,
            index,
            aliases: aliases.clone(),
            seen: BTreeSet::new(),
        })
    }

    /// Group names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Group index of a source code; `source` names the table for the error.
    pub fn lookup(&mut self, code: &str, source: &str) -> Result<usize> {
        let key = self.aliases.get(code).map_or(code, String::as_str);
        match self.index.get(key) {
            Some(&g) => {
                self.seen.insert(key.to_string());
                Ok(g)
            }
            None => Err(DataError::Source {
                path: source.into(),
                code: code.into(),
                problem: format!(
                    "not mapped to any {} in {} (add it to exactly one {})",
                    self.kind, self.file, self.kind
                ),
            }),
        }
    }

    /// Errors on the first member code that no source table used (a typo or a
    /// code from another classification).
    pub fn check_all_used(&self) -> Result<()> {
        for code in self.index.keys() {
            if !self.seen.contains(code) {
                return Err(DataError::Mapping {
                    file: self.file.clone(),
                    code: code.clone(),
                    problem: format!(
                        "unknown code: listed in {} `{}` but absent from every source table read",
                        self.kind, self.names[self.index[code]]
                    ),
                });
            }
        }
        Ok(())
    }
}

impl RegionMapping {
    /// Reads a region mapping file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut m: RegionMapping = read_json(path)?;
        m.file = path.display().to_string();
        Ok(m)
    }

    /// The grouping used to resolve country codes.
    pub fn grouping(&self) -> Result<Grouping> {
        let groups: Vec<(String, Vec<String>)> = self
            .regions
            .iter()
            .map(|r| (r.name.clone(), r.members.clone()))
            .collect();
        Grouping::new(&self.file, "region", &groups, &self.aliases)
    }

    /// Region names in order.
    pub fn names(&self) -> Vec<String> {
        self.regions.iter().map(|r| r.name.clone()).collect()
    }
}

/// A number, or a list of numbers whose mean is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// One value.
    Value(f64),
    /// Values averaged (simple mean), e.g. CP's thetas of merged sectors.
    Mean(Vec<f64>),
}

impl Param {
    /// The value (mean of a list); `None` for an empty list.
    pub fn value(&self) -> Option<f64> {
        match self {
            Param::Value(x) => Some(*x),
            Param::Mean(v) if v.is_empty() => None,
            Param::Mean(v) => Some(v.iter().sum::<f64>() / v.len() as f64),
        }
    }
}

/// Where a sector's tariffs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TariffSource {
    /// The tariff cube (or the trade source's own tariffs).
    #[default]
    Cube,
    /// GTAP-based tariffs from the Ossa (2014) data.
    Gtap,
    /// No tariffs (services).
    Zero,
}

/// Where theta comes from when not typed per sector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThetaSource {
    /// A named set of `trade_elasticities.csv` in the tariff cube (e.g. `IS`),
    /// averaged over the sector's source sectors.
    CubeSet(String),
    /// Ossa's `sigma_s.csv` column (1-based): theta = sigma - 1, averaged.
    OssaSigmaColumn(usize),
}

/// A documented exemption from the tariff check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TariffExemption {
    /// Importing region.
    pub importer: String,
    /// Model sector.
    pub sector: String,
    /// Why the excess is accepted.
    pub reason: String,
}

/// Check of calibration tariffs against GTAP-based (Ossa 2014) tariffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TariffCheck {
    /// Largest allowed excess over the GTAP value (decimal: 0.10 = 10 points).
    pub max_excess: f64,
    /// Accepted excesses, each with its reason.
    #[serde(default)]
    pub exempt: Vec<TariffExemption>,
}

/// One model sector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorSpec {
    /// Sector name.
    pub name: String,
    /// Source industries or sectors merged into this sector: WIOD codes
    /// (`c1`), tariff-cube sector indices (`"9"`) or Ossa labels (`"ric"`).
    pub industries: Vec<String>,
    /// For IO builds: the tariff-cube sectors whose tariffs apply.
    #[serde(default)]
    pub tariff_sectors: Vec<String>,
    /// Ossa (GTAP) industries for the tariff check or a GTAP tariff source.
    #[serde(default)]
    pub gtap_sectors: Vec<String>,
    /// Where the tariffs come from.
    #[serde(default)]
    pub tariff_source: TariffSource,
    /// Trade elasticity (a value or values to average), unless `theta_source` is set.
    #[serde(default)]
    pub theta: Option<Param>,
    /// Scale elasticity psi directly.
    #[serde(default)]
    pub psi: Option<f64>,
    /// psi x trade elasticity (Lashkaripour-Lugovskyy); psi = this / theta.
    #[serde(default)]
    pub psi_theta: Option<Param>,
    /// Free-text note (sources, choices).
    #[serde(default)]
    pub note: String,
}

/// Source sector -> model sector mapping with parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorMapping {
    /// What the grouping is and where the parameters come from.
    #[serde(default)]
    pub description: String,
    /// Theta from a source table instead of per-sector values.
    #[serde(default)]
    pub theta_source: Option<ThetaSource>,
    /// Lower bound applied to theta (the model needs theta > 1); reported.
    #[serde(default)]
    pub theta_floor: Option<f64>,
    /// Tariff check against GTAP-based tariffs (enforced when present).
    #[serde(default)]
    pub tariff_check: Option<TariffCheck>,
    /// Sectors in order.
    pub sectors: Vec<SectorSpec>,
    /// The file it came from; not part of the JSON.
    #[serde(skip)]
    pub file: String,
}

impl SectorMapping {
    /// Reads a sector mapping file and checks names and parameters.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut m: SectorMapping = read_json(path)?;
        m.file = path.display().to_string();
        m.check()?;
        Ok(m)
    }

    fn err(&self, code: &str, problem: impl Into<String>) -> DataError {
        DataError::Mapping {
            file: self.file.clone(),
            code: code.into(),
            problem: problem.into(),
        }
    }

    /// Checks the parameter entries (duplicates are checked by the groupings).
    pub fn check(&self) -> Result<()> {
        if self.sectors.is_empty() {
            return Err(self.err("sectors", "no sectors"));
        }
        for s in &self.sectors {
            if self.theta_source.is_none() && s.theta.as_ref().and_then(Param::value).is_none() {
                return Err(self.err(
                    &s.name,
                    "no theta: give `theta` (a number or a list to average) or a file-level `theta_source`",
                ));
            }
            if s.psi.is_some() && s.psi_theta.is_some() {
                return Err(self.err(&s.name, "give `psi` or `psi_theta`, not both"));
            }
            if s.industries.is_empty() {
                return Err(self.err(&s.name, "no source industries listed"));
            }
        }
        if let Some(tc) = &self.tariff_check {
            for e in &tc.exempt {
                if !self.sectors.iter().any(|s| s.name == e.sector) {
                    return Err(
                        self.err(&e.sector, "tariff-check exemption names an unknown sector")
                    );
                }
            }
        }
        Ok(())
    }

    /// Sector names in order.
    pub fn names(&self) -> Vec<String> {
        self.sectors.iter().map(|s| s.name.clone()).collect()
    }

    fn grouping_by(&self, codes: impl Fn(&SectorSpec) -> &Vec<String>) -> Result<Grouping> {
        let g: Vec<_> = self
            .sectors
            .iter()
            .map(|s| (s.name.clone(), codes(s).clone()))
            .collect();
        Grouping::new(&self.file, "sector", &g, &BTreeMap::new())
    }

    /// Grouping of the source industries (`industries`).
    pub fn industry_grouping(&self) -> Result<Grouping> {
        self.grouping_by(|s| &s.industries)
    }

    /// Grouping of the tariff-cube sectors (`tariff_sectors`).
    pub fn tariff_grouping(&self) -> Result<Grouping> {
        self.grouping_by(|s| &s.tariff_sectors)
    }

    /// Grouping of the GTAP (Ossa) industries (`gtap_sectors`); sectors with
    /// none have no reference tariff.
    pub fn gtap_grouping(&self) -> Result<Grouping> {
        self.grouping_by(|s| &s.gtap_sectors)
    }
}
