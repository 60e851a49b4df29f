//! A minimal CSV reader for the source tables: comma-separated, optional
//! double quotes around fields (with `""` as an escaped quote), one header line.

use std::path::{Path, PathBuf};

use crate::error::{io_err, DataError, Result};

/// A parsed CSV file: header and rows of fields, with the path kept for errors.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file read.
    pub path: PathBuf,
    /// Column names from the first line.
    pub header: Vec<String>,
    /// Data rows; `rows[k]` is on line `k + 2`.
    pub rows: Vec<Vec<String>>,
    /// Whether the file has a header line.
    has_header: bool,
}

/// Splits one CSV line into fields.
pub(crate) fn split_line(line: &str, out: &mut Vec<String>) -> std::result::Result<(), String> {
    out.clear();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == ',' {
            out.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    if in_quotes {
        return Err("unterminated quoted field".into());
    }
    out.push(field);
    Ok(())
}

impl Table {
    /// Reads a CSV file with a header line.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        Self::read_impl(path.as_ref(), true)
    }

    /// Reads a CSV file without a header (all lines are data).
    pub fn read_headerless(path: impl AsRef<Path>) -> Result<Self> {
        Self::read_impl(path.as_ref(), false)
    }

    fn read_impl(path: &Path, has_header: bool) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
        let mut header = Vec::new();
        let mut rows = Vec::new();
        let mut fields = Vec::new();
        let mut first = has_header;
        for (k, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            split_line(line, &mut fields).map_err(|problem| DataError::Csv {
                path: path.display().to_string(),
                row: k + 1,
                problem,
            })?;
            if first {
                header = fields.iter().map(|f| f.trim().to_string()).collect();
                first = false;
                continue;
            }
            let width = if has_header {
                header.len()
            } else {
                rows.first().map_or(fields.len(), |r: &Vec<String>| r.len())
            };
            if fields.len() != width {
                return Err(DataError::Csv {
                    path: path.display().to_string(),
                    row: k + 1,
                    problem: format!("has {} fields, expected {width}", fields.len()),
                });
            }
            rows.push(fields.iter().map(|f| f.trim().to_string()).collect());
        }
        if has_header && header.is_empty() {
            return Err(DataError::Csv {
                path: path.display().to_string(),
                row: 1,
                problem: "empty file (no header)".into(),
            });
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
            has_header,
        })
    }

    /// Index of a named column, or an error naming it.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DataError::Csv {
                path: self.path.display().to_string(),
                row: 1,
                problem: format!(
                    "missing column `{name}` (columns: {})",
                    self.header.join(", ")
                ),
            })
    }

    /// 1-based line number of data row `k`.
    pub fn line(&self, k: usize) -> usize {
        k + if self.has_header { 2 } else { 1 }
    }

    /// Parses field `col` of row `k` as a finite number.
    pub fn number(&self, k: usize, col: usize) -> Result<f64> {
        let s = &self.rows[k][col];
        let bad = |problem: String| DataError::Csv {
            path: self.path.display().to_string(),
            row: self.line(k),
            problem,
        };
        let x: f64 = s.parse().map_err(|_| {
            bad(format!(
                "column `{}`: `{s}` is not a number",
                self.header.get(col).map_or("?", String::as_str)
            ))
        })?;
        if !x.is_finite() {
            return Err(bad(format!("`{s}` is not a finite number")));
        }
        Ok(x)
    }

    /// The error for row `k` with a message.
    pub fn error(&self, k: usize, problem: impl Into<String>) -> DataError {
        DataError::Csv {
            path: self.path.display().to_string(),
            row: self.line(k),
            problem: problem.into(),
        }
    }

    /// The path as a string, for messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let mut out = Vec::new();
        split_line(r#"1,"Food, beverages",x"#, &mut out).unwrap();
        assert_eq!(out, vec!["1", "Food, beverages", "x"]);
        split_line(r#""a ""b""",c"#, &mut out).unwrap();
        assert_eq!(out, vec![r#"a "b""#, "c"]);
        assert!(split_line(r#""open,c"#, &mut out).is_err());
    }
}
