//! Caliendo and Parro (2015) NAFTA replication: purge deficits, then apply the
//! NAFTA tariff change (tariff_bln -> tariff_cfl). CP's Table 2 reports the
//! first-order terms-of-trade plus volume-of-trade welfare effects
//! (`Welfarelineal.m`): Mexico +1.31%, Canada -0.06%, USA +0.08%.

mod common;

use trade_data::cp2015::build_cp2015;
use trade_model::{Baseline, DeficitTreatment, Equilibrium, SolverConfig, Tariffs, TradeModel};

/// Table 2 is reported to two decimals.
const TABLE_TOLERANCE: f64 = 0.005;

/// CP's decomposition in percent: ToT_n + VoT_n with
/// ToT_n = sum_{i,j} [E_ni^j (c^_n^j - 1) - M_ni^j (c^_i^j - 1)] / I_n,
/// VoT_n = sum_{i,j} t_ni^j M_ni^j (M^_ni^j - c^_i^j) / I_n,
/// E, M baseline exports and imports at producer prices, I_n = w_n L_n + R_n.
fn tot_vot(base: &Baseline, eq: &Equilibrium) -> Vec<(f64, f64)> {
    let (nn, jj) = (base.n, base.j);
    let z = |shares: &[f64], x: &[f64], t: &[f64], n: usize, i: usize, j: usize| {
        let k = (n * nn + i) * jj + j;
        shares[k] * x[n * jj + j] / (1.0 + t[k])
    };
    let tnew = eq.tariffs.as_slice();
    (0..nn)
        .map(|n| {
            let income = base.value_added[n] + base.revenue[n];
            let (mut tot, mut vot) = (0.0, 0.0);
            for i in (0..nn).filter(|&i| i != n) {
                for j in 0..jj {
                    let m = z(
                        &base.trade_shares,
                        &base.expenditure,
                        &base.tariffs,
                        n,
                        i,
                        j,
                    );
                    let e = z(
                        &base.trade_shares,
                        &base.expenditure,
                        &base.tariffs,
                        i,
                        n,
                        j,
                    );
                    let (cn, ci) = (eq.cost[n * jj + j], eq.cost[i * jj + j]);
                    tot += e * (cn - 1.0) - m * (ci - 1.0);
                    if m > 0.0 {
                        let m1 = z(&eq.trade_shares, &eq.expenditure, tnew, n, i, j);
                        vot += base.tariffs[(n * nn + i) * jj + j] * m * (m1 / m - ci);
                    }
                }
            }
            (100.0 * tot / income, 100.0 * vot / income)
        })
        .collect()
}

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
    let decomposition = tot_vot(model.baseline(), &eq);
    let outcomes = model.outcomes(&eq);
    let published = [("Mexico", 1.31), ("Canada", -0.06), ("USA", 0.08)];
    for (name, want) in published {
        let n = cal.region_index(name).unwrap();
        let (tot, vot) = decomposition[n];
        println!(
            "{name}: ToT {tot:.4}% + VoT {vot:.4}% = {:.4}% (CP Table 2: {want}%); exact real income {:.4}%",
            tot + vot,
            outcomes.welfare[n]
        );
    }
    for (name, want) in published {
        let n = cal.region_index(name).unwrap();
        let (tot, vot) = decomposition[n];
        assert!(
            (tot + vot - want).abs() < TABLE_TOLERANCE,
            "{name}: ToT + VoT = {:.4}%, CP Table 2 says {want}%",
            tot + vot
        );
    }
}
