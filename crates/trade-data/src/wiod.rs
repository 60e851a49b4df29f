//! Reader for a multi-region input-output table in the WIOD 2013 layout
//! (Timmer et al., 2015): `intermediate.csv` (supplier `CCC.cK` rows x user
//! `CCC.cK` columns), `final.csv` (supplier rows x `CCC.use` columns),
//! `output.csv` (gross output per supplier), `final_uses.csv`.
//!
//! The table is aggregated while it streams: supplier (i, j) -> user region n,
//! user sector k for intermediates, and (i, j) -> n for final use. All five
//! final uses are summed, so inventory changes are folded into final demand.

use std::path::Path;

use crate::csv::{split_line, Table};
use crate::error::{io_err, DataError, Result};
use crate::mapping::Grouping;

/// A WIOD-layout table aggregated onto model regions and sectors.
#[derive(Debug, Clone)]
pub struct IoTable {
    /// `inter[i][j][n][k]`: intermediate sales of region i, sector j to
    /// region n, sector k (basic prices).
    pub inter: Vec<Vec<Vec<Vec<f64>>>>,
    /// `fin[i][j][n]`: final-use sales of (i, j) to region n, all uses summed.
    pub fin: Vec<Vec<Vec<f64>>>,
    /// World sum of the inventories column (folded into final demand).
    pub inventories: f64,
    /// Number of negative inventory entries in the source.
    pub negative_inventory_entries: usize,
    /// Number of negative entries in the other final uses (e.g. sales of used goods).
    pub negative_other_entries: usize,
    /// Their sum.
    pub negative_other: f64,
    /// Largest |row sum - gross output| over suppliers (source rounding).
    pub output_gap: f64,
    /// World gross output from `output.csv`.
    pub world_output: f64,
}

/// Parses `CCC.x` into (`CCC`, `x`).
fn split_label<'a>(label: &'a str, path: &str) -> Result<(&'a str, &'a str)> {
    label.split_once('.').ok_or_else(|| DataError::Source {
        path: path.into(),
        code: label.into(),
        problem: "expected a `COUNTRY.code` label".into(),
    })
}

/// One event while streaming a matrix file.
enum Event<'a> {
    /// The column labels (header without the first field).
    Header(&'a [String]),
    /// A cell: supplier label, 0-based value column, value.
    Cell(&'a str, usize, f64),
}

/// Streams one matrix file through `f`: first the header, then every cell.
fn stream(path: &Path, mut f: impl FnMut(Event) -> Result<()>) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let name = path.display().to_string();
    let mut fields = Vec::new();
    let mut width = 0;
    for (k, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: String| DataError::Csv {
            path: name.clone(),
            row: k + 1,
            problem,
        };
        split_line(line, &mut fields).map_err(bad)?;
        if k == 0 {
            width = fields.len();
            f(Event::Header(&fields[1..]))?;
            continue;
        }
        if fields.len() != width {
            return Err(bad(format!(
                "has {} fields, expected {width}",
                fields.len()
            )));
        }
        let supplier = fields[0].trim().to_string();
        for (c, s) in fields[1..].iter().enumerate() {
            let x: f64 = s
                .trim()
                .parse()
                .map_err(|_| bad(format!("column {}: `{s}` is not a number", c + 2)))?;
            if !x.is_finite() {
                return Err(bad(format!("column {}: `{s}` is not finite", c + 2)));
            }
            f(Event::Cell(&supplier, c, x))?;
        }
    }
    Ok(())
}

/// Cache of supplier label -> (region, sector).
struct Labels<'g> {
    regions: &'g mut Grouping,
    sectors: &'g mut Grouping,
    last: String,
    last_val: (usize, usize),
}

impl Labels<'_> {
    fn resolve(&mut self, label: &str, path: &str) -> Result<(usize, usize)> {
        if label == self.last {
            return Ok(self.last_val);
        }
        let (c, ind) = split_label(label, path)?;
        let v = (
            self.regions.lookup(c, path)?,
            self.sectors.lookup(ind, path)?,
        );
        self.last = label.to_string();
        self.last_val = v;
        Ok(v)
    }
}

/// Reads and aggregates a WIOD-layout directory.
pub fn read_wiod(dir: &Path, regions: &mut Grouping, sectors: &mut Grouping) -> Result<IoTable> {
    let (nr, ns) = (regions.len(), sectors.len());
    let mut inter = vec![vec![vec![vec![0.0; ns]; nr]; ns]; nr];
    let mut fin = vec![vec![vec![0.0; nr]; ns]; nr];
    let uses_t = Table::read(dir.join("final_uses.csv"))?;
    let cu = uses_t.column("code")?;
    let uses: Vec<String> = uses_t.rows.iter().map(|r| r[cu].clone()).collect();

    // Intermediate matrix.
    let path = dir.join("intermediate.csv");
    let pname = path.display().to_string();
    let mut cols: Vec<(usize, usize)> = Vec::new();
    let mut row_sums: Vec<(String, f64)> = Vec::new();
    {
        let mut labels = Labels {
            regions,
            sectors,
            last: String::new(),
            last_val: (0, 0),
        };
        stream(&path, |ev| {
            let (sup, c, x) = match ev {
                Event::Header(h) => {
                    for l in h {
                        let v = labels.resolve(l.trim(), &pname)?;
                        cols.push(v);
                    }
                    return Ok(());
                }
                Event::Cell(sup, c, x) => (sup, c, x),
            };
            if c == 0 {
                row_sums.push((sup.to_string(), 0.0));
            }
            {
                let (i, j) = labels.resolve(sup, &pname)?;
                let (n, k) = cols[c];
                if x < 0.0 {
                    return Err(DataError::Source {
                        path: pname.clone(),
                        code: sup.into(),
                        problem: format!("negative intermediate sale {x} to column {}", c + 2),
                    });
                }
                inter[i][j][n][k] += x;
                if let Some(last) = row_sums.last_mut() {
                    last.1 += x;
                }
            }
            Ok(())
        })?;
    }

    // Final-use matrix.
    let path = dir.join("final.csv");
    let pname = path.display().to_string();
    let mut fcols: Vec<(usize, bool)> = Vec::new();
    let mut inventories = 0.0;
    let mut negative_inventory_entries = 0;
    let mut negative_other_entries = 0;
    let mut negative_other = 0.0;
    let mut frow = 0usize;
    {
        let mut labels = Labels {
            regions,
            sectors,
            last: String::new(),
            last_val: (0, 0),
        };
        let mut fsums: Vec<(String, f64)> = Vec::new();
        stream(&path, |ev| {
            let (sup, c, x) = match ev {
                Event::Header(h) => {
                    for l in h {
                        let (cty, usage) = split_label(l.trim(), &pname)?;
                        if !uses.iter().any(|u| u == usage) {
                            return Err(DataError::Source {
                                path: pname.clone(),
                                code: usage.into(),
                                problem: "final use not listed in final_uses.csv".into(),
                            });
                        }
                        let n = labels.regions.lookup(cty, &pname)?;
                        fcols.push((n, usage == "inventories"));
                    }
                    return Ok(());
                }
                Event::Cell(sup, c, x) => (sup, c, x),
            };
            {
                if c == 0 {
                    fsums.push((sup.to_string(), 0.0));
                    frow += 1;
                }
                let (i, j) = labels.resolve(sup, &pname)?;
                let (n, inv) = fcols[c];
                if inv {
                    inventories += x;
                    if x < 0.0 {
                        negative_inventory_entries += 1;
                    }
                } else if x < 0.0 {
                    negative_other_entries += 1;
                    negative_other += x;
                }
                fin[i][j][n] += x;
                if let Some(last) = fsums.last_mut() {
                    last.1 += x;
                }
            }
            Ok(())
        })?;
        // Add final sums to intermediate row sums (same supplier order expected).
        for (k, (sup, v)) in fsums.into_iter().enumerate() {
            match row_sums.get_mut(k) {
                Some(r) if r.0 == sup => r.1 += v,
                _ => {
                    return Err(DataError::Source {
                        path: pname.clone(),
                        code: sup,
                        problem: format!("supplier row {} differs from intermediate.csv's", k + 2),
                    })
                }
            }
        }
    }
    if frow != row_sums.len() {
        return Err(DataError::Source {
            path: pname,
            code: format!("{frow} rows"),
            problem: format!("intermediate.csv has {} supplier rows", row_sums.len()),
        });
    }

    // Gross output check.
    let out = Table::read(dir.join("output.csv"))?;
    let (cs, cg) = (out.column("supplier")?, out.column("gross_output")?);
    let mut output_gap: f64 = 0.0;
    let mut world_output = 0.0;
    for (k, r) in out.rows.iter().enumerate() {
        let go = out.number(k, cg)?;
        world_output += go;
        match row_sums.get(k) {
            Some((sup, v)) if *sup == r[cs] => output_gap = output_gap.max((v - go).abs()),
            _ => {
                return Err(DataError::Source {
                    path: out.name(),
                    code: r[cs].clone(),
                    problem: format!(
                        "line {}: supplier order differs from intermediate.csv",
                        out.line(k)
                    ),
                })
            }
        }
    }
    Ok(IoTable {
        inter,
        fin,
        inventories,
        negative_inventory_entries,
        negative_other_entries,
        negative_other,
        output_gap,
        world_output,
    })
}
