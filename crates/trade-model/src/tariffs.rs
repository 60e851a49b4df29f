//! Tariff profiles t_ni^j (importer n, exporter i, sector j), stored flat.

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};

/// An ad-valorem tariff profile, importer x exporter x sector, decimal (0.1 = 10%).
///
/// Flat row-major storage: entry (n, i, j) sits at `(n * N + i) * J + j`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tariffs {
    regions: usize,
    sectors: usize,
    values: Vec<f64>,
}

impl Tariffs {
    /// All-zero tariffs (free trade).
    pub fn zeros(regions: usize, sectors: usize) -> Self {
        Tariffs {
            regions,
            sectors,
            values: vec![0.0; regions * regions * sectors],
        }
    }

    /// From nested `[importer][exporter][sector]` vectors; checks shape and values.
    pub fn from_nested(nested: &[Vec<Vec<f64>>]) -> Result<Self> {
        let n = nested.len();
        let j = nested
            .first()
            .and_then(|m| m.first())
            .map_or(0, |v| v.len());
        let mut values = Vec::with_capacity(n * n * j);
        for (a, m) in nested.iter().enumerate() {
            if m.len() != n {
                return Err(ModelError::Tariffs {
                    field: format!("[{a}]"),
                    problem: format!("has {} exporters, expected {n}", m.len()),
                });
            }
            for (b, v) in m.iter().enumerate() {
                if v.len() != j {
                    return Err(ModelError::Tariffs {
                        field: format!("[{a}][{b}]"),
                        problem: format!("has {} sectors, expected {j}", v.len()),
                    });
                }
                values.extend_from_slice(v);
            }
        }
        Self::from_flat(n, j, values)
    }

    /// From a flat vector in `(n * N + i) * J + j` order; checks length and values.
    pub fn from_flat(regions: usize, sectors: usize, values: Vec<f64>) -> Result<Self> {
        if values.len() != regions * regions * sectors {
            return Err(ModelError::Tariffs {
                field: "values".into(),
                problem: format!(
                    "length {} but {regions} x {regions} x {sectors} = {} expected",
                    values.len(),
                    regions * regions * sectors
                ),
            });
        }
        let t = Tariffs {
            regions,
            sectors,
            values,
        };
        t.check()?;
        Ok(t)
    }

    /// From flat values known to be valid (baseline tariffs of a validated calibration).
    pub(crate) fn from_flat_unchecked(regions: usize, sectors: usize, values: Vec<f64>) -> Self {
        Tariffs {
            regions,
            sectors,
            values,
        }
    }

    /// Checks that every tariff is finite and > -1, and own tariffs are zero.
    pub fn check(&self) -> Result<()> {
        for n in 0..self.regions {
            for i in 0..self.regions {
                for j in 0..self.sectors {
                    let v = self.get(n, i, j);
                    let bad = if !v.is_finite() {
                        Some(format!("{v} is not finite"))
                    } else if v <= -1.0 {
                        Some(format!(
                            "{v} <= -1 (a tariff factor 1 + t must be positive)"
                        ))
                    } else if n == i && v != 0.0 {
                        Some(format!("a region's tariff on itself must be 0, got {v}"))
                    } else {
                        None
                    };
                    if let Some(problem) = bad {
                        return Err(ModelError::Tariffs {
                            field: format!("[{n}][{i}][{j}]"),
                            problem,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of regions N.
    pub fn n_regions(&self) -> usize {
        self.regions
    }

    /// Number of sectors J.
    pub fn n_sectors(&self) -> usize {
        self.sectors
    }

    /// Flat index of (importer, exporter, sector).
    #[inline]
    pub fn index(&self, importer: usize, exporter: usize, sector: usize) -> usize {
        (importer * self.regions + exporter) * self.sectors + sector
    }

    /// t_ni^j.
    #[inline]
    pub fn get(&self, importer: usize, exporter: usize, sector: usize) -> f64 {
        self.values[self.index(importer, exporter, sector)]
    }

    /// Sets t_ni^j (no check: call [`Tariffs::check`] or let the solver check).
    #[inline]
    pub fn set(&mut self, importer: usize, exporter: usize, sector: usize, value: f64) {
        let k = self.index(importer, exporter, sector);
        self.values[k] = value;
    }

    /// The flat values.
    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    /// The flat values, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.values
    }

    /// Nested `[importer][exporter][sector]` copy (for JSON output).
    pub fn to_nested(&self) -> Vec<Vec<Vec<f64>>> {
        (0..self.regions)
            .map(|n| {
                (0..self.regions)
                    .map(|i| (0..self.sectors).map(|j| self.get(n, i, j)).collect())
                    .collect()
            })
            .collect()
    }

    /// Largest absolute difference to another profile of the same shape.
    pub fn max_abs_diff(&self, other: &Tariffs) -> f64 {
        self.values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }
}
