//! Caliendo and Parro (2015) NAFTA replication: purge deficits, then apply the
//! NAFTA tariff change (tariff_bln -> tariff_cfl). CP's Table 2 reports the
//! first-order terms-of-trade plus volume-of-trade welfare effects
//! (`Welfarelineal.m`): Mexico +1.31%, Canada -0.06%, USA +0.08%.

mod common;

use trade_data::cp2015::build_cp2015;
use trade_model::{DeficitTreatment, SolverConfig, Tariffs, TradeModel};

/// Table 2 is reported to two decimals.
const TABLE_TOLERANCE: f64 = 0.005;

#[test]
fn cp2015_nafta_table2() {
    let Some(data) = common::data_dir() else {
        return;
    };
    let cp = build_cp2015(data.join("cp2015")).unwrap();
    for line in &cp.report {
        println!("cp2015: {line}");
    }
    let cal = &cp.calibration;
    assert_eq!((cal.n_regions(), cal.n_sectors()), (31, 40));
    let model = TradeModel::new(cal, DeficitTreatment::Purged, SolverConfig::default()).unwrap();
    let eq = model
        .solve(
            &Tariffs::from_nested(&cp.counterfactual_tariffs).unwrap(),
            None,
        )
        .unwrap();
    let decomposition = model.welfare_decomposition(&eq);
    let outcomes = model.outcomes(&eq);
    let published = [("Mexico", 1.31), ("Canada", -0.06), ("USA", 0.08)];
    for (name, want) in published {
        let n = cal.region_index(name).unwrap();
        let (tot, vot) = (
            decomposition.terms_of_trade[n],
            decomposition.volume_of_trade[n],
        );
        println!(
            "{name}: ToT {tot:.4}% + VoT {vot:.4}% = {:.4}% (CP Table 2: {want}%); exact real income {:.4}%",
            tot + vot,
            outcomes.welfare[n]
        );
    }
    for (name, want) in published {
        let n = cal.region_index(name).unwrap();
        let total = decomposition.total[n];
        assert!(
            (total - want).abs() < TABLE_TOLERANCE,
            "{name}: ToT + VoT = {total:.4}%, CP Table 2 says {want}%"
        );
    }
}
