//! One test per calibration rule: the error names the field at fault.
#![allow(clippy::needless_range_loop)]

use trade_model::synthetic::{random_calibration, SyntheticSpec};
use trade_model::{Calibration, DeficitTreatment, ModelError, SolverConfig, TradeModel};

fn good() -> Calibration {
    random_calibration(&SyntheticSpec::full(3, 2), 7)
}

fn expect_field(cal: &Calibration, field: &str, words: &str) {
    match cal.validate() {
        Err(ModelError::Calibration { field: f, problem }) => {
            assert!(
                f.starts_with(field),
                "expected field {field}, got {f}: {problem}"
            );
            assert!(
                problem.contains(words),
                "problem `{problem}` should mention `{words}`"
            );
        }
        other => panic!("expected a calibration error on {field}, got {other:?}"),
    }
    // The model constructor validates too and never panics.
    assert!(TradeModel::new(cal, DeficitTreatment::Purged, SolverConfig::default()).is_err());
}

#[test]
fn good_calibration_passes_and_round_trips_json() {
    let cal = good();
    cal.validate().unwrap();
    let text = serde_json::to_string(&cal).unwrap();
    assert_eq!(Calibration::from_json_str(&text).unwrap(), cal);
}

#[test]
fn too_few_regions() {
    let mut cal = good();
    cal.regions.truncate(1);
    expect_field(&cal, "regions", "at least 2");
}

#[test]
fn duplicate_region_name() {
    let mut cal = good();
    cal.regions[2] = cal.regions[0].clone();
    expect_field(&cal, "regions[2]", "duplicate");
}

#[test]
fn empty_sector_name() {
    let mut cal = good();
    cal.sectors[1] = " ".into();
    expect_field(&cal, "sectors[1]", "empty");
}

#[test]
fn duplicate_sector_name() {
    let mut cal = good();
    cal.sectors[1] = cal.sectors[0].clone();
    expect_field(&cal, "sectors[1]", "duplicate");
}

#[test]
fn flows_wrong_shape() {
    let mut cal = good();
    cal.flows[1][2].pop();
    expect_field(&cal, "flows[1][2]", "length 1");
}

#[test]
fn flows_negative() {
    let mut cal = good();
    cal.flows[0][1][1] = -3.0;
    expect_field(&cal, "flows[0][1][1]", "negative");
}

#[test]
fn flows_not_finite() {
    let mut cal = good();
    cal.flows[2][0][0] = f64::NAN;
    expect_field(&cal, "flows[2][0][0]", "finite");
}

#[test]
fn tariff_on_itself() {
    let mut cal = good();
    cal.tariffs[1][1][0] = 0.1;
    expect_field(&cal, "tariffs[1][1][0]", "itself");
}

#[test]
fn tariff_negative() {
    let mut cal = good();
    cal.tariffs[1][0][0] = -0.1;
    expect_field(&cal, "tariffs[1][0][0]", "negative");
}

#[test]
fn va_share_out_of_range() {
    let mut cal = good();
    cal.va_shares[0][1] = 0.0;
    expect_field(&cal, "va_shares[0][1]", "(0, 1]");
    cal.va_shares[0][1] = 1.5;
    expect_field(&cal, "va_shares[0][1]", "(0, 1]");
}

#[test]
fn io_shares_do_not_sum_to_one() {
    let mut cal = good();
    cal.io_shares[2][0][1] += 0.1;
    expect_field(&cal, "io_shares[2][*][1]", "sum to");
}

#[test]
fn final_shares_do_not_sum_to_one() {
    let mut cal = good();
    cal.final_shares[1][0] += 0.01;
    expect_field(&cal, "final_shares[1]", "sum to");
}

#[test]
fn deficits_wrong_length_or_nan() {
    let mut cal = good();
    cal.deficits.pop();
    expect_field(&cal, "deficits", "length 2");
    let mut cal = good();
    cal.deficits[0] = f64::INFINITY;
    expect_field(&cal, "deficits[0]", "finite");
}

#[test]
fn theta_not_above_one() {
    let mut cal = good();
    cal.theta[1] = 1.0;
    expect_field(&cal, "theta[1]", "> 1");
}

#[test]
fn psi_negative_or_too_strong() {
    let mut cal = good();
    cal.psi[0] = -0.01;
    expect_field(&cal, "psi[0]", "negative");
    let mut cal = good();
    cal.psi[1] = 1.0 / cal.theta[1];
    expect_field(&cal, "psi[1]", "psi*theta");
}

#[test]
fn deficits_do_not_sum_to_zero() {
    let mut cal = good();
    cal.deficits[0] += 50.0;
    expect_field(&cal, "deficits", "sum to");
}

#[test]
fn deficit_disagrees_with_flows() {
    let mut cal = good();
    cal.deficits[0] += 50.0;
    cal.deficits[1] -= 50.0;
    expect_field(&cal, "deficits[0]", "imports - exports");
}

#[test]
fn accounting_identity_violated() {
    let mut cal = good();
    // Moving final demand between sectors keeps shares summing to one but
    // breaks X = sum gamma (1-beta) Y + alpha I.
    cal.final_shares[2][0] += 0.05;
    cal.final_shares[2][1] -= 0.05;
    expect_field(&cal, "final_shares[2][0]", "accounting identity");
}

#[test]
fn zero_expenditure_cell() {
    let mut cal = good();
    for i in 0..3 {
        cal.flows[1][i][0] = 0.0;
    }
    expect_field(&cal, "flows[1][*][0]", "buys nothing");
}

#[test]
fn bad_json_names_the_problem() {
    let err = Calibration::from_json_str("{\"regions\": [\"A\"]}").unwrap_err();
    assert!(err.to_string().contains("missing field"), "{err}");
}

#[test]
fn bad_solver_settings_are_named() {
    let cal = good();
    for (cfg, field) in [
        (
            SolverConfig {
                tolerance: 0.0,
                ..SolverConfig::default()
            },
            "tolerance",
        ),
        (
            SolverConfig {
                damping: 1.5,
                ..SolverConfig::default()
            },
            "damping",
        ),
        (
            SolverConfig {
                max_iterations: 0,
                ..SolverConfig::default()
            },
            "max_iterations",
        ),
    ] {
        let err = TradeModel::new(&cal, DeficitTreatment::Fixed, cfg).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    }
}
