//! The invoice's cart (MB-35): line items typed one by one, or imported from a CSV file
//! read in the browser. Prices and quantities are checked as typed by `domain::money`
//! and `domain::cart`; a file by `domain::cart_import`, in WebAssembly, and nothing is
//! imported while any of its rows has a problem. The server checks every line again.

use crate::components::{field_problem, problem_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use crate::paylinks::InvoiceLine;
use domain::cart::{format_thousandths, line_amount, Quantity};
use domain::cart_import::{import, ImportProblem, ImportedLine, RowProblem, MAX_ROWS};
use domain::money::{Currency, Money};
use domain::Lang;
use leptos::prelude::*;

/// The import's template, served by the server.
const TEMPLATE_URL: &str = "/operations/invoice/cart-template.csv";

/// One line item as typed, with a key that stays when lines before it are removed.
#[derive(Clone, Copy)]
struct Line {
    key: u64,
    name: RwSignal<String>,
    price: RwSignal<String>,
    quantity: RwSignal<String>,
    measure: RwSignal<String>,
    article: RwSignal<String>,
}

/// What is wrong with a line as typed, and its amount when price and quantity are good.
#[derive(Clone, Debug, Default, PartialEq)]
struct LineCheck {
    name: Option<String>,
    price: Option<String>,
    quantity: Option<String>,
    amount: Option<i64>,
}

/// A chosen file: its name and its text, or why the browser could not read it.
type ChosenFile = (String, Result<String, ImportProblem>);

/// What a chosen file gives: its lines, or every problem found in it.
type ImportResult = Result<Vec<ImportedLine>, Vec<RowProblem>>;

/// The cart: its lines, the form's currency, and the CSV file being previewed.
#[derive(Clone, Copy)]
pub(super) struct Cart {
    lines: RwSignal<Vec<Line>>,
    next_key: StoredValue<u64>,
    currency: RwSignal<String>,
    /// The form was sent once: empty required cells are refused from then on.
    submitted: RwSignal<bool>,
    file: RwSignal<Option<ChosenFile>>,
    reading: RwSignal<bool>,
    /// The form's owner: a line's signals belong to it, not to the view whose button
    /// made the line (the import preview is dropped as soon as its lines are used).
    owner: StoredValue<Option<WeakOwner>>,
}

impl Cart {
    /// An empty cart priced in the form's `currency`.
    pub(super) fn new(currency: RwSignal<String>, submitted: RwSignal<bool>) -> Cart {
        Cart {
            lines: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(1),
            currency,
            submitted,
            file: RwSignal::new(None),
            reading: RwSignal::new(false),
            owner: StoredValue::new(Owner::current().map(|o| o.downgrade())),
        }
    }

    fn currency(&self) -> Option<Currency> {
        Currency::parse(&self.currency.get())
    }

    /// Whether the cart has no line (tracked).
    pub(super) fn is_empty(&self) -> bool {
        self.lines.with(Vec::is_empty)
    }

    fn push(&self, typed: InvoiceLine) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let make = move || Line {
            key,
            name: RwSignal::new(typed.name),
            price: RwSignal::new(typed.price),
            quantity: RwSignal::new(typed.quantity),
            measure: RwSignal::new(typed.measure),
            article: RwSignal::new(typed.article),
        };
        let line = match self.owner.get_value().and_then(|o| o.upgrade()) {
            Some(owner) => owner.with(make),
            None => make(),
        };
        self.lines.update(|lines| lines.push(line));
    }

    fn remove(&self, key: u64) {
        self.lines.update(|lines| lines.retain(|l| l.key != key));
    }

    /// Empties the cart and forgets a previewed file.
    pub(super) fn clear(&self) {
        self.lines.set(Vec::new());
        self.file.set(None);
    }

    /// The lines as typed, numbered 1, 2, … (untracked: for sending).
    pub(super) fn lines(&self) -> Vec<InvoiceLine> {
        self.lines
            .get_untracked()
            .iter()
            .enumerate()
            .map(|(i, l)| InvoiceLine {
                id: (i + 1).to_string(),
                name: l.name.get_untracked(),
                price: l.price.get_untracked(),
                quantity: l.quantity.get_untracked(),
                measure: l.measure.get_untracked(),
                article: l.article.get_untracked(),
            })
            .collect()
    }

    /// The sum of the lines whose price and quantity are good, in minor units (tracked).
    fn total_minor(&self) -> i64 {
        let currency = self.currency();
        let submitted = self.submitted.get();
        self.lines.with(|lines| {
            lines
                .iter()
                .filter_map(|l| check(l, currency, submitted).amount)
                .sum()
        })
    }

    /// The cart's total as the amount field shows it, e.g. `49.80` (tracked).
    pub(super) fn total_text(&self) -> String {
        self.currency()
            .and_then(|c| Money::new(self.total_minor(), c).ok())
            .map(Money::format_major)
            .unwrap_or_default()
    }

    /// Whether any line would be refused if the form were sent now (untracked).
    pub(super) fn has_problems(&self) -> bool {
        untrack(|| {
            let currency = self.currency();
            self.lines.with(|lines| {
                lines.iter().any(|l| {
                    let c = check(l, currency, true);
                    c.name.is_some() || c.price.is_some() || c.quantity.is_some()
                })
            })
        })
    }

    /// Reads the file chosen in `input` (in the browser), then forgets the choice so the
    /// same file can be chosen again once corrected.
    fn choose(&self, input: web_sys::HtmlInputElement) {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let name = file.name();
            let (chosen, reading) = (self.file, self.reading);
            if file.size() > domain::cart_import::MAX_BYTES as f64 {
                chosen.set(Some((name, Err(ImportProblem::TooLarge))));
                return;
            }
            chosen.set(None);
            reading.set(true);
            let promise = file.text();
            leptos::task::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(promise)
                    .await
                    .ok()
                    .and_then(|value| value.as_string());
                reading.set(false);
                chosen.set(Some((
                    name,
                    text.ok_or(ImportProblem::Unreadable(String::new())),
                )));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = input;
    }

    /// Replaces the cart's lines with imported ones, written in `currency`.
    fn use_imported(&self, imported: &[ImportedLine], currency: Currency) {
        self.lines.set(Vec::new());
        for l in imported {
            self.push(InvoiceLine {
                id: String::new(),
                name: l.name.clone(),
                price: Money::new(l.unit_price, currency)
                    .map(Money::format_major)
                    .unwrap_or_default(),
                quantity: format_thousandths(l.quantity_thousandths),
                measure: l.measure.clone(),
                article: l.article.clone(),
            });
        }
        self.file.set(None);
    }
}

/// The problems of `line` as typed; empty required cells only once the form was sent.
fn check(line: &Line, currency: Option<Currency>, submitted: bool) -> LineCheck {
    let required =
        |text: &str| (submitted && text.trim().is_empty()).then(|| t(T::ErrRequired).to_owned());
    let name = line.name.with(|n| required(n));
    let (price_text, quantity_text) = (line.price.get(), line.quantity.get());
    let mut price = None;
    let mut unit_price = None;
    if price_text.trim().is_empty() {
        price = required(&price_text);
    } else if let Some(currency) = currency {
        match Money::parse_major(&price_text, currency) {
            Ok(m) => unit_price = Some(m.minor()),
            Err(_) => price = Some(t(T::ErrInvalidAmount).to_owned()),
        }
    }
    let mut quantity = None;
    let mut units = None;
    if quantity_text.trim().is_empty() {
        quantity = required(&quantity_text);
    } else {
        match Quantity::parse(&quantity_text) {
            Ok(q) => units = Some(q),
            Err(_) => quantity = Some(t(T::InvoiceErrQuantity).to_owned()),
        }
    }
    let mut amount = None;
    if let (Some(p), Some(q), Some(c)) = (unit_price, units, currency) {
        let minor = line_amount(p, q);
        if Money::new(minor, c).is_ok() {
            amount = Some(minor);
        } else {
            quantity = Some(t(T::ImportAmount).to_owned());
        }
    }
    LineCheck {
        name,
        price,
        quantity,
        amount,
    }
}

/// `minor` in `currency` as people of `lang` write it, or a dash.
fn money_text(minor: Option<i64>, currency: Option<Currency>, lang: Lang) -> String {
    minor
        .zip(currency)
        .and_then(|(m, c)| Money::new(m, c).ok())
        .map(|m| m.format_in(lang))
        .unwrap_or_else(|| "—".to_owned())
}

/// The merchant's words for what is wrong with a file or a cell.
fn import_problem_text(problem: &ImportProblem) -> String {
    match problem {
        ImportProblem::TooLarge => t(T::ImportTooLarge).to_owned(),
        ImportProblem::Empty => t(T::ImportEmpty).to_owned(),
        ImportProblem::TooManyRows => t(T::ImportTooManyRows).replace("{n}", &MAX_ROWS.to_string()),
        ImportProblem::Unreadable(reason) if reason.is_empty() => {
            t(T::ImportUnreadableFile).to_owned()
        }
        ImportProblem::Unreadable(reason) => t(T::ImportUnreadable).replace("{reason}", reason),
        ImportProblem::MissingColumn(name) => t(T::ImportMissingColumn).replace("{name}", name),
        ImportProblem::UnknownColumn(name) => t(T::ImportUnknownColumn).replace("{name}", name),
        ImportProblem::Required => t(T::ImportRequired).to_owned(),
        ImportProblem::TooLong(n) => t(T::ImportTooLong).replace("{n}", &n.to_string()),
        ImportProblem::Price => t(T::ImportPrice).to_owned(),
        ImportProblem::Quantity => t(T::InvoiceErrQuantity).to_owned(),
        ImportProblem::Amount => t(T::ImportAmount).to_owned(),
    }
}

/// "Line N, column C: message" (or without the column, or the line for the whole file).
fn row_problem_text(p: &RowProblem) -> String {
    let message = import_problem_text(&p.problem);
    let line = p.line.to_string();
    match (p.line, p.column) {
        (0, _) => message,
        (_, Some(column)) => t(T::ImportLineColumn)
            .replace("{line}", &line)
            .replace("{column}", column.header())
            .replace("{problem}", &message),
        (_, None) => t(T::ImportLine)
            .replace("{line}", &line)
            .replace("{problem}", &message),
    }
}

/// The Cart section of the invoice form: the lines, "Add product" and the CSV import.
pub(super) fn cart_section(cart: Cart, server: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    let empty = Memo::new(move |_| cart.is_empty());
    let lines_problem = field_problem(server, "lines");
    let result: Memo<Option<ImportResult>> = Memo::new(move |_| {
        let currency = cart.currency()?;
        cart.file.with(|file| {
            file.as_ref().map(|(_, text)| match text {
                Ok(text) => import(text, currency),
                Err(problem) => Err(vec![RowProblem {
                    line: 0,
                    column: None,
                    problem: problem.clone(),
                }]),
            })
        })
    });
    let add = move |_| {
        cart.push(InvoiceLine {
            quantity: "1".to_owned(),
            ..InvoiceLine::default()
        })
    };
    view! {
        <fieldset class="invoice-cart" data-testid="invoice-cart">
            <legend>{t(T::TabCart)}</legend>
            <p class="field-error">{lines_problem}</p>
            <Show when=move || !empty.get()
                fallback=|| view! { <p class="muted" data-testid="cart-empty">{t(T::InvoiceCartEmpty)}</p> }>
                {lines_table(cart, server, lang)}
            </Show>
            <div class="invoice-cart-tools">
                <button type="button" class="button" on:click=add>{t(T::InvoiceAddProduct)}</button>
                <input id="invoice-csv" class="invoice-csv-input" type="file" accept=".csv,text/csv"
                    aria-describedby="invoice-csv-hint"
                    on:change:target=move |ev| cart.choose(ev.target())/>
                <label for="invoice-csv" class="button">{t(T::InvoiceImportCsv)}</label>
                <a href=TEMPLATE_URL download rel="external">{t(T::InvoiceTemplate)}</a>
            </div>
            <p class="muted invoice-csv-hint" id="invoice-csv-hint">{t(T::InvoiceImportHint)}</p>
            <div aria-live="polite">{move || import_preview(cart, result, empty, lang)}</div>
        </fieldset>
    }
}

fn lines_table(cart: Cart, server: Signal<Option<AppError>>, lang: Lang) -> impl IntoView {
    let total = move || money_text(Some(cart.total_minor()), cart.currency(), lang);
    view! {
        <div class="table-wrap invoice-lines-wrap">
            <table class="table invoice-lines" data-testid="cart-lines">
                <thead><tr>
                    <th scope="col" class="num">{t(T::InvoiceLineId)}</th>
                    <th scope="col">{t(T::InvoiceLineName)}</th>
                    <th scope="col" class="num">{t(T::PriceLabel)}</th>
                    <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                    <th scope="col">{t(T::InvoiceMeasure)}</th>
                    <th scope="col" class="num">{t(T::AmountLabel)}</th>
                    <th scope="col">{t(T::ArticleLabel)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || cart.lines.get() key=|line| line.key
                        children=move |line| line_row(cart, line, server, lang)/>
                </tbody>
                <tfoot><tr>
                    <th scope="row" colspan="5">{t(T::TotalLabel)}</th>
                    <td class="num invoice-cart-total" data-testid="cart-total">{total}</td>
                    <td colspan="2"></td>
                </tr></tfoot>
            </table>
        </div>
    }
}

/// One cell's input: labelled "Name, line 2", its problem (as typed, else the server's
/// for `lines.{i}.{slot}`) underneath.
fn cell(
    line: Line,
    slot: &'static str,
    label: T,
    index: Memo<usize>,
    live: Signal<Option<String>>,
    server: Signal<Option<AppError>>,
) -> impl IntoView {
    let value = match slot {
        "name" => line.name,
        "price" => line.price,
        "quantity" => line.quantity,
        "measure" => line.measure,
        _ => line.article,
    };
    let numeric = matches!(slot, "price" | "quantity");
    let problem = move || {
        live.get().or_else(|| {
            server.get().and_then(|e| {
                e.problem_for(&format!("lines.{}.{slot}", index.get()))
                    .map(problem_text)
            })
        })
    };
    let id = format!("invoice-line-{}-{slot}", line.key);
    let error_id = format!("{id}-error");
    let (label, line_of) = (t(label), t(T::InvoiceLineOf));
    let aria = move || {
        line_of
            .replace("{label}", label)
            .replace("{n}", &(index.get() + 1).to_string())
    };
    view! {
        <td class=format!("invoice-cell-{slot}") class:field-invalid=move || problem().is_some()>
            <input id=id type="text" autocomplete="off" class:num=numeric
                inputmode=numeric.then_some("decimal")
                aria-label=aria
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())/>
            <p class="field-error" id=error_id>{problem}</p>
        </td>
    }
}

fn line_row(cart: Cart, line: Line, server: Signal<Option<AppError>>, lang: Lang) -> impl IntoView {
    let key = line.key;
    let index = Memo::new(move |_| {
        cart.lines
            .with(|lines| lines.iter().position(|l| l.key == key))
            .unwrap_or(0)
    });
    let checked = Memo::new(move |_| check(&line, cart.currency(), cart.submitted.get()));
    let name = Signal::derive(move || checked.with(|c| c.name.clone()));
    let price = Signal::derive(move || checked.with(|c| c.price.clone()));
    let quantity = Signal::derive(move || checked.with(|c| c.quantity.clone()));
    let none = Signal::derive(|| None);
    let amount = move || money_text(checked.with(|c| c.amount), cart.currency(), lang);
    let remove_label = t(T::InvoiceRemoveLine);
    let remove_aria = move || remove_label.replace("{n}", &(index.get() + 1).to_string());
    view! {
        <tr data-line-key=key.to_string()>
            <td class="num invoice-line-id">{move || (index.get() + 1).to_string()}</td>
            {cell(line, "name", T::InvoiceLineName, index, name, server)}
            {cell(line, "price", T::PriceLabel, index, price, server)}
            {cell(line, "quantity", T::QuantityLabel, index, quantity, server)}
            {cell(line, "measure", T::InvoiceMeasure, index, none, server)}
            <td class="num invoice-line-amount">{amount}</td>
            {cell(line, "article", T::ArticleLabel, index, none, server)}
            <td>
                <button type="button" class="button ghost invoice-remove" aria-label=remove_aria
                    title=remove_aria on:click=move |_| cart.remove(key)>
                    <span aria-hidden="true">"✕"</span>
                </button>
            </td>
        </tr>
    }
}

/// The file being read, its lines to check and use, or every problem in it.
fn import_preview(
    cart: Cart,
    result: Memo<Option<ImportResult>>,
    empty: Memo<bool>,
    lang: Lang,
) -> Option<AnyView> {
    if cart.reading.get() {
        return Some(
            view! { <p class="muted" role="status">{t(T::InvoiceImportReading)}</p> }.into_any(),
        );
    }
    let name = cart
        .file
        .with(|f| f.as_ref().map(|(name, _)| name.clone()))?;
    let discard = move |_| cart.file.set(None);
    match result.get()? {
        Err(problems) => Some(
            view! {
                <div class="alert alert-error invoice-import" role="alert" data-testid="import-problems">
                    <p><strong>{t(T::InvoiceImportFailed).replace("{name}", &name)}</strong></p>
                    <ul>
                        {problems.iter().map(|p| view! { <li>{row_problem_text(p)}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="button" on:click=discard>{t(T::Dismiss)}</button>
                </div>
            }
            .into_any(),
        ),
        Ok(lines) => {
            let currency = cart.currency();
            let total: i64 = lines.iter().map(|l| l.amount).sum();
            let read = t(T::InvoiceImportRead)
                .replace("{n}", &lines.len().to_string())
                .replace("{name}", &name);
            let rows = lines
                .iter()
                .map(|l| {
                    view! {
                        <tr>
                            <td>{l.name.clone()}</td>
                            <td class="num">{money_text(Some(l.unit_price), currency, lang)}</td>
                            <td class="num">{format_thousandths(l.quantity_thousandths)}</td>
                            <td>{l.measure.clone()}</td>
                            <td class="num">{money_text(Some(l.amount), currency, lang)}</td>
                            <td>{l.article.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            let use_lines = move |_| {
                if let Some(currency) = Currency::parse(&cart.currency.get_untracked()) {
                    cart.use_imported(&lines, currency);
                }
            };
            Some(
                view! {
                    <div class="card invoice-import" data-testid="import-preview">
                        <p><strong>{read}</strong></p>
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(T::InvoiceLineName)}</th>
                                    <th scope="col" class="num">{t(T::PriceLabel)}</th>
                                    <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                                    <th scope="col">{t(T::InvoiceMeasure)}</th>
                                    <th scope="col" class="num">{t(T::AmountLabel)}</th>
                                    <th scope="col">{t(T::ArticleLabel)}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                                <tfoot><tr>
                                    <th scope="row" colspan="4">{t(T::TotalLabel)}</th>
                                    <td class="num">{money_text(Some(total), currency, lang)}</td>
                                    <td></td>
                                </tr></tfoot>
                            </table>
                        </div>
                        <p class="muted" hidden=move || empty.get()>{t(T::InvoiceImportReplaces)}</p>
                        <div class="actions">
                            <button type="button" class="button primary" on:click=use_lines>{t(T::InvoiceImportUse)}</button>
                            <button type="button" class="button" on:click=discard>{t(T::Cancel)}</button>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
    }
}
