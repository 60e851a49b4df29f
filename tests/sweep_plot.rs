//! `tariffnash sweep` and `tariffnash plot` on a tiny economy: the files are
//! written, the CSVs have one row per run / per run and epoch, and the plots
//! are real PNG / SVG files.

mod common;
use common::{scratch, tariffnash, tariffnash_fails};

use trade_model::synthetic::{random_calibration, SyntheticSpec};

#[test]
fn sweep_writes_csvs_and_plot_draws_them() {
    let dir = scratch("sweep");
    let cal = dir.join("cal.json");
    random_calibration(&SyntheticSpec::full(3, 2), 4)
        .to_json_file(&cal)
        .unwrap();
    let cfg = dir.join("sweep.json");
    std::fs::write(
        &cfg,
        r#"{"base": {"epochs": 2, "steps_per_player": 3}, "learning_rates": [1e-3, 5e-3],
            "clipping": [false, true], "annealing": [{"kind": "none"}], "seeds": [0, 1]}"#,
    )
    .unwrap();
    let out = dir.join("out");
    let o = tariffnash(&[
        "sweep",
        "--config",
        cfg.to_str().unwrap(),
        "--calibration",
        cal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("fastest:"), "{summary}");
    let rows = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 1 + 8, "{rows}");
    let header: Vec<&str> = lines[0].split(',').collect();
    for l in &lines[1..] {
        assert_eq!(l.split(',').count(), header.len(), "{l}");
    }
    let curves = std::fs::read_to_string(out.join("curves.csv")).unwrap();
    assert_eq!(curves.lines().count(), 1 + 8 * 2, "{curves}");
    // Same seed and settings give the same result: runs differing only in
    // clipping with tiny gradients (never clipped) end at the same tariffs.
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mean = col("mean_tariff_pct");
    let get = |k: usize| lines[1 + k].split(',').nth(mean).unwrap().to_string();
    assert_eq!(get(0), get(2), "clip off vs on, same lr and seed");

    let png = out.join("gaps.png");
    tariffnash(&["plot", out.to_str().unwrap(), "-o", png.to_str().unwrap()]);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn plot_draws_a_run_log_as_svg_and_rejects_other_folders() {
    let dir = scratch("plot");
    let cal = dir.join("cal.json");
    random_calibration(&SyntheticSpec::full(3, 2), 5)
        .to_json_file(&cal)
        .unwrap();
    let run = dir.join("run");
    tariffnash(&[
        "nash",
        "--calibration",
        cal.to_str().unwrap(),
        "--epochs",
        "2",
        "--steps",
        "3",
        "--out",
        run.to_str().unwrap(),
    ]);
    let svg = dir.join("run.svg");
    tariffnash(&["plot", run.to_str().unwrap(), "-o", svg.to_str().unwrap()]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("polyline"),
        "not an SVG with curves"
    );
    assert!(text.contains("real income change"), "axis label missing");
    // Region names come from the log's start line; the tariff panel from the
    // steps' mean tariffs.
    assert!(
        text.contains("\nR0\n") && text.contains("\nR2\n"),
        "legend names missing"
    );
    assert!(
        text.contains("Average import tariff"),
        "tariff panel missing"
    );
    let err = tariffnash_fails(&["plot", dir.to_str().unwrap()]);
    assert!(err.contains("neither log.jsonl"), "{err}");
}
