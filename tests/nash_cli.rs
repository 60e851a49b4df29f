//! The `tariffnash nash` binary on a tiny economy: files written, every log
//! line parses, and a run resumed from a checkpoint writes the same log.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{scratch, tariffnash};

use trade_model::synthetic::{random_calibration, SyntheticSpec};

/// A 3-region, 2-sector calibration and a 3-epoch config, written to `dir`.
fn tiny_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let cal = random_calibration(&SyntheticSpec::full(3, 2), 2);
    let cal_path = dir.join("cal.json");
    cal.to_json_file(&cal_path).unwrap();
    let cfg_path = dir.join("cfg.json");
    std::fs::write(
        &cfg_path,
        r#"{"epochs": 3, "steps_per_player": 4, "seed": 9, "stop": {"patience": 0}}"#,
    )
    .unwrap();
    (cal_path, cfg_path)
}

/// Log lines with timings removed.
fn log_without_timings(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(d) = v["data"].as_object_mut() {
                d.remove("elapsed_s");
            }
            v
        })
        .collect()
}

#[test]
fn nash_writes_its_files_and_every_log_line_parses() {
    let dir = scratch("files");
    let (cal, cfg) = tiny_inputs(&dir);
    let out = dir.join("run");
    let o = tariffnash(&[
        "nash",
        "--calibration",
        cal.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--lr",
        "0.002",
    ]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("Nash gap"), "{table}");
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["adam"]["lr"], 0.002);
    assert_eq!(config["epochs"], 3);
    let text = std::fs::read_to_string(out.join("log.jsonl")).unwrap();
    let mut kinds = std::collections::BTreeMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect(line);
        let kind = v["type"].as_str().expect("a type").to_string();
        assert!(v["data"].is_object(), "{line}");
        *kinds.entry(kind).or_insert(0) += 1;
    }
    assert_eq!(kinds["step"], 3 * 3 * 4);
    assert_eq!(kinds["epoch"], 3);
    assert_eq!(kinds["certificate"], 1);
    let eq: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("equilibrium.json")).unwrap())
            .unwrap();
    assert_eq!(eq["tariffs"].as_array().unwrap().len(), 3);
    assert_eq!(eq["nash_gaps_pct"].as_array().unwrap().len(), 3);
    assert_eq!(eq["outcomes"]["welfare"].as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resumed_run_writes_the_same_log() {
    let dir = scratch("resume");
    let (cal, cfg) = tiny_inputs(&dir);
    let full = dir.join("full");
    let args = |out: &Path| {
        vec![
            "nash".to_string(),
            "--calibration".into(),
            cal.to_str().unwrap().into(),
            "--config".into(),
            cfg.to_str().unwrap().into(),
            "--out".into(),
            out.to_str().unwrap().into(),
            "--checkpoint-every".into(),
            "1".into(),
        ]
    };
    let a = args(&full);
    tariffnash(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // A killed run: its folder holds the last checkpoint (after epoch 2) and a
    // log that ran past it; resuming drops the lines after the checkpoint.
    let killed = dir.join("killed");
    std::fs::create_dir_all(&killed).unwrap();
    for f in ["config.json", "log.jsonl", "checkpoint.json"] {
        std::fs::copy(full.join(f), killed.join(f)).unwrap();
    }
    tariffnash(&["nash", "--resume", killed.to_str().unwrap()]);
    assert_eq!(log_without_timings(&killed), log_without_timings(&full));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_settings_fail_with_the_field_named() {
    let out = Command::new(env!("CARGO_BIN_EXE_tariffnash"))
        .args(["nash", "--lr=-1", "--out"])
        .arg(std::env::temp_dir().join("tariffnash-never-written"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("adam.lr"), "{err}");
}
