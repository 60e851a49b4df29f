//! The run's files: a JSON-lines log (`{"type": ..., "data": ...}` per line,
//! as ripgrep's `--json`) and the checkpoint, written as an observer.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use best_response::{Checkpoint, EpochRecord, GameError, Observer, StepRecord};
use serde::{Deserialize, Serialize};

/// File name of the checkpoint inside the output folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";

/// What the driver stores in a checkpoint besides the loop state.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedRun {
    /// Lines in `log.jsonl` when the checkpoint was written (the rest is
    /// dropped on resume, so the resumed log equals an uninterrupted one).
    pub log_lines: u64,
    /// Where the calibration came from (a path, or `None` for the default).
    pub calibration: Option<PathBuf>,
    /// The loop state and config.
    pub checkpoint: Checkpoint,
}

impl SavedRun {
    /// Reads `DIR/checkpoint.json`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join(CHECKPOINT_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (is it a run folder?)", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// Writes one JSON object per line and checkpoints next to it.
pub struct RunLog {
    out: BufWriter<File>,
    dir: PathBuf,
    lines: u64,
    calibration: Option<PathBuf>,
}

impl RunLog {
    /// Creates `DIR/log.jsonl`, or, when `keep_lines` is given, keeps its
    /// first `keep_lines` lines and appends after them.
    pub fn open(
        dir: &Path,
        keep_lines: Option<u64>,
        calibration: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let path = dir.join("log.jsonl");
        let mut kept = Vec::new();
        if let Some(k) = keep_lines {
            let f = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
            for line in BufReader::new(f).lines().take(k as usize) {
                kept.push(line?);
            }
            anyhow::ensure!(
                kept.len() as u64 == k,
                "{} has {} lines, the checkpoint expects {k}",
                path.display(),
                kept.len()
            );
        }
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        let mut out = BufWriter::new(file);
        for line in &kept {
            writeln!(out, "{line}")?;
        }
        Ok(RunLog {
            out,
            dir: dir.to_path_buf(),
            lines: kept.len() as u64,
            calibration,
        })
    }

    /// Appends `{"type": kind, "data": data}`.
    pub fn write<T: Serialize>(&mut self, kind: &str, data: &T) -> anyhow::Result<()> {
        // "type" first, and the data's fields in declaration order.
        let kind = serde_json::to_string(kind)?;
        let data = serde_json::to_string(data)?;
        writeln!(self.out, "{{\"type\":{kind},\"data\":{data}}}")?;
        self.lines += 1;
        Ok(())
    }

    /// Flushes the log.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

fn observer_err(e: impl std::fmt::Display) -> GameError {
    GameError::Observer(format!("{e:#}"))
}

impl Observer for RunLog {
    fn step(&mut self, record: &StepRecord) -> best_response::Result<()> {
        self.write("step", record).map_err(observer_err)
    }

    fn epoch(&mut self, record: &EpochRecord) -> best_response::Result<()> {
        self.write("epoch", record).map_err(observer_err)
    }

    /// Flushes the log, then writes the checkpoint atomically (temp file + rename).
    fn checkpoint(&mut self, checkpoint: &Checkpoint) -> best_response::Result<()> {
        self.flush().map_err(observer_err)?;
        let saved = SavedRun {
            log_lines: self.lines,
            calibration: self.calibration.clone(),
            checkpoint: checkpoint.clone(),
        };
        let text = serde_json::to_string(&saved).map_err(observer_err)?;
        let tmp = self.dir.join(format!("{CHECKPOINT_FILE}.tmp"));
        std::fs::write(&tmp, text).map_err(observer_err)?;
        std::fs::rename(&tmp, self.dir.join(CHECKPOINT_FILE)).map_err(observer_err)
    }
}
