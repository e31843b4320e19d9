//! Prints how long the rich-text renderer takes on 20,000-character hostile lines, for
//! `bench/markdown.sh`. Speed is printed, not asserted.

fn main() {
    for unit in ["[", "*", "_", "`", "<", "[](", "[a](http://x ", "**a_"] {
        let line = unit.repeat(20_000 / unit.len());
        let started = std::time::Instant::now();
        let html = domain::markup::render(&line);
        println!(
            "{:<16} {:>6} characters -> {:>7} bytes of HTML in {:>8.3} ms",
            format!("{unit:?}"),
            line.chars().count(),
            html.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}
