//! Each calibration shipped in `data/` regenerates exactly from the source
//! tables (run where `shared/data` exists, as in CI).

mod common;

use trade_data::shipped_specs;
use trade_model::Calibration;

#[test]
fn shipped_calibrations_regenerate_exactly() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let root = common::repo_root();
    for (file, spec) in shipped_specs(&data, &root.join("data").join("mappings")) {
        let (cal, report) = trade_data::build(&spec).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("{file}:\n{report}");
        let path = root.join("data").join(file);
        let shipped = std::fs::read_to_string(&path).unwrap();
        let rebuilt = serde_json::to_string_pretty(&cal).unwrap() + "\n";
        assert!(rebuilt == shipped, "{file} differs from its rebuild: regenerate it with `tariffnash calibrate` (see crates/trade-data/README.md)");
        // And the shipped file loads and validates on its own.
        Calibration::from_json_file(&path).unwrap();
    }
}

#[test]
fn default_calibration_has_the_specified_shape() {
    let cal =
        Calibration::from_json_file(common::repo_root().join("data/wiod2011-7x14.json")).unwrap();
    assert_eq!(
        cal.regions,
        ["BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA"]
    );
    assert_eq!(cal.n_sectors(), 14);
    let services = cal.sector_index("services").unwrap();
    assert_eq!(cal.psi[services], 0.0);
    assert_eq!(cal.theta[services], 4.0);
    for n in 0..7 {
        for i in 0..7 {
            assert_eq!(cal.tariffs[n][i][services], 0.0);
        }
    }
    for j in 0..14 {
        assert!(cal.psi[j] * cal.theta[j] < 1.0);
    }
}
