//! Operations → Dashboard (MB-30): a period's conversion, refusal causes, payment counts,
//! gross and net amounts for one currency, in the user's zone. Charts are plain SVG with
//! labelled axes, a tooltip per bar or point, and a table of the exact numbers.

use crate::components::{error_text, loaded, problem_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use crate::payments::api::load_dashboard;
use crate::payments::{DashboardQuery, DashboardView};
use domain::markup::push_escaped;
use domain::money::{format_minor_in, Currency};
use domain::report::{axis_ticks, format_permille, Period};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

fn period_text(p: Period) -> &'static str {
    t(match p {
        Period::Today => T::PeriodToday,
        Period::Yesterday => T::PeriodYesterday,
        Period::Last7Days => T::PeriodLast7,
        Period::Last30Days => T::PeriodLast30,
        Period::ThisMonth => T::PeriodThisMonth,
        Period::Custom => T::PeriodCustom,
    })
}

/// One series of a chart: its name, CSS class and a value per day.
struct Series {
    name: &'static str,
    class: &'static str,
    values: Vec<i64>,
}

/// Which x labels to print so they do not overlap: every `n`th day.
fn label_every(days: usize) -> usize {
    days.div_ceil(8).max(1)
}

fn short_day(day: &str) -> &str {
    day.get(5..).unwrap_or(day)
}

/// `v` to a tenth, written from integers: a float's own formatting with a precision
/// costs several times more, over a page's few hundred chart positions.
fn push_tenths(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let t = tenths.unsigned_abs();
    out.push_str(itoa::Buffer::new().format(t / 10));
    out.push('.');
    out.push(char::from(b'0' + (t % 10) as u8));
}

/// The inside of a chart's `<svg>`, written as one string and set as its inner HTML.
///
/// A page's charts hold a few hundred elements; on the server a string costs a fraction
/// of what a view costs per element, and nothing in a chart is reactive. The browser
/// keeps the server's markup when it hydrates (inner HTML is set again only when the
/// chart is drawn anew, for another period). Every text is escaped.
struct Svg(String);

impl Svg {
    fn new() -> Self {
        Svg(String::with_capacity(8 * 1024))
    }

    /// ` name="v"`.
    fn attr(&mut self, name: &str, v: f64) {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        push_tenths(&mut self.0, v);
        self.0.push('"');
    }

    /// `<element class="class"`, left open for its other attributes.
    fn open(&mut self, element: &str, class: &[&str]) {
        self.0.push('<');
        self.0.push_str(element);
        self.0.push_str(" class=\"");
        for (i, name) in class.iter().enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            self.0.push_str(name);
        }
        self.0.push('"');
    }

    fn line(&mut self, class: &str, (x1, x2): (f64, f64), (y1, y2): (f64, f64)) {
        self.open("line", &[class]);
        self.attr("x1", x1);
        self.attr("x2", x2);
        self.attr("y1", y1);
        self.attr("y2", y2);
        self.0.push_str("></line>");
    }

    /// The two axes, along the left and the bottom of the plot.
    fn axes(&mut self) {
        self.line("axis", (LEFT, LEFT), (TOP, HEIGHT - BOTTOM));
        self.line(
            "axis",
            (LEFT, WIDTH - RIGHT),
            (HEIGHT - BOTTOM, HEIGHT - BOTTOM),
        );
    }

    fn text(&mut self, x: f64, y: f64, anchor: &str, text: &str) {
        self.open("text", &["tick"]);
        self.attr("x", x);
        self.attr("y", y);
        self.0.push_str(" text-anchor=\"");
        self.0.push_str(anchor);
        self.0.push_str("\">");
        push_escaped(&mut self.0, text);
        self.0.push_str("</text>");
    }

    /// Every `label_every`th day's label under its slot.
    fn day_labels(&mut self, days: &[String], slot: f64) {
        let every = label_every(days.len());
        for (i, day) in days.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let x = LEFT + slot * (i as f64 + 0.5);
            self.text(x, HEIGHT - BOTTOM + 16.0, "middle", short_day(day));
        }
    }

    /// Text shown on hover, and read by screen readers, for the element just opened:
    /// `parts` one after the other.
    fn tip(&mut self, parts: &[&str], element: &str) {
        self.0.push_str("><title>");
        for part in parts {
            push_escaped(&mut self.0, part);
        }
        self.0.push_str("</title></");
        self.0.push_str(element);
        self.0.push('>');
    }

    fn bar(&mut self, class: &str, (x, y): (f64, f64), (width, height): (f64, f64), tip: &[&str]) {
        self.open("rect", &["bar", class]);
        self.attr("x", x);
        self.attr("y", y);
        self.attr("width", width);
        self.attr("height", height);
        self.tip(tip, "rect");
    }

    fn polyline(&mut self, class: &str, points: impl Iterator<Item = (f64, f64)>) {
        self.open("polyline", &[class]);
        self.0.push_str(r#" points=""#);
        for (i, (x, y)) in points.enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            push_tenths(&mut self.0, x);
            self.0.push(',');
            push_tenths(&mut self.0, y);
        }
        self.0.push_str(r#""></polyline>"#);
    }

    fn point(&mut self, (cx, cy): (f64, f64), tip: &[&str]) {
        self.open("circle", &["point"]);
        self.attr("cx", cx);
        self.attr("cy", cy);
        self.0.push_str(r#" r="4""#);
        self.tip(tip, "circle");
    }
}

/// The rows of a chart's table of numbers, a day and then its cells, written as one
/// string and set as the inner HTML of the table's body, like the chart's drawing.
fn number_rows(days: &[String], cells: impl Fn(usize) -> Vec<String>) -> String {
    let mut out = String::new();
    for (i, day) in days.iter().enumerate() {
        out.push_str(r#"<tr><th scope="row">"#);
        push_escaped(&mut out, day);
        out.push_str("</th>");
        for cell in cells(i) {
            out.push_str(r#"<td class="num">"#);
            push_escaped(&mut out, &cell);
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out
}

/// A grouped bar chart, one group per day.
fn bar_chart(
    id: &'static str,
    title: &'static str,
    days: &[String],
    series: Vec<Series>,
    format: impl Fn(i64) -> String + Copy + 'static,
) -> impl IntoView {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let ticks = axis_ticks(max, 4);
    let top = *ticks.last().unwrap_or(&1) as f64;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let y = move |v: i64| TOP + plot_h - (v as f64 / top.max(1.0)) * plot_h;
    let slot = plot_w / days.len().max(1) as f64;
    let bar_w = (slot * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut svg = Svg::new();
    for tick in &ticks {
        let ty = y(*tick);
        svg.line("grid", (LEFT, WIDTH - RIGHT), (ty, ty));
        svg.text(LEFT - 6.0, ty + 4.0, "end", &format(*tick));
    }
    svg.axes();
    for (si, s) in series.iter().enumerate() {
        for (i, v) in s.values.iter().enumerate() {
            let x = LEFT + slot * i as f64 + slot * 0.1 + bar_w * si as f64;
            let top_y = y(*v);
            let tip = [days[i].as_str(), " · ", s.name, ": ", &format(*v)];
            svg.bar(
                s.class,
                (x, top_y),
                (bar_w, (TOP + plot_h - top_y).max(0.0)),
                &tip,
            );
        }
    }
    svg.day_labels(days, slot);
    let legend = series
        .iter()
        .map(|s| view! { <li><span class=format!("swatch {}", s.class)></span>{s.name}</li> })
        .collect_view();
    let head = series
        .iter()
        .map(|s| view! { <th scope="col" class="num">{s.name}</th> })
        .collect_view();
    let rows = number_rows(days, |i| {
        series.iter().map(|s| format(s.values[i])).collect()
    });
    let desc = format!("{id}-desc");
    view! {
        <figure class="card chart" data-testid=id aria-labelledby=format!("{id}-title")>
            <figcaption id=format!("{id}-title")><h2>{title}</h2></figcaption>
            <ul class="legend" role="list">{legend}</ul>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=format!("{id}-title") aria-describedby=desc.clone() inner_html=svg.0></svg>
            <details id=desc>
                <summary>{t(T::ShowNumbers)}</summary>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">{t(T::DayLabel)}</th>{head}</tr></thead>
                        <tbody inner_html=rows></tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// The conversion line: successful ÷ all per day, 0–100 %.
fn conversion_chart(days: &[String], permille: Vec<Option<u32>>) -> impl IntoView {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let slot = plot_w / days.len().max(1) as f64;
    let y = move |p: u32| TOP + plot_h - f64::from(p) / 1000.0 * plot_h;
    let points: Vec<(f64, f64, &str, u32)> = permille
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (LEFT + slot * (i as f64 + 0.5), y(p), days[i].as_str(), p)))
        .collect();
    let mut svg = Svg::new();
    for p in [0u32, 250, 500, 750, 1000] {
        let ty = y(p);
        svg.line("grid", (LEFT, WIDTH - RIGHT), (ty, ty));
        svg.text(LEFT - 6.0, ty + 4.0, "end", &format!("{} %", p / 10));
    }
    svg.axes();
    svg.polyline("line", points.iter().map(|(x, y, _, _)| (*x, *y)));
    for (x, y, day, p) in &points {
        svg.point((*x, *y), &[day, ": ", &format_permille(*p)]);
    }
    svg.day_labels(days, slot);
    let rows = number_rows(days, |i| {
        vec![permille[i]
            .map(format_permille)
            .unwrap_or_else(|| "—".to_owned())]
    });
    view! {
        <figure class="card chart" data-testid="chart-conversion" aria-labelledby="chart-conversion-title">
            <figcaption id="chart-conversion-title"><h2>{t(T::ConversionTitle)}</h2></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="chart-conversion-title" aria-describedby="chart-conversion-desc" inner_html=svg.0></svg>
            <details id="chart-conversion-desc">
                <summary>{t(T::ShowNumbers)}</summary>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">{t(T::DayLabel)}</th><th scope="col" class="num">{t(T::ConversionTitle)}</th></tr></thead>
                        <tbody inner_html=rows></tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

fn dashboard_url(q: &DashboardQuery) -> String {
    let mut parts = vec![format!("period={}", q.period)];
    if q.period == "custom" {
        parts.push(format!("from={}", q.from));
        parts.push(format!("to={}", q.to));
    }
    if !q.currency.is_empty() {
        parts.push(format!("currency={}", q.currency));
    }
    format!("/operations/dashboard?{}", parts.join("&"))
}

fn figures_view(v: DashboardView, lang: domain::Lang) -> impl IntoView {
    let currency = Currency::parse(&v.currency).unwrap_or(Currency::parse("EUR").expect("EUR"));
    let money = move |minor: i64| format_minor_in(minor, currency, lang);
    let count = |n: i64| n.to_string();
    let days: Vec<String> = v.days.iter().map(|d| d.day.clone()).collect();
    let col = |f: fn(&domain::report::DayFigures) -> i64| -> Vec<i64> {
        v.days.iter().map(|d| f(&d.figures)).collect()
    };
    let conversion: Vec<Option<u32>> = v
        .days
        .iter()
        .map(|d| d.figures.conversion_permille())
        .collect();
    let totals = v.totals.clone();
    let kpis = [
        (T::KpiPayments, "kpi-payments", totals.all.to_string()),
        (
            T::ConversionTitle,
            "kpi-conversion",
            totals
                .conversion_permille()
                .map(format_permille)
                .unwrap_or_else(|| "—".to_owned()),
        ),
        (T::KpiGross, "kpi-gross", money(totals.gross_successful)),
        (T::KpiNet, "kpi-net", money(totals.net())),
    ];
    let refusals = v.refusals.clone();
    let max_refusals = refusals.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    view! {
        <p class="muted" data-testid="period-range">
            {t(T::PeriodRange).replace("{first}", &v.first).replace("{last}", &v.last).replace("{zone}", &v.zone)}
        </p>
        <div class="kpis">
            {kpis.into_iter().map(|(label, id, value)| view! {
                <div class="card kpi">
                    <p class="kpi-label">{t(label)}</p>
                    <p class="kpi-value" data-testid=id>{value}</p>
                </div>
            }).collect_view()}
        </div>
        <div class="charts">
            {conversion_chart(&days, conversion)}
            <section class="card chart" data-testid="chart-refusals" aria-labelledby="refusals-title">
                <h2 id="refusals-title">{t(T::RefusalsTitle)}</h2>
                {if refusals.is_empty() {
                    view! { <p class="empty">{t(T::NoRefusals)}</p> }.into_any()
                } else {
                    view! {
                        <table class="table refusals">
                            <thead><tr>
                                <th scope="col">{t(T::RefusalCodeLabel)}</th>
                                <th scope="col">{t(T::MeaningLabel)}</th>
                                <th scope="col" class="num">{t(T::KpiPayments)}</th>
                            </tr></thead>
                            <tbody>
                                {refusals.into_iter().map(|r| {
                                    // An SVG bar: a style attribute would break the page's CSP.
                                    let width = (r.count * 100 / max_refusals).max(1).to_string();
                                    view! {
                                        <tr>
                                            <td class="mono">{r.code}</td>
                                            <td>{r.meaning}</td>
                                            <td class="num">
                                                <svg class="hbar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                                                    <rect width=width height="8"/>
                                                </svg>
                                                {r.count}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            {bar_chart("chart-count", t(T::PaymentsCountTitle), &days, vec![
                Series { name: t(T::SeriesAll), class: "s-all", values: col(|f| f.all as i64) },
                Series { name: t(T::SeriesSuccessful), class: "s-ok", values: col(|f| f.successful as i64) },
            ], count)}
            {bar_chart("chart-gross", t(T::GrossTitle), &days, vec![
                Series { name: t(T::SeriesSuccessful), class: "s-ok", values: col(|f| f.gross_successful) },
                Series { name: t(T::SeriesCancelled), class: "s-bad", values: col(|f| f.gross_cancelled) },
            ], money)}
            {bar_chart("chart-net", t(T::NetTitle), &days, vec![
                Series { name: t(T::SeriesCaptured), class: "s-ok", values: col(|f| f.captured) },
                Series { name: t(T::SeriesRefunded), class: "s-warn", values: col(|f| f.refunded) },
            ], money)}
        </div>
    }
}

/// The period selector and the figures, for the query in the URL.
///
/// `untitled` leaves out the section's heading where the page's own says it.
#[component]
pub fn Dashboard(#[prop(optional)] untitled: bool) -> impl IntoView {
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| DashboardQuery {
            period: q.get("period").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            currency: q.get("currency").unwrap_or_default(),
        })
    });
    let data = Resource::new(move || wanted.get(), load_dashboard);
    let lang = use_lang();
    view! {
        <section class="dashboard" aria-labelledby="dashboard-title">
            <h2 id="dashboard-title" class="section-title" class:sr-only=untitled>{t(T::DashboardTitle)}</h2>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let q = wanted.get_untracked();
                    let result = loaded(data).await;
                    let shown = result.as_ref().ok().map(|v| v.period.clone()).unwrap_or_else(|| q.period.clone());
                    let currency = result.as_ref().ok().map(|v| v.currency.clone()).unwrap_or_default();
                    let currencies = result.as_ref().ok().map(|v| v.currencies.clone()).unwrap_or_default();
                    let error = result.as_ref().err().cloned();
                    let problem = move |name: &str| error.as_ref().and_then(|e| e.problem_for(name).map(problem_text));
                    let (from_problem, to_problem) = (problem("from"), problem("to"));
                    let (from_invalid, to_invalid) = (from_problem.is_some(), to_problem.is_some());
                    let periods = Period::ALL.into_iter().filter(|p| *p != Period::Custom).map(|p| {
                        let url = dashboard_url(&DashboardQuery { period: p.code().to_owned(), currency: q.currency.clone(), ..Default::default() });
                        let current = shown == p.code();
                        view! {
                            <a class="button" class:primary=current aria-current=current.then_some("page") href=url>{period_text(p)}</a>
                        }
                    }).collect_view();
                    let selector = view! {
                        <nav class="periods" aria-label=t(T::PeriodLabel)>{periods}</nav>
                        <form class="custom-range" method="get" action="/operations/dashboard">
                            <input type="hidden" name="period" value="custom"/>
                            <div class="field" class:field-invalid=from_invalid>
                                <label for="dash-from">{t(T::DateFrom)}</label>
                                <input id="dash-from" name="from" type="date" value=q.from.clone()/>
                                <p class="field-error">{from_problem}</p>
                            </div>
                            <div class="field" class:field-invalid=to_invalid>
                                <label for="dash-to">{t(T::DateTo)}</label>
                                <input id="dash-to" name="to" type="date" value=q.to.clone()/>
                                <p class="field-error">{to_problem}</p>
                            </div>
                            <div class="field">
                                <label for="dash-currency">{t(T::CurrencyLabel)}</label>
                                <select id="dash-currency" name="currency">
                                    {currencies.iter().map(|c| view! { <option value=c.clone() selected=*c == currency>{c.clone()}</option> }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="button">{t(T::PeriodCustom)}</button>
                        </form>
                    };
                    let body = match result {
                        Ok(v) => figures_view(v, lang).into_any(),
                        Err(AppError::Invalid(_)) => ().into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    };
                    view! { <div class="period-bar">{selector}</div> {body} }.into_any()
                })}
            </Suspense>
        </section>
    }
}

/// `/operations/dashboard`.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — OpenPSP", t(T::DashboardTitle))/>
        <h1>{t(T::DashboardTitle)}</h1>
        <Dashboard untitled=true/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_texts_are_escaped_and_positions_rounded() {
        let mut svg = Svg::new();
        svg.bar(
            "s-ok",
            (84.04, 12.0),
            (10.0, 100.26),
            &["<b>\"x\"</b>", " & 'y'"],
        );
        assert_eq!(
            svg.0,
            r#"<rect class="bar s-ok" x="84.0" y="12.0" width="10.0" height="100.3"><title>&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#39;y&#39;</title></rect>"#
        );
        let mut svg = Svg::new();
        svg.point((-1.26, 2.0), &["<script>"]);
        assert!(svg.0.contains(r#"cx="-1.3""#), "{}", svg.0);
        assert!(svg.0.contains("<title>&lt;script&gt;</title>"), "{}", svg.0);
    }

    #[test]
    fn a_line_joins_its_points_and_long_periods_label_every_nth_day() {
        let mut svg = Svg::new();
        svg.polyline("line", [(84.0, 12.0), (100.04, 20.0)].into_iter());
        assert_eq!(
            svg.0,
            r#"<polyline class="line" points="84.0,12.0 100.0,20.0"></polyline>"#
        );
        let days: Vec<String> = (1..=30).map(|d| format!("2026-11-{d:02}")).collect();
        let mut svg = Svg::new();
        svg.day_labels(&days, 10.0);
        // 30 days: every 4th, so that the labels do not overlap.
        assert_eq!(svg.0.matches("<text").count(), 8);
        assert!(svg.0.contains(">11-01</text>") && svg.0.contains(">11-29</text>"));
        assert!(!svg.0.contains(">11-02</text>"));
    }

    #[test]
    fn a_table_row_per_day_with_its_cells_escaped() {
        let days = ["2026-11-29".to_owned(), "2026-11-30".to_owned()];
        let rows = number_rows(&days, |i| vec![format!("{i}"), "<&>".to_owned()]);
        assert_eq!(
            rows,
            concat!(
                r#"<tr><th scope="row">2026-11-29</th><td class="num">0</td><td class="num">&lt;&amp;&gt;</td></tr>"#,
                r#"<tr><th scope="row">2026-11-30</th><td class="num">1</td><td class="num">&lt;&amp;&gt;</td></tr>"#
            )
        );
    }
}
