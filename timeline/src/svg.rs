//! [`render_svg`](crate::render_svg): a trace as an SVG Gantt chart, one lane per task.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use scheduler::trace::pause_kind;
use serde_json::Value;

use crate::TraceError;

/// What a stretch of a lane shows, with its color and legend label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Blocking,
    Queued,
    Sleep,
    Join,
    Channel,
    Lock,
    Wait,
    Other,
}

impl State {
    const ALL: [State; 9] = [
        State::Running,
        State::Blocking,
        State::Queued,
        State::Sleep,
        State::Join,
        State::Channel,
        State::Lock,
        State::Wait,
        State::Other,
    ];

    fn color(self) -> &'static str {
        match self {
            State::Running => "#2e7d32",
            State::Blocking => "#d32f2f",
            State::Queued => "#b0bec5",
            State::Sleep => "#64b5f6",
            State::Join => "#ba68c8",
            State::Channel => "#ffb74d",
            State::Lock => "#f06292",
            State::Wait => "#4db6ac",
            State::Other => "#bdbdbd",
        }
    }

    fn label(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Blocking => "running, blocking (> slow_poll)",
            State::Queued => "queued",
            State::Sleep => "paused: sleep",
            State::Join => "join (task, wait_all, scope)",
            State::Channel => "channel send/recv",
            State::Lock => "lock, semaphore, event",
            State::Wait => "wait(future)",
            State::Other => "other (yield, run_in_thread)",
        }
    }

    fn class(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Blocking => "blocking",
            State::Queued => "queued",
            State::Sleep => "sleep",
            State::Join => "join",
            State::Channel => "channel",
            State::Lock => "lock",
            State::Wait => "wait",
            State::Other => "other",
        }
    }

    /// The state of a task paused for what the trace calls `kind` (its `args.kind`, one of
    /// [`pause_kind`]'s labels; an unknown or missing one is `Other`).
    fn of_pause(kind: &str) -> State {
        match kind {
            pause_kind::SLEEP => State::Sleep,
            pause_kind::JOIN => State::Join,
            pause_kind::CHANNEL => State::Channel,
            pause_kind::LOCK => State::Lock,
            pause_kind::WAIT => State::Wait,
            _ => State::Other,
        }
    }
}

/// One poll, in microseconds.
struct Slice {
    start: f64,
    end: f64,
    /// When the poll ended in a pause: what the task waited for, and its kind.
    paused: Option<(String, String)>,
    blocking: bool,
    /// The `#[task]` calls the task paused inside, outer first (the trace's nested `call`
    /// slices).
    calls: Vec<String>,
}

/// One task's track.
#[derive(Default)]
struct Lane {
    name: Option<String>,
    slices: Vec<Slice>,
    /// When it was queued (the end of a spawn flow), if the trace says.
    queued_at: Option<f64>,
}

/// Reads the trace's tracks.
fn lanes(trace: &Value) -> Result<BTreeMap<u64, Lane>, TraceError> {
    let events = match trace {
        Value::Array(events) => events,
        Value::Object(_) => match trace.get("traceEvents") {
            Some(Value::Array(events)) => events,
            _ => return Err(TraceError::format("no `traceEvents` array")),
        },
        _ => {
            return Err(TraceError::format(
                "neither an object nor an array of events",
            ));
        }
    };
    let mut lanes: BTreeMap<u64, Lane> = BTreeMap::new();
    for event in events {
        let phase = event.get("ph").and_then(Value::as_str).unwrap_or("");
        let tid = event.get("tid").and_then(Value::as_f64).unwrap_or(0.0) as u64;
        let ts = event.get("ts").and_then(Value::as_f64);
        match phase {
            "M" if event.get("name").and_then(Value::as_str) == Some("thread_name") => {
                let name = event
                    .get("args")
                    .and_then(|a| a.get("name"))
                    .and_then(Value::as_str);
                lanes.entry(tid).or_default().name = name.map(str::to_string);
            }
            "X" if event.get("cat").and_then(Value::as_str) == Some("call") => {
                // A `#[task]` call nested in the poll just before it, on the same track.
                let name = event.get("name").and_then(Value::as_str).unwrap_or("?");
                if let Some(poll) = lanes.entry(tid).or_default().slices.last_mut() {
                    poll.calls.push(name.to_string());
                }
            }
            "X" => {
                let start = ts.ok_or_else(|| TraceError::format("an `X` event without `ts`"))?;
                let duration = event.get("dur").and_then(Value::as_f64).unwrap_or(0.0);
                let args = event.get("args");
                let arg = |key| args.and_then(|a| a.get(key));
                let text = |key| arg(key).and_then(Value::as_str).unwrap_or("").to_string();
                let paused = (arg("outcome").and_then(Value::as_str) == Some("paused"))
                    .then(|| (text("pause"), text("kind")));
                let lane = lanes.entry(tid).or_default();
                if lane.name.is_none() {
                    lane.name = event
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
                lane.slices.push(Slice {
                    start,
                    end: start + duration.max(0.0),
                    paused,
                    blocking: arg("blocking").and_then(Value::as_bool).unwrap_or(false),
                    calls: Vec::new(),
                });
            }
            "f" => {
                if let Some(at) = ts {
                    let lane = lanes.entry(tid).or_default();
                    lane.queued_at = Some(lane.queued_at.map_or(at, |q: f64| q.min(at)));
                }
            }
            _ => {}
        }
    }
    lanes.retain(|_, lane| lane.name.is_some() || !lane.slices.is_empty());
    for lane in lanes.values_mut() {
        lane.slices.sort_by(|a, b| a.start.total_cmp(&b.start));
    }
    Ok(lanes)
}

/// A step of 1, 2 or 5 times a power of ten, near `rough`.
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.log10().floor());
    let scaled = rough / power;
    let nice = if scaled < 1.5 {
        1.0
    } else if scaled < 3.5 {
        2.0
    } else if scaled < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// `micros` in `unit` (µs, ms or s), without needless digits.
fn time_label(micros: f64, unit: (&str, f64)) -> String {
    let value = micros / unit.1;
    let mut text = format!("{value:.3}");
    while text.contains('.') && (text.ends_with('0') || text.ends_with('.')) {
        text.pop();
    }
    format!("{text} {}", unit.0)
}

/// `text` escaped for XML.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The longest label shown before it is shortened (from the left: the end of a path or
/// `file:line` says most).
const MAX_LABEL: usize = 44;
/// The width of the chart area, in pixels.
const CHART: f64 = 960.0;
/// The height of a lane.
const LANE: f64 = 24.0;
/// The width of a character of the labels (12 px monospace).
const CHAR: f64 = 7.3;

pub(crate) fn render(json_text: &str) -> Result<String, TraceError> {
    let trace: Value = serde_json::from_str(json_text).map_err(TraceError::json)?;
    let lanes = lanes(&trace)?;
    let times = lanes.values().flat_map(|lane| {
        lane.slices
            .iter()
            .flat_map(|s| [s.start, s.end])
            .chain(lane.queued_at)
    });
    let (t0, t1) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    });
    let (t0, t1) = if t0.is_finite() {
        (t0, t1.max(t0 + 1.0))
    } else {
        (0.0, 1000.0)
    };
    let span = t1 - t0;

    let labels: Vec<String> = lanes
        .values()
        .map(|lane| {
            let name = lane.name.clone().unwrap_or_default();
            let chars: Vec<char> = name.chars().collect();
            if chars.len() > MAX_LABEL {
                let tail: String = chars[chars.len() - (MAX_LABEL - 1)..].iter().collect();
                format!("…{tail}")
            } else {
                name
            }
        })
        .collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let left = (longest as f64 * CHAR + 24.0).clamp(120.0, 360.0);
    let width = left + CHART + 24.0;
    let x = |t: f64| left + (t - t0) / span * CHART;

    // Title, legend (wrapped to the width), axis, lanes.
    let mut legend = String::new();
    let (mut lx, mut ly) = (left, 52.0);
    for state in State::ALL {
        let item_width = 17.0 + state.label().chars().count() as f64 * 5.7 + 22.0;
        if lx + item_width > width - 12.0 {
            lx = left;
            ly += 20.0;
        }
        let _ = writeln!(
            legend,
            "<g class=\"legend\"><rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{ly:.1}\">{}</text></g>",
            ly - 10.0,
            state.color(),
            lx + 17.0,
            xml(state.label())
        );
        lx += item_width;
    }
    let axis_y = ly + 30.0;
    let lanes_top = axis_y + 8.0;
    let height = lanes_top + lanes.len() as f64 * LANE + 16.0;

    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{left:.1}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Task timeline: {} {}, {}</text>\n{legend}",
        lanes.len(),
        if lanes.len() == 1 { "task" } else { "tasks" },
        time_label(span, unit_of(span)),
    );

    // The time axis, with a light grid line per tick.
    let unit = unit_of(span);
    let step = nice_step(span / 8.0);
    let _ = writeln!(
        out,
        "<g class=\"axis\"><line x1=\"{left:.1}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#333\"/>",
        left + CHART
    );
    let mut tick = 0.0;
    while tick <= span + step * 1e-9 {
        let tx = x(t0 + tick);
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#e0e0e0\"/>\
             <line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{axis_y:.1}\" stroke=\"#333\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            axis_y,
            lanes_top + lanes.len() as f64 * LANE,
            axis_y - 4.0,
            axis_y - 7.0,
            xml(&time_label(tick, unit))
        );
        tick += step;
    }
    out.push_str("</g>\n");

    for (row, ((tid, lane), label)) in lanes.iter().zip(&labels).enumerate() {
        let top = lanes_top + row as f64 * LANE;
        let name = lane.name.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "<g class=\"lane\" data-tid=\"{tid}\" data-task=\"{}\">",
            xml(&name)
        );
        if row % 2 == 0 {
            let _ = writeln!(
                out,
                "<rect x=\"0\" y=\"{top:.1}\" width=\"{width:.0}\" height=\"{LANE}\" fill=\"#f5f5f5\"/>"
            );
        }
        let _ = writeln!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-family=\"monospace\" font-size=\"12\">{}<title>{}</title></text>",
            left - 8.0,
            top + LANE / 2.0 + 4.0,
            xml(label),
            xml(&name)
        );
        let bar = |out: &mut String, from: f64, to: f64, state: State, tall: bool, tip: String| {
            let (x0, x1) = (x(from), x(to));
            let w = (x1 - x0).max(if tall { 1.5 } else { 0.0 });
            if w <= 0.0 {
                return;
            }
            let h = if tall { LANE - 8.0 } else { 8.0 };
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{x0:.2}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{h:.1}\" fill=\"{}\"><title>{}</title></rect>",
                state.class(),
                top + (LANE - h) / 2.0,
                state.color(),
                xml(&tip)
            );
        };
        let took = |from: f64, to: f64| time_label(to - from, unit_of(to - from));
        if let (Some(queued), Some(first)) = (lane.queued_at, lane.slices.first()) {
            bar(
                &mut out,
                queued,
                first.start,
                State::Queued,
                false,
                format!("{name}: queued {}", took(queued, first.start)),
            );
        }
        for (i, slice) in lane.slices.iter().enumerate() {
            if let Some((reason, kind)) = &slice.paused {
                let until = lane.slices.get(i + 1).map_or(t1, |next| next.start);
                let state = State::of_pause(kind);
                let reason = if reason.is_empty() { "unknown" } else { reason };
                // Where it paused: `do_both > turn_on_tv > sleep`.
                let nesting: String = slice
                    .calls
                    .iter()
                    .map(|call| format!(" > {}", short(call)))
                    .collect();
                bar(
                    &mut out,
                    slice.end,
                    until,
                    state,
                    false,
                    format!(
                        "{name}{nesting}: paused on {reason}, {}",
                        took(slice.end, until)
                    ),
                );
                let (x0, x1) = (x(slice.end), x(until));
                let text = format!("{}{nesting} > {kind}", short(&name));
                if !slice.calls.is_empty() && x1 - x0 > 7.0 * text.chars().count() as f64 {
                    let _ = writeln!(
                        out,
                        "<text class=\"nesting\" x=\"{:.1}\" y=\"{:.1}\" font-family=\"monospace\" font-size=\"10\" fill=\"#555\">{}</text>",
                        x0 + 3.0,
                        top + LANE / 2.0 - 6.0,
                        xml(&text)
                    );
                }
            }
        }
        // Running slices last, on top of the pauses around them.
        for slice in &lane.slices {
            let state = if slice.blocking {
                State::Blocking
            } else {
                State::Running
            };
            bar(
                &mut out,
                slice.start,
                slice.end,
                state,
                true,
                format!("{name}: {} {}", state.label(), took(slice.start, slice.end)),
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// A fn's path without its module: `turn_on_tv` for `tv::turn_on_tv`.
fn short(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// The unit that labels a span of `micros` best.
fn unit_of(micros: f64) -> (&'static str, f64) {
    if micros >= 2e6 {
        ("s", 1e6)
    } else if micros >= 2e3 {
        ("ms", 1e3)
    } else {
        ("µs", 1.0)
    }
}
