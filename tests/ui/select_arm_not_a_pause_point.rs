#[scheduler::task]
fn races(x: u32) -> u32 {
    scheduler::select! {
        n = x.checked_add(1) => n.unwrap_or(0),
        _ = scheduler::yield_now() => 0,
    }
}

fn main() {}
