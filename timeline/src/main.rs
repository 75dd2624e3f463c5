//! Draws a trace as an SVG Gantt chart, one lane per task:
//!
//! ```text
//! SCHEDULER_TRACE=trace.json cargo run --example tv
//! cargo run --bin timeline -- trace.json timeline.svg
//! ```
//!
//! Open `timeline.svg` in a browser (hover a bar for its task, state and duration), or
//! `trace.json` itself in <https://ui.perfetto.dev>.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: cargo run --bin timeline -- TRACE.json OUT.svg");
        return ExitCode::FAILURE;
    };
    let json = match std::fs::read_to_string(input) {
        Ok(json) => json,
        Err(error) => {
            eprintln!("could not read `{input}`: {error}");
            return ExitCode::FAILURE;
        }
    };
    let svg = match scheduler_timeline::render_svg(&json) {
        Ok(svg) => svg,
        Err(error) => {
            eprintln!("`{input}`: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::write(output, svg) {
        eprintln!("could not write `{output}`: {error}");
        return ExitCode::FAILURE;
    }
    println!("wrote {output}");
    ExitCode::SUCCESS
}
