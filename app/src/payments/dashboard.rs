//! Operations → Dashboard (MB-30): a period's conversion, refusal causes, payment counts,
//! gross and net amounts for one currency, in the user's zone. Charts are plain SVG with
//! labelled axes, a tooltip per bar or point, and a table of the exact numbers.

use crate::components::{error_text, problem_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use crate::payments::api::load_dashboard;
use crate::payments::{DashboardQuery, DashboardView};
use domain::money::{Currency, Money};
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

fn short_day(day: &str) -> String {
    day.get(5..).unwrap_or(day).to_owned()
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
    let every = label_every(days.len());
    let grid = ticks
        .iter()
        .map(|tick| {
            let ty = y(*tick);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=ty y2=ty/>
                <text class="tick" x=LEFT - 6.0 y=ty + 4.0 text-anchor="end">{format(*tick)}</text>
            }
        })
        .collect_view();
    let x_labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, d)| {
            let x = LEFT + slot * (i as f64 + 0.5);
            view! { <text class="tick" x=x y=HEIGHT - BOTTOM + 16.0 text-anchor="middle">{short_day(d)}</text> }
        })
        .collect_view();
    let bars = series
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            let n = series.len() as f64;
            s.values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let x = LEFT + slot * i as f64 + slot * 0.1 + bar_w * si as f64;
                    let _ = n;
                    let top_y = y(*v);
                    let tip = format!("{} · {}: {}", days[i], s.name, format(*v));
                    view! {
                        <rect class=format!("bar {}", s.class) x=x y=top_y width=bar_w height=(TOP + plot_h - top_y).max(0.0)>
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| view! { <li><span class=format!("swatch {}", s.class)></span>{s.name}</li> })
        .collect_view();
    let head = series
        .iter()
        .map(|s| view! { <th scope="col" class="num">{s.name}</th> })
        .collect_view();
    let rows = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let cells = series
                .iter()
                .map(|s| view! { <td class="num">{format(s.values[i])}</td> })
                .collect_view();
            view! { <tr><th scope="row">{d.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    let desc = format!("{id}-desc");
    view! {
        <figure class="card chart" data-testid=id aria-labelledby=format!("{id}-title")>
            <figcaption id=format!("{id}-title")><h2>{title}</h2></figcaption>
            <ul class="legend" role="list">{legend}</ul>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=format!("{id}-title") aria-describedby=desc.clone()>
                {grid}
                <line class="axis" x1=LEFT x2=LEFT y1=TOP y2=HEIGHT - BOTTOM/>
                <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM/>
                {bars}
                {x_labels}
            </svg>
            <details id=desc>
                <summary>{t(T::ShowNumbers)}</summary>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">{t(T::DayLabel)}</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
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
    let every = label_every(days.len());
    let points: Vec<(f64, f64, String, u32)> = permille
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (LEFT + slot * (i as f64 + 0.5), y(p), days[i].clone(), p)))
        .collect();
    let path = points
        .iter()
        .map(|(x, y, _, _)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let grid = [0u32, 250, 500, 750, 1000]
        .into_iter()
        .map(|p| {
            let ty = y(p);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=ty y2=ty/>
                <text class="tick" x=LEFT - 6.0 y=ty + 4.0 text-anchor="end">{format!("{} %", p / 10)}</text>
            }
        })
        .collect_view();
    let x_labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, d)| {
            let x = LEFT + slot * (i as f64 + 0.5);
            view! { <text class="tick" x=x y=HEIGHT - BOTTOM + 16.0 text-anchor="middle">{short_day(d)}</text> }
        })
        .collect_view();
    let dots = points
        .iter()
        .map(|(x, y, day, p)| {
            view! {
                <circle class="point" cx=*x cy=*y r="4">
                    <title>{format!("{day}: {}", format_permille(*p))}</title>
                </circle>
            }
        })
        .collect_view();
    let rows = days
        .iter()
        .zip(&permille)
        .map(|(d, p)| view! { <tr><th scope="row">{d.clone()}</th><td class="num">{p.map(format_permille).unwrap_or_else(|| "—".to_owned())}</td></tr> })
        .collect_view();
    view! {
        <figure class="card chart" data-testid="chart-conversion" aria-labelledby="chart-conversion-title">
            <figcaption id="chart-conversion-title"><h2>{t(T::ConversionTitle)}</h2></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="chart-conversion-title" aria-describedby="chart-conversion-desc">
                {grid}
                <line class="axis" x1=LEFT x2=LEFT y1=TOP y2=HEIGHT - BOTTOM/>
                <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM/>
                <polyline class="line" points=path/>
                {dots}
                {x_labels}
            </svg>
            <details id="chart-conversion-desc">
                <summary>{t(T::ShowNumbers)}</summary>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">{t(T::DayLabel)}</th><th scope="col" class="num">{t(T::ConversionTitle)}</th></tr></thead>
                        <tbody>{rows}</tbody>
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
    let money = move |minor: i64| {
        Money::new(minor, currency)
            .map(|m| m.format_in(lang))
            .unwrap_or_default()
    };
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
                    let result = data.await;
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
