//! Bilateral sectoral trade sources in long form (exporter, importer, sector,
//! flow, tariff) and their aggregation onto model regions and sectors.
//!
//! Aggregation: flows add up; a region's purchases from its own members become
//! domestic absorption `Z_nn`; the tariff of importer region n on exporter
//! region i in model sector j is the trade-weighted mean
//! `t_ni^j = sum Z t / sum Z` over member pairs and source sectors, with
//! within-region pairs left out (they are domestic and untaxed).

use std::collections::BTreeSet;
use std::path::Path;

use crate::csv::Table;
use crate::error::{DataError, Result};
use crate::mapping::Grouping;

/// One bilateral sectoral flow at producer prices with its ad-valorem tariff.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRecord {
    /// Exporting country code.
    pub exporter: String,
    /// Importing country code.
    pub importer: String,
    /// Source sector code.
    pub sector: String,
    /// Flow at producer (tariff-exclusive) prices.
    pub flow: f64,
    /// Importer's ad-valorem tariff on this exporter (decimal).
    pub tariff: f64,
}

/// A trade source: the file it came from and its records.
#[derive(Debug, Clone)]
pub struct TradeSource {
    /// File read (for messages).
    pub path: String,
    /// Records in file order.
    pub records: Vec<TradeRecord>,
    /// Source sector codes in the source's order.
    pub sectors: Vec<String>,
}

/// Reads `trade.csv` and `sectors.csv` of a tariff cube
/// (`tariffwar_cubes/*`: exporter, importer, sector, flow_musd, tariff).
pub fn read_cube(dir: &Path) -> Result<TradeSource> {
    let sec = Table::read(dir.join("sectors.csv"))?;
    let ci = sec.column("index")?;
    let sectors: Vec<String> = sec.rows.iter().map(|r| r[ci].clone()).collect();
    let known: BTreeSet<&str> = sectors.iter().map(String::as_str).collect();
    let t = Table::read(dir.join("trade.csv"))?;
    let (ce, cm, cs, cf, ct) = (
        t.column("exporter")?,
        t.column("importer")?,
        t.column("sector")?,
        t.column("flow_musd")?,
        t.column("tariff")?,
    );
    let mut records = Vec::with_capacity(t.rows.len());
    for (k, r) in t.rows.iter().enumerate() {
        if !known.contains(r[cs].as_str()) {
            return Err(DataError::Source {
                path: t.name(),
                code: r[cs].clone(),
                problem: format!("line {}: sector not listed in sectors.csv", t.line(k)),
            });
        }
        let flow = t.number(k, cf)?;
        let tariff = t.number(k, ct)?;
        if flow < 0.0 || tariff < 0.0 {
            return Err(t.error(k, format!("negative flow {flow} or tariff {tariff}")));
        }
        records.push(TradeRecord {
            exporter: r[ce].clone(),
            importer: r[cm].clone(),
            sector: r[cs].clone(),
            flow,
            tariff,
        });
    }
    Ok(TradeSource {
        path: t.name(),
        records,
        sectors,
    })
}

/// Reads the Ossa (2014) GTAP-based data (`trade_ijs.csv`, `tariff_ijs.csv`,
/// `regions.csv`, `labels.csv`): row `(s-1)*R + i`, column `j` is the flow from
/// region i to region j in industry s, and the tariff j levies on it. Region
/// codes are Ossa's names (`Brazil`, ..., `US`), sector codes the GTAP labels.
pub fn read_ossa(dir: &Path) -> Result<TradeSource> {
    let reg = Table::read(dir.join("regions.csv"))?;
    let cr = reg.column("String")?;
    let regions: Vec<String> = reg.rows.iter().map(|r| r[cr].clone()).collect();
    let labels = Table::read_headerless(dir.join("labels.csv"))?;
    let sectors: Vec<String> = labels.rows.iter().map(|r| r[0].clone()).collect();
    let trade = Table::read_headerless(dir.join("trade_ijs.csv"))?;
    let tariff = Table::read_headerless(dir.join("tariff_ijs.csv"))?;
    let nr = regions.len();
    for tab in [&trade, &tariff] {
        if tab.rows.len() != nr * sectors.len() {
            return Err(DataError::Csv {
                path: tab.name(),
                row: tab.rows.len(),
                problem: format!(
                    "has {} rows but {} regions x {} labels need {}",
                    tab.rows.len(),
                    nr,
                    sectors.len(),
                    nr * sectors.len()
                ),
            });
        }
        if let Some(r) = tab.rows.first() {
            if r.len() != nr {
                return Err(tab.error(0, format!("has {} columns, expected {nr} regions", r.len())));
            }
        }
    }
    let mut records = Vec::with_capacity(nr * nr * sectors.len());
    for (s, label) in sectors.iter().enumerate() {
        for (i, exp) in regions.iter().enumerate() {
            let k = s * nr + i;
            for (j, imp) in regions.iter().enumerate() {
                let flow = trade.number(k, j)?;
                let tar = tariff.number(k, j)?;
                if flow < 0.0 || tar < 0.0 {
                    return Err(trade.error(k, format!("negative flow {flow} or tariff {tar}")));
                }
                records.push(TradeRecord {
                    exporter: exp.clone(),
                    importer: imp.clone(),
                    sector: label.clone(),
                    flow,
                    tariff: if i == j { 0.0 } else { tar },
                });
            }
        }
    }
    Ok(TradeSource {
        path: trade.name(),
        records,
        sectors,
    })
}

/// Flows and trade-weighted tariffs on model regions and sectors.
#[derive(Debug, Clone)]
pub struct Aggregated {
    /// Z_ni^j, importer x exporter x sector.
    pub flows: Vec<Vec<Vec<f64>>>,
    /// t_ni^j, importer x exporter x sector; zero within a region.
    pub tariffs: Vec<Vec<Vec<f64>>>,
    /// Cross-region cells whose records all had zero flow (tariff = simple mean).
    pub zero_weight_cells: usize,
}

/// Aggregates a trade source onto regions and sectors (see the module docs).
pub fn aggregate(
    src: &TradeSource,
    regions: &mut Grouping,
    sectors: &mut Grouping,
) -> Result<Aggregated> {
    let (nr, ns) = (regions.len(), sectors.len());
    let mut flows = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut wsum = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut tsum = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut plain = vec![vec![vec![(0.0, 0usize); ns]; nr]; nr];
    for r in &src.records {
        let i = regions.lookup(&r.exporter, &src.path)?;
        let n = regions.lookup(&r.importer, &src.path)?;
        let j = sectors.lookup(&r.sector, &src.path)?;
        flows[n][i][j] += r.flow;
        if n != i {
            wsum[n][i][j] += r.flow;
            tsum[n][i][j] += r.flow * r.tariff;
            plain[n][i][j].0 += r.tariff;
            plain[n][i][j].1 += 1;
        }
    }
    let mut tariffs = vec![vec![vec![0.0; ns]; nr]; nr];
    let mut zero_weight_cells = 0;
    for n in 0..nr {
        for i in 0..nr {
            if n == i {
                continue;
            }
            for j in 0..ns {
                if wsum[n][i][j] > 0.0 {
                    tariffs[n][i][j] = tsum[n][i][j] / wsum[n][i][j];
                } else if plain[n][i][j].1 > 0 {
                    zero_weight_cells += 1;
                    tariffs[n][i][j] = plain[n][i][j].0 / plain[n][i][j].1 as f64;
                }
            }
        }
    }
    Ok(Aggregated {
        flows,
        tariffs,
        zero_weight_cells,
    })
}

/// Importer-level trade-weighted tariff by sector: `sum_{i != n} t Z / sum_{i != n} Z`
/// with weights `weights[n][i][j]` (0 where the importer has no imports).
pub fn importer_average(tariffs: &[Vec<Vec<f64>>], weights: &[Vec<Vec<f64>>]) -> Vec<Vec<f64>> {
    let nr = weights.len();
    let ns = weights.first().and_then(|m| m.first()).map_or(0, Vec::len);
    (0..nr)
        .map(|n| {
            (0..ns)
                .map(|j| {
                    let (mut num, mut den) = (0.0, 0.0);
                    for i in (0..nr).filter(|&i| i != n) {
                        num += tariffs[n][i][j] * weights[n][i][j];
                        den += weights[n][i][j];
                    }
                    if den > 0.0 {
                        num / den
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}
