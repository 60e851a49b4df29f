//! Bad sources and bad mappings get errors that name the code, file or field.
//! The small fixtures are written here; the last tests use the real source
//! data where it exists.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use trade_data::{build, BuildSpec, DataError, SourceKind};

const SECTORS_CSV: &str = "index,name\n1,\"Goods, all\"\n2,Services\n";
const ELASTICITIES_CSV: &str = "set,sector,epsilon\nX,1,5\nX,2,4\n";
const REGIONS: &str =
    r#"{"regions": [{"name": "R1", "members": ["A", "B"]}, {"name": "R2", "members": ["C"]}]}"#;
const SECTORS: &str = r#"{"theta_source": {"cube_set": "X"}, "sectors": [
  {"name": "goods", "industries": ["1"]},
  {"name": "services", "industries": ["2"], "tariff_source": "zero"}]}"#;

fn trade_csv() -> String {
    let mut s = String::from("exporter,importer,sector,flow_musd,tariff\n");
    for e in ["A", "B", "C"] {
        for m in ["A", "B", "C"] {
            for sec in [1, 2] {
                let flow = if e == m {
                    100.0
                } else {
                    10.0 + (e.as_bytes()[0] - b'A') as f64
                };
                let tariff = if e == m {
                    0.0
                } else {
                    0.05 * (m.as_bytes()[0] - b'A' + 1) as f64
                };
                s += &format!("{e},{m},{sec},{flow},{tariff}\n");
            }
        }
    }
    s
}

/// Writes a tiny cube and mappings; `edit` may change any file's text.
fn fixture(name: &str, edit: impl Fn(&str, String) -> String) -> (PathBuf, BuildSpec) {
    let d = common::temp_dir(name);
    let files = [
        ("sectors.csv", SECTORS_CSV.to_string()),
        ("trade_elasticities.csv", ELASTICITIES_CSV.to_string()),
        ("trade.csv", trade_csv()),
        ("regions.json", REGIONS.to_string()),
        ("sectors.json", SECTORS.to_string()),
    ];
    for (f, text) in files {
        fs::write(d.join(f), edit(f, text)).unwrap();
    }
    let spec = BuildSpec {
        kind: SourceKind::Cube,
        source: d.clone(),
        tariffs: None,
        gtap: None,
        gtap_regions: None,
        regions: d.join("regions.json"),
        sectors: d.join("sectors.json"),
        skip_tariff_check: false,
    };
    (d, spec)
}

fn err_of(name: &str, edit: impl Fn(&str, String) -> String) -> String {
    let (_d, spec) = fixture(name, edit);
    let e = build(&spec).expect_err("the build must fail");
    e.to_string()
}

#[test]
fn good_fixture_aggregates_as_documented() {
    let (_d, spec) = fixture("good", |_, t| t);
    let (cal, _) = build(&spec).unwrap();
    assert_eq!(cal.regions, ["R1", "R2"]);
    // Within-region trade (A<->B) is domestic: 100 + 100 + 10 (B->A) + 11 (A->B)... in R1.
    assert_eq!(cal.flows[0][0][0], 100.0 + 100.0 + 10.0 + 11.0);
    assert_eq!(cal.tariffs[0][0][0], 0.0);
    // R1 imports from C: C->A (12, 5%), C->B (12, 10%) -> trade-weighted 7.5%.
    assert!((cal.tariffs[0][1][0] - 0.075).abs() < 1e-15);
    // R2 on R1: A->C (10, 15%), B->C (11, 15%).
    assert!((cal.tariffs[1][0][0] - 0.15).abs() < 1e-15);
    // Services untaxed.
    assert_eq!(cal.tariffs[0][1][1], 0.0);
    assert_eq!(cal.theta, [5.0, 4.0]);
}

#[test]
fn country_mapped_twice_is_named() {
    let e = err_of("twice", |f, t| {
        if f == "regions.json" {
            t.replace(r#"["C"]"#, r#"["C", "A"]"#)
        } else {
            t
        }
    });
    assert!(e.contains("`A`") && e.contains("mapped twice"), "{e}");
}

#[test]
fn unmapped_country_is_named() {
    let e = err_of("unmapped", |f, t| {
        if f == "trade.csv" {
            t + "D,A,1,1.0,0.1\n"
        } else {
            t
        }
    });
    assert!(e.contains("`D`") && e.contains("not mapped"), "{e}");
}

#[test]
fn unknown_mapping_code_is_named() {
    let e = err_of("unknown", |f, t| {
        if f == "regions.json" {
            t.replace(r#"["C"]"#, r#"["C", "ZZZ"]"#)
        } else {
            t
        }
    });
    assert!(e.contains("`ZZZ`") && e.contains("unknown code"), "{e}");
}

#[test]
fn bad_alias_is_named() {
    let e = err_of("alias", |f, t| {
        if f == "regions.json" {
            t.replace(r#"]}]}"#, r#"]}], "aliases": {"ROM": "ROU"}}"#)
        } else {
            t
        }
    });
    assert!(e.contains("`ROM`") && e.contains("ROU"), "{e}");
}

#[test]
fn sector_missing_from_sector_list_is_named() {
    let e = err_of("sector", |f, t| {
        if f == "trade.csv" {
            t + "A,C,7,1.0,0.1\n"
        } else {
            t
        }
    });
    assert!(e.contains("`7`") && e.contains("sectors.csv"), "{e}");
}

#[test]
fn unmapped_source_sector_is_named() {
    let e = err_of("unmapped-sector", |f, t| {
        if f == "sectors.json" {
            t.replace(
                r#""industries": ["2"], "tariff_source": "zero""#,
                r#""industries": ["3"], "tariff_source": "zero""#,
            )
        } else {
            t
        }
    });
    assert!(
        e.contains("`2`") && e.contains("not mapped to any sector"),
        "{e}"
    );
}

#[test]
fn bad_number_names_file_and_line() {
    let e = err_of("number", |f, t| {
        if f == "trade.csv" {
            t.replacen("100,0", "abc,0", 1)
        } else {
            t
        }
    });
    assert!(
        e.contains("trade.csv") && e.contains("line 2") && e.contains("`abc`"),
        "{e}"
    );
}

#[test]
fn missing_column_is_named() {
    let e = err_of("column", |f, t| {
        if f == "trade.csv" {
            t.replacen(",tariff\n", ",duty\n", 1)
        } else {
            t
        }
    });
    assert!(e.contains("missing column `tariff`"), "{e}");
}

#[test]
fn unknown_elasticity_set_is_named() {
    let e = err_of("set", |f, t| {
        if f == "sectors.json" {
            t.replace(r#""cube_set": "X""#, r#""cube_set": "NOPE""#)
        } else {
            t
        }
    });
    assert!(e.contains("`NOPE`"), "{e}");
}

#[test]
fn sector_without_theta_is_named() {
    let e = err_of("theta", |f, t| {
        if f == "sectors.json" {
            t.replace(r#""theta_source": {"cube_set": "X"}, "#, "")
        } else {
            t
        }
    });
    assert!(e.contains("`goods`") && e.contains("no theta"), "{e}");
}

#[test]
fn theta_at_most_one_is_rejected_by_validation() {
    let e = err_of("theta-low", |f, t| {
        if f == "trade_elasticities.csv" {
            t.replace("X,1,5", "X,1,0.5")
        } else {
            t
        }
    });
    assert!(e.contains("theta[0]"), "{e}");
}

#[test]
fn malformed_json_names_the_file() {
    let e = err_of("json", |f, t| {
        if f == "regions.json" {
            t.replace('{', "[")
        } else {
            t
        }
    });
    assert!(
        e.contains("regions.json") && e.contains("invalid JSON"),
        "{e}"
    );
}

fn real(name: &str) -> Option<(PathBuf, Vec<(&'static str, BuildSpec)>)> {
    let data = common::data_dir()?;
    let specs =
        trade_data::shipped_specs(&data, &common::repo_root().join("data").join("mappings"));
    let _ = name;
    Some((data, specs))
}

fn edited_copy(src: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let d = common::temp_dir(name);
    let p = d.join(src.file_name().unwrap());
    fs::write(&p, edit(fs::read_to_string(src).unwrap())).unwrap();
    p
}

#[test]
fn us_food_tariff_from_the_cube_fails_the_gtap_check() {
    let Some((_data, specs)) = real("food") else {
        return;
    };
    let mut spec = specs[0].1.clone();
    spec.sectors = edited_copy(&spec.sectors, "food", |t| {
        t.replacen(
            r#""tariff_source": "gtap""#,
            r#""tariff_source": "cube""#,
            1,
        )
    });
    match build(&spec) {
        Err(DataError::TariffCheck {
            importer, sector, ..
        }) => {
            assert_eq!((importer.as_str(), sector.as_str()), ("USA", "food"))
        }
        other => panic!("expected a tariff-check error, got {other:?}"),
    }
}

#[test]
fn unmapped_wiod_industry_is_named() {
    let Some((_data, specs)) = real("c35") else {
        return;
    };
    let mut spec = specs[0].1.clone();
    spec.sectors = edited_copy(&spec.sectors, "c35", |t| {
        t.replacen("\"c35\"", "\"c99\"", 1)
    });
    let e = build(&spec).unwrap_err().to_string();
    assert!(e.contains("`c35`") && e.contains("not mapped"), "{e}");
}

#[test]
fn wiod_country_in_no_region_is_named() {
    let Some((_data, specs)) = real("tur") else {
        return;
    };
    let mut spec = specs[0].1.clone();
    spec.regions = edited_copy(&spec.regions, "tur", |t| t.replacen("\"TUR\", ", "", 1));
    let e = build(&spec).unwrap_err().to_string();
    assert!(e.contains("`TUR`") && e.contains("not mapped"), "{e}");
}

#[test]
fn cp2015_unknown_region_is_named() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let d = common::temp_dir("cp");
    for f in fs::read_dir(data.join("cp2015")).unwrap() {
        let p = f.unwrap().path();
        let text = fs::read_to_string(&p).unwrap();
        let text = if p.ends_with("deficit.csv") {
            text.replacen("Mexico", "Mexcio", 1)
        } else {
            text
        };
        fs::write(d.join(p.file_name().unwrap()), text).unwrap();
    }
    let e = trade_data::cp2015_calibration(&d).unwrap_err().to_string();
    assert!(e.contains("`Mexcio`") && e.contains("deficit.csv"), "{e}");
}
