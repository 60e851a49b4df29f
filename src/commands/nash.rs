//! `tariffnash nash`: play the tariff game to a (certified) Nash equilibrium.
//!
//! Resolves the config (defaults, then `--config`, then flags), writes
//! `DIR/config.json`, runs the loop with the log, progress and checkpoint
//! observers, certifies the best profile seen and writes `DIR/equilibrium.json`
//! and the summary table. Ctrl-C checkpoints; `--resume DIR` continues.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use best_response::{
    Control, Granularity, Mode, NashConfig, NashSolver, Observer, Start, StopReason,
};
use clap::Args;
use trade_model::{CpuAutodiff, Payoff};

use crate::log::{RunLog, SavedRun};
use crate::progress::Progress;
use crate::report::EquilibriumReport;

/// Play the tariff game to a Nash equilibrium.
#[derive(Debug, Args)]
pub struct NashArgs {
    /// Calibration JSON; without it, the embedded default (data/wiod2011-7x14.json).
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// Run config JSON (missing fields take the reference defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output folder for config.json, log.jsonl, equilibrium.json and checkpoints.
    #[arg(long, default_value = "nash-out")]
    pub out: PathBuf,
    /// Write DIR/checkpoint.json after every N epochs (Ctrl-C always writes one).
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<usize>,
    /// Continue the run in DIR from its checkpoint (its own config is used).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out"])]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub set: Overrides,
}

/// Command-line overrides of the config file.
#[derive(Debug, Args, Default)]
pub struct Overrides {
    /// Most epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Adam steps per player per epoch.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Seed of the shuffle order.
    #[arg(long)]
    pub seed: Option<u64>,
    /// uniform, bilateral or bilateral_sectoral.
    #[arg(long)]
    pub granularity: Option<Granularity>,
    /// adam (reference) or exact (projected BFGS best responses).
    #[arg(long)]
    pub mode: Option<Mode>,
    /// real_income or real_gdp.
    #[arg(long, value_parser = parse_payoff)]
    pub payoff: Option<Payoff>,
    /// Upper tariff bound.
    #[arg(long)]
    pub t_max: Option<f64>,
    /// Clip gradients by global norm.
    #[arg(long, overrides_with = "no_clip")]
    pub clip: bool,
    /// Do not clip gradients.
    #[arg(long)]
    pub no_clip: bool,
    /// Largest gradient norm when clipping.
    #[arg(long)]
    pub max_norm: Option<f64>,
    /// Start from free trade instead of the baseline tariffs.
    #[arg(long)]
    pub free_trade_start: bool,
    /// Largest Nash gap (% of real income) to call the result an equilibrium.
    #[arg(long)]
    pub gap_tol: Option<f64>,
    /// Skip the final certification.
    #[arg(long)]
    pub no_certify: bool,
}

fn parse_payoff(s: &str) -> Result<Payoff, String> {
    match s {
        "real_income" => Ok(Payoff::RealIncome),
        "real_gdp" => Ok(Payoff::RealGdp),
        _ => Err(format!("unknown payoff `{s}` (real_income or real_gdp)")),
    }
}

impl Overrides {
    fn any(&self) -> bool {
        self.epochs.is_some()
            || self.steps.is_some()
            || self.lr.is_some()
            || self.seed.is_some()
            || self.granularity.is_some()
            || self.mode.is_some()
            || self.payoff.is_some()
            || self.t_max.is_some()
            || self.clip
            || self.no_clip
            || self.max_norm.is_some()
            || self.free_trade_start
            || self.gap_tol.is_some()
            || self.no_certify
    }

    fn apply(&self, c: &mut NashConfig) {
        if let Some(v) = self.epochs {
            c.epochs = v;
        }
        if let Some(v) = self.steps {
            c.steps_per_player = v;
        }
        if let Some(v) = self.lr {
            c.adam.lr = v;
        }
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.granularity {
            c.granularity = v;
        }
        if let Some(v) = self.mode {
            c.mode = v;
        }
        if let Some(v) = self.payoff {
            c.payoff = v;
        }
        if let Some(v) = self.t_max {
            c.t_max = v;
        }
        if self.clip {
            c.clip.enabled = true;
        }
        if self.no_clip {
            c.clip.enabled = false;
        }
        if let Some(v) = self.max_norm {
            c.clip.max_norm = v;
        }
        if self.free_trade_start {
            c.start = Start::FreeTrade;
        }
        if let Some(v) = self.gap_tol {
            c.certify.gap_tolerance_pct = v;
        }
        if self.no_certify {
            c.certify.enabled = false;
        }
    }
}

/// Runs the command.
pub fn run(args: NashArgs) -> anyhow::Result<()> {
    let (dir, config, calibration_path, saved) = match &args.resume {
        Some(dir) => {
            if args.set.any() {
                bail!("--resume continues a run with its own config; drop the other settings");
            }
            let saved = SavedRun::load(dir)?;
            let cal = args.calibration.clone().or(saved.calibration.clone());
            (
                dir.clone(),
                saved.checkpoint.config.clone(),
                cal,
                Some(saved),
            )
        }
        None => {
            let mut config = match &args.config {
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    NashConfig::from_json_str(&text)
                        .with_context(|| format!("config {}", p.display()))?
                }
                None => NashConfig::default(),
            };
            args.set.apply(&mut config);
            config
                .validate()
                .context("config after command-line overrides")?;
            (args.out.clone(), config, args.calibration.clone(), None)
        }
    };
    let cal = super::info::load(calibration_path.as_ref())?;
    let cal_name = calibration_path.as_ref().map_or_else(
        || "embedded:wiod2011-7x14".to_string(),
        |p| p.display().to_string(),
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if saved.is_none() {
        let text = serde_json::to_string_pretty(&config)?;
        std::fs::write(dir.join("config.json"), text + "\n")
            .with_context(|| format!("writing {}", dir.join("config.json").display()))?;
    }

    let mut solver = NashSolver::<CpuAutodiff>::new(&cal, config.clone(), Default::default())
        .context("setting up the game")?;
    let (mut state, keep) = match saved {
        Some(s) => (solver.resume(s.checkpoint)?, Some(s.log_lines)),
        None => (solver.initial_state()?, None),
    };
    let mut log = RunLog::open(&dir, keep, calibration_path.clone())?;
    let regions = solver.game().model().regions().to_vec();
    if keep.is_none() {
        // First line of a new log: who plays, so readers (e.g. `plot`) can name them.
        let start = serde_json::json!({
            "regions": regions,
            "sectors": solver.game().model().sectors(),
            "calibration": cal_name,
            "granularity": config.granularity,
            "mode": config.mode,
            "payoff": config.payoff,
            "seed": config.seed,
        });
        log.write("start", &start)?;
    }
    let done_turns = (state.epoch * regions.len() + state.turn) as u64;
    let mut progress = Progress::new(regions, config.epochs, done_turns);

    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupt.clone();
        // First Ctrl-C: checkpoint at the end of the current turn. Second: quit now.
        ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                eprintln!("second Ctrl-C: exiting without a checkpoint");
                std::process::exit(130);
            }
            eprintln!("Ctrl-C: writing a checkpoint after this player's turn (again to quit now)");
        })
        .context("installing the Ctrl-C handler")?;
    }
    let control = Control {
        checkpoint_every: args.checkpoint_every,
        interrupt: Some(interrupt),
        max_steps: None,
    };
    let reason = {
        let mut observers: [&mut dyn Observer; 2] = [&mut log, &mut progress];
        solver.run(&mut state, &mut observers, &control)
    };
    progress.finish();
    let reason = reason?;
    if reason == StopReason::Interrupted {
        log.flush()?;
        bail!(
            "interrupted; checkpoint written to {}; continue with `tariffnash nash --resume {}`",
            dir.join(crate::log::CHECKPOINT_FILE).display(),
            dir.display()
        );
    }
    let result = solver.finish(&state).context("certifying the result")?;
    let report = EquilibriumReport::new(solver.game().model(), &config, &result, cal_name);
    if let Some(c) = &result.certificate {
        log.write("certificate", c)?;
    }
    log.flush()?;
    let path = dir.join("equilibrium.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    print!("{}", report.table());
    println!("wrote {}", dir.display());
    Ok(())
}
