//! Runs `tariffnash counterfactual` on the embedded default calibration.

use std::process::Command;

mod common;
use common::{scratch, tariffnash, tariffnash_fails};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffnash"))
}

#[test]
fn us_2025_scenario_json() {
    let out = bin()
        .args([
            "counterfactual",
            "--scenario",
            "experiments/us-tariffs-2025.json",
            "--json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let regions: Vec<String> = serde_json::from_value(v["regions"].clone()).unwrap();
    assert_eq!(regions, ["BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA"]);
    assert_eq!(v["importers"], serde_json::json!(["USA"]));
    let exports: Vec<Vec<f64>> = serde_json::from_value(v["exports_to"].clone()).unwrap();
    let to_us = &exports[0];
    // Everyone's exports to the US fall, China's (145 points) the most.
    for (k, r) in regions.iter().enumerate().filter(|(_, r)| *r != "USA") {
        assert!(to_us[k] < 0.0, "{r} exports to USA {}", to_us[k]);
        if r != "CHN" {
            assert!(
                to_us[1] < to_us[k],
                "China {} vs {r} {}",
                to_us[1],
                to_us[k]
            );
        }
    }
    for key in [
        "real_gdp",
        "real_gdp_incl_revenue",
        "welfare",
        "total_exports",
    ] {
        let xs: Vec<f64> = serde_json::from_value(v[key].clone()).unwrap();
        assert_eq!(xs.len(), 7);
        assert!(xs.iter().all(|x| x.is_finite()), "{key}");
    }
    assert!(v["residual"].as_f64().unwrap() <= 1e-12);
}

#[test]
fn table_output_and_unknown_names() {
    let dir = scratch("cf");
    let bad = dir.join("bad.json");
    let body = r#"{"changes": [{"importer": "USA", "exporters": ["CHINA"], "add": 10}]}"#;
    std::fs::write(&bad, body).unwrap();
    let err = tariffnash_fails(&["counterfactual", "--scenario", bad.to_str().unwrap()]);
    assert!(
        err.contains("`CHINA`") && err.contains("BRA, CHN, EU"),
        "{err}"
    );
    let good = dir.join("good.json");
    let body =
        r#"{"changes": [{"importer": "EU", "exporters": "all", "sectors": ["food"], "set": 20}]}"#;
    std::fs::write(&good, body).unwrap();
    let out = tariffnash(&["counterfactual", "--scenario", good.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("exports->EU") && table.contains("welfare"),
        "{table}"
    );
    assert_eq!(
        table.lines().filter(|l| l.ends_with('%')).count(),
        7,
        "{table}"
    );
}
