//! `tariffnash plot`: convergence figures from a run's `log.jsonl` or a
//! sweep's `curves.csv`, as SVG or PNG (plotters, pure Rust; text drawn with
//! the embedded DejaVu Sans, so no system font libraries are needed).

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Arguments of `tariffnash plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run folder (with log.jsonl) or a sweep folder (with curves.csv).
    pub dir: PathBuf,
    /// Output file, .svg or .png (default DIR/convergence.png).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// One colour per region (Tableau 10), so a region keeps its colour across panels.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        // The font is embedded and known to parse; a failure would only lose text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// A labelled series of points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Colour index.
    pub colour: usize,
    /// Line width in pixels.
    pub width: u32,
    /// Points (x, y).
    pub points: Vec<(f64, f64)>,
}

/// One panel: title, axis labels, series, and whether y is on a log scale.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Caption above the panel.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// The curves.
    pub series: Vec<Series>,
    /// Logarithmic y axis.
    pub log_y: bool,
}

/// Panels of a run: payoffs, average tariffs (when logged) and the gap proxy.
pub fn run_panels(log: &str) -> anyhow::Result<Vec<Panel>> {
    let mut regions: Vec<String> = Vec::new();
    let mut payoffs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut tariffs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut gap: Vec<(f64, f64)> = Vec::new();
    let mut certified: Option<f64> = None;
    let mut payoff = "real income".to_string();
    let mut step = 0usize;
    for (k, line) in log.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("log.jsonl line {}: not JSON", k + 1))?;
        let data = &v["data"];
        match v["type"].as_str() {
            Some("start") => {
                if data["payoff"].as_str() == Some("real_gdp") {
                    payoff = "real GDP".into();
                }
                if let Some(r) = data["regions"].as_array() {
                    regions = r
                        .iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect();
                }
            }
            Some("step") => {
                step += 1;
                let x = step as f64;
                if let Some(p) = data["payoffs"].as_array() {
                    if payoffs.len() < p.len() {
                        payoffs.resize(p.len(), Vec::new());
                    }
                    for (m, val) in p.iter().enumerate() {
                        if let Some(val) = val.as_f64() {
                            payoffs[m].push((x, 100.0 * val.exp_m1()));
                        }
                    }
                }
                if let Some(t) = data["mean_tariffs"].as_array() {
                    if tariffs.len() < t.len() {
                        tariffs.resize(t.len(), Vec::new());
                    }
                    for (m, val) in t.iter().enumerate() {
                        if let Some(val) = val.as_f64() {
                            tariffs[m].push((x, 100.0 * val));
                        }
                    }
                }
            }
            Some("epoch") => {
                if let Some(g) = data["max_projected_gradient"].as_f64() {
                    gap.push((step as f64, g.max(1e-16)));
                }
            }
            Some("certificate") => {
                certified = data["max_gap_pct"].as_f64();
            }
            _ => {}
        }
    }
    if step == 0 {
        bail!("the log has no step records");
    }
    let name = |m: usize| {
        regions
            .get(m)
            .cloned()
            .unwrap_or_else(|| format!("player {m}"))
    };
    let to_series = |curves: Vec<Vec<(f64, f64)>>| -> Vec<Series> {
        curves
            .into_iter()
            .enumerate()
            .map(|(m, points)| Series {
                label: name(m),
                colour: m,
                width: 2,
                points,
            })
            .collect()
    };
    let mut panels = vec![Panel {
        title: format!("Payoffs: {payoff} against the baseline"),
        x_label: "step (all players)".into(),
        y_label: format!("{payoff} change (%)"),
        series: to_series(payoffs),
        log_y: false,
    }];
    if !tariffs.is_empty() {
        panels.push(Panel {
            title: "Average import tariff of each player".into(),
            x_label: "step (all players)".into(),
            y_label: "tariff (%)".into(),
            series: to_series(tariffs),
            log_y: false,
        });
    }
    if !gap.is_empty() {
        panels.push(Panel {
            title: match certified {
                Some(g) => format!(
                    "Convergence: largest Nash-gap proxy per epoch (final largest Nash gap {g:.1e}%)"
                ),
                None => "Convergence: largest Nash-gap proxy per epoch".into(),
            },
            x_label: "step (all players)".into(),
            y_label: "max projected-gradient norm".into(),
            series: vec![Series {
                label: "all players".into(),
                colour: 7,
                width: 2,
                points: gap,
            }],
            log_y: true,
        });
    }
    Ok(panels)
}

/// Gap-vs-epoch panels of a sweep from `curves.csv` (columns run, lr, clip,
/// annealing, epoch, max_projected_gradient): one panel per annealing
/// schedule, colour = learning rate, thick line = clipping off, thin line on
/// top = clipping on (so identical runs show both).
pub fn sweep_panels(curves: &str) -> anyhow::Result<Vec<Panel>> {
    let mut lines = curves.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| anyhow!("curves.csv is empty"))?
        .split(',')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| anyhow!("curves.csv has no `{name}` column"))
    };
    let (c_run, c_lr, c_clip, c_anneal) =
        (col("run")?, col("lr")?, col("clip")?, col("annealing")?);
    let (c_epoch, c_gap) = (col("epoch")?, col("max_projected_gradient")?);
    let mut lrs: Vec<String> = Vec::new();
    let mut panels: Vec<Panel> = Vec::new();
    let mut current_run = String::new();
    for (k, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != header.len() {
            bail!(
                "curves.csv line {}: {} fields, header has {}",
                k + 2,
                f.len(),
                header.len()
            );
        }
        let lr_idx = match lrs.iter().position(|s| s == f[c_lr]) {
            Some(i) => i,
            None => {
                lrs.push(f[c_lr].to_string());
                lrs.len() - 1
            }
        };
        let anneal = f[c_anneal];
        let p = match panels
            .iter()
            .position(|p| p.title.ends_with(&format!("annealing {anneal}")))
        {
            Some(i) => i,
            None => {
                panels.push(Panel {
                    title: format!(
                        "Sweep: largest projected-gradient norm per epoch, annealing {anneal}"
                    ),
                    x_label: "epoch".into(),
                    y_label: "max projected-gradient norm".into(),
                    series: Vec::new(),
                    log_y: true,
                });
                panels.len() - 1
            }
        };
        if f[c_run] != current_run {
            current_run = f[c_run].to_string();
            let clip = f[c_clip] == "true";
            let label = format!("lr={} clip={}", f[c_lr], if clip { "on" } else { "off" });
            let first = !panels[p].series.iter().any(|s| s.label == label);
            panels[p].series.push(Series {
                label: if first { label.clone() } else { String::new() },
                colour: lr_idx,
                width: if clip { 1 } else { 4 },
                points: Vec::new(),
            });
        }
        let epoch: f64 = f[c_epoch]
            .parse()
            .with_context(|| format!("curves.csv line {}: epoch", k + 2))?;
        let gap: f64 = f[c_gap]
            .parse()
            .with_context(|| format!("curves.csv line {}: gap", k + 2))?;
        if let Some(s) = panels[p].series.last_mut() {
            s.points.push((epoch + 1.0, gap.max(1e-16)));
        }
    }
    if panels.is_empty() {
        bail!("curves.csv has no rows");
    }
    // Thick (clipping off) curves first, thin ones on top.
    for p in panels.iter_mut() {
        p.series.sort_by_key(|s| std::cmp::Reverse(s.width));
    }
    Ok(panels)
}

fn bounds(panel: &Panel) -> (f64, f64, f64, f64) {
    let pts = panel.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in pts {
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if !x0.is_finite() {
        return (0.0, 1.0, 0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if panel.log_y {
        (x0, x1, y0 / 2.0, y1 * 2.0)
    } else {
        let pad = ((y1 - y0) * 0.05).max(1e-9);
        (x0, x1, y0 - pad, y1 + pad)
    }
}

/// Tick labels: powers of ten on log axes, a few decimals on linear ones.
fn y_label(y: f64, log: bool) -> String {
    if log {
        format!("{y:.0e}")
    } else if y.abs() >= 100.0 {
        format!("{y:.0}")
    } else if y.abs() >= 0.1 || y == 0.0 {
        format!("{y:.1}")
    } else {
        format!("{y:.2}")
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> anyhow::Result<()> {
    let (x0, x1, y0, y1) = bounds(panel);
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing `{}`: {e:?}", panel.title);
    macro_rules! body {
        ($chart:ident) => {{
            $chart
                .configure_mesh()
                .x_desc(panel.x_label.as_str())
                .x_labels(((x1 - x0).round() as usize + 1).clamp(2, 11))
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_desc(panel.y_label.as_str())
                .y_label_formatter(&|y| y_label(*y, panel.log_y))
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 16))
                .draw()
                .map_err(err)?;
            for s in &panel.series {
                let c = colour(s.colour);
                $chart
                    .draw_series(LineSeries::new(
                        s.points.iter().copied(),
                        c.stroke_width(s.width),
                    ))
                    .map_err(err)?;
            }
        }};
    }
    let longest = panel
        .series
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0) as u32;
    let legend_width = (45 + 8 * longest).clamp(120, 420);
    let (plot_area, legend_area) =
        area.split_horizontally(area.dim_in_pixel().0.saturating_sub(legend_width));
    draw_legend(&legend_area, panel).map_err(err)?;
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .caption(panel.title.as_str(), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80);
    if panel.log_y {
        let mut chart = builder
            .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
            .map_err(err)?;
        body!(chart);
    } else {
        let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
        body!(chart);
    }
    Ok(())
}

/// The legend in its own strip right of the plot, so it never hides a curve.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let font = ("sans-serif", 15).into_font();
    let mut y = 50;
    for s in panel.series.iter().filter(|s| !s.label.is_empty()) {
        let c = colour(s.colour);
        area.draw(&PathElement::new(
            vec![(5, y), (30, y)],
            c.stroke_width(s.width.max(2)),
        ))?;
        area.draw(&Text::new(s.label.clone(), (36, y - 8), font.clone()))?;
        y += 22;
    }
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    panels: &[Panel],
) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let areas = root.split_evenly((panels.len(), 1));
    for (area, panel) in areas.iter().zip(panels) {
        draw_panel(area, panel)?;
    }
    root.present()
        .map_err(|e| anyhow!("writing the figure: {e:?}"))?;
    Ok(())
}

/// Most points drawn per curve: longer curves are thinned to every k-th
/// point (the last kept), which keeps SVG files small and looks the same.
const MAX_POINTS: usize = 1500;

fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.len() <= MAX_POINTS {
        return points.to_vec();
    }
    let k = points.len().div_ceil(MAX_POINTS);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(k).copied().collect();
    if let Some(&last) = points.last() {
        if out.last() != Some(&last) {
            out.push(last);
        }
    }
    out
}

/// Draws panels stacked vertically into an .svg or .png file.
pub fn render(panels: &[Panel], out: &Path) -> anyhow::Result<()> {
    register_font();
    let panels: Vec<Panel> = panels
        .iter()
        .map(|p| Panel {
            series: p
                .series
                .iter()
                .map(|s| Series {
                    points: thin(&s.points),
                    ..s.clone()
                })
                .collect(),
            ..p.clone()
        })
        .collect();
    let panels = panels.as_slice();
    let size = (1000, 380 * panels.len() as u32);
    match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => draw_all(SVGBackend::new(out, size).into_drawing_area(), panels),
        Some("png") => draw_all(BitMapBackend::new(out, size).into_drawing_area(), panels),
        _ => bail!("output {} must end in .svg or .png", out.display()),
    }
}

/// Runs the command.
pub fn run(args: PlotArgs) -> anyhow::Result<()> {
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.dir.join("convergence.png"));
    let curves = args.dir.join("curves.csv");
    let log = args.dir.join("log.jsonl");
    let panels = if curves.exists() {
        let text = std::fs::read_to_string(&curves)
            .with_context(|| format!("reading {}", curves.display()))?;
        sweep_panels(&text)?
    } else if log.exists() {
        let text =
            std::fs::read_to_string(&log).with_context(|| format!("reading {}", log.display()))?;
        run_panels(&text)?
    } else {
        bail!(
            "{} has neither log.jsonl (a run) nor curves.csv (a sweep)",
            args.dir.display()
        );
    };
    render(&panels, &out)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
