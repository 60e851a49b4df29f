//! `tariffnash sweep`: a grid of full `nash` runs over learning rates,
//! clipping, annealing and seeds, run in parallel across the machine's cores
//! (one run per core: each run is single-threaded), with one progress bar.
//!
//! Writes `DIR/sweep.json` (the resolved grid), `DIR/sweep.csv` (one row per
//! run), `DIR/runs.jsonl` (each run's final tariffs), `DIR/curves.csv` (per run and epoch: the largest projected-gradient
//! norm and tariff change, for `tariffnash plot DIR`) and prints a summary:
//! which settings reach the stopping tolerance fastest and whether all
//! certified runs reach the same equilibrium.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context};
use best_response::{Annealing, EpochRecord, NashConfig, NashSolver, Observer};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use trade_model::{CpuAutodiff, TradeModel};

use super::info;

/// Arguments of `tariffnash sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep config JSON: {"base": <nash config>, "learning_rates": [..],
    /// "clipping": [false, true], "annealing": [{"kind": "none"}, ..],
    /// "seeds": [..]}; missing fields take the defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Calibration JSON (default: the embedded WIOD 2011 7x14 calibration).
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
    /// Parallel runs (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// The grid. Every combination is one full `nash` run of `base`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepConfig {
    /// Settings shared by every run.
    pub base: NashConfig,
    /// Adam learning rates.
    pub learning_rates: Vec<f64>,
    /// Gradient clipping off / on (at `base.clip.max_norm`).
    pub clipping: Vec<bool>,
    /// Learning-rate schedules ("off" is `{"kind": "none"}`).
    pub annealing: Vec<Annealing>,
    /// Seeds of the shuffle order.
    pub seeds: Vec<u64>,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            base: NashConfig::default(),
            learning_rates: vec![1e-4, 5e-4, 1e-3, 5e-3],
            clipping: vec![false, true],
            // "On": the learning rate shrinks by 15% an epoch (to ~5% of
            // its start after 20 epochs).
            annealing: vec![Annealing::None, Annealing::Exponential { gamma: 0.85 }],
            seeds: vec![0, 1, 2],
        }
    }
}

impl SweepConfig {
    fn validate(&self) -> anyhow::Result<()> {
        for (field, empty) in [
            ("learning_rates", self.learning_rates.is_empty()),
            ("clipping", self.clipping.is_empty()),
            ("annealing", self.annealing.is_empty()),
            ("seeds", self.seeds.is_empty()),
        ] {
            if empty {
                bail!("sweep config `{field}`: needs at least one value");
            }
        }
        for (k, lr) in self.learning_rates.iter().enumerate() {
            if !(lr.is_finite() && *lr > 0.0) {
                bail!("sweep config `learning_rates[{k}]`: must be a positive number, got {lr}");
            }
        }
        for run in self.runs() {
            run.config
                .validate()
                .with_context(|| format!("sweep run `{}`", run.setting))?;
        }
        Ok(())
    }

    /// Every run of the grid, in a fixed order.
    pub fn runs(&self) -> Vec<Run> {
        let mut out = Vec::new();
        for &lr in &self.learning_rates {
            for &clip in &self.clipping {
                for &anneal in &self.annealing {
                    for &seed in &self.seeds {
                        let mut c = self.base.clone();
                        c.adam.lr = lr;
                        c.clip.enabled = clip;
                        c.annealing = anneal;
                        c.seed = seed;
                        let setting = format!(
                            "lr={lr:e} clip={} anneal={}",
                            if clip { "on" } else { "off" },
                            annealing_name(&anneal)
                        );
                        out.push(Run {
                            id: out.len(),
                            setting,
                            lr,
                            clip,
                            annealing: annealing_name(&anneal),
                            seed,
                            config: c,
                        });
                    }
                }
            }
        }
        out
    }
}

fn annealing_name(a: &Annealing) -> String {
    match a {
        Annealing::None => "off".into(),
        Annealing::Step { every, gamma } => format!("step({every};{gamma})"),
        Annealing::Cosine { min_lr } => format!("cosine({min_lr:e})"),
        Annealing::Exponential { gamma } => format!("exp({gamma})"),
    }
}

/// One run of the grid.
#[derive(Debug, Clone)]
pub struct Run {
    /// Position in the grid.
    pub id: usize,
    /// Its setting without the seed (rows with the same setting differ only in seed).
    pub setting: String,
    lr: f64,
    clip: bool,
    annealing: String,
    seed: u64,
    config: NashConfig,
}

/// What one run produced.
#[derive(Debug, Clone)]
struct Outcome {
    run: Run,
    epochs: Vec<EpochRecord>,
    stop: String,
    max_gap_pct: Option<f64>,
    is_nash: bool,
    tariffs: Vec<f64>,
    seconds: f64,
    error: Option<String>,
}

impl Outcome {
    fn epochs_to_tolerance(&self) -> Option<usize> {
        let tol = self.run.config.stop.gradient_tolerance;
        self.epochs
            .iter()
            .find(|e| e.max_projected_gradient <= tol)
            .map(|e| e.epoch + 1)
    }
}

struct Curves(Vec<EpochRecord>);

impl Observer for Curves {
    fn epoch(&mut self, record: &EpochRecord) -> best_response::Result<()> {
        self.0.push(record.clone());
        Ok(())
    }
}

fn play(model: &TradeModel, run: Run) -> Outcome {
    let start = Instant::now();
    let mut curves = Curves(Vec::new());
    let result = (|| -> anyhow::Result<_> {
        let mut solver = NashSolver::<CpuAutodiff>::from_model(
            model.clone(),
            run.config.clone(),
            Default::default(),
        )?;
        let mut state = solver.initial_state()?;
        solver.run(&mut state, &mut [&mut curves], &Default::default())?;
        Ok(solver.finish(&state)?)
    })();
    let seconds = start.elapsed().as_secs_f64();
    match result {
        Ok(res) => {
            let n = model.n_regions();
            let j = model.n_sectors();
            let tariffs = (0..n * n * j)
                .filter(|k| (k / j) / n != (k / j) % n)
                .map(|k| res.tariffs.as_slice()[k])
                .collect();
            Outcome {
                stop: format!("{:?}", res.stop),
                max_gap_pct: res.certificate.as_ref().map(|c| c.max_gap_pct),
                is_nash: res.is_nash(),
                tariffs,
                epochs: curves.0,
                seconds,
                error: None,
                run,
            }
        }
        Err(e) => Outcome {
            stop: "error".into(),
            max_gap_pct: None,
            is_nash: false,
            tariffs: Vec::new(),
            epochs: curves.0,
            seconds,
            error: Some(format!("{e:#}")),
            run,
        },
    }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v:e}"))
}

/// Gap (%) below which runs are compared as "tightly" converged in the summary.
const TIGHT_GAP_PCT: f64 = 1e-6;

fn fmt_pct(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v:.4}"))
}

fn summary(outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    let mut settings: Vec<&str> = Vec::new();
    for o in outcomes {
        if !settings.contains(&o.run.setting.as_str()) {
            settings.push(&o.run.setting);
        }
    }
    let median = |mut v: Vec<f64>| -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        Some(v[v.len() / 2])
    };
    struct Row {
        setting: String,
        runs: usize,
        nash: usize,
        reached: usize,
        epochs: Option<f64>,
        gap: Option<f64>,
        grad: Option<f64>,
        secs: Option<f64>,
    }
    let mut rows: Vec<Row> = settings
        .iter()
        .map(|set| {
            let os: Vec<&Outcome> = outcomes.iter().filter(|o| o.run.setting == *set).collect();
            Row {
                setting: set.to_string(),
                runs: os.len(),
                nash: os.iter().filter(|o| o.is_nash).count(),
                reached: os
                    .iter()
                    .filter(|o| o.epochs_to_tolerance().is_some())
                    .count(),
                epochs: median(
                    os.iter()
                        .filter_map(|o| o.epochs_to_tolerance().map(|e| e as f64))
                        .collect(),
                ),
                gap: median(os.iter().filter_map(|o| o.max_gap_pct).collect()),
                grad: median(
                    os.iter()
                        .filter_map(|o| o.epochs.last().map(|e| e.max_projected_gradient))
                        .collect(),
                ),
                secs: median(os.iter().map(|o| o.seconds).collect()),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                r.reached == r.runs,
                r.epochs.unwrap_or(f64::INFINITY),
                r.grad.unwrap_or(f64::INFINITY),
            )
        };
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.total_cmp(&kb.2))
    });
    let _ = writeln!(
        s,
        "{:<42} {:>4} {:>6} {:>9} {:>11} {:>12} {:>12} {:>8}",
        "setting", "runs", "nash", "at tol", "epochs(med)", "final |g|", "max gap %", "s(med)"
    );
    for r in &rows {
        let _ = writeln!(
            s,
            "{:<42} {:>4} {:>6} {:>9} {:>11} {:>12} {:>12} {:>8.1}",
            r.setting,
            r.runs,
            r.nash,
            format!("{}/{}", r.reached, r.runs),
            r.epochs.map_or("-".into(), |e| format!("{e:.0}")),
            r.grad.map_or("-".into(), |g| format!("{g:.2e}")),
            r.gap.map_or("-".into(), |g| format!("{g:.2e}")),
            r.secs.unwrap_or(0.0)
        );
    }
    if let Some(best) = rows.first() {
        let _ = writeln!(
            s,
            "\nfastest: {} ({}/{} runs reach the projected-gradient tolerance, median {} epochs)",
            best.setting,
            best.reached,
            best.runs,
            best.epochs.map_or("-".into(), |e| format!("{e:.0}"))
        );
    }
    let spread = |runs: &[&Outcome]| -> f64 {
        let mut worst: f64 = 0.0;
        for a in runs {
            for b in runs {
                let d = a
                    .tariffs
                    .iter()
                    .zip(&b.tariffs)
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f64::max);
                worst = worst.max(d);
            }
        }
        worst
    };
    let certified: Vec<&Outcome> = outcomes.iter().filter(|o| o.is_nash).collect();
    let _ = write!(
        s,
        "{} of {} runs certified as Nash equilibria",
        certified.len(),
        outcomes.len()
    );
    if certified.len() >= 2 {
        let worst = spread(&certified);
        let _ = write!(
            s,
            "; largest tariff distance between them: {:.3} percentage points ({})",
            100.0 * worst,
            if worst < 5e-3 {
                "the same equilibrium"
            } else {
                "different profiles"
            }
        );
    }
    let _ = writeln!(s);
    let tight: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.max_gap_pct.is_some_and(|g| g <= TIGHT_GAP_PCT))
        .collect();
    if tight.len() >= 2 && tight.len() != certified.len() {
        let _ = writeln!(
            s,
            "{} runs with a largest gap <= {TIGHT_GAP_PCT:e} %: largest tariff distance {:.3} percentage points",
            tight.len(),
            100.0 * spread(&tight)
        );
    }
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    for o in failed {
        let _ = writeln!(
            s,
            "run {} ({}) failed: {}",
            o.run.id,
            o.run.setting,
            o.error.clone().unwrap_or_default()
        );
    }
    s
}

/// Runs the command.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    let config: SweepConfig = match &args.config {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_str(&text).with_context(|| format!("sweep config {}", p.display()))?
        }
        None => SweepConfig::default(),
    };
    config.validate()?;
    let cal = info::load(args.calibration.as_ref())?;
    let model = TradeModel::new(&cal, config.base.deficits, config.base.solver)
        .context("building the model")?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    std::fs::write(
        args.out.join("sweep.json"),
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    let runs = config.runs();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let bar = ProgressBar::new(runs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} runs {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let hidden = bar.is_hidden();
    let total = runs.len();
    let done = Mutex::new(0usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let mut outcomes: Vec<Outcome> = pool.install(|| {
        runs.into_par_iter()
            .map(|run| {
                let o = play(&model, run);
                bar.inc(1);
                if hidden {
                    let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                    *d += 1;
                    eprintln!(
                        "run {}/{total} done: {} seed {} ({:.1} s, max gap {}%)",
                        *d,
                        o.run.setting,
                        o.run.seed,
                        o.seconds,
                        o.max_gap_pct.map_or("-".into(), |g| format!("{g:.2e}"))
                    );
                }
                o
            })
            .collect()
    });
    bar.finish_and_clear();
    outcomes.sort_by_key(|o| o.run.id);

    let mut csv = String::from(
        "run,lr,clip,annealing,seed,epochs,stop,epochs_to_tolerance,final_max_projected_gradient,max_gap_pct,is_nash,mean_tariff_pct,min_tariff_pct,max_tariff_pct,seconds\n",
    );
    let mut curves = String::from(
        "run,setting,lr,clip,annealing,seed,epoch,max_projected_gradient,max_tariff_change\n",
    );
    for o in &outcomes {
        let (mean, min, max) = if o.tariffs.is_empty() {
            (None, None, None)
        } else {
            let m = o.tariffs.iter().sum::<f64>() / o.tariffs.len() as f64;
            let lo = o.tariffs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = o.tariffs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (Some(100.0 * m), Some(100.0 * lo), Some(100.0 * hi))
        };
        let _ = writeln!(
            csv,
            "{},{:e},{},{},{},{},{},{},{},{},{},{},{},{},{:.3}",
            o.run.id,
            o.run.lr,
            o.run.clip,
            o.run.annealing,
            o.run.seed,
            o.epochs.len(),
            o.stop,
            o.epochs_to_tolerance()
                .map_or(String::new(), |e| e.to_string()),
            fmt_opt(o.epochs.last().map(|e| e.max_projected_gradient)),
            fmt_opt(o.max_gap_pct),
            o.is_nash,
            fmt_pct(mean),
            fmt_pct(min),
            fmt_pct(max),
            o.seconds
        );
        for e in &o.epochs {
            let _ = writeln!(
                curves,
                "{},{},{:e},{},{},{},{},{:e},{:e}",
                o.run.id,
                o.run.setting,
                o.run.lr,
                o.run.clip,
                o.run.annealing,
                o.run.seed,
                e.epoch,
                e.max_projected_gradient,
                e.max_tariff_change
            );
        }
    }
    std::fs::write(args.out.join("sweep.csv"), csv)?;
    let mut runs_jsonl = String::new();
    for o in &outcomes {
        let line = serde_json::json!({
            "run": o.run.id,
            "setting": o.run.setting,
            "seed": o.run.seed,
            "max_gap_pct": o.max_gap_pct,
            "is_nash": o.is_nash,
            "tariffs_off_diagonal": o.tariffs,
            "error": o.error,
        });
        let _ = writeln!(runs_jsonl, "{line}");
    }
    std::fs::write(args.out.join("runs.jsonl"), runs_jsonl)?;
    std::fs::write(args.out.join("curves.csv"), curves)?;
    let text = summary(&outcomes);
    std::fs::write(args.out.join("summary.txt"), &text)?;
    print!("{text}");
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
