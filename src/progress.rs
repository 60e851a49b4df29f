//! Progress on stderr as an observer: an indicatif bar (epoch, player, the
//! last epoch's largest projected-gradient norm) on a terminal, one plain
//! line per epoch otherwise (indicatif draws nothing when stderr is not a TTY).

use best_response::{EpochRecord, Observer, StepRecord};
use indicatif::{ProgressBar, ProgressStyle};

/// The progress observer.
pub struct Progress {
    bar: ProgressBar,
    regions: Vec<String>,
    epochs: usize,
    last_pg: Option<f64>,
}

impl Progress {
    /// A bar over `epochs x players` turns, starting at `done` turns.
    pub fn new(regions: Vec<String>, epochs: usize, done: u64) -> Self {
        let bar = ProgressBar::new((epochs * regions.len()) as u64);
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} turns  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_position(done);
        Progress {
            bar,
            regions,
            epochs,
            last_pg: None,
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn step(&mut self, r: &StepRecord) -> best_response::Result<()> {
        if self.bar.is_hidden() {
            return Ok(());
        }
        let name = self.regions.get(r.player).map_or("?", String::as_str);
        let pg = self
            .last_pg
            .map_or_else(|| "-".to_string(), |v| format!("{v:.2e}"));
        self.bar
            .set_position((r.epoch * self.regions.len() + r.turn) as u64);
        self.bar.set_message(format!(
            "epoch {}/{} player {name} step {}  max |g_P| {pg}",
            r.epoch + 1,
            self.epochs,
            r.step + 1
        ));
        Ok(())
    }

    fn epoch(&mut self, r: &EpochRecord) -> best_response::Result<()> {
        self.last_pg = Some(r.max_projected_gradient);
        self.bar
            .set_position(((r.epoch + 1) * self.regions.len()) as u64);
        if self.bar.is_hidden() {
            eprintln!(
                "epoch {}/{}: max projected gradient {:.3e}, max tariff change {:.3e}, {:.1} s",
                r.epoch + 1,
                self.epochs,
                r.max_projected_gradient,
                r.max_tariff_change,
                r.elapsed_s
            );
        }
        Ok(())
    }
}
