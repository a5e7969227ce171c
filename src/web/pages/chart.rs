//! The dashboard's trend chart: completion per day as a server-rendered SVG that
//! scales to the page (readable on a phone; no script, no external font).

use crate::domain::stats::Counts;
use chrono::NaiveDate;
use plotters::prelude::*;

/// An SVG line of the completion rate per day (days with nothing due are skipped).
pub fn trend_svg(days: &[(NaiveDate, Counts)], label: &str) -> String {
    render((640, 240), label, |root| draw(root, days, label))
}

/// Draws into an SVG string that the browser scales to the column's width.
fn render(
    (w, h): (u32, u32),
    label: &str,
    paint: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), Box<dyn std::error::Error>>,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        if let Err(e) = paint(&root).and_then(|()| root.present().map_err(Into::into)) {
            tracing::warn!(error = %e, "chart drawing failed");
        }
    }
    let label = label.replace('"', "'");
    svg.replacen(
        &format!("<svg width=\"{w}\" height=\"{h}\""),
        &format!("<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{label}\""),
        1,
    )
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    days: &[(NaiveDate, Counts)],
    label: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let n = days.len().max(1) as i32;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .caption(label, ("sans-serif", 16))
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(0..n - 1, 0f64..100f64)?;
    let names: Vec<String> = days.iter().map(|(d, _)| d.format("%m-%d").to_string()).collect();
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|i| names.get(usize::try_from(*i).unwrap_or(0)).cloned().unwrap_or_default())
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .draw()?;
    let points: Vec<(i32, f64)> = days
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| c.due > 0)
        .map(|(i, (_, c))| (i32::try_from(i).unwrap_or(0), c.completion_pct()))
        .collect();
    let blue = RGBColor(31, 78, 121);
    chart.draw_series(LineSeries::new(points.clone(), blue.stroke_width(2)))?;
    chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, blue.filled())))?;
    Ok(())
}

/// One line per numeric figure over the filed reports, with a legend.
pub fn figures_svg(dates: &[NaiveDate], series: &[(String, Vec<Option<f64>>)]) -> String {
    let label = series.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    render((640, 260), &label, |root| draw_figures(root, dates, series))
}

fn draw_figures(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    dates: &[NaiveDate],
    series: &[(String, Vec<Option<f64>>)],
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let n = dates.len().max(2) as i32;
    let top = series.iter().flat_map(|(_, v)| v.iter().flatten()).fold(1.0f64, |a, b| a.max(*b)) * 1.1;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0..n - 1, 0f64..top)?;
    let names: Vec<String> = dates.iter().map(|d| d.format("%m-%d").to_string()).collect();
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|i| names.get(usize::try_from(*i).unwrap_or(0)).cloned().unwrap_or_default())
        .draw()?;
    let colors = [RGBColor(31, 78, 121), RGBColor(192, 57, 43), RGBColor(39, 174, 96), RGBColor(142, 68, 173)];
    for (k, (name, values)) in series.iter().enumerate() {
        let color = colors[k % colors.len()];
        let points: Vec<(i32, f64)> =
            values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i32::try_from(i).unwrap_or(0), v))).collect();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    Ok(())
}

/// A month heatmap: a row per person, a cell per day, green for all done, red for
/// none, grey when nothing was due. Plain SVG rectangles with titles for each cell.
pub fn heatmap_svg(month: NaiveDate, people: &[crate::services::dashboard::PersonMonth]) -> String {
    let (label_w, cell, gap) = (84u32, 16u32, 2u32);
    let days = people.first().map_or(31, |p| p.days.len()) as u32;
    let (w, h) = (label_w + days * (cell + gap), 20 + people.len() as u32 * (cell + gap));
    let mut out =
        format!("<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">");
    for d in 0..days {
        if d % 5 == 0 {
            let x = label_w + d * (cell + gap);
            out.push_str(&format!(
                "<text x=\"{x}\" y=\"12\" font-size=\"10\" font-family=\"sans-serif\">{}</text>",
                d + 1
            ));
        }
    }
    for (row, p) in people.iter().enumerate() {
        let y = 18 + row as u32 * (cell + gap);
        let name = p.name.replace('&', "&amp;").replace('<', "&lt;");
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"11\" font-family=\"sans-serif\">{name}</text>",
            y + cell - 4
        ));
        for (d, c) in p.days.iter().enumerate() {
            let x = label_w + d as u32 * (cell + gap);
            let (fill, tip) = if c.due == 0 {
                ("#e4e7ec".to_string(), format!("{}-{:02}: -", month.format("%m"), d + 1))
            } else {
                let pct = c.completion_pct();
                let red = (220.0 - pct * 1.6) as u8;
                let green = (80.0 + pct * 1.2) as u8;
                (format!("rgb({red},{green},90)"), format!("{}-{:02}: {}/{}", month.format("%m"), d + 1, c.done, c.due))
            };
            out.push_str(&format!("<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\"><title>{tip}</title></rect>"));
        }
    }
    out.push_str("</svg>");
    out
}
