//! SVG plots: latency percentiles against the offered rate (1:1 and the knee), and
//! server RSS against open connections with the fitted line.

use crate::scenarios::PhaseResult;
use crate::scenarios::idle::IdleResult;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// A chart drawing into an SVG file, both axes `f64`.
type Chart<'a, 'p> = ChartContext<'a, SVGBackend<'p>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A named, coloured percentile of a phase.
type Series = (&'static str, RGBColor, fn(&PhaseResult) -> f64);

/// An 800×500 SVG at `path`: title, axes from 0 to the given maxima, mesh; `draw` adds
/// the series (each with a legend entry), then the legend is drawn and the file written.
fn plot(
    path: &Path,
    title: &str,
    (x_desc, x_max): (&str, f64),
    (y_desc, y_max): (&str, f64),
    draw: impl FnOnce(&mut Chart<'_, '_>) -> PlotResult,
) -> PlotResult {
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()?;
    draw(&mut chart)?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// p50/p90/p99/max of `phases` against their offered rate.
pub fn latency_vs_rate(path: &Path, title: &str, phases: &[PhaseResult]) -> PlotResult {
    if phases.is_empty() {
        return Ok(());
    }
    let max_rate = phases.iter().map(|p| p.rate).fold(1.0, f64::max);
    let max_ms = phases.iter().map(|p| p.delivery.max_ms).fold(1.0, f64::max);
    let x = ("offered msgs/s", max_rate * 1.05);
    plot(path, title, x, ("latency ms", max_ms * 1.1), |chart| {
        let series: [Series; 4] = [
            ("p50", BLUE, |p| p.delivery.p50_ms),
            ("p90", GREEN, |p| p.delivery.p90_ms),
            ("p99", RED, |p| p.delivery.p99_ms),
            ("max", BLACK, |p| p.delivery.max_ms),
        ];
        for (name, color, value) in series {
            chart
                .draw_series(LineSeries::new(
                    phases.iter().map(|p| (p.rate, value(p))),
                    color.stroke_width(2),
                ))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        Ok(())
    })
}

/// Server RSS (MiB) against connections, with the least-squares line.
pub fn rss_vs_connections(path: &Path, idle: &IdleResult) -> PlotResult {
    if idle.samples.len() < 2 {
        return Ok(());
    }
    let mib = |b: f64| b / 1048576.0;
    let max_c = idle.samples.iter().map(|s| s.0).max().unwrap_or(1).max(1) as f64;
    let max_rss = idle.samples.iter().map(|s| s.1).max().unwrap_or(1) as f64;
    let title = "Server RSS vs idle connections";
    let x = ("open WebSockets", max_c * 1.05);
    plot(path, title, x, ("RSS MiB", mib(max_rss) * 1.1), |chart| {
        chart
            .draw_series(LineSeries::new(
                idle.samples.iter().map(|&(c, r)| (c as f64, mib(r as f64))),
                BLUE.stroke_width(2),
            ))?
            .label("measured")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
        if let (Some(slope), Some(intercept)) = (idle.bytes_per_connection, idle.fit_intercept) {
            chart
                .draw_series(LineSeries::new(
                    [0.0, max_c].map(|c| (c, mib(intercept + slope * c))),
                    RED.stroke_width(1),
                ))?
                .label(format!("fit: {slope:.0} B/connection"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
        }
        Ok(())
    })
}
