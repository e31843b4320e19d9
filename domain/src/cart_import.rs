//! Importing an invoice's shopping cart from a CSV file (MB-35): one line item per row,
//! with the columns of the cart on the invoice page — name, price, quantity, measure and
//! article — under a header row that names them (in any order; comma or semicolon
//! separated, as spreadsheets in different locales save it). Every row is checked and
//! every problem reported with its line and column; the cart is imported only if no row
//! has one. The same function runs in the browser (the preview) and on the server.

use crate::cart::{line_amount, Quantity};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// Most line items one import may bring.
pub const MAX_ROWS: usize = 500;
/// Largest file accepted, in bytes.
pub const MAX_BYTES: usize = 256 * 1024;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest measure or article code, in characters.
pub const MAX_CODE_CHARS: usize = 30;

/// The template offered for download: the header and one example row.
pub const TEMPLATE: &str =
    "name;price;quantity;measure;article\nCoffee beans 1 kg;24.90;2;pcs;CB-1000\n";

/// One imported line item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedLine {
    /// Product or service name.
    pub name: String,
    /// Price of one unit, in minor units.
    pub unit_price: i64,
    /// Units, in thousandths (up to 3 decimals).
    pub quantity_thousandths: i64,
    /// Unit of measure (may be empty).
    pub measure: String,
    /// The vendor's code (may be empty).
    pub article: String,
    /// Price × quantity, rounded.
    pub amount: i64,
}

/// The columns of the import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    /// Product name (required).
    Name,
    /// Unit price (required).
    Price,
    /// Quantity (required).
    Quantity,
    /// Unit of measure.
    Measure,
    /// Vendor code.
    Article,
}

impl Column {
    const ALL: [Column; 5] = [
        Column::Name,
        Column::Price,
        Column::Quantity,
        Column::Measure,
        Column::Article,
    ];

    /// The header name.
    pub fn header(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Price => "price",
            Column::Quantity => "quantity",
            Column::Measure => "measure",
            Column::Article => "article",
        }
    }

    fn required(self) -> bool {
        matches!(self, Column::Name | Column::Price | Column::Quantity)
    }
}

/// What is wrong with a file or a cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ImportProblem {
    /// The file is larger than [`MAX_BYTES`].
    #[error("the file is larger than 256 KB")]
    TooLarge,
    /// The file is empty or has only a header.
    #[error("the file has no line items")]
    Empty,
    /// More rows than [`MAX_ROWS`].
    #[error("at most 500 line items")]
    TooManyRows,
    /// Not readable as CSV text (the parser's reason).
    #[error("this is not a CSV file: {0}")]
    Unreadable(String),
    /// A required column is missing from the header.
    #[error("the header has no column \"{0}\"")]
    MissingColumn(String),
    /// A header cell names no known column.
    #[error("unknown column \"{0}\"")]
    UnknownColumn(String),
    /// A required cell is empty.
    #[error("required")]
    Required,
    /// Text too long.
    #[error("at most {0} characters")]
    TooLong(usize),
    /// Not a price in the invoice's currency.
    #[error("not a price in this currency")]
    Price,
    /// Not a quantity with at most 3 decimals, above zero.
    #[error("not a quantity above zero with at most 3 decimals")]
    Quantity,
    /// The line's amount is too large.
    #[error("the line's amount is too large")]
    Amount,
}

/// A problem at a place in the file: its 1-based line (the header is line 1) and the
/// column, when it is one cell's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 1-based line of the file (0: the whole file).
    pub line: usize,
    /// The column, when the problem is one cell's.
    pub column: Option<Column>,
    /// What is wrong.
    pub problem: ImportProblem,
}

fn whole_file(problem: ImportProblem) -> Vec<RowProblem> {
    vec![RowProblem {
        line: 0,
        column: None,
        problem,
    }]
}

/// Reads a cart from CSV `text` with prices in `currency`: every line item, or every
/// problem found (at most one per cell; nothing is imported when there is any).
pub fn import(text: &str, currency: Currency) -> Result<Vec<ImportedLine>, Vec<RowProblem>> {
    if text.len() > MAX_BYTES {
        return Err(whole_file(ImportProblem::TooLarge));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(whole_file(ImportProblem::Empty)),
        Some(Err(e)) => return Err(whole_file(ImportProblem::Unreadable(e.to_string()))),
        Some(Ok(header)) => header,
    };
    let mut columns = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for cell in header.iter() {
        let name = cell.trim().to_ascii_lowercase();
        match Column::ALL.iter().find(|c| c.header() == name) {
            Some(column) => columns.push(Some(*column)),
            None if name.is_empty() => columns.push(None),
            None => problems.push(RowProblem {
                line: 1,
                column: None,
                problem: ImportProblem::UnknownColumn(cell.trim().chars().take(40).collect()),
            }),
        }
    }
    for column in Column::ALL.iter().filter(|c| c.required()) {
        if !columns.contains(&Some(*column)) {
            problems.push(RowProblem {
                line: 1,
                column: None,
                problem: ImportProblem::MissingColumn(column.header().to_owned()),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut lines = Vec::new();
    let mut rows = 0;
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(RowProblem {
                    line,
                    column: None,
                    problem: ImportProblem::Unreadable(e.to_string()),
                });
                break;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > MAX_ROWS {
            return Err(whole_file(ImportProblem::TooManyRows));
        }
        let cell = |column: Column| -> &str {
            columns
                .iter()
                .position(|c| *c == Some(column))
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .trim()
        };
        let mut bad: Vec<(Column, ImportProblem)> = Vec::new();
        let mut found = |column: Column, problem: ImportProblem| bad.push((column, problem));
        let name = cell(Column::Name);
        if name.is_empty() {
            found(Column::Name, ImportProblem::Required);
        } else if name.chars().count() > MAX_NAME_CHARS {
            found(Column::Name, ImportProblem::TooLong(MAX_NAME_CHARS));
        }
        let price = match cell(Column::Price) {
            "" => {
                found(Column::Price, ImportProblem::Required);
                None
            }
            text => match Money::parse_major(text, currency) {
                Ok(money) => Some(money.minor()),
                Err(_) => {
                    found(Column::Price, ImportProblem::Price);
                    None
                }
            },
        };
        let quantity = match cell(Column::Quantity) {
            "" => {
                found(Column::Quantity, ImportProblem::Required);
                None
            }
            text => match Quantity::parse(text) {
                Ok(q) if q.thousandths() > 0 => Some(q),
                _ => {
                    found(Column::Quantity, ImportProblem::Quantity);
                    None
                }
            },
        };
        for column in [Column::Measure, Column::Article] {
            if cell(column).chars().count() > MAX_CODE_CHARS {
                found(column, ImportProblem::TooLong(MAX_CODE_CHARS));
            }
        }
        let mut row = None;
        if let (Some(price), Some(quantity)) = (price, quantity) {
            let amount = line_amount(price, quantity);
            if Money::new(amount, currency).is_err() || amount < 0 {
                found(Column::Price, ImportProblem::Amount);
            } else {
                row = Some(ImportedLine {
                    name: name.to_owned(),
                    unit_price: price,
                    quantity_thousandths: quantity.thousandths(),
                    measure: cell(Column::Measure).to_owned(),
                    article: cell(Column::Article).to_owned(),
                    amount,
                });
            }
        }
        if bad.is_empty() {
            lines.extend(row);
        } else {
            problems.extend(bad.into_iter().map(|(column, problem)| RowProblem {
                line,
                column: Some(column),
                problem,
            }));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if lines.is_empty() {
        return Err(whole_file(ImportProblem::Empty));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn the_template_imports_as_its_example_row() {
        let lines = import(TEMPLATE, eur()).unwrap();
        assert_eq!(
            lines,
            vec![ImportedLine {
                name: "Coffee beans 1 kg".into(),
                unit_price: 2490,
                quantity_thousandths: 2000,
                measure: "pcs".into(),
                article: "CB-1000".into(),
                amount: 4980,
            }]
        );
    }

    #[test]
    fn columns_in_any_order_commas_quotes_and_decimals() {
        let text =
            "\u{feff}Quantity,Name,Price\n1.5,\"Olive oil, 1 L\",\"7,20\"\n0.125,Saffron,80\n\n";
        let lines = import(text, eur()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].name, "Olive oil, 1 L");
        assert_eq!((lines[0].unit_price, lines[0].amount), (720, 1080));
        assert_eq!(
            (lines[1].quantity_thousandths, lines[1].amount),
            (125, 1000)
        );
        assert_eq!(lines[1].measure, "");
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column_and_nothing_is_imported() {
        let text = "name;price;quantity\nTea;3.50;1\n;abc;0\nCups;1.999;2\nMugs;4;1.2345\n";
        let problems = import(text, eur()).unwrap_err();
        let at: Vec<(usize, Option<Column>, ImportProblem)> = problems
            .into_iter()
            .map(|p| (p.line, p.column, p.problem))
            .collect();
        assert_eq!(
            at,
            vec![
                (3, Some(Column::Name), ImportProblem::Required),
                (3, Some(Column::Price), ImportProblem::Price),
                (3, Some(Column::Quantity), ImportProblem::Quantity),
                (4, Some(Column::Price), ImportProblem::Price),
                (5, Some(Column::Quantity), ImportProblem::Quantity),
            ]
        );
    }

    #[test]
    fn the_header_must_name_the_required_columns() {
        let problems = import("name;cost;qty\nTea;1;1\n", eur()).unwrap_err();
        assert!(problems
            .iter()
            .any(|p| p.problem == ImportProblem::UnknownColumn("cost".into())));
        assert!(problems
            .iter()
            .any(|p| p.problem == ImportProblem::MissingColumn("price".into())));
        assert_eq!(
            import("name;price;quantity\n", eur()).unwrap_err()[0].problem,
            ImportProblem::Empty
        );
        assert_eq!(
            import("", eur()).unwrap_err()[0].problem,
            ImportProblem::Empty
        );
    }

    #[test]
    fn large_files_and_long_carts_are_refused_whole() {
        let big = "x".repeat(MAX_BYTES + 1);
        assert_eq!(
            import(&big, eur()).unwrap_err()[0].problem,
            ImportProblem::TooLarge
        );
        let mut many = String::from("name;price;quantity\n");
        for i in 0..=MAX_ROWS {
            many.push_str(&format!("Item {i};1;1\n"));
        }
        assert_eq!(
            import(&many, eur()).unwrap_err()[0].problem,
            ImportProblem::TooManyRows
        );
    }

    #[test]
    fn many_bad_cells_in_allowed_rows_are_each_reported() {
        let mut text = String::from("name;price;quantity\n");
        for _ in 0..MAX_ROWS {
            text.push_str(";x;0\n");
        }
        let problems = import(&text, eur()).unwrap_err();
        assert_eq!(problems.len(), 3 * MAX_ROWS);
        assert!(problems.iter().all(|p| p.column.is_some()));
    }

    #[test]
    fn prices_follow_the_currencys_decimals() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            import("name;price;quantity\nTea;350;2\n", jpy).unwrap()[0].amount,
            700
        );
        assert_eq!(
            import("name;price;quantity\nTea;3.5;2\n", jpy).unwrap_err()[0].problem,
            ImportProblem::Price
        );
    }

    proptest! {
        #[test]
        fn any_text_is_imported_or_refused_with_a_place(text in "\\PC{0,400}") {
            match import(&text, eur()) {
                Ok(lines) => {
                    prop_assert!(!lines.is_empty() && lines.len() <= MAX_ROWS);
                    for l in lines {
                        prop_assert!(l.quantity_thousandths > 0 && l.unit_price >= 0);
                    }
                }
                Err(problems) => {
                    prop_assert!(!problems.is_empty());
                    let lines = text.lines().count().max(1);
                    for p in problems {
                        prop_assert!(p.line <= lines + 1, "line {} of {}", p.line, lines);
                    }
                }
            }
        }

        #[test]
        fn written_rows_come_back_as_they_were(
            rows in proptest::collection::vec(("[A-Za-z][A-Za-z ]{0,20}", 0i64..100_000, 1i64..50_000), 1..30)
        ) {
            let mut text = String::from("name;price;quantity\n");
            for (name, cents, thousandths) in &rows {
                text.push_str(&format!(
                    "{};{}.{:02};{}.{:03}\n",
                    name, cents / 100, cents % 100, thousandths / 1000, thousandths % 1000
                ));
            }
            let lines = import(&text, eur()).unwrap();
            prop_assert_eq!(lines.len(), rows.len());
            for (line, (name, cents, thousandths)) in lines.iter().zip(&rows) {
                prop_assert_eq!(&line.name, name.trim());
                prop_assert_eq!(line.unit_price, *cents);
                prop_assert_eq!(line.quantity_thousandths, *thousandths);
            }
        }
    }
}
