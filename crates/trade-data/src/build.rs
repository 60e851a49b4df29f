//! Building a [`Calibration`] from source tables and mapping files.
//!
//! Two kinds of build:
//! - **IO build** (WIOD layout + tariff cube): flows `Z_ni^j` are WIOD's
//!   intermediate plus final sales (basic prices, all final uses including
//!   inventory changes), tariffs come from the cube (or GTAP, or zero, per
//!   sector). Intermediate spending is valued at tariff-inclusive prices:
//!   `U_n^{jk} = sum_i (1 + t_ni^j) U_ni^{jk}`. Then
//!   `beta_n^k = 1 - sum_j U_n^{jk} / Y_n^k`, `gamma_n^{jk} = U_n^{jk} / sum_j U_n^{jk}`,
//!   `alpha_n^j` = tariff-inclusive final purchases over their total, and
//!   `D_n` = purchases - sales at producer prices. With these definitions the
//!   accounting identity `X = sum_k gamma (1-beta) Y + alpha I` holds exactly
//!   (value added absorbs the tariffs paid on intermediates, which WIOD books
//!   under net product taxes); the only data change needed is that a negative
//!   region-level final purchase (inventory run-down) is set to zero, which
//!   lowers the exporter's output by the same amount. Both are reported.
//! - **Trade-only build** (a tariff cube or Ossa's data, no IO): beta = 1,
//!   gamma = identity, `alpha_n^j = X_n^j / X_n`; the identity holds exactly.
//!
//! Theta and psi come from the sector mapping (`psi = psi_theta / theta` when
//! Lashkaripour-Lugovskyy's psi x trade elasticity is given). Every build is
//! checked with [`Calibration::validate`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trade_model::Calibration;

use crate::csv::Table;
use crate::error::{DataError, Result};
use crate::mapping::{RegionMapping, SectorMapping, SectorSpec, TariffSource, ThetaSource};
use crate::trade::{aggregate, importer_average, read_cube, read_ossa, Aggregated, TradeSource};
use crate::wiod::read_wiod;

/// Bilateral values that may be missing (`None`: no GTAP industries in the sector).
type OptCube = Vec<Vec<Vec<Option<f64>>>>;

/// Which kind of source the build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// WIOD-layout IO table, with tariffs from a tariff cube.
    Wiod,
    /// Trade-only tariff cube (flows and tariffs, no IO).
    Cube,
    /// Trade-only Ossa (2014) GTAP-based data.
    Ossa,
}

/// Everything a build reads. Paths are used as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildSpec {
    /// Source kind.
    pub kind: SourceKind,
    /// Main source directory (WIOD year directory, cube directory or Ossa directory).
    pub source: PathBuf,
    /// Tariff cube directory for WIOD builds (tariffs and, if asked, elasticities).
    #[serde(default)]
    pub tariffs: Option<PathBuf>,
    /// Ossa (GTAP-based) directory for the tariff check or GTAP-sourced sectors.
    #[serde(default)]
    pub gtap: Option<PathBuf>,
    /// Region mapping of the Ossa regions (needed with `gtap`, or for Ossa builds
    /// it is `regions` itself).
    #[serde(default)]
    pub gtap_regions: Option<PathBuf>,
    /// Country -> region mapping file.
    pub regions: PathBuf,
    /// Industry -> sector mapping file with theta and psi.
    pub sectors: PathBuf,
    /// Report the tariff comparison but do not enforce the mapping's tariff check.
    #[serde(default)]
    pub skip_tariff_check: bool,
}

/// Importer-level tariffs by sector from each source, for the report and check.
#[derive(Debug, Clone, PartialEq)]
pub struct TariffTable {
    /// Regions (importers).
    pub regions: Vec<String>,
    /// Sectors.
    pub sectors: Vec<String>,
    /// Source used per sector.
    pub source: Vec<TariffSource>,
    /// Tariff-cube (or trade-source) value, `[n][j]`.
    pub cube: Vec<Vec<f64>>,
    /// GTAP-based value where the sector has GTAP industries, `[n][j]`.
    pub gtap: Option<Vec<Vec<Option<f64>>>>,
    /// Value in the calibration, `[n][j]`.
    pub used: Vec<Vec<f64>>,
}

/// What the build did: adjustments with their size, and the tariff table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildReport {
    /// One line per adjustment or noteworthy fact, with magnitudes.
    pub adjustments: Vec<String>,
    /// Importer-level tariffs by source.
    pub tariffs: Option<TariffTable>,
}

fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x)
}

impl fmt::Display for TariffTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Trade-weighted import tariffs by importer, % (used [cube / GTAP]); weights = calibration imports"
        )?;
        let w = self
            .sectors
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(6)
            .max(6);
        write!(f, "{:w$} {:6}", "sector", "source")?;
        for r in &self.regions {
            write!(f, " {r:>19}")?;
        }
        writeln!(f)?;
        for (j, s) in self.sectors.iter().enumerate() {
            let src = match self.source[j] {
                TariffSource::Cube => "cube",
                TariffSource::Gtap => "gtap",
                TariffSource::Zero => "zero",
            };
            write!(f, "{s:w$} {src:6}")?;
            for n in 0..self.regions.len() {
                let g = self
                    .gtap
                    .as_ref()
                    .and_then(|g| g[n][j])
                    .map_or("-".to_string(), pct);
                let cell = format!(
                    "{} [{} / {}]",
                    pct(self.used[n][j]),
                    pct(self.cube[n][j]),
                    g
                );
                write!(f, " {cell:>19}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Adjustments and checks:")?;
        for a in &self.adjustments {
            writeln!(f, "  - {a}")?;
        }
        if let Some(t) = &self.tariffs {
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

/// Last two components of a path, for descriptions that do not depend on
/// where the data lives.
fn short(p: &Path) -> String {
    let comps: Vec<_> = p
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    comps.into_iter().rev().collect::<Vec<_>>().join("/")
}

/// Theta per source sector code from a source table.
fn theta_table(src: &ThetaSource, spec: &BuildSpec) -> Result<BTreeMap<String, f64>> {
    match src {
        ThetaSource::CubeSet(set) => {
            let dir = match spec.kind {
                SourceKind::Cube => &spec.source,
                _ => spec.tariffs.as_ref().ok_or_else(|| DataError::Mapping {
                    file: spec.sectors.display().to_string(),
                    code: set.clone(),
                    problem: "theta_source cube_set needs a tariff cube (--tariffs)".into(),
                })?,
            };
            let t = Table::read(dir.join("trade_elasticities.csv"))?;
            let (cs, cj, ce) = (t.column("set")?, t.column("sector")?, t.column("epsilon")?);
            let mut out = BTreeMap::new();
            for (k, r) in t.rows.iter().enumerate() {
                if r[cs] == *set {
                    out.insert(r[cj].clone(), t.number(k, ce)?);
                }
            }
            if out.is_empty() {
                return Err(DataError::Source {
                    path: t.name(),
                    code: set.clone(),
                    problem: "no elasticity set of this name".into(),
                });
            }
            Ok(out)
        }
        ThetaSource::OssaSigmaColumn(col) => {
            let dir = match spec.kind {
                SourceKind::Ossa => &spec.source,
                _ => spec.gtap.as_ref().ok_or_else(|| DataError::Mapping {
                    file: spec.sectors.display().to_string(),
                    code: format!("ossa_sigma_column {col}"),
                    problem: "needs the Ossa directory (--gtap)".into(),
                })?,
            };
            let labels = Table::read_headerless(dir.join("labels.csv"))?;
            let sig = Table::read_headerless(dir.join("sigma_s.csv"))?;
            if *col == 0 || sig.rows.first().is_some_and(|r| *col > r.len()) {
                return Err(DataError::Source {
                    path: sig.name(),
                    code: format!("column {col}"),
                    problem: "no such column (1-based)".into(),
                });
            }
            if sig.rows.len() != labels.rows.len() {
                return Err(sig.error(sig.rows.len(), "row count differs from labels.csv"));
            }
            let mut out = BTreeMap::new();
            for (k, r) in labels.rows.iter().enumerate() {
                out.insert(r[0].clone(), sig.number(k, col - 1)? - 1.0);
            }
            Ok(out)
        }
    }
}

/// Theta and psi per model sector; `codes` gives each sector's source codes
/// for a file-level theta source.
fn sector_params(
    map: &SectorMapping,
    spec: &BuildSpec,
    codes: impl Fn(&SectorSpec) -> &[String],
    report: &mut BuildReport,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let table = map
        .theta_source
        .as_ref()
        .map(|s| theta_table(s, spec))
        .transpose()?;
    let mut theta = Vec::new();
    let mut psi = Vec::new();
    for s in &map.sectors {
        let th = match (&table, &s.theta) {
            (_, Some(p)) => p.value().ok_or_else(|| DataError::Mapping {
                file: map.file.clone(),
                code: s.name.clone(),
                problem: "empty theta list".into(),
            })?,
            (Some(tab), None) => {
                let cs = codes(s);
                let mut v = Vec::new();
                for c in cs {
                    v.push(*tab.get(c).ok_or_else(|| DataError::Mapping {
                        file: map.file.clone(),
                        code: c.clone(),
                        problem: format!(
                            "no trade elasticity for this source sector (sector {})",
                            s.name
                        ),
                    })?);
                }
                if v.is_empty() {
                    return Err(DataError::Mapping {
                        file: map.file.clone(),
                        code: s.name.clone(),
                        problem: "no source sectors to take theta from".into(),
                    });
                }
                v.iter().sum::<f64>() / v.len() as f64
            }
            (None, None) => {
                return Err(DataError::Mapping {
                    file: map.file.clone(),
                    code: s.name.clone(),
                    problem: "no theta".into(),
                })
            }
        };
        let th = match map.theta_floor {
            Some(fl) if th < fl => {
                report.adjustments.push(format!(
                    "theta of {} raised from {th} to the floor {fl} (the model needs theta > 1)",
                    s.name
                ));
                fl
            }
            _ => th,
        };
        let ps = match (&s.psi, &s.psi_theta) {
            (Some(p), _) => *p,
            (None, Some(pt)) => pt.value().unwrap_or(0.0) / th,
            (None, None) => 0.0,
        };
        theta.push(th);
        psi.push(ps);
    }
    Ok((theta, psi))
}

/// GTAP-based bilateral tariffs on the calibration's regions and sectors
/// (`None` for sectors without GTAP industries).
fn gtap_tariffs(
    spec: &BuildSpec,
    map: &SectorMapping,
    region_names: &[String],
) -> Result<Option<OptCube>> {
    let Some(dir) = &spec.gtap else {
        return Ok(None);
    };
    let rfile = spec
        .gtap_regions
        .as_ref()
        .ok_or_else(|| DataError::Mapping {
            file: spec.sectors.display().to_string(),
            code: "gtap_regions".into(),
            problem: "a GTAP directory needs its region mapping (--gtap-regions)".into(),
        })?;
    let rmap = RegionMapping::from_file(rfile)?;
    if rmap.names() != region_names {
        return Err(DataError::Mapping {
            file: rmap.file.clone(),
            code: rmap.names().join(","),
            problem: format!(
                "GTAP regions must be the calibration's, in order: {}",
                region_names.join(",")
            ),
        });
    }
    let ossa = read_ossa(dir)?;
    let mut rg = rmap.grouping()?;
    // Only industries listed under gtap_sectors; the rest are skipped.
    let mut sg = map.gtap_grouping()?;
    let listed: Vec<String> = map
        .sectors
        .iter()
        .flat_map(|s| s.gtap_sectors.clone())
        .collect();
    let filtered = TradeSource {
        path: ossa.path.clone(),
        records: ossa
            .records
            .iter()
            .filter(|r| listed.contains(&r.sector))
            .cloned()
            .collect(),
        sectors: ossa.sectors.clone(),
    };
    for code in &listed {
        if !ossa.sectors.contains(code) {
            return Err(DataError::Mapping {
                file: map.file.clone(),
                code: code.clone(),
                problem: format!(
                    "unknown GTAP industry (labels in {})",
                    dir.join("labels.csv").display()
                ),
            });
        }
    }
    let agg = aggregate(&filtered, &mut rg, &mut sg)?;
    rg.check_all_used()?;
    let out = (0..region_names.len())
        .map(|n| {
            (0..region_names.len())
                .map(|i| {
                    map.sectors
                        .iter()
                        .enumerate()
                        .map(|(j, s)| (!s.gtap_sectors.is_empty()).then(|| agg.tariffs[n][i][j]))
                        .collect()
                })
                .collect()
        })
        .collect();
    Ok(Some(out))
}

/// Chooses each sector's tariffs by its source, checks them against GTAP and
/// fills the report's tariff table.
fn assemble_tariffs(
    map: &SectorMapping,
    regions: &[String],
    cube: &[Vec<Vec<f64>>],
    gtap: Option<&Vec<Vec<Vec<Option<f64>>>>>,
    weights: &[Vec<Vec<f64>>],
    enforce: bool,
    report: &mut BuildReport,
) -> Result<Vec<Vec<Vec<f64>>>> {
    let (nr, ns) = (regions.len(), map.sectors.len());
    let mut t = vec![vec![vec![0.0; ns]; nr]; nr];
    for (j, s) in map.sectors.iter().enumerate() {
        for n in 0..nr {
            for i in 0..nr {
                if n == i {
                    continue;
                }
                t[n][i][j] = match s.tariff_source {
                    TariffSource::Cube => cube[n][i][j],
                    TariffSource::Zero => 0.0,
                    TariffSource::Gtap => gtap.and_then(|g| g[n][i][j]).ok_or_else(|| DataError::Mapping {
                        file: map.file.clone(),
                        code: s.name.clone(),
                        problem: "tariff_source gtap needs gtap_sectors and the Ossa directory (--gtap)".into(),
                    })?,
                };
            }
        }
        match s.tariff_source {
            TariffSource::Zero => {
                let cube_avg: f64 = (0..nr)
                    .flat_map(|n| (0..nr).filter(move |&i| i != n).map(move |i| (n, i)))
                    .map(|(n, i)| cube[n][i][j] * weights[n][i][j])
                    .sum::<f64>();
                let w: f64 = (0..nr)
                    .flat_map(|n| (0..nr).filter(move |&i| i != n).map(move |i| (n, i)))
                    .map(|(n, i)| weights[n][i][j])
                    .sum();
                if w > 0.0 && cube_avg > 0.0 {
                    report.adjustments.push(format!(
                        "tariffs on {} set to 0 (source world trade-weighted mean {:.2}%)",
                        s.name,
                        100.0 * cube_avg / w
                    ));
                }
            }
            TariffSource::Gtap => report.adjustments.push(format!(
                "tariffs on {} taken from GTAP-based Ossa (2014) data instead of the tariff cube",
                s.name
            )),
            TariffSource::Cube => {}
        }
    }
    let used = importer_average(&t, weights);
    let cube_avg = importer_average(cube, weights);
    let gtap_avg = gtap.map(|g| {
        let filled: Vec<Vec<Vec<f64>>> = g
            .iter()
            .map(|m| {
                m.iter()
                    .map(|v| v.iter().map(|x| x.unwrap_or(0.0)).collect())
                    .collect()
            })
            .collect();
        let avg = importer_average(&filled, weights);
        (0..nr)
            .map(|n| {
                (0..ns)
                    .map(|j| (!map.sectors[j].gtap_sectors.is_empty()).then(|| avg[n][j]))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let check = map.tariff_check.as_ref().filter(|_| enforce);
    if map.tariff_check.is_some() && !enforce {
        report
            .adjustments
            .push("tariff check NOT enforced (skip requested)".into());
    }
    if let (Some(check), Some(g)) = (check, &gtap_avg) {
        for (j, s) in map.sectors.iter().enumerate() {
            for n in 0..nr {
                let Some(reference) = g[n][j] else { continue };
                let exempt = check
                    .exempt
                    .iter()
                    .any(|e| e.sector == s.name && e.importer == regions[n]);
                if used[n][j] - reference > check.max_excess && !exempt {
                    return Err(DataError::TariffCheck {
                        importer: regions[n].clone(),
                        sector: s.name.clone(),
                        tariff: used[n][j],
                        reference,
                        max_excess: check.max_excess,
                    });
                }
            }
        }
        report.adjustments.push(format!(
            "tariff check passed: no importer's sectoral tariff exceeds the GTAP-based value by more than {} points{}",
            100.0 * check.max_excess,
            if check.exempt.is_empty() { String::new() } else { format!(" ({} documented exemptions)", check.exempt.len()) }
        ));
    }
    report.tariffs = Some(TariffTable {
        regions: regions.to_vec(),
        sectors: map.names(),
        source: map.sectors.iter().map(|s| s.tariff_source).collect(),
        cube: cube_avg,
        gtap: gtap_avg,
        used,
    });
    Ok(t)
}

/// Builds a calibration as the spec says and reports what it adjusted.
pub fn build(spec: &BuildSpec) -> Result<(Calibration, BuildReport)> {
    let rmap = RegionMapping::from_file(&spec.regions)?;
    let smap = SectorMapping::from_file(&spec.sectors)?;
    match spec.kind {
        SourceKind::Wiod => build_io(spec, &rmap, &smap),
        SourceKind::Cube | SourceKind::Ossa => build_trade_only(spec, &rmap, &smap),
    }
}

fn build_trade_only(
    spec: &BuildSpec,
    rmap: &RegionMapping,
    smap: &SectorMapping,
) -> Result<(Calibration, BuildReport)> {
    let mut report = BuildReport::default();
    let src = match spec.kind {
        SourceKind::Ossa => read_ossa(&spec.source)?,
        _ => read_cube(&spec.source)?,
    };
    let mut rg = rmap.grouping()?;
    let mut sg = smap.industry_grouping()?;
    let agg = aggregate(&src, &mut rg, &mut sg)?;
    rg.check_all_used()?;
    sg.check_all_used()?;
    if agg.zero_weight_cells > 0 {
        report.adjustments.push(format!(
            "{} bilateral cells had zero trade: their tariff is the simple mean of the source tariffs",
            agg.zero_weight_cells
        ));
    }
    let regions = rmap.names();
    let gtap = if spec.kind == SourceKind::Ossa {
        None
    } else {
        gtap_tariffs(spec, smap, &regions)?
    };
    let tariffs = assemble_tariffs(
        smap,
        &regions,
        &agg.tariffs,
        gtap.as_ref(),
        &agg.flows,
        !spec.skip_tariff_check,
        &mut report,
    )?;
    if spec.kind == SourceKind::Ossa {
        // The source is the reference itself: no cube/GTAP comparison to show.
        if let Some(t) = report.tariffs.as_mut() {
            t.gtap = None;
        }
    }
    let (theta, psi) = sector_params(smap, spec, |s| &s.industries, &mut report)?;
    let cal = trade_only_calibration(
        describe(spec, rmap, smap, &report, "trade-only"),
        regions,
        smap.names(),
        agg.flows,
        tariffs,
        theta,
        psi,
    );
    cal.validate()?;
    Ok((cal, report))
}

/// A trade-only calibration (beta = 1, gamma = identity, alpha = expenditure shares).
pub fn trade_only_calibration(
    description: String,
    regions: Vec<String>,
    sectors: Vec<String>,
    flows: Vec<Vec<Vec<f64>>>,
    tariffs: Vec<Vec<Vec<f64>>>,
    theta: Vec<f64>,
    psi: Vec<f64>,
) -> Calibration {
    let (nr, ns) = (regions.len(), sectors.len());
    let x: Vec<Vec<f64>> = (0..nr)
        .map(|n| {
            (0..ns)
                .map(|j| {
                    (0..nr)
                        .map(|i| (1.0 + tariffs[n][i][j]) * flows[n][i][j])
                        .sum()
                })
                .collect()
        })
        .collect();
    let final_shares = x
        .iter()
        .map(|row| {
            let tot: f64 = row.iter().sum();
            row.iter()
                .map(|v| if tot > 0.0 { v / tot } else { 0.0 })
                .collect()
        })
        .collect();
    let identity: Vec<Vec<f64>> = (0..ns)
        .map(|s| (0..ns).map(|j| if s == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let deficits = deficits(&flows);
    Calibration {
        description,
        regions,
        sectors,
        flows,
        tariffs,
        va_shares: vec![vec![1.0; ns]; nr],
        io_shares: vec![identity; nr],
        final_shares,
        deficits,
        theta,
        psi,
    }
}

/// D_n = purchases - sales at producer prices.
pub(crate) fn deficits(flows: &[Vec<Vec<f64>>]) -> Vec<f64> {
    let nr = flows.len();
    (0..nr)
        .map(|n| {
            let imports: f64 = (0..nr).flat_map(|i| flows[n][i].iter()).sum();
            let exports: f64 = (0..nr).flat_map(|m| flows[m][n].iter()).sum();
            imports - exports
        })
        .collect()
}

fn describe(
    spec: &BuildSpec,
    rmap: &RegionMapping,
    smap: &SectorMapping,
    report: &BuildReport,
    what: &str,
) -> String {
    let mut d = format!(
        "{what} calibration built by trade-data from {}",
        short(&spec.source)
    );
    if let Some(t) = &spec.tariffs {
        d += &format!(", tariffs from {}", short(t));
    }
    if let Some(g) = &spec.gtap {
        d += &format!(", GTAP-based tariffs from {}", short(g));
    }
    d += ". ";
    if !rmap.description.is_empty() {
        d += &format!("Regions: {} ", rmap.description);
    }
    if !smap.description.is_empty() {
        d += &format!("Sectors: {} ", smap.description);
    }
    if !report.adjustments.is_empty() {
        d += &format!("Adjustments: {}.", report.adjustments.join("; "));
    }
    d.trim_end().to_string()
}

fn build_io(
    spec: &BuildSpec,
    rmap: &RegionMapping,
    smap: &SectorMapping,
) -> Result<(Calibration, BuildReport)> {
    let mut report = BuildReport::default();
    let cube_dir = spec.tariffs.as_ref().ok_or_else(|| DataError::Mapping {
        file: spec.sectors.display().to_string(),
        code: "tariffs".into(),
        problem: "a WIOD build needs a tariff cube directory (--tariffs)".into(),
    })?;
    let mut rg = rmap.grouping()?;
    let mut ig = smap.industry_grouping()?;
    let io = read_wiod(&spec.source, &mut rg, &mut ig)?;
    ig.check_all_used()?;
    let cube = read_cube(cube_dir)?;
    let mut tg = smap.tariff_grouping()?;
    let agg: Aggregated = aggregate(&cube, &mut rg, &mut tg)?;
    tg.check_all_used()?;
    rg.check_all_used()?;
    let regions = rmap.names();
    let (nr, ns) = (regions.len(), smap.sectors.len());

    // Flows: intermediate + final (inventories folded in), negative final cells zeroed.
    let mut fin = io.fin.clone();
    let (mut neg_count, mut neg_value) = (0usize, 0.0);
    for row in fin.iter_mut() {
        for cells in row.iter_mut() {
            for v in cells.iter_mut() {
                if *v < 0.0 {
                    neg_count += 1;
                    neg_value += -*v;
                    *v = 0.0;
                }
            }
        }
    }
    let mut flows = vec![vec![vec![0.0; ns]; nr]; nr];
    for i in 0..nr {
        for j in 0..ns {
            for n in 0..nr {
                let inter: f64 = io.inter[i][j][n].iter().sum();
                flows[n][i][j] = inter + fin[i][j][n];
            }
        }
    }
    let world_final: f64 = io.fin.iter().flatten().flatten().sum();
    report.adjustments.push(format!(
        "inventory changes folded into final demand: world net {:.0} ({} negative source entries), {:.3}% of final demand",
        io.inventories,
        io.negative_inventory_entries,
        100.0 * io.inventories / world_final
    ));
    if io.negative_other_entries > 0 {
        report.adjustments.push(format!(
            "{} negative entries in other final uses (sum {:.0}) kept in the region-level sums",
            io.negative_other_entries, io.negative_other
        ));
    }
    report.adjustments.push(format!(
        "negative region-level final purchases set to 0: {neg_count} cells, {neg_value:.0} in total ({:.4}% of world final demand; exporter output lowered by the same)",
        100.0 * neg_value / world_final
    ));
    report.adjustments.push(format!(
        "gross output taken as row sums of the table (largest gap to output.csv: {:.0}, rounding)",
        io.output_gap
    ));

    let gtap = gtap_tariffs(spec, smap, &regions)?;
    let tariffs = assemble_tariffs(
        smap,
        &regions,
        &agg.tariffs,
        gtap.as_ref(),
        &flows,
        !spec.skip_tariff_check,
        &mut report,
    )?;
    if agg.zero_weight_cells > 0 {
        report.adjustments.push(format!(
            "{} bilateral tariff cells had zero cube trade: simple mean of source tariffs",
            agg.zero_weight_cells
        ));
    }

    // Output, tariff-inclusive intermediate spending, beta, gamma, alpha.
    let mut y = vec![vec![0.0; ns]; nr];
    for row in &flows {
        for (i, cells) in row.iter().enumerate() {
            for (j, v) in cells.iter().enumerate() {
                y[i][j] += v;
            }
        }
    }
    let mut va_shares = vec![vec![1.0; ns]; nr];
    let mut io_shares = vec![vec![vec![0.0; ns]; ns]; nr];
    let mut final_shares = vec![vec![0.0; ns]; nr];
    let mut tariffs_on_inputs = 0.0;
    let mut va_total = 0.0;
    for n in 0..nr {
        for k in 0..ns {
            let mut uc = vec![0.0; ns];
            for (j, u) in uc.iter_mut().enumerate() {
                for i in 0..nr {
                    let base = io.inter[i][j][n][k];
                    *u += (1.0 + tariffs[n][i][j]) * base;
                    tariffs_on_inputs += tariffs[n][i][j] * base;
                }
            }
            let total: f64 = uc.iter().sum();
            let at = || format!("{} {}", regions[n], smap.sectors[k].name);
            if y[n][k] <= 0.0 {
                if total > 0.0 {
                    return Err(DataError::Inconsistent {
                        at: at(),
                        problem: format!("no output but intermediate purchases {total}"),
                    });
                }
                report.adjustments.push(format!(
                    "{}: no output; beta = 1, own-sector input share",
                    at()
                ));
                io_shares[n][k][k] = 1.0;
                continue;
            }
            if total >= y[n][k] {
                return Err(DataError::Inconsistent {
                    at: at(),
                    problem: format!(
                        "tariff-inclusive intermediate purchases {total} are not below output {}",
                        y[n][k]
                    ),
                });
            }
            va_shares[n][k] = 1.0 - total / y[n][k];
            va_total += y[n][k] - total;
            for j in 0..ns {
                io_shares[n][j][k] = if total > 0.0 {
                    uc[j] / total
                } else if j == k {
                    1.0
                } else {
                    0.0
                };
            }
        }
        let fc: Vec<f64> = (0..ns)
            .map(|j| {
                (0..nr)
                    .map(|i| (1.0 + tariffs[n][i][j]) * fin[i][j][n])
                    .sum()
            })
            .collect();
        let tot: f64 = fc.iter().sum();
        for j in 0..ns {
            final_shares[n][j] = fc[j] / tot;
        }
    }
    report.adjustments.push(format!(
        "value added net of tariffs on intermediates (WIOD books them in net product taxes): {:.0}, {:.3}% of value added",
        tariffs_on_inputs,
        100.0 * tariffs_on_inputs / va_total
    ));
    let (theta, psi) = sector_params(smap, spec, |s| &s.tariff_sectors, &mut report)?;
    let deficits = deficits(&flows);
    let world_y: f64 = y.iter().flatten().sum();
    report.adjustments.push(format!(
        "deficits D = purchases - sales (% of world output): {}",
        regions
            .iter()
            .zip(&deficits)
            .map(|(r, d)| format!("{r} {:.2}", 100.0 * d / world_y))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let cal = Calibration {
        description: describe(spec, rmap, smap, &report, "IO"),
        regions,
        sectors: smap.names(),
        flows,
        tariffs,
        va_shares,
        io_shares,
        final_shares,
        deficits,
        theta,
        psi,
    };
    cal.validate()?;
    Ok((cal, report))
}

/// The specs of the calibrations shipped in the repository's `data/`:
/// `(file name, spec)`, with `data` the source-data directory (`shared/data`)
/// and `mappings` the repository's `data/mappings`.
pub fn shipped_specs(data: &Path, mappings: &Path) -> Vec<(&'static str, BuildSpec)> {
    vec![
        (
            "wiod2011-7x14.json",
            BuildSpec {
                kind: SourceKind::Wiod,
                source: data.join("wiod2013").join("2011"),
                tariffs: Some(data.join("tariffwar_cubes").join("wiod2011")),
                gtap: Some(data.join("ossa2014")),
                gtap_regions: Some(mappings.join("regions-ossa-7.json")),
                regions: mappings.join("regions-7.json"),
                sectors: mappings.join("sectors-wiod2013-14.json"),
                skip_tariff_check: false,
            },
        ),
        (
            "tariffwar-wiod2014-7x16.json",
            BuildSpec {
                kind: SourceKind::Cube,
                source: data.join("tariffwar_cubes").join("wiod2014"),
                tariffs: None,
                gtap: None,
                gtap_regions: None,
                regions: mappings.join("regions-7.json"),
                sectors: mappings.join("sectors-cube-16.json"),
                skip_tariff_check: false,
            },
        ),
        (
            "ossa2007-7x33.json",
            BuildSpec {
                kind: SourceKind::Ossa,
                source: data.join("ossa2014"),
                tariffs: None,
                gtap: None,
                gtap_regions: None,
                regions: mappings.join("regions-ossa-7.json"),
                sectors: mappings.join("sectors-ossa-33.json"),
                skip_tariff_check: false,
            },
        ),
    ]
}
