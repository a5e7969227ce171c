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
/// Empty when there is nothing to draw (no numeric figure, or none filed): the page
/// then says so instead of an empty frame and legend.
pub fn figures_svg(dates: &[NaiveDate], series: &[(String, Vec<Option<f64>>)]) -> String {
    if series.iter().all(|(_, v)| v.iter().all(Option::is_none)) {
        return String::new();
    }
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
        // A dot per value, so that a single day (no line to draw) still shows.
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    Ok(())
}

/// A month heatmap: a row per person, a cell per day, green for all done, red for
/// none, grey when nothing was due, with a legend of those colours.
pub fn heatmap_svg(people: &[crate::services::dashboard::PersonMonth], legend: &HeatmapLegend) -> String {
    let (label_w, cell, gap) = (84i32, 16i32, 2i32);
    let days = people.first().map_or(31, |p| p.days.len()) as i32;
    let rows = i32::try_from(people.len()).unwrap_or(0);
    let (w, h) = (label_w + days * (cell + gap), 20 + rows * (cell + gap) + 28);
    let size = (u32::try_from(w).unwrap_or(640), u32::try_from(h).unwrap_or(200));
    render(size, &legend.title, |root| draw_heatmap(root, people, legend, (label_w, cell, gap, days)))
}

/// The words of the heatmap's legend, in the reader's language.
pub struct HeatmapLegend {
    pub title: String,
    pub none_due: String,
    pub none_done: String,
    pub all_done: String,
}

/// The colour of a day's cell: grey with nothing due, else from red (none done) to
/// green (all done).
fn cell_colour(c: &Counts) -> RGBColor {
    if c.due == 0 {
        return RGBColor(228, 231, 236);
    }
    let pct = c.completion_pct();
    RGBColor((220.0 - pct * 1.6) as u8, (80.0 + pct * 1.2) as u8, 90)
}

fn draw_heatmap(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    people: &[crate::services::dashboard::PersonMonth],
    legend: &HeatmapLegend,
    (label_w, cell, gap, days): (i32, i32, i32, i32),
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let small = ("sans-serif", 10).into_font().color(&BLACK);
    let name_font = ("sans-serif", 11).into_font().color(&BLACK);
    for d in (0..days).step_by(5) {
        root.draw(&Text::new((d + 1).to_string(), (label_w + d * (cell + gap), 2), small.clone()))?;
    }
    for (row, p) in people.iter().enumerate() {
        let y = 18 + i32::try_from(row).unwrap_or(0) * (cell + gap);
        root.draw(&Text::new(p.name.clone(), (0, y + 2), name_font.clone()))?;
        for (d, c) in p.days.iter().enumerate() {
            let x = label_w + i32::try_from(d).unwrap_or(0) * (cell + gap);
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], cell_colour(c).filled()))?;
        }
    }
    // The legend under the grid: what each colour means.
    let y = 18 + i32::try_from(people.len()).unwrap_or(0) * (cell + gap) + 8;
    let swatches = [
        (cell_colour(&Counts::default()), &legend.none_due),
        (cell_colour(&Counts { due: 1, ..Counts::default() }), &legend.none_done),
        (cell_colour(&Counts { due: 1, done: 1, ..Counts::default() }), &legend.all_done),
    ];
    let mut x = 0;
    for (colour, words) in swatches {
        root.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], colour.filled()))?;
        root.draw(&Text::new(words.clone(), (x + 16, y + 1), small.clone()))?;
        x += 16 + 12 * i32::try_from(words.chars().count()).unwrap_or(4).max(4) + 12;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::dashboard::PersonMonth;

    #[test]
    fn the_heatmap_draws_a_cell_per_person_and_day_and_a_legend() {
        let day = |due, done| Counts { due, done, ..Counts::default() };
        let people = vec![
            PersonMonth { name: "徐强".into(), days: vec![day(0, 0), day(2, 1), day(1, 1)] },
            PersonMonth { name: "孙丽".into(), days: vec![day(1, 0), day(0, 0), day(3, 3)] },
        ];
        let legend = HeatmapLegend {
            title: "本月".into(),
            none_due: "无应完成任务".into(),
            none_done: "全部未完成".into(),
            all_done: "全部完成".into(),
        };
        let svg = heatmap_svg(&people, &legend);
        assert!(svg.starts_with("<svg viewBox=") && svg.contains("aria-label=\"本月\""), "{svg}");
        assert!(svg.contains("徐强") && svg.contains("孙丽") && svg.contains("全部完成"), "{svg}");
        // 6 cells, 3 legend swatches, and the white background.
        assert_eq!(svg.matches("<rect").count(), 6 + 3 + 1, "{svg}");
        assert!(svg.contains("fill=\"#E4E7EC\"") || svg.contains("fill=\"#e4e7ec\""), "grey for nothing due: {svg}");
    }
}

#[cfg(test)]
mod figure_chart_tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn nothing_filed_draws_nothing_and_one_day_draws_a_dot() {
        let none = figures_svg(&[day("2026-11-30")], &[("发货件数".into(), vec![None])]);
        assert!(none.is_empty(), "no frame and no empty legend");
        assert!(figures_svg(&[], &[]).is_empty());
        let one = figures_svg(&[day("2026-11-30")], &[("发货件数".into(), vec![Some(120.0)])]);
        assert!(one.contains("<circle"), "a single value is a dot: {one}");
    }
}
